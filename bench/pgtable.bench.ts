import { performance } from 'node:perf_hooks';
import { PhysicalMemory } from '../emulator/memory/physicalMemory';
import { accessCode, requiredPermission } from '../emulator/pgtable/descriptor';
import { IoPgtable, SZ_4K } from '../emulator/pgtable/ioPgtable';
import { HotStage2Walker } from '../emulator/pgtable/stage2Walker';
import { TableAllocator } from '../emulator/pgtable/tableAllocator';
import { HotWalker, HotWalkResult, WALK_OK } from '../emulator/pgtable/walker';
import { Tlb } from '../emulator/smmu/tlb';
import { BenchResult, median, round } from './measure';
import { nativeRates, TlbWorkload, WalkWorkload } from './nativeReference';

/**
 * The emulator's translation path: TLB hits (lookup, permission check, PA) and, for the
 * misses, hot table walks over a million 4K pages in random order.
 */

const MIN_SECONDS = 0.6;
const IOVA_BASE = 0x1_0000_0000;
const PA_BASE = 0x10_0000_0000;
const PAGES = 1 << 20;
const FIRST_PAGE = IOVA_BASE / 4096;
const READ = accessCode({ write: false, exec: false, priv: false });

export async function run(): Promise<BenchResult> {
  const tlb = tlbWorkload();
  const stage1 = mappedMillion(1);
  const walk: WalkWorkload = { memory: stage1.memory, table: stage1.pgtable.tableConfig(), firstPage: FIRST_PAGE, order: stage1.order, required: requiredPermission(READ) };
  const tlbHits = tlbHitsPerSecond(tlb);
  const walks = walksPerSecond(stage1.order, new HotWalker(walk.memory, walk.table));
  const stage2 = mappedMillion(2);
  const stage2Walks = walksPerSecond(stage2.order, new HotStage2Walker(stage2.memory, stage2.pgtable.stage2Config(), 4096));
  const figures = { tlb_hits_per_s: Math.round(tlbHits), walks_per_s: Math.round(walks), stage2_walks_per_s: Math.round(stage2Walks) };
  const native = nativeRates(walk, tlb);
  if ('missing' in native) {
    process.stderr.write(`bench: ${native.missing}: no native reference figures\n`);
    return figures;
  }
  return {
    ...figures,
    native_tlb_hits_per_s: Math.round(native.tlbHitsPerSecond),
    native_walks_per_s: Math.round(native.walksPerSecond),
    tlb_hits_vs_native: round(tlbHits / native.tlbHitsPerSecond),
    walks_vs_native: round(walks / native.walksPerSecond),
  };
}

/**
 * Runs `batch` (`perBatch` operations) again and again for MIN_SECONDS and returns the
 * median rate of the batches: the host is shared, and the median shrugs off the moments
 * another process takes the core or the memory bus.
 */
function rate(perBatch: number, batch: () => void): number {
  batch(); // warm up: let the JIT compile the loop first
  const rates: number[] = [];
  const start = performance.now();
  let previous = start;
  while (previous - start < MIN_SECONDS * 1000) {
    batch();
    const now = performance.now();
    rates.push(perBatch / ((now - previous) / 1000));
    previous = now;
  }
  return median(rates);
}

/** xorshift32: the same "random" order on every run. */
function prng(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state;
  };
}

/** A full 64-entry TLB and 4,096 look-ups of its pages in random order. */
function tlbWorkload(): TlbWorkload {
  const tlb = new Tlb(64);
  const next = prng(0x7b1);
  const context = 3;
  const cached = new Float64Array(tlb.capacity);
  for (let i = 0; i < cached.length; i++) {
    cached[i] = FIRST_PAGE + (next() % PAGES);
    tlb.insert(context, cached[i], {
      outputPage: PA_BASE / 4096 + i,
      level: 3,
      pages: 1,
      permissions: 0x3f,
      lo: 0,
      hi: 0,
      descriptorAddress: 0,
    });
  }
  const lookups = new Float64Array(4096);
  for (let i = 0; i < lookups.length; i++) {
    lookups[i] = cached[next() % cached.length];
  }
  return { tlb, context, lookups };
}

function tlbHitsPerSecond({ tlb, context, lookups }: TlbWorkload): number {
  const required = requiredPermission(READ);
  let sum = 0;
  let failures = 0;
  const perSecond = rate(lookups.length * 16, () => {
    for (let round = 0; round < 16; round++) {
      for (let i = 0; i < lookups.length; i++) {
        const slot = tlb.lookup(context, lookups[i]);
        if (slot < 0 || (tlb.permissions(slot) & required) === 0) {
          failures++;
        } else {
          sum += tlb.outputPage(slot) * 4096 + (i & 0xfff);
        }
      }
    }
  });
  if (failures !== 0 || sum === 0) {
    throw new Error(`TLB bench: ${failures} lookups missed`);
  }
  return perSecond;
}

/** A million 4K pages mapped at stage 1 (IOVA → PA) or stage 2 (IPA → PA), and a random order to walk them in. */
function mappedMillion(stage: 1 | 2): { memory: PhysicalMemory; pgtable: IoPgtable; order: Int32Array } {
  const memory = new PhysicalMemory();
  const pgtable = new IoPgtable(memory, new TableAllocator(memory), { ias: 48, oas: 48, stage });
  const mapped = pgtable.map(BigInt(IOVA_BASE), BigInt(PA_BASE), BigInt(PAGES) * SZ_4K, rwCached, SZ_4K);
  if (!mapped.ok || mapped.leaves !== PAGES) {
    throw new Error('walk bench: the map failed');
  }
  const order = new Int32Array(PAGES);
  for (let i = 0; i < PAGES; i++) {
    order[i] = i;
  }
  const next = prng(0x5eed);
  for (let i = PAGES - 1; i > 0; i--) {
    const j = next() % (i + 1);
    const swap = order[i];
    order[i] = order[j];
    order[j] = swap;
  }
  return { memory, pgtable, order };
}

/** Random hot walks of a workload's million pages, with HotWalker (stage 1) or HotStage2Walker. */
function walksPerSecond(order: Int32Array, walker: HotWalker | HotStage2Walker): number {
  const out = new HotWalkResult();
  let failures = 0;
  let sum = 0;
  const perSecond = rate(PAGES, () => {
    for (let i = 0; i < PAGES; i++) {
      if (walker.walk(FIRST_PAGE + order[i], READ, out) !== WALK_OK) {
        failures++;
      }
      sum += out.outputPage;
    }
  });
  if (failures !== 0 || sum === 0) {
    throw new Error(`walk bench: ${failures} walks faulted`);
  }
  return perSecond;
}

const rwCached = { read: true, write: true, noexec: false, priv: false, noaf: false, memory: 'cached' } as const;
