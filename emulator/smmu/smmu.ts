import { ResponseKind } from '../language/ast';
import { TranslationResult } from '../machine/actions';
import { FaultRecord, GlobalFaultKind, TransactionState } from '../machine/state';
import { DumpedRegister } from './registerDump';
import type { QueueState } from './v3/queue';

/**
 * What a translation fault does in a context, as the SMMUv3 read it from the STE and CD
 * when it routed the transaction (the fault path uses the route it took, not memory as it
 * is by then).
 */
export interface FaultBehaviour {
  /** CD.S: the transaction stalls, with a STAG and a stall record. */
  stall: boolean;
  /** CD.R: the fault of a transaction that is terminated is recorded. */
  record: boolean;
  /** CD.A: a terminated transaction aborts; else it is RAZ/WI. */
  abort: boolean;
  /** STE.EATS≠0: a master with PRI asks for the page (ATS) instead of faulting. */
  ats: boolean;
  /** STE.S2S / S2R where stage 2 translates: what a stage-2 fault does (it always aborts when terminated, 5.5). */
  stage2: { stall: boolean; record: boolean } | undefined;
}

/**
 * Where a stream's translations happen: the domain whose page table is walked (a stage-2
 * domain's for a stage-2-only stream, the guest's stage-1 domain for a nested one), and the
 * tag its translations are cached under (the context bank on SMMUv2; on SMMUv3 the VMID
 * and ASID, `tlbTagOf`).
 */
export interface TranslationContext {
  domain: number;
  tlbTag: number;
  /** How people name the context: `cb0`, `asid 1`. */
  name: string;
  /** SMMUv2: the context bank. */
  bank: number | undefined;
  /** SMMUv3: the ASID its CD gives, and the SubstreamID whose CD it is (undefined for traffic without one). */
  asid: number | undefined;
  ssid: number | undefined;
  /**
   * SMMUv3: what a fault does, per its CD and STE. SMMUv2: undefined — SCTLR.CFCFG and
   * CFRE are read when the fault happens (`stall off` changes CFCFG while transactions are in flight).
   */
  onFault: FaultBehaviour | undefined;
}

/** Where a StreamID (and SubstreamID) goes now, read from the SMMU's registers and memory as the hardware reads them. */
export type Route =
  | { kind: 'translate'; context: TranslationContext }
  /** SMMUv3 nested: stage 2 faulted on the CD fetch (CLASS=CD) — a translation fault of the stream, with the stage-2 fault behaviour. */
  | { kind: 'cd-fault'; context: TranslationContext; fault: Extract<TranslationResult, { ok: false }>; latency: number }
  | { kind: 'bypass'; reason: string }
  /** STE.Config=abort: terminated without a record. */
  | { kind: 'abort'; reason: string }
  /** A fault before any translation: sGFSR on SMMUv2, a configuration error event on SMMUv3. */
  | { kind: 'fault'; fault: GlobalFaultKind; reason: string };

/** A transaction an SMMU holds: stalled by its own fault (or waiting on a page request), or behind another's (HUPCF=0). */
export interface HeldTransaction {
  id: number;
  behind: boolean;
  /** What it waits for, in the SMMU's words: `stalled on cb0, no RESUME`, `stalled with STAG 0x1, no CMD_RESUME`. */
  waits: string;
}

/** One of an SMMU's queues in memory, for a debugger to list (read, never written through). */
export interface SmmuQueue {
  name: 'event' | 'pri' | 'command';
  queue: Readonly<QueueState>;
}

/**
 * What every SMMU does. `smmu/v2/` and `smmu/v3/` implement it over their own state in
 * the machine (plain data, so snapshots stay clones); the objects themselves hold nothing
 * but the runtime and their index. Machine and kernel code call this, never a version.
 */
export interface Smmu {
  readonly index: number;
  /** A transaction arrives from its master: routed, then looked up in the TLB or walked. */
  receive(transaction: TransactionState): void;
  /** A translation's latency has passed: the transaction completes, or the SMMU takes the fault. */
  translated(transaction: TransactionState, result: TranslationResult): void;
  /** A stalled transaction answered retry translates again, where the architecture says a retry starts. */
  retranslate(transaction: TransactionState): void;
  /**
   * Answers a stalled transaction as the driver would (FSR then RESUME; CMD_RESUME or
   * CMD_PRI_RESP then CMD_SYNC). Throws `MachineRequestError` when the driver could not.
   */
  answerStall(transaction: TransactionState, action: ResponseKind): { resumed: number[]; written: string };
  /** Why the driver could not answer a stalled transaction now (what `answerStall` would refuse), or undefined when it can. */
  unanswerable(transaction: TransactionState): string | undefined;
  /** Where `sid` (with SubstreamID `ssid`) goes now. */
  route(sid: number, ssid: number | undefined): Route;
  /** Its stall table: the transactions it holds, in the order they stalled. */
  held(): HeldTransaction[];
  /** The registers a crash dump taken by a handler of a fault in `bank` shows. */
  dumpRegisters(bank: number | undefined): DumpedRegister[];
  /** Its queues (none on an SMMUv2). */
  queues(): SmmuQueue[];
  /**
   * io-pgtable's tlb_add_page for a leaf Linux unmapped at `iova` in `domain`: SMMUv2 writes
   * TLBIVAL (complete at the next TLBSYNC) and returns true; SMMUv3 returns false — its
   * driver only adds the page to the IOMMU core's gather (iommu_iotlb_gather_add_page).
   */
  tlbAddPage(domain: number, iova: bigint): boolean;
  /** io-pgtable's tlb_flush_walk for a table Linux freed: every page of the range invalidated, then synced. */
  tlbFlushWalk(domain: number, iova: bigint, size: bigint): void;
  /** iommu_iotlb_sync of `domain` with the core's gather: SMMUv2 TLBSYNC; SMMUv3 CMD_TLBI_NH_VA over the gathered range, then CMD_SYNC (nothing when nothing is gathered). */
  iotlbSync(domain: number, gather: { start: bigint; end: bigint; pgsize: bigint } | undefined): void;
  /** flush_iotlb_all: every entry of the domain's context (TLBIASID + TLBSYNC; CMD_TLBI_NH_ASID + CMD_SYNC). */
  flushIotlbAll(domain: number): void;
  /** A handler's `tlbi va`: the entries of one page (TLBIVA + TLBSYNC; CMD_TLBI_NH_VA + CMD_SYNC). */
  invalidatePage(domain: number, va: bigint): void;
  /** `stall off for N`: returns why it does nothing here, if it does nothing. */
  stallOff(bank: number | undefined, cycles: number): string | undefined;
  /** The end of `stall off for N`. */
  stallOn(bank: number): void;
  /** What held a transaction that just stalled, for the trace (` stag 0x1`, ` behind a fault (HUPCF=0)`; empty where nothing more is known). */
  stallNote(transaction: TransactionState): string;
  /** Where a fault's syndrome went, for the trace (` (latched in FSR/FAR)`; empty where a record follows). */
  faultNote(fault: FaultRecord): string;
  /** How it reported a fault to software, for the Fault scope: `registers` (latched in FSR/FAR/FSYNR0 …) or `event` (its event record, STAG …). */
  faultReport(fault: FaultRecord): { name: 'registers' | 'event'; text: string };
  /** A fault it took, in the exception's words: the fault, where its syndrome is now, and (when `stalls`) what `access` waits for. */
  describeFault(fault: FaultRecord, access: string, stalls: boolean): string;
  /** Why it terminated a transaction that took no fault of its own. */
  readonly terminatedWithoutFault: string;
  /** What answers a transaction it holds stalled by a fault: `RESUME`, `CMD_RESUME`. */
  readonly stallAnswer: string;
  /** Whether the kernel runs a fault path for this fault (a debugger's `next` waits for it). */
  handlerRunsFor(fault: FaultRecord): boolean;
}
