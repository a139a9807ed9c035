import assert from 'node:assert/strict';
import fc from 'fast-check';
import { formatDiagnostic } from '../../emulator/language/diagnosticFormat';
import { Machine } from '../../emulator/machine/machine';
import { compileScenario } from '../../emulator/scenario/compile';
import { ScenarioModel } from '../../emulator/scenario/model';
import { featureScenarioArbitrary, GeneratedScenario } from '../emulator/generators/featureArbitrary';
import { fuzzer } from './fuzzTarget';
import { assertAccounted, assertAnsweredOnce, assertNothingHalfWay, assertPasidAgreement, assertSilentHandlers } from './invariantsChecks';
import { MAX_EVENTS, observedRun, ObservedRun, outcomeText, recordEvents, SeenEvent } from './invariantsRun';

/**
 * Issue 12 (d): "nothing lost" on generated valid scenarios of every feature (SMMUv2,
 * SMMUv3, PRI, PASIDs, VFIO, several SMMUs). One case is one scenario: it checks without
 * errors, runs to its end without an exception, keeps the machine's own invariants and the
 * accounting of every transaction its programs would issue, answers each fault at most
 * once, agrees with the checker's PASID and handler-never-runs warnings, and runs the same
 * twice — and the same again from a snapshot taken part-way, restored twice.
 */

interface Case {
  scenario: GeneratedScenario;
  /** Where the snapshot is taken, in thousandths of the run's events. */
  snapshotPermille: number;
}

function modelOf(text: string): { model: ScenarioModel; diagnostics: ReturnType<typeof compileScenario>['diagnostics'] } {
  const compiled = compileScenario(text);
  const errors = compiled.diagnostics.filter((d) => d.severity === 'error');
  assert.deepEqual(errors.map((d) => formatDiagnostic('scenario.iommu', compiled.lines, d)), [], 'a generated scenario checks without errors');
  const model = compiled.model;
  assert.ok(model, 'a scenario without errors has a model');
  return { model, diagnostics: compiled.diagnostics };
}

function assertSameEvents(actual: readonly SeenEvent[], expected: readonly SeenEvent[], what: string): void {
  const at = actual.findIndex((e, i) => e.text !== expected[i]?.text);
  if (at >= 0 || actual.length !== expected.length) {
    const i = at >= 0 ? at : Math.min(actual.length, expected.length);
    assert.fail(`${what}: event ${i} differs (${actual.length} vs ${expected.length} events)\n  got      ${actual[i]?.text ?? '(none)'}\n  expected ${expected[i]?.text ?? '(none)'}`);
  }
}

/** Step to the `permille` point, snapshot, run to the end, restore, run again: both tails are the reference's. */
function assertSnapshotReplays(model: ScenarioModel, reference: ObservedRun, permille: number): void {
  const k = Math.floor((reference.machine.state.events * permille) / 1000);
  const machine = new Machine(model, { maxEvents: MAX_EVENTS });
  const events = recordEvents(machine);
  for (let i = 0; i < k; i++) assert.equal(machine.step(), undefined, `step ${i} of ${k} did not run`);
  const snapshot = machine.snapshot();
  const expectedTail = reference.events.filter((e) => e.at > k);
  const expectedOutcome = outcomeText(reference.machine);
  for (const attempt of ['after the snapshot', 'after a restore']) {
    if (attempt === 'after a restore') machine.restore(snapshot);
    const from = events.length;
    assert.deepEqual(machine.run(), { reason: 'finished' }, `the run ${attempt} at event ${k}`);
    assertSameEvents(events.slice(from), expectedTail, `the run ${attempt} at event ${k} of ${reference.machine.state.events}`);
    assert.equal(outcomeText(machine), expectedOutcome, `the outcome ${attempt} at event ${k}`);
    assert.deepEqual(machine.invariantViolations(), []);
  }
}

function checkCase({ scenario, snapshotPermille }: Case): void {
  const { model, diagnostics } = modelOf(scenario.text);
  const run = observedRun(model);
  assert.deepEqual(run.stop, { reason: 'finished' }, 'the run ends by itself');
  assert.deepEqual(run.machine.invariantViolations(), []);
  assertAccounted(run);
  assertNothingHalfWay(run);
  assertAnsweredOnce(run);
  assertPasidAgreement(run, diagnostics);
  assertSilentHandlers(run, diagnostics);
  const again = observedRun(model);
  assertSameEvents(again.events, run.events, 'a second fresh machine');
  assert.equal(outcomeText(again.machine), outcomeText(run.machine), 'a second fresh machine: the outcome');
  assertSnapshotReplays(model, run, snapshotPermille);
}

export const invariantsFuzzer = fuzzer<Case>({
  name: 'invariants',
  unit: 'scenarios',
  testCount: 200,
  timeoutMs: 60_000,
  input: fc.record({ scenario: featureScenarioArbitrary, snapshotPermille: fc.integer({ min: 0, max: 1000 }) }),
  async check(input) {
    try {
      checkCase(input);
    } catch (error) {
      // fast-check prints the input escaped; the features say at a glance what the case was.
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      throw new Error(`[${input.scenario.features.join(', ')}] ${message}`);
    }
  },
  reproduction: (input) => [{ name: 'scenario.iommu', text: input.scenario.text }],
});
