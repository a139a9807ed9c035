import { ResponseKind } from '../../language/ast';
import { TranslationResult } from '../../machine/actions';
import { MachineRequestError } from '../../machine/requestError';
import { Runtime } from '../../machine/runtime';
import { FaultRecord, TransactionState } from '../../machine/state';
import { IopfGroupId, sendDebuggerResponse } from '../../kernel/iopf';
import { hex } from '../../util/u64';
import { DumpedRegister } from '../registerDump';
import { HeldTransaction, Route, Smmu, SmmuQueue } from '../smmu';
import { stagOf, v3StateOf } from '../smmuState';
import { pointerFields, QueueState } from './queue';
import { routeV3 } from './route';
import { describeV3Fault, v3FaultReport } from './faultWords';
import { receiveV3, translatedV3 } from './smmuV3';
import { heldByStallsAndGroups, SmmuV3State } from './v3State';
import { flushIotlbAllV3, invalidateRangeV3 } from './tlbMaintenance';


/** A PROD or CONS register as the dump lists it; the queue decodes its own pointers. */
function pointerRegister(name: string, q: QueueState, register: number, flag: 'OVFLG' | 'OVACKFLG'): DumpedRegister {
  const fields = pointerFields(q, register);
  return { name, value: BigInt(register >>> 0), decoded: `index ${fields.index} wrap ${fields.wrap} ${flag} ${fields.flag}` };
}

/** An SMMUv3 (arm-smmu-v3.c): stream table and CDs in memory, event, PRI and command queues. */
export class SmmuV3 implements Smmu {
  constructor(
    private readonly rt: Runtime,
    readonly index: number,
  ) {}

  private get state(): SmmuV3State {
    const state = v3StateOf(this.rt.state, this.index);
    if (!state) throw new Error(`SMMU ${this.index} is not an SMMUv3`);
    return state;
  }

  receive(transaction: TransactionState): void {
    receiveV3(this.rt, transaction);
  }

  translated(transaction: TransactionState, result: TranslationResult): void {
    translatedV3(this.rt, transaction, result);
  }

  /** A retried transaction is treated "as though it had just arrived" (4.7.1): STE and CD are read again. */
  retranslate(transaction: TransactionState): void {
    receiveV3(this.rt, transaction);
  }

  /**
   * The debugger's answer through the command queue — CMD_RESUME with the stall's StreamID
   * and STAG, or CMD_PRI_RESP for the page request group the transaction waits on. Unlike
   * the kernel's (kernel/iopf.ts), it names the StreamID that faulted, so it can resume a
   * stall on a master's second stream.
   */
  answerStall(transaction: TransactionState, action: ResponseKind): { resumed: number[]; written: string } {
    const target = this.answerTarget(transaction);
    if (typeof target === 'string') throw new MachineRequestError(target);
    return { resumed: target.transactions, written: sendDebuggerResponse(this.rt, this.index, target.group, action) };
  }

  unanswerable(transaction: TransactionState): string | undefined {
    const target = this.answerTarget(transaction);
    return typeof target === 'string' ? target : undefined;
  }

  /** The group a stalled transaction is answered through — what the response names, and every transaction it answers — or why there is none now. */
  private answerTarget(transaction: TransactionState): { group: IopfGroupId; transactions: number[] } | string {
    const v3 = this.state;
    if (transaction.status !== 'stalled') return `transaction #${transaction.id} is not stalled`;
    if (transaction.stall === 'page-request') {
      const wait = v3.prgWaits.find((w) => w.transactions.includes(transaction.id));
      if (!wait) return `transaction #${transaction.id} waits on no page request group`;
      if (v3.openPrgs.some((open) => open.engine === transaction.engine && open.prgi === wait.prgi)) {
        // The device still holds the group's last request: a response now would answer a group the core has not seen whole.
        return `page request group ${hex(wait.prgi)} is not complete: the device has not sent its last request (Last=1) yet; answer it once it has`;
      }
      const ssid = transaction.pasid === undefined ? undefined : Number(transaction.pasid);
      return { group: { kind: 'page-request', sid: wait.sid, ssid, grpid: wait.prgi }, transactions: wait.transactions };
    }
    const stall = v3.stalls.find((s) => s.transaction === transaction.id);
    if (!stall) return `transaction #${transaction.id} holds no STAG`;
    return { group: { kind: 'stall', sid: stall.sid, ssid: undefined, grpid: stall.stag }, transactions: [transaction.id] };
  }

  route(sid: number, ssid: number | undefined): Route {
    return routeV3(this.rt, this.index, this.state, sid, ssid === undefined ? undefined : BigInt(ssid));
  }

  held(): HeldTransaction[] {
    return heldByStallsAndGroups(this.state);
  }

  /** No per-context fault registers: a dump shows the queues' pointers. */
  dumpRegisters(): DumpedRegister[] {
    const v3 = this.state;
    return [
      pointerRegister('EVENTQ_PROD', v3.eventq, v3.eventq.prod, 'OVFLG'),
      pointerRegister('EVENTQ_CONS', v3.eventq, v3.eventq.cons, 'OVACKFLG'),
      pointerRegister('PRIQ_PROD', v3.priq, v3.priq.prod, 'OVFLG'),
      pointerRegister('PRIQ_CONS', v3.priq, v3.priq.cons, 'OVACKFLG'),
    ];
  }

  queues(): SmmuQueue[] {
    const v3 = this.state;
    return [
      { name: 'event', queue: v3.eventq },
      { name: 'pri', queue: v3.priq },
      { name: 'command', queue: v3.cmdq },
    ];
  }

  /** arm_smmu_tlb_inv_page_nosync: the page only joins the core's gather; the sync issues the commands. */
  tlbAddPage(): boolean {
    return false;
  }

  /** arm_smmu_tlb_inv_walk: CMD_TLBI_NH_VA (not leaf) per 4K page of the freed table's range, then CMD_SYNC. */
  tlbFlushWalk(domain: number, iova: bigint, size: bigint): void {
    // io-pgtable passes its granule (ARM_LPAE_GRANULE): one CMD_TLBI_NH_VA per 4K, 16K or 64K.
    invalidateRangeV3(this.rt, this.index, domain, iova, size, BigInt(this.rt.model.domains[domain]?.granule.bytes ?? 0x1000), false);
  }

  /** arm_smmu_iotlb_sync: nothing gathered (pgsize 0), nothing issued. */
  iotlbSync(domain: number, gather: { start: bigint; end: bigint; pgsize: bigint } | undefined): void {
    if (gather) invalidateRangeV3(this.rt, this.index, domain, gather.start, gather.end - gather.start, gather.pgsize, true);
  }

  flushIotlbAll(domain: number): void {
    flushIotlbAllV3(this.rt, this.index, domain);
  }

  invalidatePage(domain: number, va: bigint): void {
    invalidateRangeV3(this.rt, this.index, domain, va & ~0xfffn, 0x1000n, 0x1000n, true);
  }

  stallOff(): string {
    return "stall off: msm's cooldown clears SCTLR.CFCFG, an SMMUv2 bit; on SMMUv3 it does nothing";
  }

  /** Never scheduled: `stall off` does nothing here. */
  stallOn(): void {}

  /** The STAG a stall holds it under (CMD_RESUME names it), or the page request group it waits on. */
  stallNote(transaction: TransactionState): string {
    if (transaction.stall === 'page-request') return ': waits for its page request group';
    const stag = stagOf(this.state, transaction.id);
    return stag === undefined ? '' : ` stag ${hex(stag)}`;
  }

  /** Its record goes to the event queue (the trace's next line): no fault registers to name. */
  faultNote(): string {
    return '';
  }

  faultReport(fault: FaultRecord): { name: 'event'; text: string } {
    return { name: 'event', text: v3FaultReport(this.rt, this.state, fault) };
  }

  describeFault(fault: FaultRecord, access: string, stalls: boolean): string {
    return describeV3Fault(this.rt, this.state, fault, access, stalls);
  }

  /** A stream with no domain attached has STE.Config=abort: its traffic is terminated without a record. */
  readonly terminatedWithoutFault = 'its STE aborts its traffic (no domain attached)';

  readonly stallAnswer = 'CMD_RESUME';

  /** Only a stall goes to the iopf workqueue; a terminated fault is at most a record the event thread prints. */
  handlerRunsFor(fault: FaultRecord): boolean {
    return fault.stalled;
  }
}
