import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PhysicalMemory } from '../../../emulator/memory/physicalMemory';
import { Prot } from '../../../emulator/pgtable/descriptor';
import { GRANULE_4K } from '../../../emulator/pgtable/granule';
import { IoPgtable } from '../../../emulator/pgtable/ioPgtable';
import { describeStage2Descriptor, s2ProtToLeaf } from '../../../emulator/pgtable/stage2Descriptor';
import { walkStage2 } from '../../../emulator/pgtable/stage2Walker';
import { TableAllocator } from '../../../emulator/pgtable/tableAllocator';

const prot = (flags: string, memory: Prot['memory'] = 'cached', extra: Partial<Prot> = {}): Prot => ({
  read: flags.includes('r'),
  write: flags.includes('w'),
  noexec: !flags.includes('x'),
  priv: flags.includes('p'),
  noaf: false,
  memory,
  ...extra,
});

function stage2(ias = 40, oas = 40): { memory: PhysicalMemory; pgtable: IoPgtable } {
  const memory = new PhysicalMemory();
  return { memory, pgtable: new IoPgtable(memory, new TableAllocator(memory), { ias, oas, stage: 2 }) };
}

test('ARM_64_LPAE_S2 leaves, bit for bit as arm_lpae_prot_to_pte and arm_lpae_init_pte write them (Table D8-53)', () => {
  const value = (words: { lo: number; hi: number }): bigint => (BigInt(words.hi) << 32n) | BigInt(words.lo);
  // page 0b11 | MemAttr 0xf << 2 | S2AP 0b11 << 6 | SH inner 3 << 8 | AF: 0x7ff.
  assert.equal(value(s2ProtToLeaf(0x8000_0000, prot('rwx'), 3, GRANULE_4K)), 0x8000_07ffn);
  // IOMMU_PRIV has no stage-2 encoding: the same bits.
  assert.equal(value(s2ProtToLeaf(0x8000_0000, prot('rwxp'), 3, GRANULE_4K)), 0x8000_07ffn);
  // read-only, non-cacheable (MemAttr 0x5, SH outer), IOMMU_NOEXEC: XN bits 54 and 53 (ARM_LPAE_PTE_XN = 3 << 53).
  assert.equal(value(s2ProtToLeaf(0x8000_0000, prot('r', 'noncached'), 3, GRANULE_4K)), 0x0060_0000_8000_0657n);
  // write-only IOMMU_MMIO 2M block: MemAttr 0x1 (Device-nGnRE), SH outer, block type 0b01.
  assert.equal(value(s2ProtToLeaf(0x8020_0000, prot('wx', 'device'), 2, GRANULE_4K)), 0x8020_0685n);
  // a 1G block at level 1 above 4 GiB; AF left clear when asked.
  assert.equal(value(s2ProtToLeaf(0x1_4000_0000, prot('rwx', 'cached', { noaf: true }), 1, GRANULE_4K)), 0x1_4000_03fdn);
});

test('describeStage2Descriptor names S2AP, MemAttr and XN as people read them', () => {
  assert.equal(describeStage2Descriptor(0x8000_07ff, 0, 3, GRANULE_4K).text, 'page → 0x80000000 S2AP=rw MemAttr=0xf (Normal WB) XN=0 SH=inner AF');
  const readOnly = describeStage2Descriptor(0x8000_0657, 0x0060_0000, 3, GRANULE_4K);
  assert.deepEqual([readOnly.s2ap, readOnly.memAttr, readOnly.xn, readOnly.sh, readOnly.af], [1, 5, 3, 2, true]);
  assert.equal(readOnly.text, 'page → 0x80000000 S2AP=ro MemAttr=0x5 (Normal NC) XN=0b11 SH=outer AF');
  assert.equal(describeStage2Descriptor(0x8020_0685, 0, 2, GRANULE_4K).text, 'block 2M → 0x80200000 S2AP=wo MemAttr=0x1 (Device-nGnRE) XN=0 SH=outer AF');
  assert.equal(describeStage2Descriptor(0x8000_0003, 0, 3, GRANULE_4K).text, 'page → 0x80000000 S2AP=none MemAttr=0x0 (Device-nGnRnE) XN=0 SH=none');
  assert.equal(describeStage2Descriptor(0x4000_2003, 0, 1, GRANULE_4K).text, 'table → 0x40002000');
});

test('a stage-2 io-pgtable allocates its concatenated pgd aligned to its size and maps through it', () => {
  const { memory, pgtable } = stage2();
  // 4K, ias 40, oas 40: two concatenated level-1 tables, 8 KiB at 0x40000000 (the pool's first 8 KiB-aligned run).
  assert.deepEqual([pgtable.stage, pgtable.startLevel, pgtable.levels, pgtable.rootEntries, pgtable.rootBytes, pgtable.root], [2, 1, 3, 1024, 8192, 0x4000_0000]);
  // IPA 0x80_0000_0000 selects L1[512]: the second table's first entry, at 0x40001000.
  assert.ok(pgtable.map(0x80_0000_0000n, 0x8000_0000n, 0x1000n, prot('rw')).ok);
  assert.equal(memory.readU64(0x4000_1000), 0x4000_2003n); // table → L2 at 0x40002000
  assert.equal(memory.readU64(0x4000_2000), 0x4000_3003n); // table → L3 at 0x40003000
  assert.equal(memory.readU64(0x4000_3000), 0x0060_0000_8000_07ffn);
  // A 1G block at L1[1], and the walk of both.
  assert.ok(pgtable.map(0x4000_0000n, 0x1_0000_0000n, 0x4000_0000n, prot('rx')).ok);
  assert.equal(memory.readU64(0x4000_0008), 0x1_0000_077dn);
  const config = pgtable.stage2Config();
  assert.deepEqual(config, { root: 0x4000_0000, startLevel: 1, ias: 40, oas: 40, granule: GRANULE_4K, xnx: true });
  const page = walkStage2(memory, config, 0x80_0000_0abcn, { write: true, exec: false, priv: false });
  assert.deepEqual(page.steps.map((s) => [s.level, s.index]), [[1, 512], [2, 0], [3, 0]]);
  assert.equal(page.outcome.kind === 'success' && page.outcome.pa, 0x8000_0abcn);
  const block = walkStage2(memory, config, 0x7fff_ffffn, { write: true, exec: false, priv: false });
  assert.deepEqual([block.outcome.kind, block.outcome.level], ['permission', 1]);
  assert.equal(pgtable.iovaToPhys(0x80_0000_0123n), 0x8000_0123n);
  // The page-table views speak stage 2.
  const [first, second] = pgtable.mappings();
  assert.equal(first?.descriptor.text, 'block 1G → 0x100000000 S2AP=ro MemAttr=0xf (Normal WB) XN=0 SH=inner AF');
  assert.deepEqual([second?.iova, second?.stage2?.s2ap, second?.stage2?.xn], [0x80_0000_0000n, 3, 3]);
  const roots = pgtable.entries(1, BigInt(pgtable.root));
  assert.deepEqual(roots.map((e) => [e.index, e.descriptor.type]), [[1, 'block'], [512, 'table']]);
  // unmap clears through the second concatenated table too.
  assert.equal(pgtable.unmap(0x80_0000_0000n, 0x1000n), 0x1000n);
  assert.equal(memory.readU64(0x4000_3000), 0n);
});

test('a stage-1 table has no stage-2 walk config', () => {
  const memory = new PhysicalMemory();
  const pgtable = new IoPgtable(memory, new TableAllocator(memory), { ias: 40, oas: 40 });
  assert.equal(pgtable.stage, 1);
  assert.throws(() => pgtable.stage2Config(), /a stage-1 table has no stage-2 walk/);
});
