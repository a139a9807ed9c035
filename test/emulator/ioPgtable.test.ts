import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PhysicalMemory } from '../../emulator/memory/physicalMemory';
import { Prot } from '../../emulator/pgtable/descriptor';
import { IoPgtable, MapResult, SZ_1G, SZ_2M, SZ_4K } from '../../emulator/pgtable/ioPgtable';
import { TableAllocator } from '../../emulator/pgtable/tableAllocator';
import { walk } from '../../emulator/pgtable/walker';

const IAS_VALUES = [32, 36, 39, 40, 42, 44, 48];

const prot = (flags: string, memory: Prot['memory'] = 'cached'): Prot => ({
  read: flags.includes('r'),
  write: flags.includes('w'),
  noexec: !flags.includes('x'),
  priv: flags.includes('p'),
  noaf: false,
  memory,
});

function setup(ias: number, oas = 48): { memory: PhysicalMemory; allocator: TableAllocator; pgtable: IoPgtable } {
  const memory = new PhysicalMemory();
  const allocator = new TableAllocator(memory);
  return { memory, allocator, pgtable: new IoPgtable(memory, allocator, { ias, oas }) };
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

for (const ias of IAS_VALUES) {
  test(`ias ${ias}: the kernel's selftest sequence (arm_lpae_run_tests)`, () => {
    const { memory, allocator, pgtable } = setup(ias);
    // An empty table translates nothing.
    for (const iova of [42n, SZ_1G + 42n, 2n * SZ_1G + 42n]) {
      assert.equal(pgtable.iovaToPhys(iova), undefined);
    }
    // One mapping of each leaf size, 1 GiB apart, identity-mapped.
    const sizes = [SZ_4K, SZ_2M, SZ_1G];
    sizes.forEach((size, i) => {
      const iova = BigInt(i) * SZ_1G;
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
      const iova = BigInt(i) * SZ_1G;
      assert.equal(pgtable.unmap(iova, size), size);
      assert.equal(pgtable.iovaToPhys(iova + 42n), undefined);
      assert.equal(mapped(pgtable.map(iova, iova, size, prot('w'))), 1);
      assert.equal(pgtable.iovaToPhys(iova + 42n), iova + 42n);
    });
    // Partial unmap of the 2M block splits it; the freed page can be mapped again.
    assert.equal(pgtable.unmap(SZ_1G + SZ_4K, SZ_4K), SZ_4K);
    assert.equal(pgtable.iovaToPhys(SZ_1G + SZ_4K + 42n), undefined);
    assert.equal(pgtable.iovaToPhys(SZ_1G + 42n), SZ_1G + 42n);
    assert.equal(pgtable.iovaToPhys(SZ_1G + SZ_2M - 1n), SZ_1G + SZ_2M - 1n);
    assert.equal(mapped(pgtable.map(SZ_1G + SZ_4K, SZ_4K, SZ_4K, prot('r'))), 1);
    assert.equal(pgtable.iovaToPhys(SZ_1G + SZ_4K + 42n), SZ_4K + 42n);
  });

  test(`ias ${ias}: the last page below 2^ias maps and unmaps; one page more is out of range`, () => {
    const { pgtable } = setup(ias);
    const last = (1n << BigInt(ias)) - SZ_4K;
    assert.equal(mapped(pgtable.map(last, 0x8000_0000n, SZ_4K, prot('rw'))), 1);
    assert.equal(pgtable.iovaToPhys(last + 42n), 0x8000_002an);
    assert.equal(pgtable.iovaToPhys(last + SZ_4K), undefined);
    const beyond = pgtable.map(last - SZ_4K, 0x9000_0000n, 2n * SZ_4K + SZ_4K, prot('rw'));
    assert.equal(beyond.ok ? undefined : beyond.error.kind, 'iova-range');
    assert.equal(pgtable.unmap(last, SZ_4K), SZ_4K);
    assert.equal(pgtable.iovaToPhys(last + 42n), undefined);
    assert.equal(pgtable.unmap(last, 2n * SZ_4K), 0n, 'beyond 2^ias: iommu_unmap unmaps nothing');
  });

  test(`ias ${ias}: misaligned and out-of-range arguments fail with their kind`, () => {
    const { memory, allocator, pgtable } = setup(ias, 40);
    const before = tableState(memory, allocator);
    const kind = (result: MapResult): string => (result.ok ? 'ok' : result.error.kind);
    assert.equal(kind(pgtable.map(0x1001n, 0x8000_0000n, SZ_4K, prot('rw'))), 'misaligned');
    assert.equal(kind(pgtable.map(0x1000n, 0x8000_0800n, SZ_4K, prot('rw'))), 'misaligned');
    assert.equal(kind(pgtable.map(0x1000n, 0x8000_0000n, 0x1800n, prot('rw'))), 'misaligned');
    assert.equal(kind(pgtable.map(0x1000n, 0x8000_0000n, 0n, prot('rw'))), 'empty');
    assert.equal(kind(pgtable.map(1n << BigInt(ias), 0x8000_0000n, SZ_4K, prot('rw'))), 'iova-range');
    assert.equal(kind(pgtable.map(-SZ_4K, 0x8000_0000n, SZ_4K, prot('rw'))), 'iova-range');
    assert.equal(kind(pgtable.map(0x1000n, 1n << 40n, SZ_4K, prot('rw'))), 'pa-range');
    assert.equal(kind(pgtable.map(0x1000n, (1n << 40n) - SZ_4K, 2n * SZ_4K, prot('rw'))), 'pa-range');
    assert.equal(kind(pgtable.map(0x1000n, 0x8000_0000n, SZ_4K, prot('x'))), 'no-access');
    assert.equal(tableState(memory, allocator), before);
    assert.equal(pgtable.unmap(0x1800n, SZ_4K), 0n);
    assert.equal(pgtable.unmap(0x1000n, 0x800n), 0n);
  });

  test(`ias ${ias}: the start-level table has 2^((ias-12) mod 9) entries, or 512`, () => {
    const { pgtable } = setup(ias);
    const expected: Record<number, [number, number]> = {
      32: [1, 4],
      36: [1, 64],
      39: [1, 512],
      40: [0, 2],
      42: [0, 8],
      44: [0, 32],
      48: [0, 512],
    };
    assert.deepEqual([pgtable.startLevel, pgtable.rootEntries], expected[ias]);
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
