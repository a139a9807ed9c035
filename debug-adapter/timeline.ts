import { MachineEvent } from '../emulator/machine/events';
import { Machine } from '../emulator/machine/machine';
import { TransactionState } from '../emulator/machine/state';
import { hex } from '../emulator/util/u64';
import { CycleRange, TimelineResponseBody, TimelineSpan } from './protocol';
import { SeqMap } from './seqMap';

/** The most transactions a timeline draws: a million-transaction run keeps its newest ones, around the current cycle. */
const MAX_TRANSACTIONS = 4000;
/** Faults, stalls and handler runs: the newest of a storm are kept the same way. */
const MAX_OTHER = 4000;
/**
 * Besides the newest, the spans recorded just before and just after each fault (of every
 * kind, this many each side), so going to an early fault still shows what ran around it.
 */
const AROUND_FAULT = 200;
/**
 * The faults whose surroundings are kept: the newest ones. A fault storm thus holds at most
 * MAX_FAULT_WINDOWS × (2 × AROUND_FAULT + 1) spans more, however long it lasts.
 */
const MAX_FAULT_WINDOWS = 64;

/** What a transaction's span draws of it: its label and PA are written out only when the timeline is asked for. */
type Drawn = Pick<TransactionState, 'access' | 'iova' | 'label' | 'pa'>;

/**
 * A span as held: its label, or the transaction it draws (the live record while it lasts,
 * then only the four fields drawn, so a kept stop does not hold whole records). Held spans
 * are never changed in place (a new one replaces an old), so a copy shares them.
 */
interface HeldSpan extends Omit<TimelineSpan, 'label' | 'pa'> {
  of: string | Drawn;
}

/** A handler run (an activity) is open while the machine still has it. */
interface ActivitySpan {
  seq: number;
  last: number;
  response: string | null;
}

/** Spans of one kind in the order they began, the oldest first out once they have ended. */
interface Window {
  seqs: number[];
  /** Where the live part of `seqs` starts (the ones before it are gone). */
  head: number;
}

/** Everything the recorder holds. */
interface Recorded {
  spans: SeqMap<HeldSpan>;
  next: number;
  /** The open span of each transaction, and of each stall, by transaction id. */
  transactions: SeqMap<number>;
  stalls: SeqMap<number>;
  activities: Map<number, ActivitySpan>;
  /** The activity each handler span draws (its span stays open until the machine lets the activity go). */
  activityOfSpan: Map<number, number>;
  kept: { transaction: Window; other: Window };
  /** The spans the two newest windows hold (a span may also be held by a fault's window). */
  newest: SeqMap<true>;
  /** The span sequence numbers around each kept fault, oldest fault first; `to` may lie ahead. */
  aroundFaults: { from: number; to: number }[];
  /** Transactions recorded since the start: those no longer held were dropped. */
  issued: number;
}

export type TimelineSnapshot = Readonly<Recorded>;

/**
 * What a timeline span and the transaction it draws keep in memory, about: measured as the
 * heap a million-read run's kept stops free when forgotten, over the spans they held.
 */
const SPAN_BYTES = 200;

/**
 * The bytes a snapshot holds of its own: its maps' arrays, and the spans recorded since
 * `since` (the `next` of the snapshot before it: older spans are that one's too).
 */
export function timelineBytes(snapshot: TimelineSnapshot, since: number): number {
  const maps = snapshot.spans.bytes + snapshot.transactions.bytes + snapshot.stalls.bytes + snapshot.newest.bytes;
  return maps + Math.min(snapshot.spans.size, Math.max(0, snapshot.next - since)) * SPAN_BYTES;
}

function copyWindow(w: Window): Window {
  return { seqs: w.seqs.slice(w.head), head: 0 };
}

function copy(r: Recorded): Recorded {
  return {
    ...r,
    spans: r.spans.copy(),
    transactions: r.transactions.copy(),
    stalls: r.stalls.copy(),
    activities: new Map(r.activities),
    activityOfSpan: new Map(r.activityOfSpan),
    kept: { transaction: copyWindow(r.kept.transaction), other: copyWindow(r.kept.other) },
    newest: r.newest.copy(),
    aroundFaults: [...r.aroundFaults],
  };
}

/**
 * Turns the machine's events into the spans the timeline view draws: each transaction
 * from issue to end on its engine's lane, the stalls within them, faults as instants, and
 * each run of the fault path on the kernel thread that ran it. A long run keeps the newest
 * spans of each kind, so the drawing is always around the current cycle, and the spans
 * around its newest faults, so going to one of them shows what ran before and after it.
 */
export class TimelineRecorder {
  private r: Recorded = {
    spans: new SeqMap(),
    next: 0,
    transactions: new SeqMap(),
    stalls: new SeqMap(),
    activities: new Map(),
    activityOfSpan: new Map(),
    kept: { transaction: { seqs: [], head: 0 }, other: { seqs: [], head: 0 } },
    newest: new SeqMap(),
    aroundFaults: [],
    issued: 0,
  };

  constructor(private readonly machine: Machine) {}

  private lineOf(t: TransactionState): number {
    const op = this.machine.model.engines[t.engine]?.program[t.op];
    return op?.op === 'transaction' ? this.machine.model.lines.lineOf(op.node.range.start) : 0;
  }

  private add(span: HeldSpan, transaction: boolean): number {
    const seq = this.r.next++;
    this.r.spans.set(seq, span);
    this.r.newest.set(seq, true);
    const window = transaction ? this.r.kept.transaction : this.r.kept.other;
    window.seqs.push(seq);
    if (window.seqs.length - window.head > (transaction ? MAX_TRANSACTIONS : MAX_OTHER)) this.evictOldest(window);
    return seq;
  }

  /** Lets the oldest span that has ended leave the newest; one still open (a long stall, a running handler) waits at the back. */
  private evictOldest(window: Window): void {
    const live = window.seqs.length - window.head;
    for (let tried = 0; tried < live; tried++) {
      const seq = window.seqs[window.head++] as number;
      if (this.isOpen(seq)) {
        window.seqs.push(seq);
        continue;
      }
      this.r.newest.delete(seq);
      this.release(seq);
      break;
    }
    // The consumed front is dropped now and then, not on every eviction.
    if (window.head > 4096) {
      window.seqs = window.seqs.slice(window.head);
      window.head = 0;
    }
  }

  /** Forgets a span that neither the newest windows nor a fault's window hold. */
  private release(seq: number): void {
    if (this.r.newest.has(seq) || this.aroundAFault(seq)) return;
    this.r.spans.delete(seq);
    const activity = this.r.activityOfSpan.get(seq);
    if (activity !== undefined) {
      this.r.activityOfSpan.delete(seq);
      this.r.activities.delete(activity);
    }
  }

  /**
   * Whether a fault's window holds `seq`. The windows are equally wide and in the order of
   * their faults, so the one that begins last at or before `seq` is the one that can hold it.
   */
  private aroundAFault(seq: number): boolean {
    const windows = this.r.aroundFaults;
    // Most spans let go are older than every window: one comparison.
    if (seq < (windows[0]?.from ?? Number.POSITIVE_INFINITY)) return false;
    for (let i = windows.length - 1; i >= 0; i--) {
      const w = windows[i];
      if (w && w.from <= seq) return seq <= w.to;
    }
    return false;
  }

  /** Holds the spans around the fault just recorded as `seq`; past MAX_FAULT_WINDOWS, the oldest fault's let go. */
  private keepAround(seq: number): void {
    this.r.aroundFaults.push({ from: seq - AROUND_FAULT, to: seq + AROUND_FAULT });
    if (this.r.aroundFaults.length <= MAX_FAULT_WINDOWS) return;
    const oldest = this.r.aroundFaults.shift();
    const next = this.r.aroundFaults[0];
    if (!oldest || !next) return;
    // Only what the next window does not hold: in a storm, a few spans per fault, not 401.
    for (let s = Math.max(0, oldest.from); s <= Math.min(oldest.to, next.from - 1, this.r.next - 1); s++) this.release(s);
  }

  /** A transaction or stall not yet ended, or a handler run the machine still has. */
  private isOpen(seq: number): boolean {
    const span = this.r.spans.get(seq);
    const activity = span?.kind === 'handler' ? this.r.activityOfSpan.get(seq) : undefined;
    if (activity !== undefined) return this.machine.state.activities.has(activity);
    return span?.end === null;
  }

  private close(open: SeqMap<number>, t: TransactionState, time: number, status: string): void {
    const seq = open.get(t.id);
    const span = seq === undefined ? undefined : this.r.spans.get(seq);
    if (seq === undefined || !span) return;
    open.delete(t.id);
    // The transaction as it ended (after a restore, the live record is a copy of the one issued).
    const { lane, kind, start, line } = span;
    const of = kind === 'transaction' ? { access: t.access, iova: t.iova, label: t.label, pa: t.pa } : span.of;
    this.r.spans.set(seq, { lane, kind, start, end: time, status, line, of });
  }

  record(event: MachineEvent): void {
    switch (event.kind) {
      case 'transaction-issued': {
        const t = event.transaction;
        this.r.issued++;
        this.r.transactions.set(t.id, this.add({ lane: t.engine, kind: 'transaction', start: event.time, end: null, of: t, status: null, line: this.lineOf(t) }, true));
        return;
      }
      case 'transaction-stalled': {
        const t = event.transaction;
        const label = event.behind ? 'stalled behind a fault (HUPCF=0)' : 'stalled by its fault';
        this.r.stalls.set(t.id, this.add({ lane: t.engine, kind: 'stall', start: event.time, end: null, of: label, status: null, line: this.lineOf(t) }, false));
        return;
      }
      case 'transaction-ended':
        this.close(this.r.stalls, event.transaction, event.time, event.status);
        this.close(this.r.transactions, event.transaction, event.time, event.status);
        return;
      case 'fault': {
        const f = event.fault;
        const label = `${f.kind} fault at level ${f.level}: ${f.reason}`;
        this.keepAround(this.add({ lane: event.transaction.engine, kind: 'fault', start: event.time, end: event.time, of: label, status: null, line: this.lineOf(event.transaction) }, false));
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
    const seq = this.add({ lane: thread - 1, kind: 'handler', start: time, end: null, of: label, status: null, line }, false);
    this.r.activities.set(id, { seq, last: time, response });
    this.r.activityOfSpan.set(seq, id);
  }

  snapshot(): TimelineSnapshot {
    return copy(this.r);
  }

  restore(snapshot: TimelineSnapshot): void {
    this.r = copy(snapshot);
  }

  /**
   * The spans held that overlap `window`; without one, those of the newest windows (what
   * ran up to the current cycle), with where they begin. Also what the webview needs to move
   * around the run: the cycles all held spans cover, and every fault held.
   */
  timeline(path: string, window?: CycleRange): TimelineResponseBody {
    const now = this.machine.now;
    const spans: TimelineSpan[] = [];
    const faults: number[] = [];
    let held = 0;
    let first = now;
    /** The last cycle of a span held but not sent: the newest spans are complete only after it. */
    let lastLeftOut = -1;
    this.r.spans.forEach((recorded, seq) => {
      const span = this.withActivity(seq, recorded);
      if (span.kind === 'transaction') held++;
      if (span.kind === 'fault') faults.push(span.start);
      first = Math.min(first, span.start);
      const wanted = window ? span.start <= window.to && (span.end ?? now) >= window.from : this.r.newest.has(seq);
      if (wanted) spans.push(drawn(span));
      else lastLeftOut = Math.max(lastLeftOut, span.end ?? now);
    });
    const dropped = this.r.issued - held;
    // Nothing dropped: the drawing starts at cycle 0, as the run did.
    const heldFrom = dropped > 0 ? first : 0;
    return {
      now,
      path,
      lanes: this.machine.state.threads.map((t) => ({ name: t.name, kind: t.kind })),
      spans,
      dropped,
      window: window ?? { from: lastLeftOut < 0 ? heldFrom : Math.min(lastLeftOut + 1, now), to: now },
      held: { from: heldFrom, to: now },
      faults,
    };
  }

  /** A handler span as it stands: open while the machine has its activity, answered as the activity answered. */
  private withActivity(seq: number, span: HeldSpan): HeldSpan {
    const id = this.r.activityOfSpan.get(seq);
    const activity = id === undefined ? undefined : this.r.activities.get(id);
    if (id === undefined || !activity) return span;
    const running = this.machine.state.activities.has(id);
    return { ...span, end: running ? null : activity.last, status: activity.response };
  }
}

/** A span as the webview draws it: a transaction's is labelled `read 0x7000000 (bad)`, with its PA once it completed. */
function drawn(span: HeldSpan): TimelineSpan {
  const { lane, kind, start, end, status, line, of } = span;
  if (typeof of === 'string') return { lane, kind, start, end, label: of, status, line, pa: null };
  const label = `${of.access} ${hex(of.iova)}${of.label ? ` (${of.label})` : ''}`;
  return { lane, kind, start, end, label, status, line, pa: status === 'completed' && of.pa !== undefined ? hex(of.pa) : null };
}
