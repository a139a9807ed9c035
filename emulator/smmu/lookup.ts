import { Access, requiredPermission } from '../pgtable/descriptor';
import { HotWalkResult, walk, WALK_ACCESS_FLAG_FAULT, WALK_ADDRESS_SIZE_FAULT, WALK_OK, WALK_PERMISSION_FAULT } from '../pgtable/walker';
import { TranslationResult } from '../machine/actions';
import { Runtime } from '../machine/runtime';
import { TransactionState } from '../machine/state';
import { DomainModel } from '../scenario/model';
import { hex } from '../util/u64';
import { noteTlbHit } from '../machine/staleAccess';

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
function faultReason(rt: Runtime, domain: number, transaction: TransactionState, fallback: string): string {
  const table = rt.tables[domain];
  const described = table ? walk(rt.memory, table.tableConfig(), transaction.iova, accessOf(transaction)) : undefined;
  return described && described.outcome.kind !== 'success' ? described.outcome.reason : fallback;
}

/**
 * TLB, else a walk of `domainIndex`'s table; the result arrives (a `translated` action)
 * after the latency the lookup took. `context` tags TLB entries: the context bank on
 * SMMUv2, the ASID on SMMUv3.
 */
export function lookUp(rt: Runtime, transaction: TransactionState, domainIndex: number, context: number): void {
  const domain = rt.model.domains[domainIndex] as DomainModel;
  const timing = rt.model.timing;
  if (transaction.iova >= 1n << BigInt(domain.ias)) {
    const reason = `IOVA ${hex(transaction.iova)} is beyond the ${domain.ias}-bit input range`;
    // Arm ARM D8.1: an address beyond the IA size is a level 0 Translation fault, found without a walk.
    rt.schedule(timing.tlbHit, { kind: 'translated', transaction: transaction.id, result: { ok: false, fault: 'translation', level: 0, reason } });
    return;
  }
  const vpn = Number(transaction.iova >> 12n);
  const offset = transaction.iova & 0xfffn;
  const code = accessCodeOf(transaction);
  const tlb = rt.tlbs[transaction.smmu];
  const slot = tlb ? tlb.lookup(context, vpn) : -1;
  if (tlb && slot >= 0) {
    if ((tlb.permissions(slot) & requiredPermission(code)) !== 0) {
      const pa = (BigInt(tlb.outputPage(slot)) << 12n) | offset;
      if (rt.state.unflushed.length > 0) noteTlbHit(rt, transaction, domainIndex, pa);
      rt.schedule(timing.tlbHit, { kind: 'translated', transaction: transaction.id, result: { ok: true, pa, fromTlb: true, level: tlb.level(slot), fill: undefined } });
    } else {
      const reason = `${faultReason(rt, domainIndex, transaction, 'the cached permissions forbid this access')} (TLB entry)`;
      rt.schedule(timing.tlbHit, { kind: 'translated', transaction: transaction.id, result: { ok: false, fault: 'permission', level: tlb.level(slot), reason } });
    }
    return;
  }
  const walker = rt.walker(domainIndex);
  if (!walker) throw new Error(`domain ${domainIndex} has no table`);
  const status = walker.walk(vpn, code, scratch);
  const latency = timing.walkLevel * (scratch.level - walker.startLevel + 1);
  if (status === WALK_OK) {
    const pa = (BigInt(scratch.outputPage) << 12n) | offset;
    const fill = { outputPage: scratch.outputPage, level: scratch.level, pages: scratch.pages, permissions: scratch.permissions, lo: scratch.lo, hi: scratch.hi, descriptorAddress: scratch.descriptorAddress };
    rt.schedule(latency, { kind: 'translated', transaction: transaction.id, result: { ok: true, pa, fromTlb: false, level: scratch.level, fill } });
    return;
  }
  const fault = walkFaultOf[status] ?? 'translation';
  const reason = faultReason(rt, domainIndex, transaction, `${fault} fault`);
  rt.schedule(latency, { kind: 'translated', transaction: transaction.id, result: { ok: false, fault, level: scratch.level, reason } });
}

