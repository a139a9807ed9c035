import { ResponseKind, Transaction } from '../language/ast';
import { TransactionStatus } from '../language/schema';
import { MachineEvent } from '../machine/events';
import { Machine, RunStop } from '../machine/machine';
import { Counters, FaultRecord, TransactionState } from '../machine/state';
import { ScenarioModel } from '../scenario/model';
import { decodeEvent, EventName } from '../smmu/v3/eventRecord';
import { decodePageRequest } from '../smmu/v3/priEntry';
import { pageRequestGroupOf, stagOf } from '../smmu/smmuState';

/** What became of a transaction's first fault's event record. */
export type EventOutcome =
  | { kind: 'written'; name: EventName; index: number; time: number }
  | { kind: 'dropped'; name: EventName; overflow: boolean };

/** What one transaction did in the run, as the CLI's trace tells it. */
export interface RunTransaction {
  id: number;
  iterations: number[];
  iova: bigint;
  sid: number;
  status: TransactionStatus;
  pa: bigint | undefined;
  /** How it ended, in the trace's words ("CMD_RESUME terminate", "translation fault, CD.S=0: …"). */
  how: string | undefined;
  /** Its first fault, when it faulted. */
  fault: Pick<FaultRecord, 'kind' | 'level' | 'reason' | 'time' | 'stage'> | undefined;
  faults: number[];
  /** Why it first stalled, in the machine's terms: on its own fault, behind another's (HUPCF=0), on a page request. */
  stall: TransactionState['stall'];
  /** The STAG of its first stall. */
  stag: number | undefined;
  /** The page request group it asked in, and its request in the PRI queue (undefined index: discarded). */
  pageRequest: { prgi: number; sent: { index: number | undefined; last: boolean } | undefined } | undefined;
  event: EventOutcome | undefined;
  /** How its last fault was answered. */
  response: ResponseKind | undefined;
}

export interface PredictedRun {
  /** The transactions of each written transaction, in issue order. */
  sites: Map<Transaction, RunTransaction[]>;
  /** Why the run ended: the machine's reason, or `failed` when the emulator threw. */
  stop: RunStop['reason'] | 'failed';
  /** Why the run stopped early, in the machine's words (a budget or an expression error). */
  stopMessage: string | undefined;
  cycles: number;
  counters: Counters;
}

/** Follows the machine's events and files each under the transaction it concerns. */
class Recorder {
  readonly sites = new Map<Transaction, RunTransaction[]>();
  private readonly byId = new Map<number, RunTransaction>();

  constructor(private readonly machine: Machine) {}

  listen(event: MachineEvent): void {
    switch (event.kind) {
      case 'transaction-issued':
        this.issued(event.transaction);
        return;
      case 'fault': {
        const record = this.byId.get(event.transaction.id);
        if (!record) return;
        record.faults.push(event.fault.id);
        record.fault ??= { kind: event.fault.kind, level: event.fault.level, reason: event.fault.reason, time: event.time, stage: event.fault.stage };
        return;
      }
      case 'transaction-stalled':
        this.stalled(event.transaction);
        return;
      case 'transaction-ended': {
        const record = this.byId.get(event.transaction.id);
        if (!record) return;
        record.status = event.status;
        record.how = event.how;
        record.pa = event.transaction.pa;
        return;
      }
      case 'event-record':
      case 'event-dropped':
        this.eventRecord(event);
        return;
      case 'page-request':
        this.pageRequest(event);
        return;
      default:
        return;
    }
  }

  private issued(t: TransactionState): void {
    const op = this.machine.model.engines[t.engine]?.program[t.op];
    if (op?.op !== 'transaction') return;
    const record: RunTransaction = {
      id: t.id,
      iterations: [...t.iterations],
      iova: t.iova,
      sid: t.sid,
      status: t.status,
      pa: undefined,
      how: undefined,
      fault: undefined,
      faults: [],
      stall: undefined,
      stag: undefined,
      pageRequest: undefined,
      event: undefined,
      response: undefined,
    };
    this.byId.set(t.id, record);
    const list = this.sites.get(op.node) ?? [];
    list.push(record);
    this.sites.set(op.node, list);
  }

  private stalled(t: TransactionState): void {
    const record = this.byId.get(t.id);
    if (!record) return;
    record.status = 'stalled';
    record.stall ??= t.stall;
    const smmu = this.machine.state.smmus[t.smmu];
    if (t.stall === 'fault') record.stag ??= stagOf(smmu, t.id);
    if (t.stall === 'page-request' && !record.pageRequest) {
      const prgi = pageRequestGroupOf(smmu, t.id);
      if (prgi !== undefined) record.pageRequest = { prgi, sent: undefined };
    }
  }

  /** The record of a transaction's first fault (a later fault's record tells the same story again). */
  private eventRecord(event: Extract<MachineEvent, { kind: 'event-record' | 'event-dropped' }>): void {
    const record = this.byId.get(event.transaction);
    if (!record || record.event || record.faults[0] !== event.fault) return;
    const name = decodeEvent(event.dwords).id;
    record.event = event.kind === 'event-record' ? { kind: 'written', name, index: event.index, time: event.time } : { kind: 'dropped', name, overflow: event.overflow };
  }

  /** The request its first page request stall sent (or that was discarded). */
  private pageRequest(event: Extract<MachineEvent, { kind: 'page-request' }>): void {
    const request = this.byId.get(event.transaction)?.pageRequest;
    if (request && !request.sent) request.sent = { index: event.index, last: decodePageRequest(event.dwords).last };
  }

  /** At the end: how each answered fault was answered, and the state of those still live. */
  finish(): void {
    const { state } = this.machine;
    for (const record of this.byId.values()) {
      const last = record.faults.at(-1);
      record.response = last === undefined ? undefined : state.responses.get(last);
      const live = state.transactions.get(record.id);
      if (live) record.status = live.status;
    }
  }
}

/** Events a prediction may take: a scenario that runs longer is predicted as far as this got. */
export const PREDICTION_EVENTS = 25_000;

/**
 * Runs the scenario on the emulator, as the CLI does, and keeps what each transaction did:
 * its fault, stall (on its fault, behind another, on a page request) and STAG, page request
 * group, event record (written or dropped), response and end. Undefined when the machine
 * cannot be built.
 */
export function predictRun(model: ScenarioModel, maxEvents = PREDICTION_EVENTS): PredictedRun | undefined {
  let machine: Machine;
  try {
    machine = new Machine(model, { maxEvents });
  } catch {
    return undefined;
  }
  const recorder = new Recorder(machine);
  machine.on((event) => recorder.listen(event));
  let stop: PredictedRun['stop'];
  let stopMessage: string | undefined;
  try {
    const ended = machine.run();
    stop = ended.reason;
    stopMessage = ended.reason === 'budget' || ended.reason === 'error' ? ended.message : undefined;
  } catch (error) {
    // A bug of the emulator's: what ran so far is still what it did.
    stop = 'failed';
    stopMessage = `the emulator failed: ${error instanceof Error ? error.message : String(error)}`;
  }
  recorder.finish();
  return { sites: recorder.sites, stop, stopMessage, cycles: machine.now, counters: machine.result().counters };
}
