import { flushQueueTimeout } from '../kernel/flushQueue';
import { ResponseKind } from '../language/ast';
import { EvaluationError } from '../language/evaluate';
import { counterNames } from '../language/schema';
import { Range } from '../language/source';
import { MemorySnapshot, PhysicalMemory } from '../memory/physicalMemory';
import { TableAllocator, TableAllocatorSnapshot, tablePoolReserved } from '../pgtable/tableAllocator';
import { HotTableWalker, hotWalkerOf, pgdBytes } from './hotWalkers';
import { ScenarioModel } from '../scenario/model';
import { bankState, writeFsr } from '../smmu/v2/smmuV2';
import { U64_MAX } from '../util/u64';
import { Tlb, TlbSnapshot } from '../smmu/tlb';
import { runActivityStep, takeContextIrq } from '../kernel/faultPath';
import { takeGlobalIrq } from '../kernel/globalFault';
import { nextHandlerOp } from '../kernel/handlerRun';
import { dispatchWork } from '../kernel/workqueues';
import { Action, cloneAction } from './actions';
import { attachMasters, Attachment } from './attachments';
import { buildAddressSpaces } from './addressSpaces';
import { issueNext } from './engines';
import { EventQueue, EventQueueSnapshot, Scheduled } from './eventQueue';
import { MachineEvent } from './events';
import { checkInvariants } from './invariants';
import { DEFAULT_MAX_SECONDS, defaultMaxEvents } from './budget';
import { DEFAULT_JOURNAL_RECORDS, Journal, JournalLengths, JournalSink } from './journal';
import { emptyTally, evaluateExpect, RunResult, tallyTransaction } from './results';
import { Runtime } from './runtime';
import { Counters, LabelTally, MachineState, ThreadState, TransactionState } from './state';
import { worthReporting } from './transactions';
import { unfinishedEngines } from './unfinished';
import { deliverPrgResponse, receivePageRequest } from '../smmu/v3/pri';
import { Smmu } from '../smmu/smmu';
import { hasPriQueue, programSmmus, smmuDrivers } from '../smmu/smmus';
import { MachineRequestError } from './requestError';
import { takeQueueIrq } from '../kernel/queueThreads';
import { answerAsGuest } from '../kernel/vm/guestKernel';
import { newVmState, vmThreadNames } from '../kernel/vm/vmState';

export interface MachineOptions {
  /** Events a run may process before it is stopped as one that does not end [`defaultMaxEvents`]. */
  maxEvents?: number;
  /** Wall-clock seconds the machine may spend running (in `run`, or in a caller's `timed` slices) [`DEFAULT_MAX_SECONDS`]. */
  maxSeconds?: number;
  /** Records of each kind the journal keeps [`DEFAULT_JOURNAL_RECORDS`]. */
  journalRecords?: number;
  /** Takes every record as it is made (the CLI writes them out). */
  sink?: JournalSink;
}

/** Why `run` returned. */
export type RunStop =
  | { reason: 'finished' }
  | { reason: 'until'; cycle: number }
  | { reason: 'budget'; message: string }
  | { reason: 'error'; message: string; range: Range };

export interface RunLimits {
  /** Run no event later than this cycle. */
  untilCycle?: number;
}

export interface MachineSnapshot {
  state: MachineState;
  queue: EventQueueSnapshot<Action>;
  memory: MemorySnapshot;
  allocator: TableAllocatorSnapshot;
  /** Per nested domain: where its guest's next table page comes from. */
  guestAllocators: (TableAllocatorSnapshot | undefined)[];
  tlbs: TlbSnapshot[];
  journal: JournalLengths;
}

/** The runtime as the machine holds it: whether anyone listens is its to update. */
type MachineRuntime = Omit<Runtime, 'observed'> & { observed: boolean };

/** Events between two looks at the wall clock. */
const CLOCK_EVERY = 1024;

export { MachineRequestError };

/** The context-bank registers a debugger may write; TTBR0 and TCR belong to io-pgtable. */
export type WritableBankRegister = 'SCTLR' | 'FSR' | 'FAR' | 'FSYNR0' | 'CBFRSYNRA';

function zeroCounters(): Counters {
  return Object.fromEntries(counterNames.map((name) => [name, 0])) as Counters;
}

function makeThreads(model: ScenarioModel): ThreadState[] {
  const names: [string, ThreadState['kind']][] = [
    ...model.engines.map((e): [string, ThreadState['kind']] => [e.name, 'engine']),
    ['irq', 'irq'],
    ...model.smmus.map((s): [string, ThreadState['kind']] => [`irq/${s.name}`, 'irq-thread']),
    ...model.workqueues.flatMap((w) => Array.from({ length: w.workers }, (_, k): [string, ThreadState['kind']] => [`${w.name}/${k}`, 'worker'])),
    ...model.smmus.filter(hasPriQueue).map((s): [string, ThreadState['kind']] => [`irq/${s.name}-priq`, 'irq-thread']),
    ...model.vms.flatMap((vm): [string, ThreadState['kind']][] => {
      const names = vmThreadNames(vm.name);
      return [
        [names.vmm, 'vmm'],
        [names.evtq, 'guest'],
        [names.iopf, 'guest'],
      ];
    }),
  ];
  return names.map(([name, kind], index) => ({ id: index + 1, name, kind, alive: kind === 'engine', running: undefined, waiting: [] }));
}

/**
 * The emulated SoC: built from a checked scenario, run one event at a time on a virtual
 * clock. Same scenario, same run: events of one cycle run in the order they were
 * scheduled. Listeners see what happens (`on`). The CLI runs it whole (`run`); the
 * debugger, which owns stepping, takes one event at a time (`peek`, `step`) and travels
 * in time with `snapshot`/`restore`.
 */
export class Machine {
  readonly attachments: Attachment[];
  private readonly queue = new EventQueue<Action>();
  private readonly listeners: ((event: MachineEvent) => void)[] = [];
  private readonly rt: MachineRuntime;
  private readonly maxEvents: number;
  private readonly maxMs: number;
  /** Wall-clock time spent running so far, but for the slice under way; and when that began. */
  private spentMs = 0;
  private sliceStart: number | undefined;
  private overTime = false;

  constructor(
    readonly model: ScenarioModel,
    options: MachineOptions = {},
  ) {
    this.maxEvents = options.maxEvents ?? defaultMaxEvents(model);
    this.maxMs = (options.maxSeconds ?? DEFAULT_MAX_SECONDS) * 1000;
    const memory = new PhysicalMemory();
    // A nested domain's maps output IPAs: the guest's, not the host's physical pages.
    const hostDomains = model.domains.filter((d) => d.nested === undefined);
    const reserved = tablePoolReserved(
      [...hostDomains.flatMap((d) => [...d.maps, ...d.ttbr1Maps]), ...model.pagetables.flatMap((p) => p.maps)],
      hostDomains.flatMap((d) => (d.pgd === undefined ? [] : [{ pgd: d.pgd, bytes: pgdBytes(model, d) }])),
    );
    const allocator = new TableAllocator(memory, { reserved });
    const { tables, owners, ttbr1Of, guests, vmViews } = buildAddressSpaces(model, memory, allocator);
    const { attachments, banks } = attachMasters(model);
    this.attachments = attachments;
    const state: MachineState = {
      now: 0,
      nextTransaction: 0,
      nextFault: 0,
      nextActivity: 0,
      engines: model.engines.map((engine) => ({
        pc: 0,
        loops: [],
        submits: [],
        inFlight: 0,
        nextIssue: engine.start,
        blocked: false,
        programDone: false,
        issued: 0,
        ops: [],
      })),
      smmus: programSmmus({ memory, allocator, tables, ttbr1Of, guests }, model, attachments, banks),
      iopf: { partial: [] },
      transactions: new Map(),
      threads: makeThreads(model),
      vms: model.vms.map((_, index) => newVmState(model, index, guests)),
      activities: new Map(),
      workqueues: model.workqueues.map((w) => ({ pending: [], workers: Array.from({ length: w.workers }, () => undefined) })),
      counters: zeroCounters(),
      responses: new Map(),
      tallies: {},
      runaway: undefined,
      warnedOnce: [],
      unflushed: [],
      gathers: [],
      flushQueues: [],
      liveTtbr0: model.domains.map((_, index) => index),
      events: 0,
    };
    const journal = new Journal(options.journalRecords ?? DEFAULT_JOURNAL_RECORDS, state, options.sink);
    const listeners = this.listeners;
    const queue = this.queue;
    const walkers: (HotTableWalker | undefined)[] = [];
    const drivers: Smmu[] = [];
    this.rt = {
      model,
      state,
      memory,
      allocator,
      tables,
      tableOwners: owners,
      anyTtbr1: model.domains.some((d) => d.ttbr1),
      ttbr1Of,
      guests,
      vmViews,
      walker: (index) => {
        const table = tables[index];
        if (!table) return undefined;
        const domain = model.domains[owners[index]?.domain ?? -1];
        if (!domain) return undefined;
        let walker = walkers[index];
        if (!walker) walkers[index] = walker = hotWalkerOf(model, memory, table, domain);
        return walker;
      },
      smmus: drivers,
      tlbs: model.smmus.map(() => new Tlb(model.timing.tlbEntries)),
      journal,
      expectedLabels: new Set(model.expects.flatMap((e) => (e.check && e.check.kind !== 'counter' ? [e.check.label.text] : []))),
      observed: false,
      schedule: (delay, action) => queue.schedule(state.now + delay, action),
      emit: (event) => {
        for (const listener of listeners) listener(event);
      },
    };
    drivers.push(...smmuDrivers(this.rt));
    model.engines.forEach((engine, index) => queue.schedule(engine.start, { kind: 'issue', engine: index }));
  }

  /** SMMU `index`, whatever its version: routes, stall table, registers and queues. */
  smmu(index: number): Smmu | undefined {
    return this.rt.smmus[index];
  }

  /** The runtime the inspection helpers read (never for changing the machine from outside). */
  get runtime(): Runtime {
    return this.rt;
  }

  get state(): MachineState {
    return this.rt.state;
  }

  get now(): number {
    return this.rt.state.now;
  }

  get journal(): Journal {
    return this.rt.journal;
  }

  /** Listens to what happens; returns the way to stop listening. */
  on(listener: (event: MachineEvent) => void): () => void {
    this.listeners.push(listener);
    this.rt.observed = true;
    return () => {
      const index = this.listeners.indexOf(listener);
      if (index >= 0) this.listeners.splice(index, 1);
      this.rt.observed = this.listeners.length > 0;
    };
  }

  /** The next event, without running it. */
  peek(): Scheduled<Action> | undefined {
    return this.queue.peek();
  }

  /** Every scheduled event, in the order they will run. */
  pending(): Scheduled<Action>[] {
    return this.queue.pending();
  }

  get finished(): boolean {
    return this.queue.size === 0;
  }

  private dispatch(action: Action): void {
    const rt = this.rt;
    switch (action.kind) {
      case 'issue':
        issueNext(rt, action.engine);
        return;
      case 'translated': {
        const transaction = rt.state.transactions.get(action.transaction);
        if (!transaction) return;
        rt.smmus[transaction.smmu]?.translated(transaction, action.result);
        return;
      }
      case 'irq':
        takeContextIrq(rt, action.smmu, action.bank);
        return;
      case 'global-irq':
        takeGlobalIrq(rt, action.smmu);
        return;
      case 'step': {
        const activity = rt.state.activities.get(action.activity);
        if (activity) runActivityStep(rt, activity);
        return;
      }
      case 'work':
        dispatchWork(rt, action.workqueue);
        return;
      case 'evtq-irq':
        takeQueueIrq(rt, action.smmu, 'evtq');
        return;
      case 'priq-irq':
        takeQueueIrq(rt, action.smmu, 'priq');
        return;
      case 'page-request':
        receivePageRequest(rt, action);
        return;
      case 'prg-response':
        deliverPrgResponse(rt, action.smmu, action.sid, action.prgi, action.response, true);
        return;
      case 'stall-on':
        rt.smmus[action.smmu]?.stallOn(action.bank);
        return;
      case 'fq-timeout':
        flushQueueTimeout(rt, action.domain);
        return;
    }
  }

  /** Runs the next event. Returns why it could not, or undefined when it ran. */
  step(): RunStop | undefined {
    const state = this.rt.state;
    if (this.queue.size === 0) return { reason: 'finished' };
    const overBudget = this.overBudget();
    if (overBudget) return { reason: 'budget', message: overBudget };
    const next = this.queue.pop() as Scheduled<Action>;
    state.now = next.time;
    state.events++;
    try {
      this.dispatch(next.action);
    } catch (error) {
      if (error instanceof EvaluationError) return { reason: 'error', message: error.message, range: error.range };
      throw error;
    }
    return undefined;
  }

  /**
   * Counts the wall-clock time `work` takes toward `maxSeconds`. `run` times itself; a
   * caller that steps the machine by hand (the debugger, in slices between requests) wraps
   * each slice, so that time spent stopped does not count.
   */
  timed<T>(work: () => T): T {
    if (this.sliceStart !== undefined) return work();
    this.sliceStart = Date.now();
    try {
      return work();
    } finally {
      this.spentMs += Date.now() - this.sliceStart;
      this.sliceStart = undefined;
    }
  }

  /** Why the run may not take another event, if it may not: a runaway transaction, the event or the time budget. */
  private overBudget(): string | undefined {
    const state = this.rt.state;
    if (state.runaway !== undefined) return this.budgetMessage(`the run was stopped at cycle ${state.now}`);
    if (state.events >= this.maxEvents) return this.budgetMessage(`the run did not end within ${this.maxEvents} events (cycle ${state.now})`);
    if (!this.overTime && this.sliceStart !== undefined && state.events % CLOCK_EVERY === 0) this.overTime = this.spentMs + Date.now() - this.sliceStart > this.maxMs;
    if (this.overTime) return this.budgetMessage(`the run did not end within ${this.maxMs / 1000} s (cycle ${state.now}, ${state.events} events)`);
    return undefined;
  }

  /** Runs until nothing is left or a limit is reached. */
  run(limits: RunLimits = {}): RunStop {
    return this.timed(() => this.runUntimed(limits));
  }

  private runUntimed(limits: RunLimits): RunStop {
    for (;;) {
      const next = this.queue.peek();
      if (!next) return { reason: 'finished' };
      if (limits.untilCycle !== undefined && next.time > limits.untilCycle) {
        this.rt.state.now = Math.max(this.rt.state.now, limits.untilCycle);
        return { reason: 'until', cycle: limits.untilCycle };
      }
      const stop = this.step();
      if (stop) return stop;
    }
  }

  /** Why the run was stopped, and the transaction that keeps faulting if one does. */
  private budgetMessage(base: string): string {
    const { state, journal } = this.rt;
    let worst: { id: number; faults: number; engine: number; op: number } | undefined;
    for (const t of state.transactions.values()) {
      if (!worst || t.faults > worst.faults) worst = { id: t.id, faults: t.faults, engine: t.engine, op: t.op };
    }
    if (!worst || worst.faults < 2) return `${base}; ${journal.faults.length} faults so far`;
    const engine = this.model.engines[worst.engine];
    const node = engine?.program[worst.op];
    const line = node?.op === 'transaction' ? this.model.lines.lineOf(node.node.range.start) : undefined;
    return `${base}: transaction #${worst.id} of ${engine?.name ?? '?'}${line ? ` (line ${line})` : ''} has faulted ${worst.faults} times — a handler keeps answering retry without fixing what faults`;
  }

  /** The description of the op a handler activity runs next, for breakpoints on handler lines. */
  nextHandlerOp(activity: number): ReturnType<typeof nextHandlerOp> {
    const a = this.rt.state.activities.get(activity);
    return a ? nextHandlerOp(this.rt, a) : undefined;
  }

  snapshot(): MachineSnapshot {
    const { rt } = this;
    return {
      state: structuredClone(rt.state),
      queue: this.queue.snapshot(cloneAction),
      memory: rt.memory.snapshot(),
      allocator: rt.allocator.snapshot(),
      guestAllocators: rt.guests.map((guest) => guest?.allocator.snapshot()),
      tlbs: rt.tlbs.map((tlb) => tlb.snapshot()),
      journal: rt.journal.lengths(),
    };
  }

  /** Puts the machine back where a snapshot of this machine was taken. */
  restore(snapshot: MachineSnapshot): void {
    const { rt } = this;
    Object.assign(rt.state, structuredClone(snapshot.state));
    this.queue.restore(snapshot.queue, cloneAction);
    rt.memory.restore(snapshot.memory);
    rt.allocator.restore(snapshot.allocator);
    snapshot.guestAllocators.forEach((s, index) => {
      if (s) rt.guests[index]?.allocator.restore(s);
    });
    rt.tlbs.forEach((tlb, index) => {
      const s = snapshot.tlbs[index];
      if (s) tlb.restore(s);
    });
    rt.journal.truncate(snapshot.journal);
  }

  /**
   * Answers a stalled transaction as the driver would: FSR written back, then RESUME
   * (SMMUv2, answering every transaction stalled on the bank); CMD_RESUME or CMD_PRI_RESP,
   * then CMD_SYNC (SMMUv3).
   */
  resumeTransaction(id: number, action: ResponseKind): { resumed: number[]; written: string } {
    const transaction = this.rt.state.transactions.get(id);
    const smmu = transaction && this.rt.smmus[transaction.smmu];
    if (!transaction || !smmu || transaction.status !== 'stalled') throw new MachineRequestError(`transaction #${id} is not stalled`);
    return smmu.answerStall(transaction, action);
  }

  /**
   * Answers a stall a guest holds (its fault forwarded and injected) as the guest would: its
   * CMD_RESUME goes into its virtual command queue, and the VMM and the host take it from
   * there. Throws when no guest holds the transaction.
   */
  resumeFromGuest(id: number, action: ResponseKind): { written: string } {
    if (action !== 'retry' && action !== 'terminate' && action !== 'abort') throw new MachineRequestError(`a guest answers a stall with retry, terminate or abort (CMD_RESUME), not ${action}`);
    const written = answerAsGuest(this.rt, id, action);
    if (written === undefined) throw new MachineRequestError(`transaction #${id} is not a stall a guest holds`);
    return { written };
  }

  /** Writes a context-bank register as software would: FSR's fault bits are write-one-to-clear. */
  writeBankRegister(smmu: number, cbndx: number, register: WritableBankRegister, value: bigint): void {
    const bank = bankState(this.rt, smmu, cbndx);
    switch (register) {
      case 'SCTLR':
        bank.sctlr = Number(value & 0xffff_ffffn);
        return;
      case 'FSR':
        writeFsr(this.rt, smmu, cbndx, Number(value & 0xffff_ffffn));
        return;
      case 'FAR':
        bank.far = value & U64_MAX;
        return;
      case 'FSYNR0':
        bank.fsynr0 = Number(value & 0xffff_ffffn);
        return;
      case 'CBFRSYNRA':
        bank.cbfrsynra = Number(value & 0xffffn);
        return;
    }
  }

  /** Writes emulated physical memory (page tables live there); the TLB keeps what it cached. */
  writeMemory(pa: number, bytes: Uint8Array): void {
    this.rt.memory.writeBytes(pa, bytes);
  }

  /** What of "nothing lost" does not hold right now (empty when all is well). */
  invariantViolations(): string[] {
    return checkInvariants(this.rt.state, this.rt.journal);
  }

  /** Every labelled transaction and every one that did not complete, issued so far, in issue order (of the ended ones, those the journal keeps). */
  reportedTransactions(): TransactionState[] {
    const live = [...this.rt.state.transactions.values()].filter(worthReporting);
    return [...this.rt.journal.ended, ...live].sort((a, b) => a.id - b.id);
  }

  /** The tallies the expects read: those of ended transactions, and the live ones counted as they stand. */
  private talliesWithLive(): Record<string, LabelTally> {
    const tallies = structuredClone(this.rt.state.tallies);
    for (const t of this.rt.state.transactions.values()) {
      if (t.label !== undefined && this.rt.expectedLabels.has(t.label)) tallyTransaction((tallies[t.label] ??= emptyTally()), t);
    }
    return tallies;
  }

  /** The run's results as they stand: final once `run` returned `finished`. */
  result(): RunResult {
    const { state, journal } = this.rt;
    const counters: Counters = { ...state.counters, stalled: [...state.transactions.values()].filter((t) => t.status === 'stalled').length };
    const tallies = this.talliesWithLive();
    const text = this.model.lines.text;
    return {
      transactions: this.reportedTransactions(),
      faults: [...journal.faults].map((fault) => ({ ...fault, response: state.responses.get(fault.id) })),
      expects: this.model.expects.map((expect) => {
        const written = text.slice(expect.range.start, expect.range.end).replace(/^expect\s+/, '').replace(/\s+/g, ' ').trim();
        return evaluateExpect(expect, written, this.model.lines.lineOf(expect.range.start), tallies, counters);
      }),
      counters,
      cycles: state.now,
      unfinished: unfinishedEngines(this.model, state, this.finished),
    };
  }
}
