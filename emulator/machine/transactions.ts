import { TransactionStatus } from '../language/schema';
import { PA_LIMIT } from '../memory/physicalMemory';
import { emptyTally, tallyTransaction } from './results';
import { Runtime } from './runtime';
import { EngineState, FaultRecord, FaultStage, STAGE1_FAULT, TransactionState } from './state';

type EndStatus = Exclude<TransactionStatus, 'stalled' | 'pending'>;

/**
 * Faults of one transaction after which the machine stops the run: a handler that answers
 * retry without fixing what faults loops forever (the device hangs), and saying so at once
 * beats running into the event budget seconds later.
 */
export const RUNAWAY_FAULTS = 10_000;

/** Labelled transactions, and every one that did not simply complete. */
export function worthReporting(transaction: TransactionState): boolean {
  return transaction.label !== undefined || transaction.status !== 'completed' || transaction.faults > 0;
}

/** The first `size` bytes (up to 8) at `pa`, little-endian: what a read returns. */
function readData(rt: Runtime, pa: bigint, size: number): bigint {
  const address = Number(pa);
  // The usual read, 8 bytes or more at an aligned address in range, is one 64-bit word.
  if (size >= 8 && address % 8 === 0 && address + 8 <= PA_LIMIT) return rt.memory.readU64(address);
  const bytes = rt.memory.readBytes(address, Math.min(size, 8));
  let value = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) value = (value << 8n) | BigInt(bytes[i] ?? 0);
  return value;
}

function writeData(rt: Runtime, pa: bigint, size: number, value: bigint): void {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < Math.min(size, 8); i++) bytes[i] = Number((value >> BigInt(8 * i)) & 0xffn);
  rt.memory.writeBytes(Number(pa), bytes);
}

/**
 * A transaction ends — completed, aborted or RAZ — exactly once. Its engine gets the
 * outstanding slot back; a completed read returns memory, a completed write stores.
 */
export function endTransaction(rt: Runtime, transaction: TransactionState, status: EndStatus, how: string): void {
  const { state } = rt;
  if (transaction.ended !== undefined) throw new Error(`transaction ${transaction.id} ended twice`);
  transaction.status = status;
  transaction.stall = undefined;
  transaction.ended = state.now;
  if (status === 'completed' && transaction.pa !== undefined) {
    // A read's data is kept only where someone will see it: a reported transaction, or a listener.
    if (transaction.access === 'read') {
      if (rt.observed || worthReporting(transaction)) transaction.data = readData(rt, transaction.pa, transaction.size);
    } else if (transaction.value !== undefined) writeData(rt, transaction.pa, transaction.size, transaction.value);
  } else if (status === 'raz' && transaction.access === 'read') {
    transaction.data = 0n;
  }
  state.counters[status]++;
  state.transactions.delete(transaction.id);
  if (worthReporting(transaction)) rt.journal.transactionEnded(transaction);
  tallyLabel(rt, transaction);
  if (rt.observed) rt.emit({ kind: 'transaction-ended', time: state.now, transaction, status, how });

  const engine = state.engines[transaction.engine];
  if (!engine) return;
  const op = engine.ops[transaction.op];
  if (op) {
    op[status]++;
    op.lastStatus = status;
    op.lastPa = transaction.pa;
  }
  engine.inFlight--;
  if (engine.blocked) {
    engine.blocked = false;
    rt.schedule(Math.max(0, engine.nextIssue - state.now), { kind: 'issue', engine: transaction.engine });
  } else if (engineFinished(engine)) {
    finishEngineThread(rt, transaction.engine);
  }
}

/** An engine is finished once its program is done and every transaction it issued has ended. */
export function engineFinished(engine: EngineState): boolean {
  return engine.programDone && engine.inFlight === 0;
}

/** Counts a labelled transaction for the expects that name its label. */
export function tallyLabel(rt: Runtime, transaction: TransactionState): void {
  const label = transaction.label;
  if (label === undefined || !rt.expectedLabels.has(label)) return;
  tallyTransaction((rt.state.tallies[label] ??= emptyTally()), transaction);
}

/** An engine with nothing left to do leaves the thread list. */
export function finishEngineThread(rt: Runtime, engine: number): void {
  const thread = rt.state.threads[engine];
  if (!thread?.alive) return;
  thread.alive = false;
  if (rt.observed) rt.emit({ kind: 'thread-exited', time: rt.state.now, thread: thread.id });
}

/**
 * A stalled transaction answered retry — RESUME with TnR=0 (v2), CMD_RESUME retry (v3), a
 * PRG response Success (PRI) — is pending again and its SMMU translates it once more.
 */
export function retryTransaction(rt: Runtime, transaction: TransactionState): void {
  rt.state.counters.retried++;
  releaseTransaction(transaction);
  rt.smmus[transaction.smmu]?.retranslate(transaction);
}

/** A stalled transaction is let go without an answer of its own (it waited behind another's fault): pending again. */
export function releaseTransaction(transaction: TransactionState): void {
  transaction.status = 'pending';
  transaction.stall = undefined;
}

export function stallTransaction(rt: Runtime, transaction: TransactionState, why: NonNullable<TransactionState['stall']>): void {
  transaction.status = 'stalled';
  transaction.stall = why;
  if (rt.observed) rt.emit({ kind: 'transaction-stalled', time: rt.state.now, transaction, behind: why === 'behind' });
}

/** What a fault adds to the transaction it happens to: the access itself (address, stream, direction) is the transaction's. */
export type FaultFacts = Pick<FaultRecord, 'kind' | 'ssid' | 'level' | 'stalled' | 'latched' | 'bank' | 'reason'> & { stage?: FaultStage };

export function recordFault(rt: Runtime, transaction: TransactionState, fault: FaultFacts): FaultRecord {
  const { state } = rt;
  const record: FaultRecord = {
    id: state.nextFault++,
    time: state.now,
    transaction: transaction.id,
    engine: transaction.engine,
    op: transaction.op,
    iova: transaction.iova,
    sid: transaction.sid,
    write: transaction.access === 'write',
    exec: transaction.exec,
    priv: transaction.priv,
    smmu: transaction.smmu,
    table: transaction.table,
    ...fault,
    stage: fault.stage ?? STAGE1_FAULT,
  };
  transaction.faults++;
  transaction.lastFault = record;
  if (transaction.faults === RUNAWAY_FAULTS) state.runaway = transaction.id;
  state.counters.faults++;
  rt.journal.fault(record);
  if (rt.observed) rt.emit({ kind: 'fault', time: state.now, fault: record, transaction });
  return record;
}
