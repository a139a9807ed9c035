import { Runtime } from '../machine/runtime';
import { IotlbGatherState, UnflushedBy } from '../machine/state';
import { UnmapResult } from '../pgtable/ioPgtable';
import { hex } from '../util/u64';

/**
 * The IOMMU core's unmap and IOTLB maintenance (drivers/iommu/iommu.c), the same in every
 * modelled release (add02cfdc9bc, v4.14; the gather since a7d20dc19d9e, v5.4):
 * iommu_unmap clears the page table and syncs the IOTLB before it returns;
 * iommu_unmap_fast clears it and leaves what it unmapped in a gather until
 * iommu_iotlb_sync. Until that sync the TLB can still translate the range: the window is
 * recorded (`unflushed`) so a hit in it can be told for what it is.
 */

/** A line in the trace under the domain's name: what the kernel did to its IOTLB. */
export function iotlbEvent(rt: Runtime, domain: number, description: string): void {
  if (rt.observed) rt.emit({ kind: 'iotlb', time: rt.state.now, domain, description });
}

/** The gather `unmap … nosync` left in `domain`, taken out of the state (a sync or more pages will put back what remains). */
function takeGather(rt: Runtime, domain: number): IotlbGatherState | undefined {
  const gather = rt.state.gathers.find((g) => g.domain === domain);
  rt.state.gathers = rt.state.gathers.filter((g) => g !== gather);
  return gather;
}

/** The driver's iotlb_sync of one gather (SMMUv2: TLBSYNC whatever it holds; SMMUv3: nothing when it is empty). */
function issue(rt: Runtime, smmu: number, domain: number, gather: IotlbGatherState | undefined): void {
  rt.smmus[smmu]?.iotlbSync(domain, gather && { start: gather.start, end: gather.end, pgsize: gather.pgsize });
}

/** The `sync` statement: iommu_iotlb_sync of the domain's gather; the window of its `nosync` unmaps closes. */
export function iotlbSync(rt: Runtime, smmu: number, domain: number): void {
  issue(rt, smmu, domain, takeGather(rt, domain));
  rt.state.unflushed = rt.state.unflushed.filter((u) => u.domain !== domain || u.by !== 'iommu_unmap_fast');
}

/**
 * The TLB maintenance io-pgtable-arm's __arm_lpae_unmap asks for as it clears entries: a
 * freed table is flushed at once (tlb_flush_walk, even in a lazy domain); a leaf goes to
 * tlb_add_page unless the gather is `queued` for the flush queue, when nothing is issued
 * for it at all. Where the driver only gathers it (SMMUv3), iommu_iotlb_gather_add_page
 * adds it to `gather`, syncing that first when the page is of another size or not next to
 * the range. Returns the gather as it ends.
 */
function maintainCleared(rt: Runtime, smmu: number, domain: number, result: UnmapResult, queued: boolean, held: IotlbGatherState | undefined): IotlbGatherState | undefined {
  const driver = rt.smmus[smmu];
  let gather = held;
  for (const entry of result.cleared) {
    if (!entry.leaf) {
      driver?.tlbFlushWalk(domain, entry.iova, entry.size);
      continue;
    }
    if (queued || !driver || driver.tlbAddPage(domain, entry.iova)) continue;
    if (gather && (gather.pgsize !== entry.size || entry.iova + entry.size < gather.start || entry.iova > gather.end)) {
      issue(rt, smmu, domain, gather);
      gather = undefined;
    }
    if (!gather) gather = { domain, start: entry.iova, end: entry.iova + entry.size, pgsize: entry.size };
    else gather = { ...gather, start: entry.iova < gather.start ? entry.iova : gather.start, end: entry.iova + entry.size > gather.end ? entry.iova + entry.size : gather.end };
  }
  return gather;
}

/** An unmap whose invalidation is pending: the TLB may still translate the range until `due` (or the sync). */
export function recordUnflushed(rt: Runtime, domain: number, iova: bigint, size: bigint, by: UnflushedBy, due: number | undefined): void {
  if (size > 0n) rt.state.unflushed.push({ domain, iova, size, at: rt.state.now, by, due });
}

/** How an unmap goes: iommu_unmap (sync before return), iommu_unmap_fast (gathered), or __iommu_dma_unmap in a DMA-FQ domain (queued). */
export type UnmapMode = 'sync' | 'fast' | 'queued';

/**
 * Clears the range (`cleared` hears what io-pgtable did before any maintenance shows), then
 * does the TLB maintenance `mode` asks for. iommu_unmap gathers into a gather of its own and
 * syncs it; iommu_unmap_fast adds to the domain's, which waits for `sync`.
 */
export function unmapAndMaintain(
  rt: Runtime,
  smmu: number,
  domain: number,
  iova: bigint,
  size: bigint,
  mode: UnmapMode,
  /** The table and the address in it: a TTBR1 or pagetable one's, where the handler's fault walked one. */
  table: number,
  tableIova: bigint,
  cleared: (result: UnmapResult) => void,
): UnmapResult {
  const result = rt.tables[table]?.unmapRange(tableIova, size) ?? { unmapped: 0n, cleared: [] };
  cleared(result);
  const gather = maintainCleared(rt, smmu, domain, result, mode === 'queued', mode === 'fast' ? takeGather(rt, domain) : undefined);
  if (mode === 'sync') issue(rt, smmu, domain, gather);
  if (mode === 'fast' && gather) rt.state.gathers.push(gather);
  if (mode === 'fast' && result.unmapped > 0n) {
    recordUnflushed(rt, domain, iova, result.unmapped, 'iommu_unmap_fast', undefined);
    iotlbEvent(rt, domain, `iommu_unmap_fast(${hex(iova)}, ${hex(size)}): invalidation gathered, not synced: the TLB may still translate it until iommu_iotlb_sync`);
  }
  return result;
}
