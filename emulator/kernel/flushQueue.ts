import { Runtime } from '../machine/runtime';
import { FlushQueueState } from '../machine/state';
import { hex } from '../util/u64';
import { iotlbEvent, recordUnflushed } from './iotlb';
import { hasChange } from './versions';

/**
 * dma-iommu's lazy flush queue (IOMMU_DOMAIN_DMA_FQ, iommu.strict=0): __iommu_dma_unmap
 * clears the page table with a `queued` gather — no invalidation issued — and queue_iova
 * puts the IOVA in the CPU's ring. flush_iotlb_all runs when fq_timer fires
 * (IOVA_FQ_TIMEOUT after it was armed by a queue_iova that found it off), or at once when
 * the ring is full before an add (fq_full leaves one slot free: N-1 IOVAs wait at most).
 * The model has one CPU, so one ring per domain; a flush frees every IOVA in it.
 */

/** Where the flush queue lives in the release in force, and what its flush is called. */
function fqCode(rt: Runtime): { file: string; flush: string } {
  return hasChange(rt.model.kernel, 'flushQueueInDmaIommu')
    ? { file: 'drivers/iommu/dma-iommu.c', flush: 'fq_flush_iotlb' }
    : { file: 'drivers/iommu/iova.c', flush: 'iova_domain_flush' };
}

function queueOf(rt: Runtime, domain: number): FlushQueueState {
  let fq = rt.state.flushQueues.find((q) => q.domain === domain);
  if (!fq) {
    fq = { domain, entries: [], timerDue: undefined };
    rt.state.flushQueues.push(fq);
  }
  return fq;
}

/** flush_iotlb_all through the driver, then every queued IOVA is freed: their stale windows close. */
function flush(rt: Runtime, fq: FlushQueueState): number {
  const smmu = rt.model.domains[fq.domain]?.smmu ?? 0;
  rt.smmus[smmu]?.flushIotlbAll(fq.domain);
  const freed = fq.entries.splice(0).length;
  rt.state.unflushed = rt.state.unflushed.filter((u) => u.domain !== fq.domain || u.by !== 'flush queue');
  return freed;
}

/** queue_iova: the IOVA of an unmap in a lazy domain waits in the ring (after a flush, if the ring is full). */
export function queueIova(rt: Runtime, domain: number, iova: bigint, size: bigint): void {
  const policy = rt.model.domains[domain]?.dma;
  if (!policy) return;
  const { file, flush: flushName } = fqCode(rt);
  const fq = queueOf(rt, domain);
  if (fq.entries.length >= policy.queueSize - 1) {
    iotlbEvent(rt, domain, `queue_iova (${file}): the ring is full (${fq.entries.length} of ${policy.queueSize} slots): ${flushName} → flush_iotlb_all first`);
    flush(rt, fq);
  }
  fq.entries.push({ iova, size, at: rt.state.now });
  if (fq.timerDue === undefined) {
    fq.timerDue = rt.state.now + policy.timeout;
    rt.schedule(policy.timeout, { kind: 'fq-timeout', domain });
  }
  recordUnflushed(rt, domain, iova, size, 'flush queue', fq.timerDue);
  iotlbEvent(rt, domain, `queue_iova(${hex(iova)}, ${hex(size)}) (${file}): ${fq.entries.length} in the flush queue, not invalidated; fq_timer flushes at cycle ${fq.timerDue}`);
}

/** fq_flush_timeout: the timer is off again, the domain's IOTLB flushed, every queued IOVA freed. */
export function flushQueueTimeout(rt: Runtime, domain: number): void {
  const fq = rt.state.flushQueues.find((q) => q.domain === domain);
  if (!fq || fq.timerDue !== rt.state.now) return;
  fq.timerDue = undefined;
  const { file, flush: flushName } = fqCode(rt);
  iotlbEvent(rt, domain, `fq_flush_timeout (${file}): ${flushName} → flush_iotlb_all`);
  const freed = flush(rt, fq);
  iotlbEvent(rt, domain, `fq_flush_timeout: ${freed} IOVA${freed === 1 ? '' : 's'} freed`);
}
