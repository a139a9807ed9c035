import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { compileScenario } from '../../emulator/scenario/compile';
import { retryLoops } from '../debug-adapter/retryLoops';
import { v3Pri, v3Stall } from '../debug-adapter/v3Scenarios';
import { featureScenarioArbitrary } from '../emulator/generators/featureArbitrary';
import { repoPath } from '../helpers/repo';

/** A scenario a DAP session debugs, and what the fuzzer knows of it before launching. */
export interface FuzzScenario {
  /** Where it comes from: `examples/…`, `docs/…#N`, `generated`. */
  name: string;
  text: string;
}

/** A run long enough to still be running when the next request comes, without stops. */
const longRun = [
  'smmu s { version v2 }',
  'domain d { map 0x1000_0000 -> 0x8000_0000 size 2M rw }',
  'master m { stream 0x1; domain d }',
  'engine m.dma { repeat 200000 { read 0x1000_0000 + (i % 512) * 0x1000 64 } }',
].join('\n');

/** The scenarios the repository tells its stories with. */
function examples(): FuzzScenario[] {
  const folder = repoPath('examples');
  return readdirSync(folder)
    .filter((file) => file.endsWith('.iommu'))
    .sort()
    .map((file) => ({ name: `examples/${file}`, text: readFileSync(`${folder}/${file}`, 'utf8') }));
}

/** The fenced blocks of the documentation that look like scenarios (some are fragments that do not compile: launch refuses them). */
function documented(): FuzzScenario[] {
  const files = ['README.md', 'docs/scenario-language.md', 'docs/debugging.md', 'docs/smmuv3.md'];
  return files.flatMap((file) => {
    const blocks = [...readFileSync(repoPath(file), 'utf8').matchAll(/```[^\n]*\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
    return blocks.flatMap((text, index) => (/^\s*(smmu|engine|domain)\b/m.test(text) ? [{ name: `${file}#${index}`, text }] : []));
  });
}

/** Whether a launch of the scenario can succeed: it compiles. */
export function compiles(text: string): boolean {
  return compileScenario(text).model !== undefined;
}

/** Runs that take a second or more: a runaway handler, a long stream of reads. */
const slow: readonly FuzzScenario[] = [
  ...retryLoops.map(({ version, text }) => ({ name: `retry loop (${version})`, text })),
  { name: 'long run', text: longRun },
];

const fixed: readonly FuzzScenario[] = [
  ...examples(),
  ...documented(),
  { name: 'v3Scenarios.v3Stall', text: v3Stall },
  { name: 'v3Scenarios.v3Pri', text: v3Pri },
  { name: 'empty file', text: '' },
  { name: 'syntax error', text: 'smmu s { version v2\nengine {' },
];

/**
 * Most sessions get to run something: scenarios that do not compile (documentation
 * fragments) are drawn less often, and the slow ones seldom.
 */
export const scenarioArbitrary: fc.Arbitrary<FuzzScenario> = fc.oneof(
  { weight: 12, arbitrary: fc.constantFrom(...fixed.filter((s) => compiles(s.text))) },
  { weight: 2, arbitrary: fc.constantFrom(...fixed.filter((s) => !compiles(s.text))) },
  { weight: 1, arbitrary: fc.constantFrom(...slow) },
  { weight: 12, arbitrary: featureScenarioArbitrary.map((generated) => ({ name: 'generated', text: generated.text })) },
);
