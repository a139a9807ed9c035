import type { FaultObject } from '../kernel/iommufd/faultObject';
import type { HwptPageResponse, HwptPgfault } from '../kernel/iommufd/faultRecords';
import type { Veventq } from '../kernel/iommufd/veventq';
import type { VirtualSmmuQueues } from '../kernel/iommufd/virtualQueues';
import type { VmmFaultState } from '../kernel/iommufd/vmm';
import type { VmmStep } from '../kernel/vm/vmm';
import type { KernelFunctionName } from '../kernel/functions';
import { ResponseKind } from '../language/ast';
import type { FaultBehaviour } from '../smmu/smmu';
import type { SmmuState } from '../smmu/smmuState';
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
  /**
   * Why a `stalled` transaction waits: its own fault, a fault ahead of it (HUPCF=0), or
   * (an ATS/PRI master on SMMUv3) the response to the page request it sent.
   */
  stall: 'fault' | 'behind' | 'page-request' | undefined;
  /** SMMUv3: the domain and the ASID its context descriptor gave it, once it has one. */
  domain: number | undefined;
  asid: number | undefined;
  /** SMMUv3: the TLB context (VMID and ASID) its translation is cached under. */
  tlbTag: number | undefined;
  /** SMMUv3: what a fault does, as the route it took when it arrived (or was retried) said. */
  onFault: FaultBehaviour | undefined;
  /** An ATS master already had its page request answered with Success: a second miss fails the access. */
  atsRetried: boolean;
  /** The context bank it translates through, once matched. */
  bank: number | undefined;
  /** The table its latest walk (or TLB lookup) used: an index into the run's tables (emulator/machine/addressSpaces.ts). */
  table: number | undefined;
  pa: bigint | undefined;
  /** The first bytes read (little-endian, up to 8), for reads that ended. */
  data: bigint | undefined;
  faults: number;
  /** The fault that answers to a response: its latest. */
  lastFault: FaultRecord | undefined;
  ended: number | undefined;
  /** A submit the engine was executing when it issued this (innermost). */
  submit: bigint | undefined;
  /** Iteration indexes of the enclosing repeats, outermost first. */
  iterations: number[];
  /** It was translated by a TLB entry for a page Linux had unmapped and not yet flushed: a use-after-unmap. */
  stale: StaleAccess | undefined;
}

/** Why an unmapped range may still translate: the gather of an `iommu_unmap_fast` not yet synced, or dma-iommu's lazy flush queue. */
export type UnflushedBy = 'iommu_unmap_fast' | 'flush queue';

/**
 * An unmap whose IOTLB invalidation Linux has not completed: the page table no longer
 * maps the range, but TLB entries for it may still translate until the sync or flush.
 */
export interface UnflushedUnmap {
  domain: number;
  iova: bigint;
  size: bigint;
  /** The cycle of the unmap. */
  at: number;
  by: UnflushedBy;
  /** The cycle the flush queue's timer flushes it; undefined until `sync` (iommu_unmap_fast). */
  due: number | undefined;
}

/** A transaction that a stale TLB entry translated to a page the domain no longer maps there. */
export interface StaleAccess {
  iova: bigint;
  /** Where the stale entry sent it (the freed page). */
  pa: bigint;
  /** Where the page table sends the IOVA now, if anywhere. */
  mapped: bigint | undefined;
  unmap: UnflushedUnmap;
}

/** The IOMMU core's struct iommu_iotlb_gather of a domain: the range unmapped and not yet synced (start inclusive, end exclusive here). */
export interface IotlbGatherState {
  domain: number;
  start: bigint;
  end: bigint;
  /** The leaf size the range was gathered at (iommu_iotlb_gather_add_page syncs before mixing sizes). */
  pgsize: bigint;
}

/** dma-iommu's flush queue of a lazy (IOMMU_DOMAIN_DMA_FQ) domain: one CPU's ring of IOVAs waiting for flush_iotlb_all. */
export interface FlushQueueState {
  domain: number;
  entries: { iova: bigint; size: bigint; at: number }[];
  /** When fq_timer fires; undefined while it is not armed (fq_timer_on = 0). */
  timerDue: number | undefined;
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
  issued: number;
  /** Per transaction op of its program (by index): what the transactions it issued became. */
  ops: (OpTally | undefined)[];
}

/**
 * What the transactions one written transaction issued have become so far — counts kept as
 * they happen, so a run of millions reads them without a list (the debugger's inline value).
 */
export interface OpTally {
  issued: number;
  completed: number;
  aborted: number;
  raz: number;
  /** How the latest to end ended, and its PA (kept as fields: no allocation per transaction). */
  lastStatus: 'completed' | 'aborted' | 'raz' | undefined;
  lastPa: bigint | undefined;
}

/** What `arm_smmu_context_fault` read from the context bank (`struct arm_smmu_context_fault_info`). */
export interface ContextFaultInfo {
  fsr: number;
  fsynr0: number;
  far: bigint;
  cbfrsynra: number;
}

/** `vmm`: a VM's VMM process; `guest`: a thread of a VM's guest kernel. */
export type ThreadKind = 'engine' | 'irq' | 'irq-thread' | 'worker' | 'vmm' | 'guest';

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
  | 'arm_smmu_cb_write(RESUME)'
  | 'arm_smmu_print_context_fault_info'
  | 'qcom_adreno_smmu_resume_translation'
  | 'a6xx_fault_handler'
  | 'adreno_fault_handler'
  | 'arm_smmu_global_fault'
  | 'arm_smmu_gr0_write(sGFSR)'
  | 'arm_smmu_evtq_thread'
  | 'arm_smmu_priq_thread'
  | IopfWorkStep
  | IopfResponseStep
  | VmmStep;

/** The io-pgfault work functions that run a fault group's handler, one per era (emulator/kernel/iopf.ts picks the release's). */
export const iopfWorkSteps = ['iopf_handle_group', 'iopf_handler', 'iommu_sva_handle_iopf'] as const;
export type IopfWorkStep = (typeof iopfWorkSteps)[number];

export function isIopfWorkStep(step: string): step is IopfWorkStep {
  return (iopfWorkSteps as readonly string[]).includes(step);
}
/** The function that answers a fault group through the driver's page_response, by release. */
export type IopfResponseStep = 'iopf_complete_group' | 'iopf_group_response';

/**
 * A fault group as the IOMMU core hands it to `iopf`: one stalled transaction (SMMUv3
 * stall, grpid = STAG), or a PRI page request group (grpid = PRG index) of one or more
 * requests collected until the one with Last.
 */
export interface IopfGroupState {
  kind: 'stall' | 'page-request';
  smmu: number;
  sid: number;
  ssid: number | undefined;
  /** STAG of a stall, PRGI of a page request group. */
  grpid: number;
  /** The faults of the group in arrival order; the first is what the handler sees. */
  faults: FaultRecord[];
  transactions: number[];
}

/** One run of the fault path on one thread. */
export interface ActivityState {
  id: number;
  thread: number;
  smmu: number;
  /** SMMUv2: the context bank whose fault this is. An SMMUv3 has no context banks: undefined. */
  bank: number | undefined;
  /** The domain whose handler runs (its page table is what `map` changes). */
  domain: number | undefined;
  /** SMMUv3: the group the handler answers. */
  group: IopfGroupState | undefined;
  steps: KernelStep[];
  step: number;
  handler: number | undefined;
  /** Program counter within the handler while `steps[step]` is `handler`. */
  pc: number;
  /** The fault the registers were latched for when the IRQ was taken (the group's first, on SMMUv3). */
  fault: FaultRecord | undefined;
  cfi: ContextFaultInfo | undefined;
  /** sGFSR as arm_smmu_global_fault read it, for its write-back (a global fault activity only). */
  gfsr?: number;
  response: ResponseKind | undefined;
  /** The kernel calls above this activity, outermost first, for the call stack. */
  callers: KernelFunctionName[];
  /** The VM whose VMM or guest kernel runs it; absent, the host runs it. */
  vm?: number;
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

/**
 * One label's transactions, as far as `expect` needs them: how many have each status and
 * each PA (`none` for none). A run of millions keeps counts, not transactions; only the
 * first `PA_KINDS_KEPT` distinct PAs are named, the others are counted together.
 */
export interface LabelTally {
  statuses: Partial<Record<TransactionStatus, number>>;
  pas: { pa: string; count: number }[];
  otherPas: number;
}

export interface FaultRecord {
  id: number;
  time: number;
  transaction: number;
  engine: number;
  /** Its transaction's op in the engine's program: the line that faulted, after the transaction is long gone. */
  op: number;
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
  /** The table it walked (an index into the run's tables), undefined for a fault before any walk. */
  table: number | undefined;
  /** Why the walk faulted, in words ("L2[56] is invalid"). */
  reason: string;
  /** The stage whose walk faulted, what it was fetching, and the IPA stage 2 was given. */
  stage: FaultStage;
}

/**
 * Which translation a fault happened in (SMMUv3 event record S2, CLASS and IPA, 7.3): stage 1
 * faults are CLASS=IN; a stage-2 fault is on the input address (IN), on a stage-1 table
 * fetch (TT) or on the CD fetch (CD), at `ipa`. Faults before any translation are stage 1 IN.
 */
export interface FaultStage {
  stage: 1 | 2;
  class: FaultClass;
  ipa: bigint | undefined;
}

export type FaultClass = 'CD' | 'TT' | 'IN';

export const STAGE1_FAULT: FaultStage = { stage: 1, class: 'IN', ipa: undefined };

/** Faults the SMMU raises before any context bank: sGFSR (v2), or a configuration error event (v3). */
export type GlobalFaultKind = 'unmatched-stream' | 'stream-conflict' | 'unattached-stream' | 'bad-streamid' | 'bad-ste' | 'bad-substreamid' | 'bad-cd' | 'stream-disabled';

/** The IOMMU core's fault state: page request groups collected until their Last (iopf). */
export interface IopfState {
  /** Requests of a group seen so far: the page addresses, in arrival order. */
  partial: { smmu: number; sid: number; prgi: number; ssid: number | undefined; pages: bigint[] }[];
}

/**
 * A VM a device is given to (kernel/vm/): the host's iommufd fault object and
 * vEVENTQ, what its VMM has read and not passed on, and the guest's virtual SMMU queues.
 */
export interface VmState {
  fault: FaultObject;
  veventq: Veventq | undefined;
  vmm: VmmFaultState;
  /** Page faults the VMM read from the fault fd and has not injected yet. */
  vmmRead: HwptPgfault[];
  /** Events it read from the vEVENTQ and has not injected yet (4 dwords each). */
  vmmEvents: bigint[][];
  /** Page responses it has to write to the fault fd. */
  vmmResponses: HwptPageResponse[];
  /** The host groups handed to the VMM and not answered yet. */
  forwarded: IopfGroupState[];
  /** The guest's virtual SMMUv3 event and command queues, at IPAs. */
  queues: VirtualSmmuQueues;
  guestEvtqActive: boolean;
}

export interface MachineState {
  now: number;
  nextTransaction: number;
  nextFault: number;
  nextActivity: number;
  engines: EngineState[];
  /** Per SMMU: its registers, structures and queues, tagged with its version. */
  smmus: SmmuState[];
  iopf: IopfState;
  /** Transactions that have not ended. */
  transactions: Map<number, TransactionState>;
  threads: ThreadState[];
  /** Per `vm`: its iommufd objects, VMM and virtual SMMU. */
  vms: VmState[];
  activities: Map<number, ActivityState>;
  workqueues: WorkqueueState[];
  counters: Counters;
  /** How each fault the journal keeps was answered, by fault id. */
  responses: Map<number, ResponseKind>;
  /** What the expects need of each label they name, counted as its transactions end. */
  tallies: Record<string, LabelTally>;
  /** A transaction that has faulted so often it will never end (a handler answers retry without fixing what faults). */
  runaway: number | undefined;
  /** Events processed so far. */
  events: number;
  /** The kernel's WARN_ONCE messages that have fired: each warns once a boot. */
  warnedOnce: string[];
  /** Unmaps whose IOTLB invalidation is still pending, oldest first. */
  unflushed: UnflushedUnmap[];
  /** Per domain with one: the gather `iommu_unmap_fast` filled and `sync` has not synced. */
  gathers: IotlbGatherState[];
  /** Per lazy domain that has queued anything: its flush queue. */
  flushQueues: FlushQueueState[];
  /** Per domain: the table its TTBR0 holds now (its default, or the pagetable a submit switched to). */
  liveTtbr0: number[];
}
