import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { alone, configurationRequest, initializeRequest, inspectionChain, launchRequest, RequestSpec, sessionRequest, stallChain, Step, travelChain, writeChain } from './dapRequests';
import { compiles, FuzzScenario, scenarioArbitrary } from './dapScenarios';
import { runSession, SessionRun, TranscriptEntry } from './dapSession';
import { DapAdapter, inlineAdapter, processAdapter } from './dapWire';
import { repoPath } from '../helpers/repo';
import { fuzzer, Reproduction } from './fuzzTarget';

/**
 * The debug adapter over DAP. One case is one debug session: a scenario (the examples,
 * the documentation's, generated SMMUv2/v3/VFIO ones), a start (initialize, a launch with
 * good or bad attributes, configuration, configurationDone — each may be missing or
 * wrong), then random protocol-shaped requests: every standard request the adapter
 * implements and some it does not, the custom `iommu/*` ones, junk commands and junk
 * arguments, terminate, restart and disconnect anywhere, naming what the adapter gave out
 * earlier as well as random ids. Some requests go in one write with the next, so that the
 * adapter reads both before it answers either.
 *
 * Each case runs twice: on the inline adapter (the session class in this process, over a
 * stream pair), and again inline or, for some cases, on the standalone adapter process.
 * Besides what every session checks (dapSession.ts), the two runs must send the same
 * messages in the same order. What is normalised first: each message's own `seq` (a
 * counter, not content); and everything from the point where the fuzzer had to pause a
 * run that did not stop by itself within a few seconds, since where a pause lands depends
 * on the clock. (Launches never set a reachable `maxSeconds`, whose message names the
 * cycle the clock ran out at.)
 */

export interface DapCase {
  scenario: FuzzScenario;
  /** Run the second time on the standalone adapter process, not inline. */
  process: boolean;
  steps: Step[];
}

/** The start VS Code makes, each part of it sometimes missing or wrong. */
const startArbitrary: fc.Arbitrary<Step[]> = fc
  .record({
    initialize: fc.option(initializeRequest, { freq: 12, nil: undefined }),
    launch: fc.option(launchRequest, { freq: 20, nil: undefined }),
    configuration: fc.array(configurationRequest, { maxLength: 3 }),
    configurationDone: fc.option(fc.constant<RequestSpec>({ command: 'configurationDone', intent: 'sane' }), { freq: 12, nil: undefined }),
  })
  .map(({ initialize, launch, configuration, configurationDone }) => [initialize, launch, ...configuration, configurationDone].flatMap((r) => (r ? [alone(r)] : [])));

const stepArbitrary: fc.Arbitrary<Step> = fc.record({ request: sessionRequest, batched: fc.oneof({ weight: 7, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }) });

/** After the start: single requests, and now and then what a user does: look around a stop, step and go back, answer a stall, write a variable. */
const restArbitrary: fc.Arbitrary<Step[]> = fc
  .array(
    fc.oneof(
      { weight: 10, arbitrary: stepArbitrary.map((step) => [step]) },
      { weight: 2, arbitrary: inspectionChain },
      { weight: 2, arbitrary: travelChain },
      { weight: 1, arbitrary: stallChain },
      { weight: 1, arbitrary: writeChain },
    ),
    { maxLength: 16 },
  )
  .map((parts) => parts.flat());

const caseArbitrary: fc.Arbitrary<DapCase> = fc
  .record({
    scenario: scenarioArbitrary,
    process: fc.oneof({ weight: 19, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
    start: startArbitrary,
    rest: restArbitrary,
  })
  .map(({ scenario, process, start, rest }) => ({ scenario, process, steps: [...start, ...rest] }));

/** A transcript as compared between runs, up to where it depends on timing. */
function normalised(run: SessionRun, length: number): string[] {
  return run.transcript.slice(0, length).map((entry: TranscriptEntry) => {
    if ('sent' in entry) return JSON.stringify(entry);
    const { seq: _seq, ...message } = entry.received;
    return JSON.stringify({ received: message });
  });
}

/** The first place two runs differ, in words; undefined when they agree. */
function difference(a: SessionRun, b: SessionRun): string | undefined {
  const length = Math.min(a.racyFrom ?? a.transcript.length, b.racyFrom ?? b.transcript.length);
  const left = normalised(a, length);
  const right = normalised(b, length);
  const index = left.findIndex((entry, i) => entry !== right[i]);
  if (index < 0) return a.racyFrom === undefined && b.racyFrom === undefined && a.transcript.length !== b.transcript.length ? `one run has ${a.transcript.length} messages, the other ${b.transcript.length}` : undefined;
  return `the runs differ at message ${index}:\n  first:  ${left[index]}\n  second: ${right[index]}`;
}

/**
 * Runs a case on an adapter, catching what escapes it in this process: a rejection no one
 * handled, an exception from a timer, a second response the base class complains about.
 */
async function guarded(scenarioPath: string, input: DapCase, adapter: DapAdapter): Promise<SessionRun> {
  const escaped: string[] = [];
  const onEscape = (error: unknown): void => {
    escaped.push(`escaped the adapter: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  };
  const consoleError = console.error;
  console.error = (...args: unknown[]) => escaped.push(`console.error: ${args.map(String).join(' ')}`);
  process.on('unhandledRejection', onEscape);
  process.on('uncaughtException', onEscape);
  try {
    const run = await runSession(input.scenario, scenarioPath, compiles(input.scenario.text), input.steps, adapter);
    run.problems.push(...escaped);
    return run;
  } finally {
    adapter.close();
    console.error = consoleError;
    process.off('unhandledRejection', onEscape);
    process.off('uncaughtException', onEscape);
  }
}

function transcriptText(run: SessionRun): string {
  return run.transcript.map((entry) => JSON.stringify(entry)).join('\n');
}

let folder: string | undefined;
/** The transcript of each failing case, for its reproduction. */
const transcripts = new WeakMap<DapCase, string>();
/** What the emulator reported as its own failures during the run, with a case that shows each. */
const emulatorFailures = new Map<string, DapCase>();

function reproduction(input: DapCase): Reproduction[] {
  const transcript = transcripts.get(input);
  return [
    { name: 'scenario.iommu', text: input.scenario.text },
    { name: 'requests.json', text: `${JSON.stringify({ scenario: input.scenario.name, secondRunOnProcess: input.process, steps: input.steps }, null, 2)}\n` },
    ...(transcript ? [{ name: 'transcript.jsonl', text: `${transcript}\n` }] : []),
  ];
}

/**
 * The emulator's own failures are not the adapter's (it ends the run and says why, as it
 * should): each is reported once, with a session that shows it, under
 * `fuzz-findings/dap-emulator/`, for the emulator's owners.
 */
function reportEmulatorFailures(): void {
  [...emulatorFailures].forEach(([failure, input], index) => {
    const folder = repoPath('fuzz-findings', 'dap-emulator', `failure-${index + 1}`);
    mkdirSync(folder, { recursive: true });
    for (const file of [...reproduction(input), { name: 'failure.txt', text: `${failure}\n` }]) writeFileSync(path.join(folder, file.name), file.text);
    process.stderr.write(`fuzz dap: the emulator failed (${input.scenario.name}): ${failure}\n      reproduction: ${folder}\n`);
  });
  emulatorFailures.clear();
}

export const dapFuzzer = fuzzer<DapCase>({
  name: 'dap',
  unit: 'DAP sessions',
  testCount: 300,
  timeoutMs: 120_000,
  input: caseArbitrary,
  open() {
    folder = mkdtempSync(path.join(os.tmpdir(), 'iommu-dap-fuzz-'));
    return Promise.resolve();
  },
  async check(input) {
    if (!folder) throw new Error('the dap fuzzer was not opened');
    const scenarioPath = path.join(folder, 'scenario.iommu');
    writeFileSync(scenarioPath, input.scenario.text);
    const first = await guarded(scenarioPath, input, inlineAdapter());
    const second = await guarded(scenarioPath, input, input.process ? processAdapter() : inlineAdapter());
    for (const failure of [...first.emulatorFailures, ...second.emulatorFailures]) {
      if (!emulatorFailures.has(failure)) {
        emulatorFailures.set(failure, input);
        transcripts.set(input, transcriptText(first));
      }
    }
    const problems = [...new Set([...first.problems, ...second.problems])];
    const differs = difference(first, second);
    if (differs) problems.push(`${differs}\n(second run ${input.process ? 'on the adapter process' : 'inline'})`);
    if (problems.length === 0) return;
    transcripts.set(input, transcriptText(first));
    throw new Error(`${problems.length} broken promise${problems.length === 1 ? '' : 's'} in a session of ${input.scenario.name}:\n- ${problems.slice(0, 8).join('\n- ')}`);
  },
  reproduction,
  close() {
    if (folder) rmSync(folder, { recursive: true, force: true });
    folder = undefined;
    reportEmulatorFailures();
    return Promise.resolve();
  },
});
