import { routeTranslation } from '../../machine/liveTable';
import { TlbFill } from '../tlb';
import { ResponseKind } from '../../language/ast';
import { TranslationResult } from '../../machine/actions';
import { Attachment } from '../../machine/attachments';
import { Runtime } from '../../machine/runtime';
import { GlobalFaultKind, TransactionState } from '../../machine/state';
import { BankState, SmmuV2State } from './v2State';
import { endTransaction, recordFault, releaseTransaction, retryTransaction, stallTransaction } from '../../machine/transactions';
import { DomainModel, ScenarioModel } from '../../scenario/model';
import { IoPgtable } from '../../pgtable/ioPgtable';
import { lookUp } from '../lookup';
import { layoutField, withField } from '../registerLayout';
import { routeV2, translatingBank } from './route';
import { v2StateOf } from '../smmuState';
import { hex } from '../../util/u64';
import { pageOf } from '../../util/pages';
import {
  FSR_AFF,
  FSR_ASF,
  FSR_FAULT_BITS,
  FSR_FORMAT_AARCH64,
  FSR_MULTI,
  FSR_PF,
  FSR_SS,
  FSR_TF,
  FSYNR0_IND,
  FSYNR0_PNU,
  FSYNR0_WNR,
  fsynr0S1cbndx,
  linuxSctlr,
  pasizeOf,
  S2CR_TYPE_FAULT,
  S2CR_TYPE_TRANSLATE,
  SCTLR_CFCFG,
  SCTLR_CFIE,
  SCTLR_CFRE,
  SCTLR_HUPCF,
  SGFSR_MULTI,
  SGFSR_SMCF,
  SGFSR_USF,
  SGFSYNR0_IND,
  SGFSYNR0_PNU,
  SGFSYNR0_WNR,
  TCR,
  CBAR_TYPE_S1_TRANS_S2_BYPASS,
  CBAR_TYPE_S2_TRANS,
} from './registers';
import { hasChange } from '../../kernel/versions';
import { stage2Vtcr } from '../../pgtable/stage2Geometry';

type FaultKind = Extract<TranslationResult, { ok: false }>['fault'];

const fsrBitOf: Record<FaultKind, number> = {
  translation: FSR_TF,
  'access-flag': FSR_AFF,
  permission: FSR_PF,
  'address-size': FSR_ASF,
};

/**
 * TCR for a domain as arm_smmu_lpae_tcr writes it from io-pgtable's cfg: T0SZ, TG0 (the
 * granule: 0b00 4K, 0b10 16K, 0b01 64K), WBWA inner-shareable walks, TTBR1 off (EPD1). With
 * `ttbr1 on` (qcom's set_ttbr0_cfg on a TTBR1-quirk table): EPD1=0 and the same attributes
 * for TTBR1 — T1SZ, IRGN1/ORGN1 WBWA, SH1 inner, TG1 (the same granule in TG1's encoding).
 */
function tcrOf(domain: DomainModel): number {
  const field = (name: string, value: number): number => Number(withField(layoutField(TCR, name), 0n, BigInt(value)));
  const ttbr0 = (64 - domain.ias) | (1 << 8) | (1 << 10) | (3 << 12) | field('TG0', domain.granule.tg0);
  if (!domain.ttbr1) return ttbr0 | (1 << 23);
  return (ttbr0 | ((64 - domain.ias) << 16) | (1 << 24) | (1 << 26) | (3 << 28) | field('TG1', domain.granule.tg1)) >>> 0;
}

/** A stage-2 bank's TCR: io-pgtable's VTCR with bit 31 RES1 (arm_smmu_lpae_vtcr). */
function stage2BankTcr(model: ScenarioModel, domain: DomainModel): bigint {
  const concatenation = hasChange(model.kernel, 'stage2ConcatMandatory') ? 'mandatory' : 'level0';
  return stage2Vtcr(domain.ias, domain.oas, domain.granule, { coherent: true, concatenation }).contextBankTcr;
}

/** The SMMU as Linux programs it at boot and attach: SMRs and S2CRs per stream, a context bank per domain. */
export function programSmmuV2(rt: { tables: readonly IoPgtable[]; ttbr1Of: readonly (number | undefined)[] }, model: ScenarioModel, smmu: number, attachments: readonly Attachment[], banks: readonly number[]): SmmuV2State {
  const state: SmmuV2State = { version: 'v2', smrs: [], s2crs: [], banks: [], sgfsr: 0, sgfsynr0: 0, sgfsynr1: 0, sgfsynr2: 0, sgfar: 0n };
  banks.forEach((domainIndex, cbndx) => {
    const domain = model.domains[domainIndex];
    const table = rt.tables[domainIndex];
    if (!domain || !table) return;
    const stage2 = domain.stage === 2;
    state.banks.push({
      cbndx,
      domain: domainIndex,
      // arm_smmu_init_domain_context: a stage-2 bank translates (CBAR.TYPE 0b00) with VMID cbndx + 1 (unless `vmid` pins one); a stage-1 bank bypasses stage 2.
      cbar: stage2 ? CBAR_TYPE_S2_TRANS << 16 | ((domain.vmid ?? cbndx + 1) & 0xff) : CBAR_TYPE_S1_TRANS_S2_BYPASS << 16,
      // The architecture defines S1CBNDX for nested translation only; for a stage-1 bank it is the implementation's.
      s1cbndx: domain.s1cbndx ?? cbndx,
      sctlr: linuxSctlr(domain, model.smmus[smmu]?.impl ?? 'arm'),
      fsr: 0,
      fsynr0: 0,
      far: 0n,
      cbfrsynra: 0,
      // Linux uses the context bank index as the ASID on SMMUv2; a stage-2 bank's TTBR0 is VTTBR, without one.
      ttbr0: stage2 ? BigInt(table.root) : BigInt(table.root) | (BigInt(cbndx) << 48n),
      ttbr1: ttbr1Value(rt, domainIndex),
      tcr: stage2 ? Number(stage2BankTcr(model, domain)) : tcrOf(domain),
      tcr2: pasizeOf(domain.oas),
      stalled: [],
      behind: [],
      latchedFault: undefined,
      stallOffUntil: undefined,
      postedTlbi: [],
    });
  });
  model.masters.forEach((master, index) => {
    if (master.smmu !== smmu) return;
    const attachment = attachments.find((a) => a.master === index && a.attached);
    const cbndx = attachment ? banks.indexOf(attachment.domain) : -1;
    for (const stream of master.streams) {
      state.smrs.push({ valid: true, id: stream.id, mask: stream.mask, master: index });
      // Linux's disable_bypass: a stream with no domain faults rather than bypassing.
      state.s2crs.push(cbndx >= 0 ? { type: S2CR_TYPE_TRANSLATE, cbndx } : { type: S2CR_TYPE_FAULT, cbndx: 0 });
    }
  });
  return state;
}

/** TTBR1 of a `ttbr1 on` domain's bank: its TTBR1 table (the ASID comes from TTBR0: TCR.A1=0). */
function ttbr1Value(rt: { tables: readonly IoPgtable[]; ttbr1Of: readonly (number | undefined)[] }, domain: number): bigint {
  const table = rt.tables[rt.ttbr1Of[domain] ?? -1];
  return table ? BigInt(table.root) : 0n;
}

function smmuState(rt: Runtime, smmu: number): SmmuV2State {
  const state = v2StateOf(rt.state, smmu);
  if (!state) throw new Error(`SMMU ${smmu} is not an SMMUv2`);
  return state;
}

export function bankState(rt: Runtime, smmu: number, cbndx: number): BankState {
  const bank = smmuState(rt, smmu).banks[cbndx];
  if (!bank) throw new Error(`no context bank ${cbndx} on SMMU ${smmu}`);
  return bank;
}

/**
 * A global fault: the first one latches sGFSR/sGFSYNR0-1/sGFAR and raises the global fault
 * interrupt; one arriving while sGFSR holds a fault only sets MULTI.
 */
function globalFault(rt: Runtime, transaction: TransactionState, kind: GlobalFaultKind, sgfsrBit: number, reason: string): void {
  const smmu = smmuState(rt, transaction.smmu);
  if (sgfsrBit !== 0 && (smmu.sgfsr & ~SGFSR_MULTI) === 0) {
    smmu.sgfsr |= sgfsrBit;
    smmu.sgfsynr0 = (transaction.access === 'write' ? SGFSYNR0_WNR : 0) | (transaction.priv ? SGFSYNR0_PNU : 0) | (transaction.exec ? SGFSYNR0_IND : 0);
    smmu.sgfsynr1 = transaction.sid & 0xffff;
    smmu.sgfar = transaction.iova;
    rt.schedule(rt.model.timing.irqLatency, { kind: 'global-irq', smmu: transaction.smmu });
  } else if (sgfsrBit !== 0) {
    smmu.sgfsr = (smmu.sgfsr | SGFSR_MULTI) >>> 0;
  }
  recordFault(rt, transaction, {
    kind,
    ssid: 0,
    level: 0,
    stalled: false,
    latched: false,
    bank: undefined,
    reason,
  });
  endTransaction(rt, transaction, 'aborted', reason);
}

function complete(rt: Runtime, transaction: TransactionState, delay: number, pa: bigint): void {
  rt.schedule(delay, { kind: 'translated', transaction: transaction.id, result: { ok: true, pa, fromTlb: true, level: 0, fill: undefined } });
}

/** A stream whose S2CR says fault (Linux's disable_bypass for a stream with no domain) is reported as an unidentified stream, like one no SMR matches. */
const sgfsrBitOf: Partial<Record<GlobalFaultKind, number>> = { 'unmatched-stream': SGFSR_USF, 'unattached-stream': SGFSR_USF, 'stream-conflict': SGFSR_SMCF };

/** A transaction arrives: its route says global fault, bypass, or the context bank it translates in. */
export function receiveV2(rt: Runtime, transaction: TransactionState): void {
  const state = smmuState(rt, transaction.smmu);
  const bank = translatingBank(state, transaction.sid);
  if (bank !== undefined) {
    transaction.bank = bank;
    arriveAtBank(rt, transaction, bankState(rt, transaction.smmu, bank));
    return;
  }
  // Every other route: translatingBank has taken those that translate.
  const route = routeV2(rt, transaction.smmu, state, transaction.sid);
  switch (route.kind) {
    case 'fault':
      globalFault(rt, transaction, route.fault, sgfsrBitOf[route.fault] ?? 0, route.reason);
      return;
    case 'bypass':
      complete(rt, transaction, rt.model.timing.tlbHit, transaction.iova);
      return;
    case 'abort':
      endTransaction(rt, transaction, 'aborted', route.reason);
      return;
  }
}

/** HUPCF=0: while the bank holds a fault, later transactions are not translated. */
function arriveAtBank(rt: Runtime, transaction: TransactionState, bank: BankState): void {
  if ((bank.sctlr & SCTLR_HUPCF) === 0) {
    if ((bank.sctlr & SCTLR_CFCFG) !== 0 && (bank.fsr & FSR_SS) !== 0) {
      bank.behind.push(transaction.id);
      stallTransaction(rt, transaction, 'behind');
      return;
    }
    if ((bank.sctlr & SCTLR_CFCFG) === 0 && (bank.fsr & FSR_FAULT_BITS) !== 0) {
      const status = (bank.sctlr & SCTLR_CFRE) !== 0 ? 'aborted' : 'raz';
      endTransaction(rt, transaction, status, `terminated untranslated: FSR=${hex(bank.fsr >>> 0)} holds a fault and HUPCF=0`);
      return;
    }
  }
  translate(rt, transaction, bank);
}

/** TLB, else a walk, in the bank's context. A retried transaction starts here: its bank was matched when it arrived. */
export function translate(rt: Runtime, transaction: TransactionState, bank: BankState): void {
  lookUp(rt, transaction, bank.domain, bank.cbndx);
}

/** Caches a walk's leaf under the tag and page the lookup used (a TTBR1 domain's: the live ASID and TTBR, the walked address). */
function fillTlb(rt: Runtime, transaction: TransactionState, cbndx: number, fill: TlbFill): void {
  // The hot path (no TTBR1 domain in the run) pays one flag.
  if (!rt.anyTtbr1 || !rt.model.domains[bankState(rt, transaction.smmu, cbndx).domain]?.ttbr1) {
    rt.tlbs[transaction.smmu]?.insert(cbndx, pageOf(transaction.iova), fill);
    return;
  }
  const route = routeTranslation(rt, bankState(rt, transaction.smmu, cbndx).domain, transaction.iova, cbndx);
  rt.tlbs[transaction.smmu]?.insert(route.tag, pageOf(route.walkIova), fill);
}

/** A translation's latency has passed: the transaction completes, or the bank takes the fault. */
export function translatedV2(rt: Runtime, transaction: TransactionState, result: TranslationResult): void {
  if (result.ok) {
    if (result.fill && transaction.bank !== undefined) fillTlb(rt, transaction, transaction.bank, result.fill);
    transaction.pa = result.pa;
    endTransaction(rt, transaction, 'completed', result.fromTlb ? 'TLB hit' : `walk, level ${result.level} leaf`);
    return;
  }
  if (transaction.bank === undefined) throw new Error(`transaction ${transaction.id} faulted outside a context bank`);
  contextFault(rt, transaction, bankState(rt, transaction.smmu, transaction.bank), result);
}

/**
 * A context fault: the first one latches FSR/FAR/FSYNR0/CBFRSYNRA and raises the context
 * interrupt; one arriving while FSR holds a fault only sets MULTI. CFCFG decides whether
 * the transaction stalls or ends (abort or RAZ as CFRE says).
 */
function contextFault(rt: Runtime, transaction: TransactionState, bank: BankState, result: Extract<TranslationResult, { ok: false }>): void {
  const stall = (bank.sctlr & SCTLR_CFCFG) !== 0;
  const latch = (bank.fsr & FSR_FAULT_BITS) === 0;
  const write = transaction.access === 'write';
  if (latch) {
    bank.fsr = ((bank.fsr & FSR_SS) | fsrBitOf[result.fault] | FSR_FORMAT_AARCH64) >>> 0;
    bank.far = transaction.iova;
    bank.fsynr0 = (result.level & 3) | (write ? FSYNR0_WNR : 0) | (transaction.priv ? FSYNR0_PNU : 0) | (transaction.exec ? FSYNR0_IND : 0) | fsynr0S1cbndx(bank.s1cbndx);
    bank.cbfrsynra = transaction.sid & 0xffff;
  } else {
    bank.fsr = (bank.fsr | FSR_MULTI) >>> 0;
  }
  const record = recordFault(rt, transaction, {
    kind: result.fault,
    ssid: 0,
    level: result.level,
    stalled: stall,
    latched: latch,
    bank: bank.cbndx,
    reason: result.reason,
    ...(result.stage ? { stage: result.stage } : {}),
  });
  if (latch) bank.latchedFault = record;
  if (stall) {
    bank.fsr = (bank.fsr | FSR_SS) >>> 0;
    bank.stalled.push(transaction.id);
    stallTransaction(rt, transaction, 'fault');
  } else {
    endTransaction(rt, transaction, (bank.sctlr & SCTLR_CFRE) !== 0 ? 'aborted' : 'raz', `${result.fault} fault, CFCFG=0: terminated`);
  }
  if (latch && (bank.sctlr & SCTLR_CFIE) !== 0) raiseContextIrq(rt, transaction.smmu, bank.cbndx);
}

export function raiseContextIrq(rt: Runtime, smmu: number, cbndx: number): void {
  rt.schedule(rt.model.timing.irqLatency, { kind: 'irq', smmu, bank: cbndx });
}

/** A write of FSR: its fault bits are write-one-to-clear; a fault left set keeps the interrupt asserted. */
export function writeFsr(rt: Runtime, smmu: number, cbndx: number, value: number): void {
  const bank = bankState(rt, smmu, cbndx);
  bank.fsr = (bank.fsr & ~(value & FSR_FAULT_BITS)) >>> 0;
  if ((bank.fsr & FSR_FAULT_BITS) === 0) {
    bank.latchedFault = undefined;
  } else if ((bank.sctlr & SCTLR_CFIE) !== 0) {
    raiseContextIrq(rt, smmu, cbndx);
  }
}

/**
 * A write of RESUME: retry translates every stalled transaction of the bank again;
 * terminate (and `abort`: SMMUv2 has only TnR) ends them as CFRE says. The transactions
 * stalled behind them (HUPCF=0) then go on to be translated. Returns why the write was
 * ignored, if it was.
 */
export function writeResume(rt: Runtime, smmu: number, cbndx: number, action: ResponseKind): string | undefined {
  const bank = bankState(rt, smmu, cbndx);
  let ignored: string | undefined;
  if ((bank.fsr & FSR_FAULT_BITS) !== 0) ignored = `FSR=${hex(bank.fsr >>> 0)} still holds fault bits (MMU-500 ignores RESUME until they are cleared)`;
  else if ((bank.fsr & FSR_SS) === 0) ignored = 'no transaction is stalled (FSR.SS=0)';
  const resumed = ignored ? [] : bank.stalled.splice(0);
  if (rt.observed) rt.emit({ kind: 'resume', time: rt.state.now, smmu, bank: cbndx, action, transactions: resumed, ignored });
  if (ignored) return ignored;
  bank.fsr = (bank.fsr & ~FSR_SS) >>> 0;
  const behind = bank.behind.splice(0);
  for (const id of resumed) {
    const transaction = rt.state.transactions.get(id);
    if (!transaction) continue;
    if (transaction.lastFault !== undefined) rt.journal.answer(transaction.lastFault, action);
    if (action === 'retry') {
      retryTransaction(rt, transaction);
    } else {
      endTransaction(rt, transaction, (bank.sctlr & SCTLR_CFRE) !== 0 ? 'aborted' : 'raz', `RESUME ${action}`);
    }
  }
  for (const id of behind) {
    const transaction = rt.state.transactions.get(id);
    if (!transaction) continue;
    releaseTransaction(transaction);
    arriveAtBank(rt, transaction, bank);
  }
  return undefined;
}

/** `stall off for N` and its end: SCTLR.CFCFG cleared, then restored. */
export function setStallMode(rt: Runtime, smmu: number, cbndx: number, stall: boolean): void {
  const bank = bankState(rt, smmu, cbndx);
  bank.sctlr = stall ? bank.sctlr | SCTLR_CFCFG : bank.sctlr & ~SCTLR_CFCFG;
  if (rt.observed) rt.emit({ kind: 'stall-mode', time: rt.state.now, smmu, bank: cbndx, stall });
}
