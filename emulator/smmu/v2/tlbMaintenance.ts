import { bankTlbTags, tlbVpn } from '../../machine/liveTable';
import { Runtime } from '../../machine/runtime';
import { hex } from '../../util/u64';
import { v2StateOf } from '../smmuState';
import { BankState } from './v2State';

/**
 * arm-smmu.c's stage-1 TLB maintenance, as register writes of the domain's context bank
 * (Linux tags a bank's entries with the bank index, its ASID). TLBIVAL and TLBIVA are
 * posted writes: the model applies TLBIVAL at the next TLBSYNC, the point from which
 * arm_smmu_tlb_sync_context knows it is done; the ones written with their own sync apply
 * at that sync at once. Each write shows in the trace as a `tlb-invalidate` event.
 */

function emit(rt: Runtime, smmu: number, description: string): void {
  if (rt.observed) rt.emit({ kind: 'tlb-invalidate', time: rt.state.now, smmu, description });
}

/** The context bank of `domain` on SMMU `smmu`. */
function bankOf(rt: Runtime, smmu: number, domain: number): BankState | undefined {
  return v2StateOf(rt.state, smmu)?.banks.find((b) => b.domain === domain);
}

/** CB_TLBSYNC then polling CB_TLBSTATUS (arm_smmu_tlb_sync_context): the posted invalidations complete. */
function tlbSync(rt: Runtime, smmu: number, bank: BankState): void {
  const tlb = rt.tlbs[smmu];
  const posted = bank.postedTlbi.splice(0);
  // A TTBR1 domain's entries carry more tags than the bank (liveTable.ts): the bank's maintenance reaches them all.
  const tags = bankTlbTags(rt, bank.domain, bank.cbndx);
  for (const va of posted) for (const tag of tags) tlb?.invalidateVa(tag, tlbVpn(rt, bank.domain, va));
  emit(rt, smmu, `TLBSYNC cb${bank.cbndx}: TLBSTATUS.SACTIVE clear${posted.length > 0 ? `, ${posted.length} posted invalidation${posted.length === 1 ? '' : 's'} complete` : ''}`);
}

/** io-pgtable's tlb_add_page (arm_smmu_tlb_add_page_s1): TLBIVAL for the leaf at `iova`, complete at the next TLBSYNC. */
export function tlbAddPageV2(rt: Runtime, smmu: number, domain: number, iova: bigint): void {
  const bank = bankOf(rt, smmu, domain);
  if (!bank) return;
  bank.postedTlbi.push(iova);
  emit(rt, smmu, `TLBIVAL ${hex(iova)} cb${bank.cbndx} (posted: complete at TLBSYNC)`);
}

/** io-pgtable's tlb_flush_walk for a freed table (arm_smmu_tlb_inv_walk_s1): TLBIVA for every page of the range, then TLBSYNC. */
export function tlbFlushWalkV2(rt: Runtime, smmu: number, domain: number, iova: bigint, size: bigint): void {
  const bank = bankOf(rt, smmu, domain);
  if (!bank) return;
  // arm_smmu_tlb_inv_walk_s1 steps by io-pgtable's granule (ARM_LPAE_GRANULE): 4K, 16K or 64K.
  const granule = BigInt(rt.model.domains[domain]?.granule.bytes ?? 0x1000);
  for (let va = iova; va < iova + size; va += granule) bank.postedTlbi.push(va);
  emit(rt, smmu, `TLBIVA ×${size / granule} ${hex(iova)}..${hex(iova + size - granule)} cb${bank.cbndx}`);
  tlbSync(rt, smmu, bank);
}

/** iommu_iotlb_sync (arm_smmu_iotlb_sync): the context bank's TLBSYNC; the TLBIVALs were written at unmap. */
export function iotlbSyncV2(rt: Runtime, smmu: number, domain: number): void {
  const bank = bankOf(rt, smmu, domain);
  if (bank) tlbSync(rt, smmu, bank);
}

/** flush_iotlb_all (arm_smmu_tlb_inv_context_s1): TLBIASID of the bank, then TLBSYNC. */
export function flushIotlbAllV2(rt: Runtime, smmu: number, domain: number): void {
  const bank = bankOf(rt, smmu, domain);
  if (!bank) return;
  for (const tag of bankTlbTags(rt, domain, bank.cbndx)) rt.tlbs[smmu]?.invalidateContext(tag);
  emit(rt, smmu, `TLBIASID cb${bank.cbndx}`);
  tlbSync(rt, smmu, bank);
}

/** A handler's `tlbi va`: TLBIVA of the page, then TLBSYNC. */
export function invalidatePageV2(rt: Runtime, smmu: number, domain: number, va: bigint): void {
  const bank = bankOf(rt, smmu, domain);
  if (!bank) return;
  bank.postedTlbi.push(va & ~0xfffn);
  emit(rt, smmu, `TLBIVA ${hex(va)} cb${bank.cbndx}`);
  tlbSync(rt, smmu, bank);
}
