import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Level } from '../../../emulator/pgtable/descriptor';
import { GRANULE_16K, GRANULE_4K, GRANULE_64K, GRANULES } from '../../../emulator/pgtable/granule';
import { linuxStage2Layout, sl0Of, stage2Layout, stage2Vtcr, startLevelOfSl0 } from '../../../emulator/pgtable/stage2Geometry';

test('4K, ias 40, oas 40: two concatenated level-1 tables, SL0=0b01, VTCR 0x23558 (D8.2.2, Table D8-22, R SRKBC)', () => {
  const vtcr = stage2Vtcr(40, 40, GRANULE_4K);
  assert.deepEqual(vtcr.layout, { startLevel: 1, rootEntries: 1024, tables: 2, rootBytes: 8192 });
  assert.deepEqual([vtcr.t0sz, vtcr.sl0, vtcr.tg0, vtcr.ps, vtcr.irgn0, vtcr.orgn0, vtcr.sh0], [24, 0b01, 0b00, 2, 1, 1, 3]);
  // T0SZ 24 | SL0 1 << 6 | IRGN0 1 << 8 | ORGN0 1 << 10 | SH0 3 << 12 | TG0 0 << 14 | PS 2 << 16
  assert.equal(vtcr.value, 0x23558n);
  assert.equal(vtcr.contextBankTcr, 0x8002_3558n); // SMMUv2: ARM_SMMU_VTCR_RES1 too
});

test('4K, ias 40, oas 44: the newest io-pgtable-arm does not concatenate (not mandatory), 6.13 and before did', () => {
  assert.deepEqual(linuxStage2Layout(40, 44, GRANULE_4K), { startLevel: 0, rootEntries: 2, tables: 1, rootBytes: 4096 });
  assert.equal(stage2Vtcr(40, 44, GRANULE_4K).sl0, 0b10); // Table D8-19: level 0
  assert.deepEqual(linuxStage2Layout(40, 44, GRANULE_4K, 'level0'), { startLevel: 1, rootEntries: 1024, tables: 2, rootBytes: 8192 });
  // 4K from level 0 with oas 42 must concatenate: 8 tables for ias 42 (R SRKBC).
  assert.deepEqual(linuxStage2Layout(42, 42, GRANULE_4K), { startLevel: 1, rootEntries: 4096, tables: 8, rootBytes: 32768 });
});

test('16K: ias 48 starts at level 1 with two tables (R DXBSH), ias 40 oas 40 at level 2 with 16 (Tables D8-31, D8-32)', () => {
  const at48 = stage2Vtcr(48, 48, GRANULE_16K);
  assert.deepEqual(at48.layout, { startLevel: 1, rootEntries: 4096, tables: 2, rootBytes: 32768 });
  assert.deepEqual([at48.t0sz, at48.sl0, at48.tg0, at48.ps], [16, 0b10, 0b10, 5]); // Table D8-29: 0b10 is level 1
  assert.equal(at48.value, 0x5b590n);
  const at40 = stage2Vtcr(40, 40, GRANULE_16K);
  assert.deepEqual(at40.layout, { startLevel: 2, rootEntries: 32768, tables: 16, rootBytes: 262144 });
  assert.equal(at40.sl0, 0b01);
  // oas 44: level 1 with 16 entries, no concatenation.
  assert.deepEqual(linuxStage2Layout(40, 44, GRANULE_16K), { startLevel: 1, rootEntries: 16, tables: 1, rootBytes: 4096 });
});

test('64K: ias 48 starts at level 1 (64 entries, SL0=0b10), ias 42 at level 2 (a full table, SL0=0b01) (Tables D8-38..40)', () => {
  const at48 = stage2Vtcr(48, 48, GRANULE_64K);
  assert.deepEqual(at48.layout, { startLevel: 1, rootEntries: 64, tables: 1, rootBytes: 4096 });
  assert.deepEqual([at48.sl0, at48.tg0], [0b10, 0b01]);
  const at42 = stage2Vtcr(42, 42, GRANULE_64K, { coherent: false });
  assert.deepEqual(at42.layout, { startLevel: 2, rootEntries: 8192, tables: 1, rootBytes: 65536 });
  assert.deepEqual([at42.t0sz, at42.sl0, at42.irgn0, at42.orgn0, at42.sh0, at42.ps], [22, 0b01, 0, 0, 2, 3]);
  assert.equal(at42.value, 0x36056n);
});

test('SL0 encodes the start level per granule and back (Tables D8-19, D8-29, D8-38)', () => {
  const expected: Record<string, number[]> = { '4K': [0b10, 0b01, 0b00, 0b11], '16K': [0b11, 0b10, 0b01, 0b00], '64K': [0b11, 0b10, 0b01, 0b00] };
  for (const granule of Object.values(GRANULES)) {
    for (let level = 0; level < 4; level++) {
      const sl0 = sl0Of(level as Level, granule);
      assert.equal(sl0, expected[granule.name]?.[level], `${granule.name} L${level}`);
      assert.equal(startLevelOfSl0(sl0, granule), granule.name === '64K' && level === 0 ? undefined : level);
    }
  }
});

test('the T0SZ each start level allows without DS or FEAT_TTST (Tables D8-21..24, D8-30..33, D8-39..41)', () => {
  // [granule, level, lowest ias, highest ias] — ias = 64 - T0SZ, within 25..48.
  const ranges: [string, Level, number, number][] = [
    ['4K', 0, 40, 48], // T0SZ 16-24
    ['4K', 1, 31, 43], // T0SZ 21-33 (21-24 concatenated)
    ['4K', 2, 25, 34], // T0SZ 30-39 (30-33 concatenated)
    ['16K', 1, 37, 48], // T0SZ 16-27 (16 two tables)
    ['16K', 2, 26, 40], // T0SZ 24-38
    ['16K', 3, 25, 29], // T0SZ 35-39
    ['64K', 1, 43, 48], // T0SZ 16-21
    ['64K', 2, 30, 46], // T0SZ 18-34
    ['64K', 3, 25, 33], // T0SZ 31-39
  ];
  for (const [name, level, low, high] of ranges) {
    const granule = GRANULES[name as '4K'];
    for (let ias = 25; ias <= 48; ias++) {
      const layout = stage2Layout(ias, granule, level);
      assert.equal(typeof layout !== 'string', ias >= low && ias <= high, `${name} L${level} ias ${ias}: ${typeof layout === 'string' ? layout : 'valid'}`);
    }
  }
  assert.equal(stage2Layout(48, GRANULE_16K, 0), 'a 16K stage 2 cannot start at level 0 without 52-bit addresses (Table D8-30)');
  assert.equal(stage2Layout(30, GRANULE_4K, 3), 'a 4K stage 2 cannot start at level 3 without FEAT_TTST (Table D8-24)');
  assert.equal(stage2Layout(44, GRANULE_4K, 1), 'level 1 would need 32 concatenated tables for 44 bits with the 4K granule (at most 16)');
});
