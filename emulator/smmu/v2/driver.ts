import { ResponseKind } from '../../language/ast';
import { TranslationResult } from '../../machine/actions';
import { MachineRequestError } from '../../machine/requestError';
import { Runtime } from '../../machine/runtime';
import { FaultRecord, TransactionState } from '../../machine/state';
import { dumpRegister, DumpedRegister } from '../registerDump';
import { HeldTransaction, Route, Smmu, SmmuQueue } from '../smmu';
import { v2StateOf } from '../smmuState';
import { CBAR, CBAR_TYPE_S2_TRANS, CBFRSYNRA, FAR, FSR, FSYNR0, SCTLR, TCR, TTBR0, TTBR1, VTCR } from './registers';
import { routeV2 } from './route';
import { answerContextFault } from './answer';
import { describeV2Fault, v2FaultReport } from './faultWords';
import { bankState, receiveV2, setStallMode, translate, translatedV2 } from './smmuV2';
import { BankState, heldByBanks, SmmuV2State } from './v2State';
import { flushIotlbAllV2, invalidatePageV2, iotlbSyncV2, tlbAddPageV2, tlbFlushWalkV2 } from './tlbMaintenance';

function bankRegisters(bank: BankState): DumpedRegister[] {
  const stage2 = ((bank.cbar >>> 16) & 3) === CBAR_TYPE_S2_TRANS;
  return [
    // CBAR only for a stage-2 bank: the dump of every stage-1 bank stays as it was.
    ...(stage2 ? [dumpRegister(CBAR, BigInt(bank.cbar))] : []),
    dumpRegister(SCTLR, BigInt(bank.sctlr)),
    dumpRegister(FSR, BigInt(bank.fsr >>> 0)),
    dumpRegister(FSYNR0, BigInt(bank.fsynr0)),
    dumpRegister(FAR, bank.far),
    dumpRegister(CBFRSYNRA, BigInt(bank.cbfrsynra)),
    dumpRegister(TTBR0, bank.ttbr0),
    // TTBR1 only where EPD1=0 gives it a table: the dump of every other bank stays as it was.
    ...(bank.ttbr1 === 0n ? [] : [dumpRegister(TTBR1, bank.ttbr1)]),
    dumpRegister(stage2 ? VTCR : TCR, BigInt(bank.tcr >>> 0)),
  ];
}


/** An SMMUv2 (MMU-500 as arm-smmu.c drives it): stream matching, context banks, FSR/RESUME. */
export class SmmuV2 implements Smmu {
  constructor(
    private readonly rt: Runtime,
    readonly index: number,
  ) {}

  private get state(): SmmuV2State {
    const state = v2StateOf(this.rt.state, this.index);
    if (!state) throw new Error(`SMMU ${this.index} is not an SMMUv2`);
    return state;
  }

  receive(transaction: TransactionState): void {
    receiveV2(this.rt, transaction);
  }

  translated(transaction: TransactionState, result: TranslationResult): void {
    translatedV2(this.rt, transaction, result);
  }

  /** A retry is translated again in the bank it stalled in (its stream was matched when it arrived). */
  retranslate(transaction: TransactionState): void {
    if (transaction.bank === undefined) throw new Error(`transaction ${transaction.id} retried outside a context bank`);
    translate(this.rt, transaction, bankState(this.rt, this.index, transaction.bank));
  }

  /** FSR written back (its fault bits cleared), then RESUME: that answers every transaction stalled on the bank. */
  answerStall(transaction: TransactionState, action: ResponseKind): { resumed: number[]; written: string } {
    const refusal = this.unanswerable(transaction);
    if (refusal !== undefined || transaction.bank === undefined) throw new MachineRequestError(refusal ?? `transaction #${transaction.id} is not stalled`);
    const stalled = [...bankState(this.rt, this.index, transaction.bank).stalled];
    const { written, ignored } = answerContextFault(this.rt, this.index, transaction.bank, action);
    if (ignored) throw new MachineRequestError(`RESUME was ignored: ${ignored}`);
    return { resumed: stalled, written };
  }

  /** RESUME answers the bank's own stall: one stalled behind it (HUPCF=0) goes on when that one is answered. */
  unanswerable(transaction: TransactionState): string | undefined {
    if (transaction.status !== 'stalled' || transaction.bank === undefined) return `transaction #${transaction.id} is not stalled`;
    if (transaction.stall === 'behind') return `transaction #${transaction.id} is not stalled by a fault of its own: it waits behind the one ahead of it (HUPCF=0); resume that one`;
    return undefined;
  }

  route(sid: number): Route {
    return routeV2(this.rt, this.index, this.state, sid);
  }

  held(): HeldTransaction[] {
    return heldByBanks(this.state);
  }

  dumpRegisters(bank: number | undefined): DumpedRegister[] {
    const state = bank === undefined ? undefined : this.state.banks[bank];
    return state ? bankRegisters(state) : [];
  }

  queues(): SmmuQueue[] {
    return [];
  }

  tlbAddPage(domain: number, iova: bigint): boolean {
    tlbAddPageV2(this.rt, this.index, domain, iova);
    return true;
  }

  tlbFlushWalk(domain: number, iova: bigint, size: bigint): void {
    tlbFlushWalkV2(this.rt, this.index, domain, iova, size);
  }

  /** arm_smmu_iotlb_sync: the TLBIVALs were written at unmap; the sync completes them. */
  iotlbSync(domain: number): void {
    iotlbSyncV2(this.rt, this.index, domain);
  }

  flushIotlbAll(domain: number): void {
    flushIotlbAllV2(this.rt, this.index, domain);
  }

  invalidatePage(domain: number, va: bigint): void {
    invalidatePageV2(this.rt, this.index, domain, va);
  }

  /** msm's cooldown: SCTLR.CFCFG cleared for `cycles`, then set again (a `stall-on` action). */
  stallOff(bank: number | undefined, cycles: number): string | undefined {
    if (bank === undefined) throw new Error(`stall off on SMMU ${this.index} without a context bank`);
    const state = bankState(this.rt, this.index, bank);
    setStallMode(this.rt, this.index, bank, false);
    state.stallOffUntil = this.rt.state.now + cycles;
    this.rt.schedule(cycles, { kind: 'stall-on', smmu: this.index, bank });
    return undefined;
  }

  /** The cooldown is over, unless a later `stall off` extended it. */
  stallOn(bank: number): void {
    const state = this.state.banks[bank];
    if (state && state.stallOffUntil === this.rt.state.now) {
      state.stallOffUntil = undefined;
      setStallMode(this.rt, this.index, bank, true);
    }
  }

  /** Held by its own fault (RESUME answers it), or behind the bank's fault (HUPCF=0). */
  stallNote(transaction: TransactionState): string {
    return transaction.stall === 'behind' ? ' behind a fault (HUPCF=0)' : '';
  }

  faultNote(fault: FaultRecord): string {
    return ` (${fault.latched ? 'latched in FSR/FAR' : fault.bank === undefined ? 'global fault' : 'FSR busy: MULTI'})`;
  }

  faultReport(fault: FaultRecord): { name: 'registers'; text: string } {
    return { name: 'registers', text: v2FaultReport(fault) };
  }

  describeFault(fault: FaultRecord, access: string, stalls: boolean): string {
    return describeV2Fault(this.state, fault, access, stalls);
  }

  /** HUPCF=0: while FSR holds a fault, the bank terminates every other transaction without a walk. */
  readonly terminatedWithoutFault = 'its context bank held a fault (HUPCF=0)';

  readonly stallAnswer = 'RESUME';

  /** Every context fault raises the bank's IRQ: arm_smmu_context_fault runs. */
  handlerRunsFor(): boolean {
    return true;
  }
}
