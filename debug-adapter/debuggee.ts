import { ttbrSwitchText } from '../emulator/inspect/ttbrSwitches';
import { Expression, StringPart } from '../emulator/language/ast';
import { Environment, EvaluationError, evaluate, isTruthy } from '../emulator/language/evaluate';
import { interpolate } from '../emulator/language/interpolate';
import { Action, Scheduled, upcomingTransaction } from '../emulator/inspect/schedule';
import { MachineEvent } from '../emulator/machine/events';
import { Machine, MachineSnapshot } from '../emulator/machine/machine';
import { resultSummary, TraceFormatter } from '../emulator/inspect/trace';
import { ActivityState, FaultRecord, TransactionState } from '../emulator/machine/state';
import { ScenarioModel } from '../emulator/scenario/model';
import { isFaultKind } from '../emulator/language/schema';
import { Breakpoints, FunctionBreakpoint, LineBreakpoint } from './breakpoints';
import { DataWatches } from './dataWatches';
import { faultRecordEnvironment, handlerEnvironment, runEnvironment, transactionEnvironment, upcomingEnvironment } from '../emulator/inspect/environments';
import { defaultExceptionFilters, ExceptionFilterId, filterDescriptions } from './exceptionFilters';
import { describeException } from './exceptionInfo';
import { stalledAhead, stalledBehindText } from './stalledBehind';
import { QueueException, queueException } from '../emulator/inspect/queueExceptions';
import { TimelineRecorder, TimelineSnapshot } from './timeline';
import { findTransaction } from '../emulator/inspect/transactions';
import { ProgressSink, RunProgress } from './runProgress';
import { KeptBytes, mustForgetOldest, SnapshotSize, snapshotSize } from './snapshotBudget';

export type StopReason = 'entry' | 'step' | 'breakpoint' | 'exception' | 'pause' | 'data breakpoint' | 'function breakpoint';

export interface ExceptionStop {
  filter: ExceptionFilterId;
  fault: FaultRecord | undefined;
  /** What the exception widget names its type: the fault's kind, or the filter (a queue event). */
  typeName: string;
  /** "Translation fault at level 2: L2[56] is invalid; FSR=0x402 TF; FAR=0x7000000". */
  message: string;
}

/** Why and where the run stopped, and what it is about. */
export interface Stop {
  reason: StopReason;
  threadId: number;
  /** "Paused on translation fault": what CALL STACK shows. */
  description: string;
  text?: string;
  hitBreakpointIds?: number[];
  /** The transaction the stop is about (a fault's, a step's). */
  transaction?: TransactionState;
  exception?: ExceptionStop;
}

/** What the session hears from the run; it turns each into one DAP event. */
export interface DebuggeeListener {
  stopped(stop: Stop): void;
  /** A long run's progress (cycle, transactions); the session shows it and may cancel it (a pause). */
  progress: ProgressSink;
  output(text: string, category: 'console' | 'stdout' | 'stderr' | 'important'): void;
  thread(reason: 'started' | 'exited', threadId: number): void;
  /** The run ended by itself; `error`: why it could not finish, when it did not. */
  terminated(exitCode: number, error: string | undefined): void;
}

/**
 * Where the run is: built and waiting for `start`, running, stopped, ended by itself, or
 * dropped by the session (restart, terminate, disconnect), after which it reports nothing.
 */
export type RunState = 'ready' | 'running' | 'stopped' | 'ended' | 'disposed';

/** What the debuggee is told at launch. */
export interface DebuggeeOptions {
  /** Run without debugging: no breakpoint, exception, step or data breakpoint stops the run. */
  noDebug: boolean;
  stopOnFault: boolean;
  trace: boolean;
  /** The machine's budgets; absent: the emulator's defaults. */
  maxEvents: number | undefined;
  maxSeconds: number | undefined;
}

type StepMode =
  | { kind: 'continue' }
  /** `next`/`stepIn` on an engine: its next transaction, until it ends or stalls (or, stepping in, its handler starts). */
  | { kind: 'engine'; engine: number; into: boolean; issued: number | undefined }
  /** `next` on a transaction that already ended by a fault: until the kernel has handled that fault. */
  | { kind: 'fault'; engine: number; transaction: TransactionState; fault: FaultRecord; seen: boolean }
  /** `next` on a kernel thread: one step of it, then stop before its next. */
  | { kind: 'thread'; thread: number; armed: boolean; fault: FaultRecord | undefined }
  /**
   * `stepOut` of a handler: until the stalled transaction resumes (or the handler's work
   * ends). On SMMUv3 (no `bank`) the resume is a command that answers `group`'s transactions.
   */
  | { kind: 'out'; thread: number; smmu: number; bank: number | undefined; fault: FaultRecord | undefined; group: number[] | undefined };

/** A stop, and all it takes to come back to it: the machine and the debugger's own memory. */
interface Moment {
  stop: Stop;
  machine: MachineSnapshot;
  recent: Map<number, TransactionState>;
  stoppedBefore: number | undefined;
  lastEngineLine: EngineLineKey | undefined;
  hits: Map<number, number>;
  timeline: TimelineSnapshot;
  /** What keeping it costs (snapshotBudget.ts). */
  size: SnapshotSize;
}

/** An exception stop a fault filter made (not a queue filter). */
function isFaultException(stop: Stop): boolean {
  const filter = stop.exception?.filter;
  return filter !== undefined && filter !== 'overflow' && filter !== 'page-request';
}

/** Stop at most this often from a blocked engine's repeated wake-ups at one line. */
interface EngineLineKey {
  engine: number;
  pc: number;
  issued: number;
}

/**
 * The scenario running under the debugger: the machine, driven event by event, and the
 * decisions of when to stop — breakpoints before a transaction is issued or a handler
 * statement runs, exception filters after faults, steps. It knows nothing of DAP; the
 * session maps what it reports.
 */
export class Debuggee {
  readonly machine: Machine;
  readonly watches: DataWatches;
  readonly timeline: TimelineRecorder;
  private readonly trace: TraceFormatter | undefined;
  private readonly progress: RunProgress;
  /**
   * The events of the step being looked at: `pending[0, pendingCount)`. The slots are
   * written over step after step (emptying an array costs more than the step's look).
   */
  private readonly pending: MachineEvent[] = [];
  private pendingCount = 0;
  private mode: StepMode = { kind: 'continue' };
  private runState: RunState = 'ready';
  private pauseRequested = false;
  /** The event a `before` stop stopped in front of: resuming runs it without stopping again. */
  private stoppedBefore: number | undefined;
  private lastEngineLine: EngineLineKey | undefined;
  /** The transaction each engine issued last. */
  readonly recent = new Map<number, TransactionState>();
  private filters = defaultExceptionFilters<Expression>();
  lastStop: Stop | undefined;
  /** Every stop so far (the last is the current one), to step back to. */
  private readonly history: Moment[] = [];
  private readonly kept = new KeptBytes();
  /** Threads that ended in the event being looked at: their `exited` waits for the stop decision. */
  private exitedNow: number[] = [];
  /**
   * A thread that ended in the very event the run stopped on, and that the stop is about:
   * shown until the run resumes, so the user sees where it stopped.
   */
  private heldThread: number | undefined;

  constructor(
    model: ScenarioModel,
    readonly breakpoints: Breakpoints,
    private readonly options: DebuggeeOptions,
    private readonly listener: DebuggeeListener,
  ) {
    this.machine = new Machine(model, { maxEvents: options.maxEvents, maxSeconds: options.maxSeconds });
    this.progress = new RunProgress(listener.progress);
    this.watches = new DataWatches(this.machine);
    this.trace = options.trace ? new TraceFormatter(this.machine) : undefined;
    this.timeline = new TimelineRecorder(this.machine);
    this.machine.on((event) => {
      this.pending[this.pendingCount++] = event;
      this.timeline.record(event);
    });
    if (this.trace) for (const line of this.trace.header()) listener.output(`${line}\n`, 'console');
  }

  get state(): RunState {
    return this.runState;
  }

  setExceptionFilters(filters: Map<ExceptionFilterId, Expression | undefined>): void {
    this.filters = filters;
  }

  /** Starts the run: stopped on entry, or running. */
  start(stopOnEntry: boolean): void {
    this.expect(['ready'], 'start');
    if (stopOnEntry) this.stop({ reason: 'entry', threadId: this.firstThread(), description: 'Paused on entry' });
    else this.resume({ kind: 'continue' });
  }

  continue(): void {
    this.resume({ kind: 'continue' });
  }

  next(threadId: number): void {
    this.resume(this.stepMode(threadId, false));
  }

  stepIn(threadId: number): void {
    this.resume(this.stepMode(threadId, true));
  }

  stepOut(threadId: number): void {
    const activity = this.runningActivity(threadId);
    if (!activity) {
      this.resume(this.stepMode(threadId, false));
      return;
    }
    this.resume({ kind: 'out', thread: threadId, smmu: activity.smmu, bank: activity.bank, fault: activity.fault, group: activity.group?.transactions.filter((id) => this.machine.state.transactions.get(id)?.status === 'stalled') });
  }

  /** Asks a running run to stop at its next slice; a stopped one stays where it is. */
  pause(): void {
    if (this.runState === 'running') this.pauseRequested = true;
  }

  /**
   * The run was changed while stopped — a stall answered from a view — so the stop is told
   * again as it now stands: no longer an exception, the same thread and frame in focus.
   */
  restate(description: string): void {
    const last = this.lastStop;
    if (this.runState !== 'stopped' || !last) return;
    this.lastStop = { reason: 'pause', threadId: last.threadId, description, ...(last.transaction ? { transaction: last.transaction } : {}) };
    this.listener.stopped(this.lastStop);
  }

  /** Stops for good, silently: the session has moved on (restart, terminate, disconnect). */
  dispose(): void {
    this.runState = 'disposed';
  }

  /** The session asks only what the state allows (lifecycle.ts); anything else is a bug in it. */
  private expect(states: readonly RunState[], what: string): void {
    if (!states.includes(this.runState)) throw new Error(`${what} while the run is ${this.runState}`);
  }

  private stepMode(threadId: number, into: boolean): StepMode {
    const thread = this.machine.state.threads[threadId - 1];
    if (thread?.kind === 'engine') {
      const engine = threadId - 1;
      // Stopped on one of its transactions (a fault, a stall): the step is about that one.
      const focused = this.lastStop?.transaction?.engine === engine ? this.lastStop.transaction : undefined;
      const fault = focused?.lastFault;
      if (focused && focused.ended !== undefined && fault !== undefined && !into && this.kernelHandles(fault)) return { kind: 'fault', engine, transaction: focused, fault, seen: false };
      return { kind: 'engine', engine, into, issued: focused && (into || focused.ended === undefined) ? focused.id : undefined };
    }
    return { kind: 'thread', thread: threadId, armed: false, fault: this.runningActivity(threadId)?.fault };
  }

  /**
   * Whether the kernel runs a fault path for this fault (a `next` then waits for it): always
   * on SMMUv2; on SMMUv3 only for a stall — a terminated fault is at most a record the event
   * thread prints.
   */
  private kernelHandles(fault: FaultRecord): boolean {
    return this.machine.smmu(fault.smmu)?.handlerRunsFor(fault) ?? false;
  }

  private runningActivity(threadId: number) {
    const running = this.machine.state.threads[threadId - 1]?.running;
    return running === undefined ? undefined : this.machine.state.activities.get(running);
  }

  private firstThread(): number {
    return this.machine.state.threads.find((t) => t.alive)?.id ?? 1;
  }

  /** The threads to show: those alive, and one held for the stop. */
  threads(): { id: number; name: string }[] {
    return this.machine.state.threads.filter((t) => t.alive || t.id === this.heldThread).map((t) => ({ id: t.id, name: t.name }));
  }

  private releaseHeldThread(): void {
    const held = this.heldThread;
    this.heldThread = undefined;
    if (held !== undefined && !this.machine.state.threads[held - 1]?.alive) this.listener.thread('exited', held);
  }

  /** The thread that runs an event: what a data breakpoint's stop is shown on. */
  private actorOf(next: Scheduled<Action>): number | undefined {
    const action = next.action;
    switch (action.kind) {
      case 'issue':
        return action.engine + 1;
      case 'translated': {
        const transaction = this.machine.state.transactions.get(action.transaction);
        return transaction ? transaction.engine + 1 : undefined;
      }
      case 'step':
        return this.machine.state.activities.get(action.activity)?.thread;
      case 'irq':
        return this.machine.model.engines.length + 1;
      default:
        return undefined;
    }
  }

  private resume(mode: StepMode): void {
    this.expect(['ready', 'stopped'], 'a resume');
    this.releaseHeldThread();
    this.mode = mode;
    this.runState = 'running';
    this.lastStop = undefined;
    this.progress.running();
    setImmediate(() => this.loop());
  }

  private stop(stop: Stop): void {
    this.runState = 'stopped';
    this.progress.stopped();
    this.lastStop = stop;
    const machine = this.machine.snapshot();
    // Copies: the live records change after this stop.
    const recent = new Map([...this.recent].map(([engine, t]) => [engine, structuredClone(t)]));
    const timeline = this.timeline.snapshot();
    const size = snapshotSize(machine, timeline, this.history.at(-1)?.timeline.next ?? 0, recent);
    this.history.push({ stop, machine, recent, stoppedBefore: this.stoppedBefore, lastEngineLine: this.lastEngineLine, hits: this.breakpoints.hitCounts(), timeline, size });
    this.kept.hold(size);
    while (mustForgetOldest(this.history.length, this.kept.total)) this.forget(this.history.splice(0, 1));
    this.listener.stopped(stop);
  }

  private forget(moments: readonly Moment[]): void {
    for (const moment of moments) this.kept.release(moment.size);
  }

  /** The bytes the stops kept for going back hold (within the budget, past two stops: `mustForgetOldest`). */
  get snapshotBytes(): number {
    return this.kept.total;
  }

  /** Whether there is an earlier stop to go back to. */
  get canStepBack(): boolean {
    return this.history.length > 1;
  }

  /** Back to the previous stop: the machine exactly as it was there (it is deterministic). */
  stepBack(): void {
    this.expect(['stopped'], 'a step back');
    this.travelTo(this.history.length - 2, 'Stepped back');
  }

  /** Back to the previous stop on a breakpoint, a fault or a watched change; else the first stop. */
  reverseContinue(): void {
    this.expect(['stopped'], 'a reverse continue');
    let target = 0;
    for (let i = this.history.length - 2; i > 0; i--) {
      const reason = this.history[i]?.stop.reason;
      if (reason === 'breakpoint' || reason === 'exception' || reason === 'function breakpoint' || reason === 'data breakpoint') {
        target = i;
        break;
      }
    }
    this.travelTo(target, 'Went back');
  }

  private travelTo(index: number, how: string): void {
    const moment = this.history[index];
    if (!moment || index === this.history.length - 1) return;
    this.forget(this.history.splice(index));
    this.machine.restore(moment.machine);
    this.pendingCount = 0;
    this.heldThread = undefined;
    // The records as they are at that moment: the restored live ones, else the copies kept.
    const current = (t: TransactionState): TransactionState => this.machine.state.transactions.get(t.id) ?? this.machine.journal.ended.findLast((e) => e.id === t.id) ?? t;
    this.recent.clear();
    for (const [engine, transaction] of moment.recent) this.recent.set(engine, current(transaction));
    this.stoppedBefore = moment.stoppedBefore;
    this.lastEngineLine = moment.lastEngineLine;
    this.breakpoints.restoreHitCounts(moment.hits);
    this.timeline.restore(moment.timeline);
    this.watches.rebase();
    const stop: Stop = { ...moment.stop, description: `${how} to cycle ${this.machine.now} — ${moment.stop.description}` };
    if (moment.stop.transaction) stop.transaction = current(structuredClone(moment.stop.transaction));
    this.stop(stop);
  }

  /**
   * Runs the next slice, then yields to requests until the one after. Only the time spent
   * in slices counts toward the machine's `maxSeconds`, not the time spent stopped.
   */
  private loop(): void {
    if (this.runState !== 'running') return;
    let more: boolean;
    try {
      more = this.machine.timed(() => this.slice());
    } catch (error) {
      // A timer callback has no caller to report to: end the run and say why, rather than
      // take the adapter (or the extension host) down.
      this.finish(`internal error in the IOMMU debug adapter at cycle ${this.machine.now}: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    if (!more) return;
    this.progress.tick(this.machine.now, this.machine.state.counters.transactions);
    setImmediate(() => this.loop());
  }

  /** Runs events until a stop, the end, or a slice of time has passed; whether the run goes on. */
  private slice(): boolean {
    const deadline = Date.now() + 20;
    for (let count = 0; ; count++) {
      if (this.pauseRequested) {
        this.pauseRequested = false;
        this.stop({ reason: 'pause', threadId: this.focusThread(), description: 'Paused' });
        return false;
      }
      const next = this.machine.peek();
      if (!next) {
        this.finish(undefined);
        return false;
      }
      if (this.stoppedBefore === next.seq) this.stoppedBefore = undefined;
      else {
        const before = this.checkBefore(next);
        if (before) {
          this.stoppedBefore = next.seq;
          this.stop(before);
          return false;
        }
      }
      const actor = this.actorOf(next);
      let outcome: ReturnType<Machine['step']>;
      try {
        outcome = this.machine.step();
      } catch (error) {
        // The emulator met a state it does not model (memory written by hand, say): end the
        // run and say why.
        this.finish(`the emulator failed at cycle ${this.machine.now}: ${error instanceof Error ? error.message : String(error)}`);
        return false;
      }
      if (outcome?.reason === 'error' || outcome?.reason === 'budget') {
        // A budget's message is the emulator's own: it says which budget, and which transaction keeps faulting.
        this.finish(outcome.reason === 'error' ? `${outcome.message} (line ${this.machine.model.lines.lineOf(outcome.range.start)})` : outcome.message);
        return false;
      }
      const after = this.checkAfter(actor);
      if (after) {
        this.stop(after);
        return false;
      }
      if (count % 64 === 63 && Date.now() > deadline) return true;
    }
  }

  /** The thread a pause shows: the one that ran last, else an engine. */
  private focusThread(): number {
    return this.lastStop?.threadId ?? this.firstThread();
  }

  // -------------------------------------------------------------------------------------
  // Before an event: breakpoints, function breakpoints, the end of a step

  private checkBefore(next: Scheduled<Action>): Stop | undefined {
    if (this.options.noDebug) return undefined;
    const action = next.action;
    if (action.kind === 'issue') return this.beforeIssue(action.engine, next.time);
    if (action.kind === 'step') return this.beforeStep(action.activity);
    return undefined;
  }

  private beforeIssue(engine: number, time: number): Stop | undefined {
    const state = this.machine.state.engines[engine];
    const model = this.machine.model.engines[engine];
    if (!this.breakpoints.anyLine || !state || !model || time < state.nextIssue || state.inFlight >= model.outstanding) return undefined;
    const upcoming = upcomingTransaction(model, state);
    const op = upcoming ? model.program[upcoming.op] : undefined;
    if (!upcoming || op?.op !== 'transaction') return undefined;
    const key: EngineLineKey = { engine, pc: state.pc, issued: state.issued };
    const last = this.lastEngineLine;
    if (last && last.engine === key.engine && last.pc === key.pc && last.issued === key.issued) return undefined;
    const line = this.machine.model.lines.lineOf(op.node.range.start);
    const hit = this.hitLine(line, () => upcomingEnvironment(this.machine, engine, upcoming.op, upcoming.iterations));
    if (!hit) return undefined;
    this.lastEngineLine = key;
    return { reason: 'breakpoint', threadId: engine + 1, description: 'Paused on breakpoint', hitBreakpointIds: hit };
  }

  private beforeStep(activityId: number): Stop | undefined {
    const activity = this.machine.state.activities.get(activityId);
    if (!activity) return undefined;
    const mode = this.mode;
    const step = activity.steps[activity.step];
    if (mode.kind === 'thread' && mode.armed && mode.thread === activity.thread) {
      return { reason: 'step', threadId: activity.thread, description: 'Paused after step' };
    }
    if (step === 'handler') {
      const op = this.machine.nextHandlerOp(activity.id);
      if (mode.kind === 'engine' && mode.into && activity.pc === 0 && mode.issued !== undefined && this.handles(activity, mode.issued)) {
        return { reason: 'step', threadId: activity.thread, description: 'Stepped into the fault handler' };
      }
      const env = () => handlerEnvironment(this.machine, activity);
      const handler = activity.handler === undefined ? undefined : this.machine.model.handlers[activity.handler];
      if (handler && activity.pc === 0) {
        const hit = this.hitFunction(handler.name, env);
        if (hit) return { reason: 'function breakpoint', threadId: activity.thread, description: `Paused on function breakpoint ${handler.name}`, hitBreakpointIds: hit };
      }
      if (!op) return undefined;
      const hit = this.hitLine(this.machine.model.lines.lineOf(op.node.range.start), env);
      return hit ? { reason: 'breakpoint', threadId: activity.thread, description: 'Paused on breakpoint', hitBreakpointIds: hit } : undefined;
    }
    if (step === undefined) return undefined;
    const hit = this.hitFunction(step, () => handlerEnvironment(this.machine, activity));
    return hit ? { reason: 'function breakpoint', threadId: activity.thread, description: `Paused on function breakpoint ${step}`, hitBreakpointIds: hit } : undefined;
  }

  /** Whether a handler's activity is about a transaction: its fault's, or (SMMUv3) one of its group's. */
  private handles(activity: ActivityState, transaction: number): boolean {
    if (activity.group?.transactions.includes(transaction)) return true;
    return activity.fault?.transaction === transaction;
  }

  /** Whether `condition` holds; a condition that cannot be evaluated stops, and says why. */
  private holds(condition: Expression | undefined, env: () => Environment): boolean {
    if (!condition) return true;
    try {
      return isTruthy(evaluate(condition, env()));
    } catch (error) {
      if (!(error instanceof EvaluationError)) throw error;
      this.listener.output(`breakpoint condition: ${error.message}\n`, 'stderr');
      return true;
    }
  }

  private counts(breakpoint: LineBreakpoint | FunctionBreakpoint, env: () => Environment): boolean {
    if (!this.holds(breakpoint.condition, env)) return false;
    breakpoint.hits++;
    return breakpoint.hitCondition ? breakpoint.hitCondition(breakpoint.hits) : true;
  }

  private log(message: StringPart[], env: () => Environment): void {
    try {
      this.listener.output(`${interpolate(message, env())}\n`, 'console');
    } catch (error) {
      if (!(error instanceof EvaluationError)) throw error;
      this.listener.output(`logpoint: ${error.message}\n`, 'stderr');
    }
  }

  /** The ids of the line breakpoints that stop here; logpoints print and do not stop. `env` is built only when a breakpoint asks. */
  private hitLine(line: number, env: () => Environment): number[] | undefined {
    const hits: number[] = [];
    for (const breakpoint of this.breakpoints.at(line)) {
      if (!this.counts(breakpoint, env)) continue;
      if (breakpoint.logMessage) this.log(breakpoint.logMessage, env);
      else hits.push(breakpoint.id);
    }
    return hits.length > 0 ? hits : undefined;
  }

  private hitFunction(name: string, env: () => Environment): number[] | undefined {
    const hits = this.breakpoints.functionBreakpoints(name).filter((b) => this.counts(b, env)).map((b) => b.id);
    return hits.length > 0 ? hits : undefined;
  }

  // -------------------------------------------------------------------------------------
  // After an event: output, threads, exception filters, data breakpoints, steps that ended

  /** Looks at the pending events, and empties them. */
  private checkAfter(actor: number | undefined): Stop | undefined {
    let stop: Stop | undefined;
    for (let i = 0; i < this.pendingCount; i++) {
      const event = this.pending[i] as MachineEvent;
      this.observe(event);
      if (this.options.noDebug) continue;
      // A queue event (a discarded record, a page request) tells more than the fault that
      // caused it in the same event: it takes the stop from a fault filter.
      if (!stop || isFaultException(stop)) {
        const exception = this.exceptionStop(event);
        if (exception && (!stop || !isFaultException(exception))) stop = exception;
      }
      stop ??= this.stepEnd(event);
    }
    this.pendingCount = 0;
    // A watched value that changed together with another stop is shown by that stop.
    if (stop) this.watches.rebase();
    else if (!this.options.noDebug) stop = this.watches.changed(actor ?? this.firstThread());
    if (this.exitedNow.length > 0) this.reportExited(stop);
    return stop;
  }

  /** The threads that ended in this event: `exited` now, or held while the stop is about them. */
  private reportExited(stop: Stop | undefined): void {
    for (const thread of this.exitedNow.splice(0)) {
      if (stop?.threadId === thread) this.heldThread = thread;
      else this.listener.thread('exited', thread);
    }
  }

  private observe(event: MachineEvent): void {
    // The kernel's lines read as dmesg does, whether or not the emulator's trace is on; dev_err's in red, as dmesg colours them.
    if (event.kind === 'kernel-log') {
      this.listener.output(`${event.line}\n`, event.level === 'err' ? 'stderr' : 'stdout');
      return;
    }
    if (this.trace) {
      const line = this.trace.format(event);
      if (line !== undefined) this.listener.output(`${line}\n`, 'console');
    }
    switch (event.kind) {
      case 'log':
        if (!this.trace) this.listener.output(`${event.message}\n`, 'stdout');
        return;
      case 'thread-started':
        this.listener.thread('started', event.thread);
        return;
      case 'thread-exited':
        this.exitedNow.push(event.thread);
        return;
      case 'transaction-issued':
        this.recent.set(event.transaction.engine, event.transaction);
        if (this.mode.kind === 'engine' && this.mode.engine === event.transaction.engine && this.mode.issued === undefined) this.mode.issued = event.transaction.id;
        return;
      default:
        return;
    }
  }

  private enabled(filter: ExceptionFilterId, env: () => Environment): boolean {
    return this.options.stopOnFault && this.filters.has(filter) && this.holds(this.filters.get(filter), env);
  }

  private exceptionStop(event: MachineEvent): Stop | undefined {
    const queued = queueException(this.machine, event);
    if (queued) return this.queueStop(queued);
    let filter: ExceptionFilterId | undefined;
    let fault: FaultRecord | undefined;
    let transaction: TransactionState;
    if (event.kind === 'fault') {
      fault = event.fault;
      transaction = event.transaction;
      const env = () => faultRecordEnvironment(this.machine, event.fault);
      // A global fault (SMMUv2) or a C_BAD_* / F_STREAM_DISABLED event (SMMUv3) is the SMMU refusing its configuration.
      const kind: ExceptionFilterId = isFaultKind(fault.kind) ? fault.kind : 'configuration';
      if (this.filters.has(kind) && this.enabled(kind, env)) filter = kind;
      else if (!fault.latched && fault.bank !== undefined && this.enabled('multi', env)) filter = 'multi';
    } else if (event.kind === 'transaction-stalled') {
      transaction = event.transaction;
      if (this.enabled('stall', () => transactionEnvironment(this.machine, event.transaction))) filter = 'stall';
      // HUPCF=0: a read behind the bank's fault stalls untranslated, with no fault of its own.
      fault = event.behind ? undefined : transaction.lastFault;
    } else if (event.kind === 'stale-access') {
      transaction = event.transaction;
      if (this.enabled('stale', () => transactionEnvironment(this.machine, event.transaction))) filter = 'stale';
    } else if (event.kind === 'transaction-ended' && (event.status === 'aborted' || event.status === 'raz')) {
      transaction = event.transaction;
      if (this.enabled('terminate', () => transactionEnvironment(this.machine, event.transaction))) filter = 'terminate';
      fault = transaction.lastFault;
    } else {
      return undefined;
    }
    if (!filter) return undefined;
    const message =
      event.kind === 'transaction-stalled' && event.behind
        ? stalledBehindText(transaction, stalledAhead(this.machine, transaction))
        : describeException(this.machine, filter, transaction, fault);
    return {
      reason: 'exception',
      threadId: transaction.engine + 1,
      description: `Paused on ${filterDescriptions[filter]}`,
      text: message,
      transaction,
      exception: { filter, fault, typeName: fault?.kind ?? filter, message },
    };
  }

  /** SMMUv3's queues: a record the event queue discarded (`overflow`), a page request (`page-request`). */
  private queueStop(queued: QueueException): Stop | undefined {
    const { filter, fault, transaction } = queued;
    const env = (): Environment =>
      fault ? faultRecordEnvironment(this.machine, fault) : transaction ? transactionEnvironment(this.machine, transaction) : runEnvironment(this.machine);
    if (!this.enabled(filter, env)) return undefined;
    return {
      reason: 'exception',
      threadId: transaction ? transaction.engine + 1 : this.firstThread(),
      description: `Paused on ${filterDescriptions[filter]}`,
      text: queued.message,
      ...(transaction ? { transaction } : {}),
      exception: { filter, fault, typeName: filter, message: queued.message },
    };
  }

  private stepEnd(event: MachineEvent): Stop | undefined {
    const mode = this.mode;
    switch (mode.kind) {
      case 'engine':
        if ((event.kind === 'transaction-ended' || event.kind === 'transaction-stalled') && event.transaction.id === mode.issued) {
          return { reason: 'step', threadId: mode.engine + 1, description: 'Paused after step', transaction: event.transaction };
        }
        // `submit N pagetable NAME`: the CP's TTBR0 write before (or after) the submit is a step of its own.
        if (event.kind === 'ttbr-switch' && event.switched.engine === mode.engine && mode.issued === undefined) {
          return { reason: 'step', threadId: mode.engine + 1, description: `Paused after the TTBR0 switch: ${ttbrSwitchText(this.machine.runtime, event.switched)}` };
        }
        return undefined;
      case 'thread':
        if ((event.kind === 'kernel-step' || event.kind === 'handler-step') && event.thread === mode.thread) mode.armed = true;
        if (event.kind === 'thread-exited' && event.thread === mode.thread) return this.afterWork(mode.fault);
        return undefined;
      case 'out':
        if (event.kind === 'command' && event.smmu === mode.smmu && mode.group) {
          const resumed = mode.group.flatMap((id) => findTransaction(this.machine, id) ?? []).find((t) => t.status !== 'stalled');
          if (resumed) return { reason: 'step', threadId: resumed.engine + 1, description: 'Paused after the resume', transaction: resumed };
        }
        if (event.kind === 'resume' && event.smmu === mode.smmu && event.bank === mode.bank && !event.ignored) {
          const resumed = event.transactions[0];
          const transaction = resumed === undefined ? undefined : findTransaction(this.machine, resumed);
          return { reason: 'step', threadId: transaction ? transaction.engine + 1 : mode.thread, description: 'Paused after the resume', ...(transaction ? { transaction } : {}) };
        }
        if (event.kind === 'thread-exited' && event.thread === mode.thread) return this.afterWork(mode.fault);
        return undefined;
      case 'fault': {
        const handling = [...this.machine.state.activities.values()].some((a) => a.fault?.id === mode.fault.id);
        if (handling) mode.seen = true;
        if (!mode.seen || handling) return undefined;
        return { reason: 'step', threadId: mode.engine + 1, description: 'Paused after the fault was handled', transaction: mode.transaction };
      }
      case 'continue':
        return undefined;
    }
  }

  /** A step ran a handler's work to its end: stop on the engine whose transaction faulted, at that transaction. */
  private afterWork(record: FaultRecord | undefined): Stop | undefined {
    const transaction = record ? findTransaction(this.machine, record.transaction) : undefined;
    if (!record || !transaction) return undefined;
    return { reason: 'step', threadId: record.engine + 1, description: 'Paused after the handler returned', transaction };
  }

  // -------------------------------------------------------------------------------------

  /** The run is over: what every expect found, then the exit code (1 when one failed). */
  private finish(error: string | undefined): void {
    this.runState = 'ended';
    this.progress.stopped();
    if (this.pendingCount > 0) this.checkAfter(undefined);
    this.releaseHeldThread();
    const result = this.machine.result();
    // VS Code draws `console` output in the warning colour: what went well is `stdout`, as the scenario's own `log` lines.
    for (const line of resultSummary(result)) this.listener.output(`${line.text}\n`, line.failed ? 'stderr' : 'stdout');
    if (error) this.listener.output(`the run could not finish: ${error}\n`, 'stderr');
    this.listener.terminated(error || result.expects.some((e) => !e.ok) ? 1 : 0, error);
  }
}
