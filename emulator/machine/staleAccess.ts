import { selectTtbr } from '../pgtable/ttbrSelect';
import { Runtime } from './runtime';
import { TransactionState } from './state';

/**
 * A TLB hit inside a range Linux unmapped and has not flushed yet: the page table is asked
 * where the IOVA goes now; where the cached entry sends it elsewhere (or nowhere is mapped),
 * the transaction reaches a page the driver may already have freed — a use-after-unmap.
 * Only hits in a pending window are compared, so the hot path pays one length check.
 */
export function noteTlbHit(rt: Runtime, transaction: TransactionState, domain: number, pa: bigint): void {
  const iova = transaction.iova;
  const unmap = rt.state.unflushed.find((u) => u.domain === domain && iova >= u.iova && iova < u.iova + u.size);
  if (!unmap) return;
  // The table the lookup selected (a pagetable, TTBR1), at the address it indexes.
  const model = rt.model.domains[domain];
  const walkIova = model?.ttbr1 ? selectTtbr(iova, model.ias, true).walkIova : iova;
  const mapped = rt.tables[transaction.table ?? domain]?.iovaToPhys(walkIova);
  if (mapped === pa) return;
  transaction.stale = { iova, pa, mapped, unmap: { ...unmap } };
  rt.state.counters['stale-accesses']++;
  if (rt.observed) rt.emit({ kind: 'stale-access', time: rt.state.now, transaction, stale: transaction.stale });
}
