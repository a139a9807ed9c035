import { MachineEvent } from '../emulator/machine/events';
import { Machine } from '../emulator/machine/machine';
import { TransactionState } from '../emulator/machine/state';
import { hex } from '../emulator/util/u64';
import { TimelineResponseBody, TimelineSpan } from './protocol';

/** The most transactions a timeline draws: a million-transaction run keeps its first ones. */
const MAX_TRANSACTIONS = 4000;
/** Faults, stalls and handler runs are few in a sane run; a runaway one is cut off too. */
const MAX_OTHER = 4000;

/** A handler run (an activity) is open while the machine still has it. */
interface ActivitySpan {
  index: number;
  last: number;
  response: string | null;
}

/** Everything the recorder holds; span objects are never changed in place, so a copy is cheap. */
interface Recorded {
  spans: TimelineSpan[];
  transactions: Map<number, number>;
  stalls: Map<number, number>;
  activities: Map<number, ActivitySpan>;
  counted: number;
  others: number;
  dropped: number;
}

export type TimelineSnapshot = Readonly<Recorded>;

function copy(r: Recorded): Recorded {
  return { ...r, spans: r.spans.slice(), transactions: new Map(r.transactions), stalls: new Map(r.stalls), activities: new Map(r.activities) };
}

/**
 * Turns the machine's events into the spans the timeline view draws: each transaction
 * from issue to end on its engine's lane, the stalls within them, faults as instants, and
 * each run of the fault path on the kernel thread that ran it.
 */
export class TimelineRecorder {
  private r: Recorded = { spans: [], transactions: new Map(), stalls: new Map(), activities: new Map(), counted: 0, others: 0, dropped: 0 };

  constructor(private readonly machine: Machine) {}

  private lineOf(t: TransactionState): number {
    const op = this.machine.model.engines[t.engine]?.program[t.op];
    return op?.op === 'transaction' ? this.machine.model.lines.lineOf(op.node.range.start) : 0;
  }

  private describe(t: TransactionState): string {
    return `${t.access} ${hex(t.iova)}${t.label ? ` (${t.label})` : ''}`;
  }

  private add(span: TimelineSpan, transaction: boolean): number | undefined {
    if (transaction ? this.r.counted >= MAX_TRANSACTIONS : this.r.others >= MAX_OTHER) {
      if (transaction) this.r.dropped++;
      return undefined;
    }
    if (transaction) this.r.counted++;
    else this.r.others++;
    this.r.spans.push(span);
    return this.r.spans.length - 1;
  }

  private close(open: Map<number, number>, t: TransactionState, time: number, status: string): void {
    const index = open.get(t.id);
    const span = index === undefined ? undefined : this.r.spans[index];
    if (index === undefined || !span) return;
    open.delete(t.id);
    const pa = span.kind === 'transaction' && status === 'completed' && t.pa !== undefined ? hex(t.pa) : null;
    this.r.spans[index] = { ...span, end: time, status, pa };
  }

  record(event: MachineEvent): void {
    switch (event.kind) {
      case 'transaction-issued': {
        const t = event.transaction;
        const index = this.add({ lane: t.engine, kind: 'transaction', start: event.time, end: null, label: this.describe(t), status: null, line: this.lineOf(t), pa: null }, true);
        if (index !== undefined) this.r.transactions.set(t.id, index);
        return;
      }
      case 'transaction-stalled': {
        const t = event.transaction;
        const label = event.behind ? 'stalled behind a fault (HUPCF=0)' : 'stalled by its fault';
        const index = this.add({ lane: t.engine, kind: 'stall', start: event.time, end: null, label, status: null, line: this.lineOf(t), pa: null }, false);
        if (index !== undefined) this.r.stalls.set(t.id, index);
        return;
      }
      case 'transaction-ended':
        this.close(this.r.stalls, event.transaction, event.time, event.status);
        this.close(this.r.transactions, event.transaction, event.time, event.status);
        return;
      case 'fault': {
        const f = event.fault;
        const label = `${f.kind} fault at level ${f.level}: ${f.reason}`;
        this.add({ lane: event.transaction.engine, kind: 'fault', start: event.time, end: event.time, label, status: null, line: this.lineOf(event.transaction), pa: null }, false);
        return;
      }
      case 'kernel-step':
      case 'handler-step':
        this.activityStep(event.activity, event.thread, event.time);
        return;
      default:
        return;
    }
  }

  private activityStep(id: number, thread: number, time: number): void {
    const activity = this.machine.state.activities.get(id);
    const response = activity?.response ?? null;
    const known = this.r.activities.get(id);
    if (known) {
      this.r.activities.set(id, { ...known, last: time, response: response ?? known.response });
      return;
    }
    // The IRQ half of a workqueue handler only reads the registers and queues the work.
    const handler = activity?.handler === undefined ? undefined : this.machine.model.handlers[activity.handler];
    const first = handler?.program.find((op) => op.op !== 'jump');
    const line = first && 'node' in first ? this.machine.model.lines.lineOf(first.node.range.start) : 0;
    const runsHandler = handler !== undefined && (activity?.steps.includes('handler') ?? false);
    const label = runsHandler ? handler.name : activity?.steps.includes('queue_work') ? 'arm_smmu_context_fault → queue_work' : 'arm_smmu_context_fault';
    const index = this.add({ lane: thread - 1, kind: 'handler', start: time, end: null, label, status: null, line, pa: null }, false);
    if (index !== undefined) this.r.activities.set(id, { index, last: time, response });
  }

  snapshot(): TimelineSnapshot {
    return copy(this.r);
  }

  restore(snapshot: TimelineSnapshot): void {
    this.r = copy(snapshot);
  }

  timeline(path: string): TimelineResponseBody {
    const spans = this.r.spans.slice();
    for (const [id, activity] of this.r.activities) {
      const span = spans[activity.index];
      if (!span) continue;
      const running = this.machine.state.activities.has(id);
      spans[activity.index] = { ...span, end: running ? null : activity.last, status: activity.response };
    }
    return {
      now: this.machine.now,
      path,
      lanes: this.machine.state.threads.map((t) => ({ name: t.name, kind: t.kind })),
      spans,
      dropped: this.r.dropped,
    };
  }
}
