import { TlbFill } from '../smmu/tlb';
import type { FaultStage } from './state';

/**
 * What the agenda holds: plain data naming what happens at a cycle. The machine's
 * dispatcher gives each its meaning.
 */
export type Action =
  /** An engine issues its next transaction, or works through waits and loops. */
  | { kind: 'issue'; engine: number }
  /** A translation's result is ready: it completes, or it faults. */
  | { kind: 'translated'; transaction: number; result: TranslationResult }
  /** A context interrupt reaches the CPU. */
  | { kind: 'irq'; smmu: number; bank: number }
  /** An SMMUv2's global fault interrupt reaches the CPU. */
  | { kind: 'global-irq'; smmu: number }
  /** A thread runs the next step of its activity. */
  | { kind: 'step'; activity: number }
  /** A workqueue's item may start now. */
  | { kind: 'work'; workqueue: number }
  /** `stall off for N` is over: SCTLR.CFCFG comes back. */
  | { kind: 'stall-on'; smmu: number; bank: number }
  /** SMMUv3: the event queue's (or the PRI queue's) interrupt reaches the CPU. */
  | { kind: 'evtq-irq'; smmu: number }
  | { kind: 'priq-irq'; smmu: number }
  /** An ATS/PRI device sends one page request of a group to the SMMU's PRI queue, for `transaction`'s failed translation. */
  | { kind: 'page-request'; smmu: number; transaction: number; sid: number; ssid: number | undefined; prgi: number; addr: bigint; write: boolean; last: boolean }
  /** A PRG response reaches the device (from CMD_PRI_RESP, or automatic on PRI queue overflow). */
  | { kind: 'prg-response'; smmu: number; sid: number; prgi: number; response: 'success' | 'invalid' | 'failure' }
  /** dma-iommu's fq_timer of a lazy domain fires: fq_flush_timeout. */
  | { kind: 'fq-timeout'; domain: number };

/** What the SMMU's translation found, carried until its latency has passed. */
export type TranslationResult =
  /** `fill`: what a walk gives the TLB once the translation completes. */
  | { ok: true; pa: bigint; fromTlb: boolean; level: number; fill: TlbFill | undefined }
  /** `stage`: where a stage-2 fault happened (absent: stage 1, CLASS=IN). */
  | { ok: false; fault: 'translation' | 'address-size' | 'access-flag' | 'permission'; level: number; reason: string; stage?: FaultStage };

export function cloneAction(action: Action): Action {
  if (action.kind !== 'translated') return { ...action };
  const result = action.result;
  return { ...action, result: result.ok ? { ...result, fill: result.fill && { ...result.fill } } : { ...result, ...(result.stage ? { stage: { ...result.stage } } : {}) } };
}
