import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PhysicalMemory } from '../../emulator/memory/physicalMemory';
import { Prot } from '../../emulator/pgtable/descriptor';
import { IoPgtable, MapResult, SZ_1G, SZ_2M, SZ_4K } from '../../emulator/pgtable/ioPgtable';
import { TableAllocator } from '../../emulator/pgtable/tableAllocator';
import { walk } from '../../emulator/pgtable/walker';
import { Granule, GRANULE_4K, GRANULES, MAX_IAS, MIN_IAS } from '../../emulator/pgtable/granule';

/** Every granule with every ias it allows (T0SZ 16..39: Arm ARM Tables D8-18, D8-28, D8-37). */
const GRANULE_IAS = Object.values(GRANULES).flatMap((granule) => Array.from({ length: MAX_IAS - MIN_IAS + 1 }, (_, i) => ({ granule, ias: MIN_IAS + i })));

const prot = (flags: string, memory: Prot['memory'] = 'cached'): Prot => ({
  read: flags.includes('r'),
  write: flags.includes('w'),
  noexec: !flags.includes('x'),
  priv: flags.includes('p'),
  noaf: false,
  memory,
});

function setup(ias: number, oas = 48, granule: Granule = GRANULE_4K): { memory: PhysicalMemory; allocator: TableAllocator; pgtable: IoPgtable } {
  const memory = new PhysicalMemory();
  const allocator = new TableAllocator(memory);
  return { memory, allocator, pgtable: new IoPgtable(memory, allocator, { ias, oas, granule }) };
}

function mapped(result: MapResult): number {
  assert.ok(result.ok, result.ok ? '' : result.error.message);
  return result.leaves;
}

/** Everything `map` could have changed: the table pages' bytes and the allocator. */
function tableState(memory: PhysicalMemory, allocator: TableAllocator): string {
  const pages = memory.touchedPages().map((pa) => Buffer.from(memory.readBytes(pa, 4096)).toString('hex'));
  return `${allocator.count}:${pages.join(',')}`;
}

/**
 * Start level and start-level entries, hand-computed from D8's index ranges: 4K Table
 * D8-16/D8-18 (L0 IA[47:39] … L3 IA[20:12]), 16K Table D8-26/D8-28 (L0 IA[47], L1 IA[46:36],
 * L2 IA[35:25], L3 IA[24:14]), 64K Table D8-35/D8-37 (L1 IA[47:42], L2 IA[41:29], L3 IA[28:16]).
 */
const ROOTS: Record<string, Record<number, [number, number]>> = {
  '4K': { 25: [2, 16], 30: [2, 512], 31: [1, 2], 32: [1, 4], 36: [1, 64], 39: [1, 512], 40: [0, 2], 42: [0, 8], 44: [0, 32], 48: [0, 512] },
  '16K': { 25: [3, 2048], 26: [2, 2], 32: [2, 128], 36: [2, 2048], 37: [1, 2], 47: [1, 2048], 48: [0, 2] },
  '64K': { 25: [3, 512], 29: [3, 8192], 30: [2, 2], 36: [2, 128], 42: [2, 8192], 43: [1, 2], 48: [1, 64] },
};

for (const { granule, ias } of GRANULE_IAS) {
  const name = `${granule.name} ias ${ias}`;
  const page = BigInt(granule.bytes);
  // The leaf sizes this table can hold (none above its start level), largest first.
  const sizes = [...granule.pageSizes].reverse().filter((size) => size < 1n << BigInt(ias));

  test(`${name}: the kernel's selftest sequence (arm_lpae_run_tests)`, () => {
    const { memory, allocator, pgtable } = setup(ias, 48, granule);
    // One mapping of each leaf size of the pgsize_bitmap, identity-mapped: the kernel puts
    // them 1G apart; here they are packed largest first, so that they fit every ias.
    const iovas = sizes.map((_, i) => sizes.slice(0, i).reduce((sum, size) => sum + size, 0n));
    // An empty table translates nothing.
    for (const iova of iovas) {
      assert.equal(pgtable.iovaToPhys(iova + 42n), undefined);
    }
    sizes.forEach((size, i) => {
      const iova = iovas[i] as bigint;
      assert.equal(mapped(pgtable.map(iova, iova, size, prot('rw'))), 1);
      const before = tableState(memory, allocator);
      const overlap = pgtable.map(iova, iova + size, size, prot('r'));
      assert.equal(overlap.ok, false);
      assert.equal(overlap.ok ? undefined : overlap.error.kind, 'exists');
      assert.equal(overlap.ok ? undefined : overlap.error.iova, iova);
      assert.equal(tableState(memory, allocator), before, 'a refused map changes nothing');
      assert.equal(pgtable.iovaToPhys(iova + 42n), iova + 42n);
    });
    // Unmap each, then map it again write-only.
    sizes.forEach((size, i) => {
      const iova = iovas[i] as bigint;
      assert.equal(pgtable.unmap(iova, size), size);
      assert.equal(pgtable.iovaToPhys(iova + 42n), undefined);
      assert.equal(mapped(pgtable.map(iova, iova, size, prot('w'))), 1);
      assert.equal(pgtable.iovaToPhys(iova + 42n), iova + 42n);
    });
    // Partial unmap of the largest block splits it; the freed page can be mapped again.
    const block = sizes[0] as bigint;
    if (block === page) return;
    assert.equal(pgtable.unmap(page, page), page);
    assert.equal(pgtable.iovaToPhys(page + 42n), undefined);
    assert.equal(pgtable.iovaToPhys(42n), 42n);
    assert.equal(pgtable.iovaToPhys(block - 1n), block - 1n);
    assert.equal(mapped(pgtable.map(page, 2n * block, page, prot('r'))), 1);
    assert.equal(pgtable.iovaToPhys(page + 42n), 2n * block + 42n);
  });

  test(`${name}: the last page below 2^ias maps and unmaps; one page more is out of range`, () => {
    const { pgtable } = setup(ias, 48, granule);
    const last = (1n << BigInt(ias)) - page;
    assert.equal(mapped(pgtable.map(last, 0x8000_0000n, page, prot('rw'))), 1);
    assert.equal(pgtable.iovaToPhys(last + 42n), 0x8000_002an);
    assert.equal(pgtable.iovaToPhys(last + page), undefined);
    if (last >= page) {
      const beyond = pgtable.map(last - page, 0x9000_0000n, 3n * page, prot('rw'));
      assert.equal(beyond.ok ? undefined : beyond.error.kind, 'iova-range');
    }
    assert.equal(pgtable.unmap(last, page), page);
    assert.equal(pgtable.iovaToPhys(last + 42n), undefined);
    assert.equal(pgtable.unmap(last, 2n * page), 0n, 'beyond 2^ias: iommu_unmap unmaps nothing');
  });

  test(`${name}: misaligned and out-of-range arguments fail with their kind`, () => {
    const { memory, allocator, pgtable } = setup(ias, 40, granule);
    const before = tableState(memory, allocator);
    const kind = (result: MapResult): string => (result.ok ? 'ok' : result.error.kind);
    const half = page / 2n;
    assert.equal(kind(pgtable.map(page + 1n, 0x8000_0000n, page, prot('rw'))), 'misaligned');
    // A 4 KiB aligned IOVA is not enough with a 16K or 64K granule.
    if (granule.name !== '4K') assert.equal(kind(pgtable.map(page + 0x1000n, 0x8000_0000n, page, prot('rw'))), 'misaligned');
    assert.equal(kind(pgtable.map(page, 0x8000_0000n + half, page, prot('rw'))), 'misaligned');
    assert.equal(kind(pgtable.map(page, 0x8000_0000n, page + half, prot('rw'))), 'misaligned');
    assert.equal(tableState(memory, allocator), before);
    assert.equal(kind(pgtable.map(0n, 0x8000_0000n, 0n, prot('rw'))), 'empty');
    assert.equal(kind(pgtable.map(1n << BigInt(ias), 0x8000_0000n, page, prot('rw'))), 'iova-range');
    assert.equal(kind(pgtable.map(-page, 0x8000_0000n, page, prot('rw'))), 'iova-range');
    assert.equal(kind(pgtable.map(0n, 1n << 40n, page, prot('rw'))), 'pa-range');
    assert.equal(kind(pgtable.map(0n, (1n << 40n) - page, 2n * page, prot('rw'))), 'pa-range');
    assert.equal(kind(pgtable.map(0n, 0x8000_0000n, page, prot('x'))), 'no-access');
    assert.equal(pgtable.unmap(page + half, page), 0n);
    assert.equal(pgtable.unmap(0n, half), 0n);
  });

  test(`${name}: the start-level table and the levels below it`, () => {
    const { pgtable } = setup(ias, 48, granule);
    const expected = ROOTS[granule.name]?.[ias];
    if (expected) assert.deepEqual([pgtable.startLevel, pgtable.rootEntries], expected);
    // The start-level table resolves exactly the bits the levels below leave: 2^ias bytes in all.
    assert.equal(BigInt(pgtable.rootEntries) * (1n << BigInt(granule.shift + granule.bitsPerLevel * (3 - pgtable.startLevel))), 1n << BigInt(ias));
    assert.ok(pgtable.rootEntries >= 2 || pgtable.startLevel === 3, 'a start level resolving one bit or more');
    assert.equal(pgtable.levels, 4 - pgtable.startLevel);
  });
}

test('the walk of a known mapping: levels, indices, descriptor addresses and values', () => {
  const { memory, pgtable } = setup(48);
  assert.equal(pgtable.root, 0x4000_0000);
  assert.equal(mapped(pgtable.map(0x1234_5678_9000n, 0x8000_0000n, SZ_4K, prot('rw'))), 1);
  const result = walk(memory, pgtable.tableConfig(), 0x1234_5678_9abcn, { write: true, exec: false, priv: false });
  assert.deepEqual(
    result.steps.map((step) => [step.level, step.index, step.tableAddress, step.descriptorAddress, step.value]),
    [
      [0, 36, 0x4000_0000n, 0x4000_0000n + 36n * 8n, 0x4000_1003n],
      [1, 209, 0x4000_1000n, 0x4000_1000n + 209n * 8n, 0x4000_2003n],
      [2, 179, 0x4000_2000n, 0x4000_2000n + 179n * 8n, 0x4000_3003n],
      [3, 393, 0x4000_3000n, 0x4000_3000n + 393n * 8n, 0x0060_0000_8000_0f47n],
    ],
  );
  assert.equal(result.outcome.kind, 'success');
  assert.equal(result.outcome.kind === 'success' ? result.outcome.pa : undefined, 0x8000_0abcn);
});

test('ias 32 starts at level 1: the walk has three steps', () => {
  const { memory, pgtable } = setup(32);
  mapped(pgtable.map(0xc020_0000n, 0x8020_0000n, SZ_2M, prot('rwx')));
  const result = walk(memory, pgtable.tableConfig(), 0xc02a_bcden);
  assert.deepEqual(
    result.steps.map((step) => [step.level, step.index, step.value]),
    [
      [1, 3, 0x4000_1003n],
      [2, 1, 0x8020_0f45n],
    ],
  );
  assert.equal(result.outcome.kind === 'success' ? result.outcome.pa : undefined, 0x802a_bcden);
});

test('map picks the largest leaves that the alignment of both addresses allows', () => {
  const { pgtable } = setup(48);
  // 4K up to the 2M boundary, then 2M blocks, then 4K again.
  assert.equal(mapped(pgtable.map(0x1ff000n, 0x8_001f_f000n, SZ_4K + 2n * SZ_2M + SZ_4K, prot('rw'))), 4);
  // PA only 4K-aligned: no blocks.
  assert.equal(mapped(pgtable.map(0x4000_0000n, 0x9000_1000n, SZ_2M, prot('rw'))), 512);
  // A 1G-aligned gigabyte is one leaf, unless capped.
  assert.equal(mapped(pgtable.map(0x80_0000_0000n, 0x40_0000_0000n, SZ_1G, prot('rw'))), 1);
  assert.equal(mapped(pgtable.map(0x81_0000_0000n, 0x41_0000_0000n, SZ_1G, prot('rw'), SZ_2M)), 512);
  assert.equal(mapped(pgtable.map(0x82_0000_0000n, 0x42_0000_0000n, SZ_2M, prot('rw'), SZ_4K)), 512);
  assert.deepEqual(
    pgtable.mappings().map((range) => [range.iova, range.pa, range.size, range.leaves]),
    [
      [0x1ff000n, 0x8_001f_f000n, SZ_4K + 2n * SZ_2M + SZ_4K, 4],
      [0x4000_0000n, 0x9000_1000n, SZ_2M, 512],
      [0x80_0000_0000n, 0x40_0000_0000n, SZ_1G, 1],
      [0x81_0000_0000n, 0x41_0000_0000n, SZ_1G, 512],
      [0x82_0000_0000n, 0x42_0000_0000n, SZ_2M, 512],
    ],
  );
  assert.equal(pgtable.mappings()[0]?.descriptor.text, 'page → 0x8001ff000 rw, AttrIndx 1 (cached), SH inner, AF, nG, XN');
});

test('mappings() keeps ranges apart when attributes or addresses do not continue', () => {
  const { pgtable } = setup(39);
  mapped(pgtable.map(0x0n, 0x10_0000n, SZ_4K, prot('rw')));
  mapped(pgtable.map(0x1000n, 0x10_1000n, SZ_4K, prot('r')));
  mapped(pgtable.map(0x2000n, 0x20_0000n, SZ_4K, prot('r')));
  mapped(pgtable.map(0x3000n, 0x20_1000n, SZ_4K, prot('r')));
  assert.deepEqual(
    pgtable.mappings().map((range) => [range.iova, range.pa, range.size]),
    [
      [0x0n, 0x10_0000n, SZ_4K],
      [0x1000n, 0x10_1000n, SZ_4K],
      [0x2000n, 0x20_0000n, 2n * SZ_4K],
    ],
  );
});

test('a map over part of a mapped range fails naming the first mapped IOVA, and maps nothing', () => {
  const { memory, allocator, pgtable } = setup(48);
  mapped(pgtable.map(0x5000n, 0x8000_5000n, SZ_4K, prot('rw')));
  mapped(pgtable.map(0x4020_0000n, 0x8020_0000n, SZ_2M, prot('rw')));
  const before = tableState(memory, allocator);
  const overPage = pgtable.map(0x0n, 0x9000_0000n, SZ_2M, prot('rw'));
  assert.equal(overPage.ok ? undefined : overPage.error.iova, 0x5000n);
  assert.equal(overPage.ok ? undefined : overPage.error.message, 'IOVA 0x5000 is already mapped');
  const insideBlock = pgtable.map(0x4030_0000n, 0x9000_0000n, 0x20_0000n, prot('rw'));
  assert.equal(insideBlock.ok ? undefined : insideBlock.error.iova, 0x4030_0000n);
  assert.equal(tableState(memory, allocator), before);
  assert.equal(pgtable.iovaToPhys(0x0n), undefined);
});

test('a block may replace a table whose pages were all unmapped, as the kernel does', () => {
  const { memory, pgtable } = setup(48);
  mapped(pgtable.map(0x20_0000n, 0x8000_0000n, SZ_4K, prot('rw')));
  assert.equal(pgtable.unmap(0x20_0000n, SZ_4K), SZ_4K);
  assert.equal(mapped(pgtable.map(0x20_0000n, 0x8020_0000n, SZ_2M, prot('rw'))), 1);
  const result = walk(memory, pgtable.tableConfig(), 0x20_1234n);
  assert.deepEqual(
    result.steps.map((step) => [step.level, step.descriptor.type]),
    [
      [0, 'table'],
      [1, 'table'],
      [2, 'block'],
    ],
  );
  assert.equal(pgtable.iovaToPhys(0x20_1234n), 0x8020_1234n);
});

test('unmap stops at the first hole and returns what it unmapped (iommu_unmap)', () => {
  const { pgtable } = setup(48);
  mapped(pgtable.map(0x0n, 0x8000_0000n, SZ_4K, prot('rw')));
  mapped(pgtable.map(0x2000n, 0x8000_2000n, SZ_4K, prot('rw')));
  assert.equal(pgtable.unmap(0x0n, 3n * SZ_4K), SZ_4K);
  assert.equal(pgtable.iovaToPhys(0x2000n), 0x8000_2000n);
  assert.equal(pgtable.unmap(0x0n, SZ_4K), 0n);
});

test('a 2M unmap over 4K pages clears the whole table entry and reports 2M', () => {
  const { pgtable } = setup(48);
  mapped(pgtable.map(0x20_0000n, 0x8000_0000n, 3n * SZ_4K, prot('rw')));
  assert.equal(pgtable.unmap(0x20_0000n, SZ_2M), SZ_2M);
  assert.equal(pgtable.iovaToPhys(0x20_2000n), undefined);
});

test('unmapping 4K out of a 1G block splits it down to pages that keep the attributes', () => {
  const { memory, pgtable } = setup(48);
  mapped(pgtable.map(SZ_1G, 0x40_0000_0000n, SZ_1G, prot('r', 'device')));
  assert.equal(pgtable.unmap(SZ_1G + SZ_2M + SZ_4K, SZ_4K), SZ_4K);
  assert.equal(pgtable.iovaToPhys(SZ_1G + SZ_2M + SZ_4K), undefined);
  assert.equal(pgtable.iovaToPhys(SZ_1G + SZ_2M), 0x40_0020_0000n);
  assert.equal(pgtable.iovaToPhys(SZ_1G + SZ_2M + 2n * SZ_4K + 5n), 0x40_0020_2005n);
  assert.equal(pgtable.iovaToPhys(2n * SZ_1G - 1n), 0x40_3fff_ffffn);
  const steps = walk(memory, pgtable.tableConfig(), SZ_1G + SZ_2M).steps;
  assert.deepEqual(
    steps.map((step) => step.descriptor.text.replace(/ → 0x[0-9a-f]+/, '')),
    ['table', 'table', 'table', 'page r, AttrIndx 2 (device), SH outer, AF, nG, XN'],
  );
  const blockSteps = walk(memory, pgtable.tableConfig(), SZ_1G + 4n * SZ_2M).steps;
  assert.equal(blockSteps[2]?.descriptor.text, 'block 2M → 0x4000800000 r, AttrIndx 2 (device), SH outer, AF, nG, XN');
  assert.equal(pgtable.mappings().reduce((bytes, range) => bytes + range.size, 0n), SZ_1G - SZ_4K);
});

test('entries() lists the valid entries of one table with where to open the next', () => {
  const { pgtable } = setup(39);
  mapped(pgtable.map(0x4000_0000n, 0x8000_0000n, SZ_4K, prot('rw')));
  mapped(pgtable.map(0x8000_0000n, 0x8000_0000n, SZ_1G, prot('rw')));
  const root = pgtable.entries(1, BigInt(pgtable.root));
  assert.deepEqual(
    root.map((entry) => [entry.index, entry.iova, entry.descriptor.type, entry.next]),
    [
      [1, 0x4000_0000n, 'table', { level: 2, tableAddress: 0x4000_1000n, iovaBase: 0x4000_0000n }],
      [2, 0x8000_0000n, 'block', undefined],
    ],
  );
  const l2 = pgtable.entries(2, 0x4000_1000n, 0x4000_0000n);
  assert.deepEqual(
    l2.map((entry) => [entry.index, entry.iova, entry.descriptorAddress, entry.next?.tableAddress]),
    [[0, 0x4000_0000n, 0x4000_1000n, 0x4000_2000n]],
  );
  const l3 = pgtable.entries(3, 0x4000_2000n, 0x4000_0000n);
  assert.deepEqual(
    l3.map((entry) => [entry.index, entry.iova, entry.lo, entry.hi]),
    [[0, 0x4000_0000n, 0x8000_0f47, 0x0060_0000]],
  );
  assert.throws(() => pgtable.entries(0, BigInt(pgtable.root)), RangeError);
});

test('tables come from the allocator, stepping over reserved data ranges', () => {
  const memory = new PhysicalMemory();
  const allocator = new TableAllocator(memory, { reserved: [{ start: 0x4000_0800, size: 0x1000 }] });
  const pgtable = new IoPgtable(memory, allocator, { ias: 48, oas: 48 });
  assert.equal(pgtable.root, 0x4000_2000);
  mapped(pgtable.map(0x0n, 0x4000_0000n, SZ_4K, prot('rw')));
  assert.deepEqual(
    walk(memory, pgtable.tableConfig(), 0x0n).steps.map((step) => step.tableAddress),
    [0x4000_2000n, 0x4000_3000n, 0x4000_4000n, 0x4000_5000n],
  );
  assert.equal(allocator.count, 4);
});

test('allocator snapshot and restore rewind the cursor; a handed-out page is zeroed', () => {
  const memory = new PhysicalMemory();
  const allocator = new TableAllocator(memory, {
    base: 0x1000_0000,
    reserved: [
      { start: 0x1000_1000, size: 0x2000 },
      { start: 0x1000_2fff, size: 2 },
    ],
  });
  assert.equal(allocator.allocate(), 0x1000_0000);
  const saved = allocator.snapshot();
  assert.equal(allocator.allocate(), 0x1000_4000);
  memory.writeU32(0x1000_4010, 7);
  allocator.restore(saved);
  assert.equal(allocator.count, 1);
  assert.equal(allocator.allocate(), 0x1000_4000);
  assert.equal(memory.readU32(0x1000_4010), 0);
  assert.throws(() => new TableAllocator(memory, { base: 0x1234 }), RangeError);
});

test('sizes outside 25..48 / 32..48 are refused at construction', () => {
  const memory = new PhysicalMemory();
  const allocator = new TableAllocator(memory);
  assert.throws(() => new IoPgtable(memory, allocator, { ias: 24, oas: 48 }), /ias 24/);
  assert.throws(() => new IoPgtable(memory, allocator, { ias: 49, oas: 48 }), /ias 49/);
  assert.throws(() => new IoPgtable(memory, allocator, { ias: 48, oas: 31 }), /oas 31/);
  const small = new IoPgtable(memory, allocator, { ias: 25, oas: 32 });
  assert.deepEqual([small.startLevel, small.rootEntries], [2, 16]);
  // With the table starting at level 2, a gigabyte is built from 2M blocks.
  assert.equal(mapped(small.map(0x0n, 0x0n, 0x100_0000n, prot('rw'), SZ_1G)), 8);
});

test('contiguous runs (SMMUv3 queues, stream and CD tables) are aligned to their size and step over reserved ranges', () => {
  const memory = new PhysicalMemory();
  const allocator = new TableAllocator(memory, { base: 0x1000_1000, reserved: [{ start: 0x1000_5000, size: 0x1000 }] });
  // 4 pages: 0x1000_4000 would be aligned but runs into the reserved page, so 0x1000_8000.
  assert.equal(allocator.allocateContiguous(4), 0x1000_8000);
  assert.equal(allocator.allocateContiguous(1), 0x1000_c000);
  assert.equal(allocator.allocateContiguous(2), 0x1000_e000);
  assert.throws(() => allocator.allocateContiguous(3), { message: '3 pages is not a power of two' });
});
