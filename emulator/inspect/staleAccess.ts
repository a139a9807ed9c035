import { StaleAccess } from '../machine/state';
import { hex } from '../util/u64';

/** Why the unmapped range was still in the TLB, and until when. */
function pendingWords(stale: StaleAccess): string {
  const unmap = stale.unmap;
  return unmap.by === 'flush queue' ? `queued for the lazy flush, due at cycle ${unmap.due}` : 'iommu_unmap_fast, not yet synced';
}

/**
 * A stale access in words — the trace, the debugger's transaction variables and its
 * exception all say it so: "stale TLB entry: IOVA 0x1000000 → PA 0x80000000, unmapped at
 * cycle 120 (queued for the lazy flush, due at cycle 10120): use-after-unmap".
 */
export function staleAccessText(stale: StaleAccess): string {
  const now = stale.mapped === undefined ? '' : `; the page table maps it to ${hex(stale.mapped)} now`;
  return `stale TLB entry: IOVA ${hex(stale.iova)} → PA ${hex(stale.pa)}, unmapped at cycle ${stale.unmap.at} (${pendingWords(stale)})${now}: use-after-unmap`;
}
