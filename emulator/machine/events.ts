import { HandlerStatement, ResponseKind } from '../language/ast';
import { TransactionStatus } from '../language/schema';
import { KernelLogLevel } from './journal';
import { FaultRecord, KernelStep, StaleAccess, TransactionState } from './state';
import { TtbrSwitchRecord } from './ttbrSwitch';

/**
 * What the machine tells its listeners (the CLI's trace, the debug adapter): one event per
 * thing that happened, at the cycle `time`. Listeners read; they never change the machine,
 * but they may ask it to stop after the current event.
 */
export type MachineEvent =
  | { kind: 'thread-started'; time: number; thread: number }
  | { kind: 'thread-exited'; time: number; thread: number }
  | { kind: 'transaction-issued'; time: number; transaction: TransactionState }
  | { kind: 'transaction-stalled'; time: number; transaction: TransactionState; behind: boolean }
  | { kind: 'transaction-ended'; time: number; transaction: TransactionState; status: Exclude<TransactionStatus, 'stalled' | 'pending'>; how: string }
  | { kind: 'fault'; time: number; fault: FaultRecord; transaction: TransactionState }
  | { kind: 'irq'; time: number; smmu: number; bank: number }
  | { kind: 'kernel-step'; time: number; thread: number; activity: number; step: KernelStep; detail: string }
  | { kind: 'handler-step'; time: number; thread: number; activity: number; statement: HandlerStatement }
  | { kind: 'log'; time: number; thread: number; message: string }
  /** A line the kernel printed (dmesg's text, device prefix included), never one of the emulator's. */
  | { kind: 'kernel-log'; time: number; thread: number; level: KernelLogLevel; line: string }
  | { kind: 'dump'; time: number; thread: number; dump: number }
  /** The emulator's own remark on what a thread did (never a kernel line): e.g. an answer that reaches no register. */
  | { kind: 'note'; time: number; thread: number; text: string }
  | { kind: 'resume'; time: number; smmu: number; bank: number; action: ResponseKind; transactions: number[]; ignored: string | undefined }
  | { kind: 'page-table'; time: number; domain: number; description: string }
  | { kind: 'tlb-invalidate'; time: number; smmu: number; description: string }
  /** What the kernel did to a domain's IOTLB: a gather left unsynced, an IOVA queued for a lazy flush, the flush queue's timer. */
  | { kind: 'iotlb'; time: number; domain: number; description: string }
  /** A stale TLB entry translated a transaction to a page Linux had unmapped and not yet flushed: a use-after-unmap. */
  | { kind: 'stale-access'; time: number; transaction: TransactionState; stale: StaleAccess }
  | { kind: 'stall-mode'; time: number; smmu: number; bank: number; stall: boolean }
  /** The CP wrote TTBR0 around a `submit … pagetable` (CP_SMMU_TABLE_UPDATE), or put the default back. */
  | { kind: 'ttbr-switch'; time: number; switched: TtbrSwitchRecord }
  /**
   * SMMUv3: a record written to the event queue at `index`; one discarded (the queue was
   * full), with whether OVFLG toggled. `transaction` and `fault` are the ones it reports.
   */
  | { kind: 'event-record'; time: number; smmu: number; transaction: number; fault: number; index: number; dwords: bigint[]; text: string }
  | { kind: 'event-dropped'; time: number; smmu: number; transaction: number; fault: number; dwords: bigint[]; text: string; overflow: boolean }
  /**
   * SMMUv3: a page request reached the PRI queue (or was discarded in an overflow): the
   * group it belongs to (StreamID and PRG index) and the transaction whose failed translation it asks for.
   */
  | { kind: 'page-request'; time: number; smmu: number; sid: number; prgi: number; transaction: number; index: number | undefined; dwords: bigint[]; text: string }
  /** SMMUv3: a command the SMMU consumed from its command queue, and what it did. */
  | { kind: 'command'; time: number; smmu: number; dwords: bigint[]; text: string; effect: string };
