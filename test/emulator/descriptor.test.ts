import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  describeDescriptor,
  Level,
  levelIndex,
  levelSize,
  Prot,
  protToLeaf,
  tableDescriptor,
  tableGeometry,
} from '../../emulator/pgtable/descriptor';
import { fromHalves } from '../../emulator/util/u64';
import { GRANULE_4K } from '../../emulator/pgtable/granule';

const rwCached: Prot = { read: true, write: true, noexec: false, priv: false, noaf: false, memory: 'cached' };

function leafValue(pa: number, prot: Prot, level: Level): bigint {
  const { lo, hi } = protToLeaf(pa, prot, level, GRANULE_4K);
  return fromHalves(lo, hi);
}

test('4K page, PA 0x8000_0000, rw cached: 0x0000000080000F47', () => {
  assert.equal(leafValue(0x8000_0000, rwCached, 3), 0x0000_0000_8000_0f47n);
});

test('the same page with noexec sets UXN and PXN (bits 54, 53): 0x0060000080000F47', () => {
  assert.equal(leafValue(0x8000_0000, { ...rwCached, noexec: true }, 3), 0x0060_0000_8000_0f47n);
});

// The design's third vector is labelled "r cached", but 0xEC3 has AttrIndx 0 and SH outer:
// it is what arm_lpae_prot_to_pte gives IOMMU_READ without IOMMU_CACHE. Read-only and
// cached gives AttrIndx 1, SH inner (0xFC7), by the same rules as the first vector.
test('4K page, PA 0x8000_1000, read-only (no IOMMU_CACHE): 0x0000000080001EC3', () => {
  assert.equal(leafValue(0x8000_1000, { ...rwCached, write: false, memory: 'noncached' }, 3), 0x0000_0000_8000_1ec3n);
});

test('4K page, PA 0x8000_1000, read-only cached: AP[2] on top of 0xF47 gives 0xFC7', () => {
  assert.equal(leafValue(0x8000_1000, { ...rwCached, write: false }, 3), 0x0000_0000_8000_1fc7n);
});

test('2M block, PA 0x4020_0000, rw cached: 0x0000000040200F45 (bit1 = 0)', () => {
  assert.equal(leafValue(0x4020_0000, rwCached, 2), 0x0000_0000_4020_0f45n);
});

test('1G block above 4 GiB keeps OA[47:32] in the high word', () => {
  assert.equal(leafValue(0x80_4000_0000, rwCached, 1), 0x0000_0080_4000_0f45n);
});

test('device memory: AttrIndx 2, SH outer; priv clears AP[1]; noaf clears AF', () => {
  assert.equal(leafValue(0x1000, { ...rwCached, memory: 'device' }, 3), 0x0000_0000_0000_1e4bn);
  assert.equal(leafValue(0x1000, { ...rwCached, priv: true }, 3), 0x0000_0000_0000_1f07n);
  assert.equal(leafValue(0x1000, { ...rwCached, noaf: true }, 3), 0x0000_0000_0000_1b47n);
});

test('protToLeaf refuses a level-0 leaf and a misaligned block', () => {
  assert.throws(() => protToLeaf(0, rwCached, 0, GRANULE_4K), RangeError);
  assert.throws(() => protToLeaf(0x1000, rwCached, 2, GRANULE_4K), /not a 2M-aligned/);
});

test('a table descriptor is the next table address | 0b11', () => {
  const { lo, hi } = tableDescriptor(0x12_4000_1000, GRANULE_4K);
  assert.equal(fromHalves(lo, hi), 0x0000_0012_4000_1003n);
});

test('IOVA 0x1234_5678_9ABC walks L0=36, L1=209, L2=179, L3=393, offset 0xABC', () => {
  const iova = 0x1234_5678_9abcn;
  assert.deepEqual(
    ([0, 1, 2, 3] as const).map((level) => levelIndex(iova, level, GRANULE_4K)),
    [36, 209, 179, 393],
  );
  assert.equal(iova & 0xfffn, 0xabcn);
});

test('levels = ceil((ias - 12) / 9), start level 4 - levels', () => {
  const geometry = [25, 30, 31, 32, 36, 39, 40, 42, 44, 48].map((ias) => [ias, tableGeometry(ias, GRANULE_4K)]);
  assert.deepEqual(geometry, [
    [25, { levels: 2, startLevel: 2, rootEntries: 16 }],
    [30, { levels: 2, startLevel: 2, rootEntries: 512 }],
    [31, { levels: 3, startLevel: 1, rootEntries: 2 }],
    [32, { levels: 3, startLevel: 1, rootEntries: 4 }],
    [36, { levels: 3, startLevel: 1, rootEntries: 64 }],
    [39, { levels: 3, startLevel: 1, rootEntries: 512 }],
    [40, { levels: 4, startLevel: 0, rootEntries: 2 }],
    [42, { levels: 4, startLevel: 0, rootEntries: 8 }],
    [44, { levels: 4, startLevel: 0, rootEntries: 32 }],
    [48, { levels: 4, startLevel: 0, rootEntries: 512 }],
  ]);
});

test('describeDescriptor reads a page the way the debugger shows it', () => {
  const fields = describeDescriptor(0x8000_0f47, 0, 3, GRANULE_4K);
  assert.equal(fields.text, 'page → 0x80000000 rw, AttrIndx 1 (cached), SH inner, AF, nG');
  assert.equal(fields.value, 0x8000_0f47n);
  assert.equal(fields.type, 'page');
  assert.equal(fields.valid, true);
  assert.equal(fields.outputAddress, 0x8000_0000n);
  assert.equal(fields.attrIndx, 1);
  assert.equal(fields.ap, 0b01);
  assert.equal(fields.sh, 3);
  assert.equal(fields.af, true);
  assert.equal(fields.nG, true);
  assert.equal(fields.pxn, false);
  assert.equal(fields.uxn, false);
});

test('describeDescriptor texts for every type', () => {
  const texts = [
    describeDescriptor(0x4020_0f45, 0, 2, GRANULE_4K).text,
    describeDescriptor(0x8000_0f47, 0x0060_0000, 3, GRANULE_4K).text,
    describeDescriptor(0x8000_1ec3, 0, 3, GRANULE_4K).text,
    describeDescriptor(0x1b07, 0x0040_0000, 3, GRANULE_4K).text,
    describeDescriptor(0x4000_1003, 0, 1, GRANULE_4K).text,
    describeDescriptor(0x4000_1003, 0x6000_0000, 1, GRANULE_4K).text,
    describeDescriptor(0, 0, 1, GRANULE_4K).text,
    describeDescriptor(0x8000_0f45, 0, 3, GRANULE_4K).text,
    describeDescriptor(0x8000_0f45, 0, 0, GRANULE_4K).text,
  ];
  assert.deepEqual(texts, [
    'block 2M → 0x40200000 rw, AttrIndx 1 (cached), SH inner, AF, nG',
    'page → 0x80000000 rw, AttrIndx 1 (cached), SH inner, AF, nG, XN',
    'page → 0x80001000 r, AttrIndx 0 (noncached), SH outer, AF, nG',
    'page → 0x1000 rw priv, AttrIndx 1 (cached), SH inner, nG, UXN',
    'table → 0x40001000',
    'table → 0x40001000, APTable 11',
    'invalid',
    'reserved (bit1=0 at level 3)',
    'reserved (no blocks at level 0)',
  ]);
});

test('decode(protToLeaf(pa, prot, level)) gives back the address and every prot bit', () => {
  const protArbitrary = fc.record({
    read: fc.boolean(),
    write: fc.boolean(),
    noexec: fc.boolean(),
    priv: fc.boolean(),
    noaf: fc.boolean(),
    memory: fc.constantFrom('cached' as const, 'noncached' as const, 'device' as const),
  });
  const leafArbitrary = fc
    .record({ level: fc.constantFrom(1 as const, 2 as const, 3 as const), frame: fc.integer({ min: 0, max: 2 ** 36 - 1 }), prot: protArbitrary })
    .map(({ level, frame, prot }) => {
      const size = levelSize(level, GRANULE_4K);
      return { level, prot, pa: Math.floor((frame * 4096) / size) * size };
    });
  fc.assert(
    fc.property(leafArbitrary, ({ level, prot, pa }) => {
      const { lo, hi } = protToLeaf(pa, prot, level, GRANULE_4K);
      const fields = describeDescriptor(lo, hi, level, GRANULE_4K);
      assert.equal(fields.type, level === 3 ? 'page' : 'block');
      assert.equal(fields.outputAddress, BigInt(pa));
      assert.equal(fields.ap, (prot.read && !prot.write ? 2 : 0) | (prot.priv ? 0 : 1));
      assert.equal(fields.af, !prot.noaf);
      assert.equal(fields.nG, true);
      assert.equal(fields.uxn, prot.noexec);
      assert.equal(fields.pxn, prot.noexec);
      assert.equal(fields.attrIndx, { noncached: 0, cached: 1, device: 2 }[prot.memory]);
      assert.equal(fields.sh, prot.memory === 'cached' ? 3 : 2);
    }),
    { numRuns: 500 },
  );
});

test('decode(tableDescriptor(pa)) gives back the table address', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 2 ** 36 - 1 }), (frame) => {
      const { lo, hi } = tableDescriptor(frame * 4096, GRANULE_4K);
      const fields = describeDescriptor(lo, hi, 1, GRANULE_4K);
      assert.equal(fields.type, 'table');
      assert.equal(fields.outputAddress, BigInt(frame) * 4096n);
    }),
  );
});
