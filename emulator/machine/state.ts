import { ResponseKind } from '../language/ast';
import { CounterName, FaultKind, TransactionStatus } from '../language/schema';

/**
 * The machine's mutable state, as plain data: no classes, no functions, no references
 * into the syntax tree (code is referred to by index). A snapshot is a structured clone.
 */

export interface TransactionState {
  id: number;
  engine: number;
  /** Index of its `transaction` op in the engine's program. */
  op: number;
  label: string | undefined;
  access: 'read' | 'write';
  iova: bigint;
  size: number;
  priv: boolean;
  exec: boolean;
  pasid: bigint | undefined;
  value: bigint | undefined;
  sid: number;
  smmu: number;
  issued: number;
  status: TransactionStatus;
  /** Why a `stalled` transaction waits: its own fault, or a fault ahead of it (HUPCF=0). */
  stall: 'fault' | 'behind' | undefined;
  /** The context bank it translates through, once matched. */
  bank: number | undefined;
  pa: bigint | undefined;
  /** The first bytes read (little-endian, up to 8), for reads that ended. */
  data: bigint | undefined;
  faults: number;
  /** The fault that answers to a response: its latest. */
  lastFault: number | undefined;
  ended: number | undefined;
  /** A submit the engine was executing when it issued this (innermost). */
  submit: bigint | undefined;
  /** Iteration indexes of the enclosing repeats, outermost first. */
  iterations: number[];
}

export interface EngineState {
  pc: number;
  loops: { op: number; i: number }[];
  submits: { op: number; id: bigint }[];
  inFlight: number;
  nextIssue: number;
  /** Waiting for a transaction to end: `outstanding` are in flight. */
  blocked: boolean;
  /** Its program has nothing left to issue. */
  programDone: boolean;
  /** Program done and every transaction ended. */
  finished: boolean;
  issued: number;
}

/** What `arm_smmu_context_fault` read from the context bank (`struct arm_smmu_context_fault_info`). */
export interface ContextFaultInfo {
  fsr: number;
  fsynr0: number;
  far: bigint;
  cbfrsynra: number;
}

export interface BankState {
  cbndx: number;
  domain: number;
  sctlr: number;
  fsr: number;
  fsynr0: number;
  far: bigint;
  cbfrsynra: number;
  ttbr0: bigint;
  tcr: number;
  tcr2: number;
  /** Transactions held by their own fault, in the order they stalled. */
  stalled: number[];
  /** Transactions stalled behind a fault without translation (HUPCF=0), in arrival order. */
  behind: number[];
  /** The transaction and fault that latched FSR/FAR/FSYNR0. */
  latchedTransaction: number | undefined;
  latchedFault: number | undefined;
  /** `stall off for N`: when CFCFG comes back. */
  stallOffUntil: number | undefined;
}

export interface SmrState {
  valid: boolean;
  id: number;
  mask: number;
  master: number;
}

export interface S2crState {
  type: number;
  cbndx: number;
}

export interface SmmuV2State {
  smrs: SmrState[];
  s2crs: S2crState[];
  banks: BankState[];
  sgfsr: number;
  sgfsynr0: number;
  sgfar: bigint;
}

export type ThreadKind = 'engine' | 'irq' | 'irq-thread' | 'worker';

export interface ThreadState {
  id: number;
  name: string;
  kind: ThreadKind;
  alive: boolean;
  /** The activity it runs, and those waiting for it (IRQs queued on a busy CPU, a oneshot IRQ thread). */
  running: number | undefined;
  waiting: number[];
}

/** Steps of the Linux fault path, each one step in the debugger. */
export type KernelStep =
  | 'irq_default_primary_handler'
  | 'arm_smmu_context_fault'
  | 'report_iommu_fault'
  | 'queue_work'
  | 'handler'
  | 'arm_smmu_cb_write(FSR)'
  | 'arm_smmu_cb_write(RESUME)';

/** One run of the fault path on one thread. */
export interface ActivityState {
  id: number;
  thread: number;
  smmu: number;
  bank: number;
  steps: KernelStep[];
  step: number;
  handler: number | undefined;
  /** Program counter within the handler while `steps[step]` is `handler`. */
  pc: number;
  /** The fault the registers were latched for when the IRQ was taken. */
  fault: number | undefined;
  cfi: ContextFaultInfo | undefined;
  response: ResponseKind | undefined;
  /** The kernel calls above this activity, outermost first, for the call stack. */
  callers: string[];
}

export interface WorkItemState {
  activity: number;
  /** When a worker may start it (queued + wq-latency). */
  ready: number;
}

export interface WorkqueueState {
  pending: WorkItemState[];
  /** Per worker: the activity it runs. */
  workers: (number | undefined)[];
}

export type Counters = Record<CounterName, number>;

export interface FaultRecord {
  id: number;
  time: number;
  transaction: number;
  engine: number;
  kind: FaultKind | GlobalFaultKind;
  iova: bigint;
  sid: number;
  ssid: number;
  level: number;
  write: boolean;
  exec: boolean;
  priv: boolean;
  stalled: boolean;
  /** It latched the fault registers (else it only set MULTI, or is a global fault). */
  latched: boolean;
  smmu: number;
  bank: number | undefined;
  /** Why the walk faulted, in words ("L2[56] is invalid"). */
  reason: string;
}

/** Faults the SMMU raises before any context bank: sGFSR. */
export type GlobalFaultKind = 'unmatched-stream' | 'stream-conflict' | 'unattached-stream';

export interface MachineState {
  now: number;
  nextTransaction: number;
  nextFault: number;
  nextActivity: number;
  engines: EngineState[];
  smmus: SmmuV2State[];
  /** Transactions that have not ended. */
  transactions: Map<number, TransactionState>;
  threads: ThreadState[];
  activities: Map<number, ActivityState>;
  workqueues: WorkqueueState[];
  counters: Counters;
  /** How each fault was answered, by fault id. */
  responses: Map<number, ResponseKind>;
  /** Events processed so far. */
  events: number;
}
