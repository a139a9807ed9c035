import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import fc from 'fast-check';
import { formatDiagnostic } from '../../emulator/language/diagnosticFormat';
import { JsonRunWriter } from '../../emulator/cli/jsonRun';
import { StringOutput } from '../../emulator/cli/output';
import { Machine, RunLimits } from '../../emulator/machine/machine';
import { compileScenario } from '../../emulator/scenario/compile';
import { distPath, repoPath } from '../helpers/repo';
import { runNode } from '../helpers/runNode';
import { scenarioArbitrary } from './generators/scenarioArbitrary';

/**
 * Same file, same result, every run (smmu-model.md): fresh machines, the CLI, a machine
 * with listeners and one run in slices all print the same JSON, byte for byte.
 */

const cli = distPath('cli');
const examplesDir = repoPath('examples');
const examples = readdirSync(examplesDir)
  .filter((name) => name.endsWith('.iommu'))
  .sort();
const GENERATED_RUNS = Number(process.env['PROPERTY_RUNS'] ?? 50);
const MAX_EVENTS = 200_000;

const scratch = mkdtempSync(path.join(tmpdir(), 'iommu-determinism-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

type Variant = 'plain' | 'observed' | 'sliced';

/** What `iommu-debug run FILE --json` prints, computed in this process. */
function jsonOf(text: string, file: string, variant: Variant = 'plain', maxEvents?: number): string {
  const compiled = compileScenario(text);
  if (!compiled.model) {
    const diagnostics = compiled.diagnostics.map((d) => formatDiagnostic(file, compiled.lines, d)).join('\n');
    assert.fail(`${file} has errors:\n${diagnostics}\n--- scenario ---\n${text}`);
  }
  const out = new StringOutput();
  const writer = new JsonRunWriter(out);
  const machine = new Machine(compiled.model, { maxEvents, sink: writer });
  writer.begin(machine);
  const trace: string[] = [];
  if (variant === 'observed') machine.on((event) => trace.push(event.kind));
  let stop = machine.run(variant === 'sliced' ? { untilCycle: 0 } : {});
  // The debugger's way: run to a cycle, look, go on.
  for (let until = 7; stop.reason === 'until'; until += 7 + (until >> 3)) {
    const limits: RunLimits = { untilCycle: until };
    stop = machine.run(limits);
  }
  let error: string | undefined;
  if (stop.reason === 'error') error = formatDiagnostic(file, compiled.lines, { severity: 'error', code: 'runtime', range: stop.range, message: stop.message });
  else if (stop.reason === 'budget') error = `${file}: error: ${stop.message}`;
  else assert.equal(stop.reason, 'finished', `${file}: the run stopped: ${JSON.stringify(stop)}`);
  assert.deepEqual(machine.invariantViolations(), [], `${file}: invariants`);
  writer.finish(error);
  return out.text;
}

function withScenario(text: string, check: () => void): void {
  try {
    check();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`${message}\n--- scenario ---\n${text}`);
  }
}

interface CliJson {
  expects: { line: number; text: string; ok: boolean; detail: string }[];
}

for (const name of examples) {
  const file = path.join(examplesDir, name);
  const text = readFileSync(file, 'utf8');

  test(`${name}: two fresh machines, a traced one and a sliced one print the same JSON`, () => {
    const first = jsonOf(text, file);
    assert.equal(jsonOf(text, file), first, 'a second fresh machine');
    assert.equal(jsonOf(text, file, 'observed'), first, 'a machine with a listener');
    assert.equal(jsonOf(text, file, 'sliced'), first, 'a machine run in slices of cycles');
  });

  test(`${name}: the CLI prints byte-identical JSON twice, exits 0, and every expect holds`, () => {
    const first = runNode(cli, ['run', file, '--json']);
    const second = runNode(cli, ['run', file, '--json']);
    assert.equal(first.stderr, '', 'nothing on stderr');
    assert.equal(first.status, 0, `exit status (stdout: ${first.stdout})`);
    assert.equal(second.status, 0);
    assert.equal(second.stdout, first.stdout, 'two CLI runs differ');
    assert.equal(second.stderr, first.stderr);
    const json = JSON.parse(first.stdout) as CliJson;
    assert.ok(json.expects.length > 0, 'the example has expectations');
    for (const expect of json.expects) assert.equal(expect.ok, true, `line ${expect.line}: expect ${expect.text} (${expect.detail})`);
    // The bundled CLI and the compiled emulator are one program.
    assert.equal(first.stdout, jsonOf(text, file), 'the CLI and an in-process machine differ');
  });
}

test('generated scenarios: two fresh machines, a traced one and a sliced one print the same JSON', () => {
  fc.assert(
    fc.property(scenarioArbitrary, (text) => {
      withScenario(text, () => {
        const first = jsonOf(text, 'generated.iommu', 'plain', MAX_EVENTS);
        assert.equal(jsonOf(text, 'generated.iommu', 'plain', MAX_EVENTS), first, 'a second fresh machine');
        assert.equal(jsonOf(text, 'generated.iommu', 'observed', MAX_EVENTS), first, 'a machine with a listener');
        assert.equal(jsonOf(text, 'generated.iommu', 'sliced', MAX_EVENTS), first, 'a machine run in slices of cycles');
      });
    }),
    { numRuns: GENERATED_RUNS },
  );
});

test('generated scenarios: the CLI prints byte-identical JSON twice, the same as in process', () => {
  fc.assert(
    fc.property(scenarioArbitrary, (text) => {
      const file = path.join(scratch, 'generated.iommu');
      writeFileSync(file, text);
      withScenario(text, () => {
        const first = runNode(cli, ['run', file, '--json']);
        const second = runNode(cli, ['run', file, '--json']);
        assert.ok(first.status === 0 || first.status === 1, `exit status ${String(first.status)}: ${first.stderr}`);
        assert.equal(second.status, first.status);
        assert.equal(second.stdout, first.stdout, 'two CLI runs differ');
        assert.equal(first.stdout, jsonOf(text, file), 'the CLI and an in-process machine differ');
      });
    }),
    { numRuns: 5 },
  );
});
