import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Machine } from '../../emulator/machine/machine';
import { PhysicalMemory } from '../../emulator/memory/physicalMemory';
import { Prot } from '../../emulator/pgtable/descriptor';
import { Granule, GRANULE_16K, GRANULE_4K, GRANULE_64K } from '../../emulator/pgtable/granule';
import { IoPgtable } from '../../emulator/pgtable/ioPgtable';
import { TableAllocator } from '../../emulator/pgtable/tableAllocator';
import { HotWalker, HotWalkResult, walk, WALK_OK, WalkResult } from '../../emulator/pgtable/walker';
import { v2StateOf, v3StateOf } from '../../emulator/smmu/smmuState';
import { Tlb } from '../../emulator/smmu/tlb';
import { decodeCd, encodeCd, linuxS1Cd } from '../../emulator/smmu/v3/cd';
import { modelOf, runScenario, statuses } from './helpers/scenario';

/*
 * Walks of the 16K and 64K granules against vectors computed by hand from Arm ARM D8:
 * 16K (D8.2.9, Tables D8-26 and D8-34): L0 IA[47], L1 IA[46:36], L2 IA[35:25], L3 IA[24:14],
 * a 32M block at L2, OA [47:14]; 64K (D8.2.10, Tables D8-35 and D8-42): L1 IA[47:42],
 * L2 IA[41:29], L3 IA[28:16], a 512M block at L2, OA [47:16]. A descriptor is at
 * table + index * 8; tables come from the pool at 0x4000_0000, each aligned to its size.
 */

const rw: Prot = { read: true, write: true, noexec: true, priv: false, noaf: false, memory: 'cached' };
const WRITE = { write: true, exec: false, priv: false };

function setup(granule: Granule, ias: number): { memory: PhysicalMemory; pgtable: IoPgtable } {
  const memory = new PhysicalMemory();
  return { memory, pgtable: new IoPgtable(memory, new TableAllocator(memory), { ias, oas: 48, granule }) };
}

function steps(result: WalkResult): [number, number, bigint, bigint, bigint][] {
  return result.steps.map((step) => [step.level, step.index, step.tableAddress, step.descriptorAddress, step.value]);
}

function outcome(result: WalkResult): [string, number, bigint | string] {
  const o = result.outcome;
  return o.kind === 'success' ? ['success', o.level, o.pa] : [o.kind, o.level, o.reason];
}

/** The hot walker must give what the describing walk gives. */
function hotAgrees(memory: PhysicalMemory, pgtable: IoPgtable, iova: bigint, expected: WalkResult): void {
  const out = new HotWalkResult();
  const status = new HotWalker(memory, pgtable.tableConfig()).walk(Number(iova >> 12n), 1, out);
  assert.equal(out.level, expected.outcome.level);
  if (expected.outcome.kind === 'success') {
    assert.equal(status, WALK_OK);
    assert.equal((BigInt(out.outputPage) << 12n) | (iova & 0xfffn), expected.outcome.pa);
    assert.equal(BigInt(out.pages) * 4096n, expected.outcome.size);
  } else assert.notEqual(status, WALK_OK);
}

test('16K granule, ias 47 (T0SZ 17: start at level 1, Table D8-28): a 16K page, indices and descriptors from Table D8-34', () => {
  const { memory, pgtable } = setup(GRANULE_16K, 47);
  assert.deepEqual([pgtable.root, pgtable.startLevel, pgtable.rootEntries, pgtable.rootBytes], [0x4000_0000, 1, 2048, 0x4000]);
  assert.ok(pgtable.map(0x1234_5678_c000n, 0x9_8765_4000n, 0x4000n, rw).ok);
  // 0x1234_5678_cabc: IA[46:36] = 291, IA[35:25] = 555, IA[24:14] = 483.
  const result = walk(memory, pgtable.tableConfig(), 0x1234_5678_cabcn, WRITE);
  assert.deepEqual(steps(result), [
    [1, 291, 0x4000_0000n, 0x4000_0918n, 0x4000_4003n],
    [2, 555, 0x4000_4000n, 0x4000_5158n, 0x4000_8003n],
    [3, 483, 0x4000_8000n, 0x4000_8f18n, 0x0060_0009_8765_4f47n],
  ]);
  assert.deepEqual(outcome(result), ['success', 3, 0x9_8765_4abcn]);
  assert.equal(result.outcome.kind === 'success' ? result.outcome.size : undefined, 0x4000n);
  hotAgrees(memory, pgtable, 0x1234_5678_cabcn, result);
  // The neighbouring 16K page of the same level-3 table: L3[482] is invalid.
  const hole = walk(memory, pgtable.tableConfig(), 0x1234_5678_8000n);
  assert.deepEqual(outcome(hole), ['translation', 3, 'L3[482] is invalid']);
  hotAgrees(memory, pgtable, 0x1234_5678_8000n, hole);
});

test('16K granule: a 32M block at level 2 (Table D8-27); no level-1 blocks without 52-bit addresses', () => {
  const { memory, pgtable } = setup(GRANULE_16K, 47);
  const mapped = pgtable.map(0x200_0000n, 0x8200_0000n, 0x200_0000n, rw);
  assert.deepEqual(mapped, { ok: true, leaves: 1 });
  // 0x212_3456: IA[46:36] = 0, IA[35:25] = 1; IA[24:0] is the offset in the block.
  const result = walk(memory, pgtable.tableConfig(), 0x212_3456n, WRITE);
  assert.deepEqual(steps(result), [
    [1, 0, 0x4000_0000n, 0x4000_0000n, 0x4000_4003n],
    [2, 1, 0x4000_4000n, 0x4000_4008n, 0x0060_0000_8200_0f45n],
  ]);
  assert.equal(result.steps[1]?.descriptor.text, 'block 32M → 0x82000000 rw, AttrIndx 1 (cached), SH inner, AF, nG, XN');
  assert.deepEqual(outcome(result), ['success', 2, 0x8212_3456n]);
  hotAgrees(memory, pgtable, 0x212_3456n, result);
  // Below the block, L2[0] is invalid: a level-2 translation fault.
  assert.deepEqual(outcome(walk(memory, pgtable.tableConfig(), 0x100_0000n)), ['translation', 2, 'L2[0] is invalid']);
  // A block descriptor at level 1 is reserved with 16K and DS = 0 (Table D8-26: table descriptors only).
  memory.writeDescriptor(0x4000_0000 + 5 * 8, 0x4000_0401, 0);
  const reserved = walk(memory, pgtable.tableConfig(), 5n << 36n);
  assert.deepEqual(outcome(reserved), ['translation', 1, 'L1[5] is reserved (no level 1 blocks with the 16K granule)']);
  hotAgrees(memory, pgtable, 5n << 36n, reserved);
});

test('16K granule, ias 48 (T0SZ 16): level 0 resolves IA[47] alone, two entries (Table D8-26)', () => {
  const { memory, pgtable } = setup(GRANULE_16K, 48);
  assert.deepEqual([pgtable.startLevel, pgtable.rootEntries, pgtable.rootBytes], [0, 2, 0x1000]);
  assert.ok(pgtable.map(0x8000_0000_4000n, 0x8000_4000n, 0x4000n, rw).ok);
  // The root is a 4 KiB page; the tables below are 16K-aligned 16K: 0x4000_4000, 0x4000_8000, 0x4000_c000.
  assert.deepEqual(steps(walk(memory, pgtable.tableConfig(), 0x8000_0000_4000n)).map((s) => s.slice(0, 3)), [
    [0, 1, 0x4000_0000n],
    [1, 0, 0x4000_4000n],
    [2, 0, 0x4000_8000n],
    [3, 1, 0x4000_c000n],
  ]);
});

test('64K granule, ias 48 (T0SZ 16: start at level 1, 64 entries, Table D8-37): a 64K page, indices and descriptors from Table D8-42', () => {
  const { memory, pgtable } = setup(GRANULE_64K, 48);
  // 64 entries are 512 bytes: the root takes a 4 KiB page; the next tables are 64K-aligned.
  assert.deepEqual([pgtable.root, pgtable.startLevel, pgtable.rootEntries, pgtable.rootBytes], [0x4000_0000, 1, 64, 0x1000]);
  assert.ok(pgtable.map(0x1234_5678_0000n, 0x9_8765_0000n, 0x1_0000n, rw).ok);
  // 0x1234_5678_abcd: IA[47:42] = 4, IA[41:29] = 4514, IA[28:16] = 5752.
  const result = walk(memory, pgtable.tableConfig(), 0x1234_5678_abcdn, WRITE);
  assert.deepEqual(steps(result), [
    [1, 4, 0x4000_0000n, 0x4000_0020n, 0x4001_0003n],
    [2, 4514, 0x4001_0000n, 0x4001_8d10n, 0x4002_0003n],
    [3, 5752, 0x4002_0000n, 0x4002_b3c0n, 0x0060_0009_8765_0f47n],
  ]);
  assert.deepEqual(outcome(result), ['success', 3, 0x9_8765_abcdn]);
  hotAgrees(memory, pgtable, 0x1234_5678_abcdn, result);
  // OA is [47:16]: bits [15:12] of the page descriptor (OA[51:48] with FEAT_LPA) are not address bits.
  memory.writeDescriptor(0x4002_b3c0, 0x8765_ff47, 0x0060_0009);
  const lpaBits = walk(memory, pgtable.tableConfig(), 0x1234_5678_abcdn, WRITE);
  assert.deepEqual(outcome(lpaBits), ['success', 3, 0x9_8765_abcdn]);
  hotAgrees(memory, pgtable, 0x1234_5678_abcdn, lpaBits);
});

test('64K granule: a 512M block at level 2 (Table D8-36); unmapping 64K of it splits it into 8192 pages', () => {
  const { memory, pgtable } = setup(GRANULE_64K, 48);
  assert.deepEqual(pgtable.map(0x2000_0000n, 0x1_2000_0000n, 0x2000_0000n, rw), { ok: true, leaves: 1 });
  // 0x2123_4567: IA[47:42] = 0, IA[41:29] = 1; IA[28:0] is the offset in the block.
  const result = walk(memory, pgtable.tableConfig(), 0x2123_4567n, WRITE);
  assert.deepEqual(steps(result), [
    [1, 0, 0x4000_0000n, 0x4000_0000n, 0x4001_0003n],
    [2, 1, 0x4001_0000n, 0x4001_0008n, 0x0060_0001_2000_0f45n],
  ]);
  assert.deepEqual(outcome(result), ['success', 2, 0x1_2123_4567n]);
  hotAgrees(memory, pgtable, 0x2123_4567n, result);
  assert.equal(pgtable.unmap(0x2123_0000n, 0x1_0000n), 0x1_0000n);
  // The split table is the next 64K table: 0x4002_0000; IA[28:16] of 0x2123_4567 = 291.
  const split = walk(memory, pgtable.tableConfig(), 0x2124_4567n, WRITE);
  assert.deepEqual(steps(split)[2], [3, 292, 0x4002_0000n, 0x4002_0920n, 0x0060_0001_2124_0f47n]);
  assert.deepEqual(outcome(walk(memory, pgtable.tableConfig(), 0x2123_4567n)), ['translation', 3, 'L3[291] is invalid']);
  assert.equal(pgtable.mappings().reduce((bytes, range) => bytes + range.size, 0n), 0x2000_0000n - 0x1_0000n);
});

test('map splits by the granule\'s pgsize_bitmap: 16K|32M with 16K, 64K|512M with 64K, whatever `pages` asks for above', () => {
  const sixteen = setup(GRANULE_16K, 47).pgtable;
  // 16K pages up to the 32M boundary, one 32M block, then 16K pages.
  assert.deepEqual(sixteen.map(0x1ff_c000n, 0x8_01ff_c000n, 0x4000n + 0x200_0000n + 0x4000n, rw), { ok: true, leaves: 3 });
  assert.deepEqual(sixteen.map(0x1_0000_0000n, 0x9_0000_0000n, 0x200_0000n, rw, 0x4000n), { ok: true, leaves: 2048 });
  // A 1G cap is above 32M: the largest leaf stays 32M.
  assert.deepEqual(sixteen.map(0x2_0000_0000n, 0xa_0000_0000n, 0x4000_0000n, rw, 0x4000_0000n), { ok: true, leaves: 32 });
  const sixtyFour = setup(GRANULE_64K, 42).pgtable;
  assert.deepEqual(sixtyFour.map(0x0n, 0x0n, 0x4000_0000n, rw), { ok: true, leaves: 2 });
  assert.deepEqual(sixtyFour.map(0x4000_0000n, 0x4000_0000n, 0x20_0000n, rw, 0x20_0000n), { ok: true, leaves: 32 });
  const misaligned = sixtyFour.map(0x5000_1000n, 0x5000_0000n, 0x1_0000n, rw);
  assert.equal(misaligned.ok ? undefined : misaligned.error.message, 'IOVA 0x50001000 is not 64K-aligned');
});

test('the TLB keeps 16K and 64K leaves per 4 KiB piece; TLBI by VA drops every piece of the leaf the VA falls in', () => {
  const tlb = new Tlb(16);
  const fill = (outputPage: number, pages: number) => ({ outputPage, level: 3, pages, permissions: 0x3f, lo: 0, hi: 0, descriptorAddress: 0 });
  // Two 4 KiB pieces of the 16K page at vpn 0x100 (0x10_0000..0x10_3fff), one of the next 16K page.
  tlb.insert(1, 0x100, fill(0x8_0000, 4));
  tlb.insert(1, 0x103, fill(0x8_0003, 4));
  tlb.insert(1, 0x104, fill(0x9_0000, 4));
  // A 64K page at vpn 0x200..0x20f.
  tlb.insert(1, 0x20f, fill(0xa_000f, 16));
  tlb.invalidateVa(1, 0x102);
  assert.deepEqual(tlb.entries().map((e) => e.vpn).sort(), [0x104, 0x20f]);
  tlb.invalidateVa(1, 0x200);
  assert.deepEqual(tlb.entries().map((e) => e.vpn), [0x104]);
});

const v2 = (domain: string, engine: string): string => `
smmu s { version v2 }
domain d {
  ${domain}
  fault stall
}
master m { stream 0x1; domain d; can-stall }
engine m.e { ${engine} }
`;

function bank(machine: Machine) {
  const b = v2StateOf(machine.state, 0)?.banks[0];
  assert.ok(b);
  return b;
}

test('SMMUv2 TCR: TG0 [15:14] is 0b10 for 16K and 0b01 for 64K, T0SZ = 64 - ias (arm_smmu_lpae_tcr)', () => {
  const tcr = (domain: string): number => bank(new Machine(modelOf(v2(domain, 'read 0x0 4')))).tcr;
  // T0SZ | IRGN0 WBWA (0x100) | ORGN0 WBWA (0x400) | SH0 inner (0x3000) | TG0 | EPD1 (1 << 23).
  assert.equal(tcr('ias 39'), 25 | 0x100 | 0x400 | 0x3000 | (0b00 << 14) | (1 << 23));
  assert.equal(tcr('granule 16K; ias 47'), 0x80_b511); // T0SZ 17, TG0 0b10
  assert.equal(tcr('granule 64K'), 0x80_7510); // T0SZ 16, TG0 0b01
});

test('SMMUv2 FSYNR0.PLVL is the level the 16K walk faulted at: 2 below a 32M block, 3 beside a 16K page', () => {
  const scenario = (engine: string): string => v2('granule 16K; ias 47\n  map 0x200_0000 -> 0x8200_0000 size 32M rw\n  map 0x4000 -> 0x8000_4000 size 16K rw', engine);
  const level2 = new Machine(modelOf(scenario('write 0x0400_0000 4 priv as bad')));
  level2.run({ untilCycle: 40 });
  assert.equal(bank(level2).far, 0x0400_0000n);
  assert.equal(bank(level2).fsynr0, 0x32); // PLVL 2 | WNR | PNU
  const level3 = new Machine(modelOf(scenario('write 0x8000 4 priv as bad')));
  level3.run({ untilCycle: 40 });
  assert.equal(bank(level3).fsynr0, 0x33); // PLVL 3 | WNR | PNU
  assert.equal(level3.journal.faults.get(0)?.reason, 'L3[2] is invalid');
});

test('SMMUv3 CD: TG0 [7:6] carries the granule as arm_smmu_make_s1_cd writes it from io-pgtable\'s tcr', () => {
  // dword 0 low word: T0SZ | TG0 << 6 | IR0 (0x100) | OR0 (0x400) | SH0 (0x3000) | EPD1 (1 << 30) | V (1 << 31).
  const args = { ias: 47, oas: 40, ttb0: 0x4000_0000n, asid: 1, stall: false, record: true, abort: true };
  assert.equal(Number((encodeCd(linuxS1Cd({ ...args, tg0: GRANULE_16K.tg0 }))[0] ?? 0n) & 0xffff_ffffn), 0xc000_3591);
  assert.equal(Number((encodeCd(linuxS1Cd({ ...args, ias: 48, tg0: GRANULE_64K.tg0 }))[0] ?? 0n) & 0xffff_ffffn), 0xc000_3550);
  assert.equal(linuxS1Cd(args).tg0, GRANULE_4K.tg0);
  const { machine, result } = runScenario(`smmu s { version v3 }
domain d { granule 64K; map 0x0001_0000 -> 0x8001_0000 size 64K rw }
master m { stream 0x1; domain d }
engine m.e { read 0x0001_fff8 8 as r }
`);
  const stream = v3StateOf(machine.state, 0)?.streams.find((s) => s.sid === 1);
  assert.ok(stream?.cdTable !== undefined);
  const dwords = Array.from({ length: 8 }, (_, i) => machine.runtime.memory.readU64((stream?.cdTable ?? 0) + 8 * i));
  assert.deepEqual([decodeCd(dwords).tg0, decodeCd(dwords).t0sz], [0b01, 16]);
  assert.deepEqual(statuses(result), { 'r#0': 'completed' });
});

test('a 16K pgd is a 16 KiB table the pool steps over whole: ias 47, pgd 0x4000_4000', () => {
  const machine = new Machine(modelOf(v2('granule 16K; ias 47; pgd 0x4000_4000\n  map 0x0400_4000 -> 0x9000_4000 size 16K rw', 'read 0x0400_4000 4')));
  assert.equal(bank(machine).ttbr0, 0x4000_4000n);
  const table = machine.runtime.tables[0];
  assert.ok(table);
  // The level-2 table takes 0x4000_0000; the level-3 table skips the pgd's 16 KiB to 0x4000_8000.
  assert.deepEqual(steps(walk(machine.runtime.memory, table.tableConfig(), 0x0400_4000n)).map((s) => s.slice(0, 3)), [
    [1, 0, 0x4000_4000n],
    [2, 2, 0x4000_0000n],
    [3, 1, 0x4000_8000n],
  ]);
});
