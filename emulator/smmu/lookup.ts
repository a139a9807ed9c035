import { Access, requiredPermission } from '../pgtable/descriptor';
import { HotWalkResult, walk, WALK_ACCESS_FLAG_FAULT, WALK_ADDRESS_SIZE_FAULT, WALK_OK, WALK_PERMISSION_FAULT } from '../pgtable/walker';
import { TranslationResult } from '../machine/actions';
import { Runtime } from '../machine/runtime';
import { TransactionState } from '../machine/state';
import { DomainModel } from '../scenario/model';
import { hex, PAGE_SIZE } from '../util/u64';
import { noteTlbHit } from '../machine/staleAccess';
import { routeTranslation } from '../machine/liveTable';
import { FaultStage } from '../machine/state';
import { stage2Xnx } from '../machine/addressSpaces';
import { walkStage2 } from '../pgtable/stage2Walker';
import { NestedFault, NestedWalkResult, walkNested } from '../pgtable/nestedWalker';
import { Tlb } from './tlb';
import { addressIn, pageOffsetOf, twoToThe } from '../util/pages';

type FaultKind = Extract<TranslationResult, { ok: false }>['fault'];

const walkFaultOf: Record<number, FaultKind> = {
  [WALK_ACCESS_FLAG_FAULT]: 'access-flag',
  [WALK_ADDRESS_SIZE_FAULT]: 'address-size',
  [WALK_PERMISSION_FAULT]: 'permission',
};

const scratch = new HotWalkResult();

function accessOf(transaction: TransactionState): Access {
  return { write: transaction.access === 'write', exec: transaction.exec, priv: transaction.priv };
}

/** The access as the hot paths code it: write 1, exec 2, priv 4. */
function accessCodeOf(transaction: TransactionState): number {
  return (transaction.access === 'write' ? 1 : 0) | (transaction.exec ? 2 : 0) | (transaction.priv ? 4 : 0);
}

/** The describing walk's reason for a fault the hot path found (faults are rare, words are for people). */
function faultReason(rt: Runtime, table: number, walkIova: bigint, transaction: TransactionState, fallback: string): string {
  const pgtable = rt.tables[table];
  const domain = rt.model.domains[rt.tableOwners[table]?.domain ?? -1];
  if (!pgtable || !domain) return fallback;
  const access = accessOf(transaction);
  const described = pgtable.stage === 2 ? walkStage2(rt.memory, pgtable.stage2Config(stage2Xnx(rt.model, domain)), walkIova, access) : walk(rt.memory, pgtable.tableConfig(), walkIova, access);
  return described.outcome.kind !== 'success' ? described.outcome.reason : fallback;
}

/** A stage-2-only domain's input address is the IPA: its faults are stage 2, CLASS=IN, at that IPA. */
function stageOf(domain: DomainModel, iova: bigint): FaultStage | undefined {
  return domain.stage === 2 ? { stage: 2, class: 'IN', ipa: iova } : undefined;
}

/** The TLB slot caching the page, or -1 on a miss. */
function tlbSlot(rt: Runtime, transaction: TransactionState, tag: number, vpn: number): number {
  const tlb = rt.tlbs[transaction.smmu];
  return tlb ? tlb.lookup(tag, vpn) : -1;
}

/** Whether the entry in `slot` grants the access; when it does, the translation completes from it. */
function hitGrants(rt: Runtime, transaction: TransactionState, domainIndex: number, slot: number, offset: number): boolean {
  const tlb = rt.tlbs[transaction.smmu] as Tlb;
  if ((tlb.permissions(slot) & requiredPermission(accessCodeOf(transaction))) === 0) return false;
  const pa = addressIn(tlb.outputPage(slot), offset);
  if (rt.state.unflushed.length > 0) noteTlbHit(rt, transaction, domainIndex, pa);
  rt.schedule(rt.model.timing.tlbHit, { kind: 'translated', transaction: transaction.id, result: { ok: true, pa, fromTlb: true, level: tlb.level(slot), fill: undefined } });
  return true;
}

/** A hit whose cached permissions forbid the access: a permission fault, found without a walk; `reason` is the walk's. */
function hitFaults(rt: Runtime, transaction: TransactionState, slot: number, reason: string, stage: FaultStage | undefined): void {
  const level = (rt.tlbs[transaction.smmu] as Tlb).level(slot);
  rt.schedule(rt.model.timing.tlbHit, { kind: 'translated', transaction: transaction.id, result: { ok: false, fault: 'permission', level, reason: `${reason} (TLB entry)`, ...(stage ? { stage } : {}) } });
}

/** A TLB hit answers the lookup (a hit that lacks the permission is a fault); false on a miss. */
function tlbHit(rt: Runtime, transaction: TransactionState, domainIndex: number, tag: number, vpn: number, offset: number, reasonOfFault: () => string, stage: FaultStage | undefined): boolean {
  const slot = tlbSlot(rt, transaction, tag, vpn);
  if (slot < 0) return false;
  if (!hitGrants(rt, transaction, domainIndex, slot, offset)) hitFaults(rt, transaction, slot, reasonOfFault(), stage);
  return true;
}

/**
 * A nested domain (SMMUv3 STE.Config 0b111): the TLB caches the combined IOVA → PA
 * translation under its VMID and ASID; a miss takes the nested walk — every stage-1
 * table fetch through stage 2, then the output IPA — and costs its reads (up to 24).
 */
function lookUpNested(rt: Runtime, transaction: TransactionState, domainIndex: number, domain: DomainModel, stage2Index: number, tag: number): void {
  const iova = transaction.iova;
  const stage1 = rt.tables[domainIndex];
  const stage2 = rt.tables[stage2Index];
  const stage2Domain = rt.model.domains[stage2Index];
  if (!stage1 || !stage2 || !stage2Domain) throw new Error(`nested domain ${domain.name} has no tables`);
  transaction.table = domainIndex;
  const walkNow = () => walkNested(rt.memory, stage1.tableConfig(), stage2.stage2Config(stage2Xnx(rt.model, stage2Domain)), iova, accessOf(transaction));
  const vpn = Number(iova >> 12n);
  if (iova < twoToThe(domain.ias) && tlbHit(rt, transaction, domainIndex, tag, vpn, pageOffsetOf(iova), () => faultOfNested(walkNow())?.reason ?? 'the cached permissions forbid this access', undefined)) return;
  const walked = walkNow();
  const latency = rt.model.timing.walkLevel * Math.max(1, walked.reads);
  const outcome = walked.outcome;
  if (outcome.kind === 'success') {
    const leaf = walked.stage1.steps[walked.stage1.steps.length - 1];
    const leafFetch = walked.tableFetches[walked.tableFetches.length - 1]?.stage2.outcome;
    const fill = {
      outputPage: Number(outcome.pa >> 12n),
      level: outcome.level,
      pages: Number(outcome.size >> 12n),
      permissions: outcome.permissions,
      lo: leaf?.lo ?? 0,
      hi: leaf?.hi ?? 0,
      descriptorAddress: leafFetch?.kind === 'success' ? Number(leafFetch.pa) : 0,
    };
    rt.schedule(latency, { kind: 'translated', transaction: transaction.id, result: { ok: true, pa: outcome.pa, fromTlb: false, level: outcome.level, fill } });
    return;
  }
  const stage: FaultStage = { stage: outcome.stage, class: outcome.class, ipa: outcome.ipa };
  rt.schedule(latency, { kind: 'translated', transaction: transaction.id, result: { ok: false, fault: outcome.kind, level: outcome.level, reason: outcome.reason, stage } });
}

function faultOfNested(walked: NestedWalkResult): NestedFault | undefined {
  return walked.outcome.kind === 'success' ? undefined : walked.outcome;
}

/** Where the fault of a domain with two tables happened, for people: the table's owner and TTBR. */
function inTable(rt: Runtime, domain: DomainModel, table: number, reason: string): string {
  return domain.ttbr1 ? `${reason} (${rt.tableOwners[table]?.label ?? '?'})` : reason;
}

/**
 * TLB, else a walk of the table `domainIndex` selects for the address (liveTable.ts: one
 * table, or TTBR0/TTBR1 by VA bit 55); the result arrives (a `translated` action) after the
 * latency the lookup took. `context` tags TLB entries: the context bank on SMMUv2, the ASID
 * on SMMUv3.
 */
export function lookUp(rt: Runtime, transaction: TransactionState, domainIndex: number, context: number): void {
  const domain = rt.model.domains[domainIndex] as DomainModel;
  if (domain.nested !== undefined) {
    lookUpNested(rt, transaction, domainIndex, domain, domain.nested, context);
    return;
  }
  const timing = rt.model.timing;
  const stage = stageOf(domain, transaction.iova);
  let table = domainIndex;
  let iova = transaction.iova;
  let tag = context;
  let inRange = iova < twoToThe(domain.ias);
  if (domain.ttbr1) {
    const route = routeTranslation(rt, domainIndex, iova, context);
    table = route.table;
    iova = route.walkIova;
    tag = route.tag;
    inRange = route.inRange;
  }
  transaction.table = table;
  if (!inRange) {
    const reason = domain.ttbr1
      ? inTable(rt, domain, table, `IOVA ${hex(transaction.iova)} is in neither the TTBR0 nor the TTBR1 ${domain.ias}-bit range`)
      : `IOVA ${hex(transaction.iova)} is beyond the ${domain.ias}-bit input range`;
    // Arm ARM D8.1 / D8.2.4: an address beyond the IA size (in neither VA range) is a level 0 Translation fault, found without a walk.
    rt.schedule(timing.tlbHit, { kind: 'translated', transaction: transaction.id, result: { ok: false, fault: 'translation', level: 0, reason, ...(stage ? { stage } : {}) } });
    return;
  }
  // In range, the walked address is below 2^ias ≤ 2^48: exact as a number.
  const address = Number(iova);
  const vpn = Math.floor(address / PAGE_SIZE);
  const offset = address - vpn * PAGE_SIZE;
  const code = accessCodeOf(transaction);
  const slot = tlbSlot(rt, transaction, tag, vpn);
  if (slot >= 0) {
    if (!hitGrants(rt, transaction, domainIndex, slot, offset)) hitFaults(rt, transaction, slot, inTable(rt, domain, table, faultReason(rt, table, iova, transaction, 'the cached permissions forbid this access')), stage);
    return;
  }
  const walker = rt.walker(table);
  if (!walker) throw new Error(`table ${table} of domain ${domainIndex} does not exist`);
  const status = walker.walk(vpn, code, scratch);
  const latency = timing.walkLevel * (scratch.level - walker.startLevel + 1);
  if (status === WALK_OK) {
    const pa = addressIn(scratch.outputPage, offset);
    const fill = { outputPage: scratch.outputPage, level: scratch.level, pages: scratch.pages, permissions: scratch.permissions, lo: scratch.lo, hi: scratch.hi, descriptorAddress: scratch.descriptorAddress };
    rt.schedule(latency, { kind: 'translated', transaction: transaction.id, result: { ok: true, pa, fromTlb: false, level: scratch.level, fill } });
    return;
  }
  const fault = walkFaultOf[status] ?? 'translation';
  const reason = inTable(rt, domain, table, faultReason(rt, table, iova, transaction, `${fault} fault`));
  rt.schedule(latency, { kind: 'translated', transaction: transaction.id, result: { ok: false, fault, level: scratch.level, reason, ...(stage ? { stage } : {}) } });
}
