import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { Machine, RunStop } from '../../emulator/machine/machine';
import { engineFinished } from '../../emulator/machine/transactions';
import { RunResult } from '../../emulator/machine/results';
import { TransactionState } from '../../emulator/machine/state';
import { ResponseKind } from '../../emulator/language/ast';
import { formatDiagnostic } from '../../emulator/language/diagnosticFormat';
import { compileScenario } from '../../emulator/scenario/compile';
import { ScenarioModel } from '../../emulator/scenario/model';
import { walk } from '../../emulator/pgtable/walker';
import { FSR_FAULT_BITS } from '../../emulator/smmu/v2/registers';
import { scenarioArbitrary } from './generators/scenarioArbitrary';
import { v2StateOf } from '../../emulator/smmu/smmuState';

/**
 * "Nothing lost" (smmu-model.md, last section) over random SMMUv2 scenarios: every
 * transaction ends exactly once or is reported stalled/pending, every fault is answered
 * at most once, and a snapshot restores the machine exactly.
 */

/** `PROPERTY_RUNS=5000 node --test …` searches harder. */
const NUM_RUNS = Number(process.env["PROPERTY_RUNS"] ?? 300);
const MAX_EVENTS = 200_000;
const FSR_SS = 1 << 30;
const STATUSES = new Set(['completed', 'aborted', 'raz', 'stalled', 'pending']);

/** The checked model; the generator promises a valid scenario, the property holds it to it. */
function compiled(text: string): ScenarioModel {
  const result = compileScenario(text);
  if (!result.model) {
    const diagnostics = result.diagnostics.map((d) => formatDiagnostic('generated.iommu', result.lines, d)).join('\n');
    assert.fail(`the generated scenario has errors:\n${diagnostics}\n--- scenario ---\n${text}`);
  }
  return result.model;
}

interface Observed {
  machine: Machine;
  stop: RunStop;
  result: RunResult;
  /** Every transaction that ended, as it ended (the journal keeps only those worth reporting). */
  ended: TransactionState[];
  /** How many RESUMEs answered each fault id (a RESUME answers each resumed transaction's latest fault). */
  answers: Map<number, ResponseKind[]>;
}

function runObserved(text: string): Observed {
  const machine = new Machine(compiled(text), { maxEvents: MAX_EVENTS });
  const ended: TransactionState[] = [];
  const answers = new Map<number, ResponseKind[]>();
  machine.on((event) => {
    if (event.kind === 'transaction-ended') ended.push(event.transaction);
    if (event.kind === 'resume' && event.ignored === undefined) {
      for (const id of event.transactions) {
        const fault = machine.state.transactions.get(id)?.lastFault?.id;
        if (fault === undefined) continue;
        answers.set(fault, [...(answers.get(fault) ?? []), event.action]);
      }
    }
  });
  const stop = machine.run();
  return { machine, stop, result: machine.result(), ended, answers };
}

/** Runs the check; on failure says which scenario broke it, as plain text (fast-check prints strings escaped). */
function withScenario(text: string, check: () => void): void {
  try {
    check();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`${message}\n--- scenario ---\n${text}`);
  }
}

function describe(t: TransactionState): string {
  return `#${t.id} (${t.access} 0x${t.iova.toString(16)}${t.label ? ` as ${t.label}` : ''}, ${t.status})`;
}

function runsToItsEnd(run: Observed): void {
  assert.deepEqual(run.stop, { reason: 'finished' }, 'the run must end with nothing left to do');
}

test('every generated scenario checks without errors', () => {
  fc.assert(
    fc.property(scenarioArbitrary, (text) => {
      compiled(text);
    }),
    { numRuns: NUM_RUNS },
  );
});

test('random scenarios run to their end and the emulator finds its own invariants intact', () => {
  fc.assert(
    fc.property(scenarioArbitrary, (text) => {
      const run = runObserved(text);
      withScenario(text, () => {
        runsToItsEnd(run);
        assert.deepEqual(run.machine.invariantViolations(), []);
      });
    }),
    { numRuns: NUM_RUNS },
  );
});

test('every issued transaction is accounted for exactly once', () => {
  fc.assert(
    fc.property(scenarioArbitrary, (text) => {
      const run = runObserved(text);
      withScenario(text, () => {
        runsToItsEnd(run);
        const { machine, result } = run;
        const { counters } = machine.state;
        const live = [...machine.state.transactions.values()];
        const liveStalled = live.filter((t) => t.status === 'stalled').length;
        const livePending = live.filter((t) => t.status === 'pending').length;
        assert.equal(liveStalled + livePending, live.length, `live transactions are stalled or pending: ${live.map(describe).join(', ')}`);
        assert.equal(
          counters.transactions,
          counters.completed + counters.aborted + counters.raz + liveStalled + livePending,
          `issued ${counters.transactions} = completed ${counters.completed} + aborted ${counters.aborted} + raz ${counters.raz} + stalled ${liveStalled} + pending ${livePending}`,
        );
        assert.equal(result.counters.stalled, liveStalled, 'the stalled counter counts the live stalled transactions');

        // Ended once: in the journal, and as the machine told its listeners.
        const journalIds = [...machine.journal.ended].map((t) => t.id);
        assert.equal(new Set(journalIds).size, journalIds.length, `a transaction appears twice in journal.ended: ${journalIds.join(',')}`);
        const endedIds = run.ended.map((t) => t.id);
        assert.equal(new Set(endedIds).size, endedIds.length, 'a transaction ended twice');
        assert.equal(run.ended.length, counters.completed + counters.aborted + counters.raz, 'every end is counted once');
        for (const t of run.ended) {
          assert.ok(!machine.state.transactions.has(t.id), `${describe(t)} ended but is still live`);
          assert.ok(t.status === 'completed' || t.status === 'aborted' || t.status === 'raz', `${describe(t)} ended with status ${t.status}`);
        }
        const issuedIds = new Set([...endedIds, ...live.map((t) => t.id)]);
        assert.equal(issuedIds.size, counters.transactions, 'ended and live transactions are every issued one, each once');

        // The reported transactions: known statuses; the pending and stalled ones are exactly the live ones.
        const reportedIds = result.transactions.map((t) => t.id);
        assert.equal(new Set(reportedIds).size, reportedIds.length, 'a transaction is reported twice');
        for (const t of result.transactions) assert.ok(STATUSES.has(t.status), `${describe(t)} has an unknown status`);
        const unfinished = result.transactions.filter((t) => t.status === 'pending' || t.status === 'stalled').map((t) => t.id);
        assert.deepEqual(
          [...unfinished].sort((a, b) => a - b),
          live.map((t) => t.id).sort((a, b) => a - b),
          'the pending and stalled reported transactions are exactly the live ones',
        );
        assert.equal(counters.faults, machine.journal.faults.length, 'counters.faults === journal.faults.length');

        // Nothing is left half-way when nothing is scheduled: a pending transaction, a
        // handler or a work item would wait for an event that never comes.
        assert.deepEqual(live.filter((t) => t.status === 'pending').map(describe), [], 'a finished run leaves no transaction pending');
        assert.deepEqual([...machine.state.activities.values()].map((a) => `activity #${a.id} at ${a.steps[a.step] ?? 'its end'}`), [], 'a finished run leaves no fault-path activity');
        machine.state.workqueues.forEach((queue, index) => {
          assert.equal(queue.pending.length, 0, `workqueue ${index} still has work queued`);
          assert.ok(queue.workers.every((w) => w === undefined), `a worker of workqueue ${index} is still busy`);
        });
        machine.state.engines.forEach((engine, index) => {
          const own = live.filter((t) => t.engine === index);
          if (engine.programDone) {
            assert.equal(engineFinished(engine), own.length === 0, `engine ${index}: finished iff nothing in flight`);
          } else {
            // Only a stall may hold an engine back forever: it waits for an outstanding slot.
            assert.ok(engine.blocked, `engine ${index} has more to issue but is not waiting for anything`);
            assert.ok(own.length > 0 && own.every((t) => t.status === 'stalled'), `engine ${index} is blocked but not by stalled transactions`);
          }
        });
      });
    }),
    { numRuns: NUM_RUNS },
  );
});

test('no fault is answered twice, and a transaction that completed after faulting was retried', () => {
  fc.assert(
    fc.property(scenarioArbitrary, (text) => {
      const run = runObserved(text);
      withScenario(text, () => {
        runsToItsEnd(run);
        const { machine, result } = run;
        [...machine.journal.faults].forEach((fault, index) => assert.equal(fault.id, index, 'fault ids count up from 0'));
        for (const [id, responses] of run.answers) {
          assert.equal(responses.length, 1, `fault #${id} was answered ${responses.length} times: ${responses.join(', ')}`);
        }
        for (const fault of result.faults) {
          const answered = run.answers.get(fault.id)?.[0];
          assert.equal(fault.response, answered, `fault #${fault.id}: the result's response is the one RESUME gave`);
          if (fault.response !== undefined) assert.ok(fault.stalled, `fault #${fault.id} did not stall but was answered ${fault.response}`);
        }
        for (const t of run.ended) {
          if (t.status !== 'completed' || t.faults === 0) continue;
          const own = result.faults.filter((f) => f.transaction === t.id);
          assert.equal(own.length, t.faults, `${describe(t)}: its faults are all in the journal`);
          for (const fault of own) {
            assert.equal(fault.response, 'retry', `${describe(t)} completed, but its fault #${fault.id} (${fault.kind}) was answered ${String(fault.response)}`);
          }
        }
        // A live stalled transaction's latest fault is still unanswered.
        for (const t of machine.state.transactions.values()) {
          if (t.status === 'stalled' && t.stall === 'fault' && t.lastFault !== undefined) {
            assert.equal(machine.state.responses.get(t.lastFault.id), undefined, `${describe(t)} is stalled on fault #${t.lastFault.id}, which was already answered`);
          }
        }
      });
    }),
    { numRuns: NUM_RUNS },
  );
});

test('completed transactions have a PA and no stall; RAZ reads return zeros', () => {
  fc.assert(
    fc.property(scenarioArbitrary, (text) => {
      const run = runObserved(text);
      withScenario(text, () => {
        runsToItsEnd(run);
        for (const t of [...run.ended, ...run.result.transactions]) {
          if (t.status === 'completed') {
            assert.notEqual(t.pa, undefined, `${describe(t)} completed without a PA`);
            assert.equal(t.stall, undefined, `${describe(t)} completed but is marked stalled (${String(t.stall)})`);
            assert.equal(t.ended !== undefined, true, `${describe(t)} completed without an end time`);
          }
          if (t.status === 'completed' && t.bank !== undefined) {
            // Tables only grow in these scenarios (no unmap): the final tables translate it the same way.
            const bank = v2StateOf(run.machine.state, t.smmu)?.banks[t.bank];
            const table = bank ? run.machine.runtime.tables[bank.domain] : undefined;
            assert.ok(table, `${describe(t)}: no table for its context bank`);
            const outcome = walk(run.machine.runtime.memory, table.tableConfig(), t.iova, { write: t.access === 'write', exec: t.exec, priv: t.priv }).outcome;
            assert.equal(outcome.kind, 'success', `${describe(t)} completed, but a walk of the final tables gives ${outcome.kind}`);
            if (outcome.kind === 'success') assert.equal(t.pa, outcome.pa, `${describe(t)} completed at 0x${t.pa?.toString(16)}, a walk says 0x${outcome.pa.toString(16)}`);
          }
          if (t.status === 'raz' && t.access === 'read') assert.equal(t.data, 0n, `${describe(t)}: a RAZ read returns zeros`);
          if (t.status === 'raz' || t.status === 'aborted') assert.equal(t.stall, undefined, `${describe(t)} ended but is marked stalled`);
        }
        // Permission and access-flag faults cannot be fixed by `map page`: the final tables fault the same way.
        for (const fault of run.result.faults) {
          if (fault.kind !== 'permission' && fault.kind !== 'access-flag') continue;
          const bank = fault.bank === undefined ? undefined : v2StateOf(run.machine.state, fault.smmu)?.banks[fault.bank];
          const table = bank ? run.machine.runtime.tables[bank.domain] : undefined;
          assert.ok(table, `fault #${fault.id}: no table for its context bank`);
          const outcome = walk(run.machine.runtime.memory, table.tableConfig(), fault.iova, { write: fault.write, exec: fault.exec, priv: fault.priv }).outcome;
          assert.equal(outcome.kind, fault.kind, `fault #${fault.id} was a ${fault.kind} fault at 0x${fault.iova.toString(16)}, a walk of the final tables gives ${outcome.kind}`);
        }
      });
    }),
    { numRuns: NUM_RUNS },
  );
});

test('transactions stalled at the end are held by a context bank whose FSR.SS is set, and FSR holds no fault', () => {
  fc.assert(
    fc.property(scenarioArbitrary, (text) => {
      const run = runObserved(text);
      withScenario(text, () => {
        runsToItsEnd(run);
        const { machine } = run;
        for (const t of machine.state.transactions.values()) {
          if (t.status !== 'stalled') continue;
          assert.notEqual(t.bank, undefined, `${describe(t)} is stalled outside a context bank`);
          const bank = v2StateOf(machine.state, t.smmu)?.banks[t.bank ?? -1];
          assert.ok(bank, `${describe(t)} is stalled on a context bank that does not exist`);
          const held = t.stall === 'behind' ? bank.behind : bank.stalled;
          assert.ok(held.includes(t.id), `${describe(t)} (${String(t.stall)}) is not in its bank's ${t.stall === 'behind' ? 'behind' : 'stalled'} list`);
          assert.equal(
            (bank.fsr & FSR_SS) !== 0,
            true,
            `${describe(t)} is stalled (${String(t.stall)}) on smmu ${t.smmu} cb${bank.cbndx} whose FSR is 0x${(bank.fsr >>> 0).toString(16)}: SS is clear`,
          );
        }
        machine.state.smmus.forEach((smmu, s) => {
          for (const bank of smmu.version === 'v2' ? smmu.banks : []) {
            const where = `smmu ${s} cb${bank.cbndx} (FSR 0x${(bank.fsr >>> 0).toString(16)})`;
            // SS without a transaction held by its fault would stall later ones behind nothing (HUPCF=0).
            if ((bank.fsr & FSR_SS) !== 0) assert.ok(bank.stalled.length > 0, `${where}: SS is set but no transaction is stalled on a fault`);
            else assert.deepEqual([bank.stalled, bank.behind], [[], []], `${where}: SS is clear but transactions are held`);
            // Every latched fault raised the context IRQ, whose path writes FSR back (re-raising while bits remain).
            assert.equal(bank.fsr & FSR_FAULT_BITS, 0, `${where}: a fault is left in FSR at the end`);
          }
        });
      });
    }),
    { numRuns: NUM_RUNS },
  );
});

/** A run's outcome as text: the result, logs and dumps, bigints as hex. */
function normalised(machine: Machine): string {
  return JSON.stringify(
    {
      result: machine.result(),
      logs: machine.journal.logs,
      dumps: machine.journal.dumps,
      events: machine.state.events,
      now: machine.now,
    },
    (_key, value: unknown) => (typeof value === 'bigint' ? `0x${value.toString(16)}` : value),
  );
}

test('snapshot/restore is exact: the rest of the run is the same after a restore', () => {
  fc.assert(
    fc.property(scenarioArbitrary, fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 0, max: 1000 }), (text, permille, laterPermille) => {
      const model = compiled(text);
      const reference = new Machine(model, { maxEvents: MAX_EVENTS });
      const referenceStop = reference.run();
      withScenario(text, () => {
        assert.deepEqual(referenceStop, { reason: 'finished' });
        const expected = normalised(reference);
        const total = reference.state.events;
        const k = Math.floor((total * permille) / 1000);
        const later = Math.max(k, Math.floor((total * laterPermille) / 1000));

        const machine = new Machine(model, { maxEvents: MAX_EVENTS });
        for (let i = 0; i < k; i++) assert.equal(machine.step(), undefined, `step ${i} of ${k} did not run`);
        const snapshot = machine.snapshot();
        assert.deepEqual(machine.run(), { reason: 'finished' });
        const first = normalised(machine);
        assert.equal(first, expected, `stepping ${k} events then running differs from one run`);

        machine.restore(snapshot);
        assert.deepEqual(machine.run(), { reason: 'finished' }, `after a restore at event ${k}`);
        const second = normalised(machine);
        assert.equal(second, first, `after a restore at event ${k} of ${total}, the rest of the run differs`);
        assert.deepEqual(machine.invariantViolations(), []);

        // Time travel both ways, as the debugger does: a later snapshot, back to the
        // earlier one, forward to the later one again. A snapshot serves any number of restores.
        machine.restore(snapshot);
        for (let i = k; i < later; i++) assert.equal(machine.step(), undefined, `step ${i} of ${later} after a restore`);
        const laterSnapshot = machine.snapshot();
        assert.deepEqual(machine.run(), { reason: 'finished' });
        assert.equal(normalised(machine), first, `restored at event ${k}, stepped to ${later}, ran to the end: differs`);
        machine.restore(snapshot);
        assert.deepEqual(machine.run(), { reason: 'finished' });
        assert.equal(normalised(machine), first, `a second restore at event ${k} (after one at ${later} was taken) differs`);
        machine.restore(laterSnapshot);
        assert.deepEqual(machine.run(), { reason: 'finished' });
        assert.equal(normalised(machine), first, `a restore at event ${later} after going back to ${k} differs`);
        assert.deepEqual(machine.invariantViolations(), []);
      });
    }),
    { numRuns: NUM_RUNS },
  );
});
