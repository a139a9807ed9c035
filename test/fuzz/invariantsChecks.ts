import assert from 'node:assert/strict';
import { Diagnostic } from '../../emulator/language/diagnostics';
import { GlobalFaultKind } from '../../emulator/machine/state';
import { engineFinished } from '../../emulator/machine/transactions';
import { programTransactions, transactionsLeft } from '../../emulator/scenario/engineProgram';
import { EventName } from '../../emulator/smmu/v3/eventRecord';
import { ObservedRun } from './invariantsRun';

/**
 * "Nothing lost" (smmu-model.md, last section), asserted on one finished run: every
 * transaction a program would issue is issued and ends once, or is live and stalled with a
 * reason, or is counted as never issued by an engine that hung; every fault is answered at
 * most once; nothing is left half-way.
 */

const configEvents: Partial<Record<GlobalFaultKind, EventName>> = {
  'bad-streamid': 'C_BAD_STREAMID',
  'bad-ste': 'C_BAD_STE',
  'bad-substreamid': 'C_BAD_SUBSTREAMID',
  'bad-cd': 'C_BAD_CD',
  'stream-disabled': 'F_STREAM_DISABLED',
};

function unique(ids: readonly number[], what: string): Set<number> {
  const set = new Set(ids);
  assert.equal(set.size, ids.length, `a transaction ${what} twice: ${ids.join(',')}`);
  return set;
}

/** Every issued transaction ended exactly once or is live and stalled; each engine's program is accounted for whole. */
export function assertAccounted(run: ObservedRun): void {
  const { machine } = run;
  const { state } = machine;
  const issued = unique(run.issued.map((t) => t.id), 'was issued');
  const ended = unique(run.ended, 'ended');
  assert.equal(state.counters.transactions, issued.size, 'counters.transactions counts every issue');
  const live = [...state.transactions.values()];
  for (const id of ended) assert.ok(issued.has(id) && !state.transactions.has(id), `transaction #${id} ended but was not issued, or is still live`);
  for (const t of live) {
    assert.ok(issued.has(t.id) && !ended.has(t.id), `live transaction #${t.id} was not issued, or ended`);
    assert.ok(t.status === 'stalled' && t.stall !== undefined, `transaction #${t.id} is ${t.status} (${String(t.stall)}) when the run has finished`);
  }
  assert.equal(ended.size + live.length, issued.size, 'every issued transaction ended or is live');
  const unfinished = new Map(machine.result().unfinished.map((u) => [u.engine, u]));
  state.engines.forEach((engine, index) => {
    const model = machine.model.engines[index];
    assert.ok(model);
    const own = live.filter((t) => t.engine === index);
    const whole = programTransactions(model.program);
    if (engine.programDone) {
      assert.equal(BigInt(engine.issued), whole, `${model.name} is done but issued ${engine.issued} of ${whole}`);
      assert.equal(engineFinished(engine), own.length === 0, `${model.name}: finished exactly when nothing is in flight`);
      assert.equal(unfinished.has(index), false, `${model.name} is done but reported unfinished`);
      return;
    }
    // A hung device: every slot holds a stalled transaction, and the rest is counted as not issued.
    const report = unfinished.get(index);
    assert.ok(report, `${model.name} has more to issue but is not reported unfinished`);
    assert.ok(engine.blocked && own.length > 0, `${model.name} has more to issue but waits for nothing: ${report.summary}`);
    assert.equal(BigInt(engine.issued) + report.unissued, whole, `${model.name}: issued ${engine.issued} + not issued ${report.unissued} ≠ ${whole} programmed`);
    assert.equal(report.unissued, transactionsLeft(model.program, engine.pc, engine.loops));
  });
}

/** Nothing waits half-way for an event that will never come: no activity, no queued work, no request a device holds back. */
export function assertNothingHalfWay(run: ObservedRun): void {
  const { state } = run.machine;
  assert.deepEqual([...state.activities.values()].map((a) => `activity #${a.id} at ${a.steps[a.step] ?? 'its end'}`), [], 'a finished run leaves no fault-path activity');
  state.workqueues.forEach((queue, index) => {
    assert.equal(queue.pending.length, 0, `workqueue ${index} still has work queued`);
    assert.ok(queue.workers.every((w) => w === undefined), `a worker of workqueue ${index} is still busy`);
  });
  state.smmus.forEach((smmu, index) => {
    const v3 = smmu.version === 'v3' ? smmu : undefined;
    // A device never waits on itself: a page request it holds back goes out once it can issue nothing more.
    assert.deepEqual(v3?.openPrgs.filter((open) => open.held !== undefined) ?? [], [], `smmu ${index}: a device still holds a page request`);
    assert.deepEqual(v3?.waitingRecords ?? [], [], `smmu ${index}: a stall record still waits for room`);
  });
  // A page request group the core holds is completed by its Last or discarded after the overflow that lost it.
  assert.deepEqual(state.iopf.partial, [], 'the IOMMU core still holds part of a page request group');
}

export function assertAnsweredOnce(run: ObservedRun): void {
  for (const [fault, responses] of run.answers) assert.equal(responses.length, 1, `fault #${fault} was answered ${responses.length} times: ${responses.join(', ')}`);
  assert.equal(run.machine.state.counters.faults, run.faults.length, 'counters.faults counts every fault');
  run.faults.forEach((fault, index) => assert.equal(fault.id, index, 'fault ids count up from 0'));
}

/**
 * The checker and the run agree on configuration events: Linux writes no ILLEGAL STE or CD,
 * so a C_BAD_* or F_STREAM_DISABLED event comes only from a transaction's `pasid`, and the
 * checker's `pasid-unbound` warning names it — and every warned transaction that was
 * issued takes the event it names.
 */
export function assertPasidAgreement(run: ObservedRun, diagnostics: readonly Diagnostic[]): void {
  const { model } = run.machine;
  const warned = new Map<number, string>();
  for (const d of diagnostics) {
    const event = d.code === 'pasid-unbound' ? /will abort with (\w+)/.exec(d.message)?.[1] : undefined;
    if (event) warned.set(d.range.start, event);
  }
  const pasidAt = (engine: number, op: number): number | undefined => {
    const node = model.engines[engine]?.program[op];
    return node?.op === 'transaction' ? node.node.options.find((o) => o.kind === 'pasid')?.range.start : undefined;
  };
  const where = new Map(run.issued.map((t) => [t.id, t]));
  const firstFault = new Map<number, string>();
  for (const fault of run.faults) {
    const event = configEvents[fault.kind as GlobalFaultKind];
    if (!firstFault.has(fault.transaction)) firstFault.set(fault.transaction, event ?? fault.kind);
    if (event === undefined) continue;
    const t = where.get(fault.transaction);
    const at = t ? pasidAt(t.engine, t.op) : undefined;
    assert.ok(at !== undefined, `transaction #${fault.transaction} took ${event} without a pasid: Linux wrote an ILLEGAL structure (${fault.reason})`);
    assert.equal(warned.get(at), event, `transaction #${fault.transaction} took ${event} (${fault.reason}), the checker said ${warned.get(at) ?? 'nothing'}`);
  }
  for (const t of run.issued) {
    const at = pasidAt(t.engine, t.op);
    const event = at === undefined ? undefined : warned.get(at);
    if (event !== undefined) assert.equal(firstFault.get(t.id), event, `transaction #${t.id}: the checker said ${event}, the run did ${firstFault.get(t.id) ?? 'no fault'}`);
  }
}

/** A handler the checker says never runs (`handler-never-runs`) runs in no activity of the run. */
export function assertSilentHandlers(run: ObservedRun, diagnostics: readonly Diagnostic[]): void {
  const { model } = run.machine;
  for (const d of diagnostics) {
    const name = d.code === 'handler-never-runs' ? /^handler '([^']+)' never runs/.exec(d.message)?.[1] : undefined;
    if (name === undefined) continue;
    const index = model.handlers.findIndex((h) => h.name === name);
    assert.equal(run.handlersRun.has(index), false, `the checker says handler '${name}' never runs, but it ran: ${d.message}`);
  }
}
