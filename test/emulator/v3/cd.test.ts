import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { CdFields, decodeCd, describeCd, encodeCd, linuxS1Cd } from '../../../emulator/smmu/v3/cd';

/*
 * CD vectors computed by hand from IHI 0070 §5.4: T0SZ [5:0], TG0 [7:6], IR0 [9:8],
 * OR0 [11:10], SH0 [13:12], EPD1 30, V 31, IPS [34:32], AA64 41, S 44, R 45, A 46,
 * ASET 47, ASID [63:48]; TTB0 [119:68]; MAIR [255:192].
 */

const args = { ias: 48, oas: 40, ttb0: 0x4000_0000n, asid: 1, stall: true, record: true, abort: true };

test("linuxS1Cd(ias 48, oas 40, …) encodes as arm_smmu_make_s1_cd's CD, byte-exact", () => {
  // Low word: T0SZ 16 (0x10) | IR0 1 (0x100) | OR0 1 (0x400) | SH0 3 (0x3000) | EPD1 | V = 0xc0003510.
  // High word: IPS 2 (0x2) | AA64 (0x200) | S (0x1000) | R (0x2000) | A (0x4000) | ASET (0x8000) | ASID 1 (0x10000).
  assert.deepEqual(encodeCd(linuxS1Cd(args)), [0x0001_f202_c000_3510n, 0x4000_0000n, 0n, 0xf404_ff44n, 0n, 0n, 0n, 0n]);
});

test('S is bit 44, R bit 45, A bit 46', () => {
  const full = encodeCd(linuxS1Cd(args))[0];
  assert.equal((full >> 44n) & 1n, 1n);
  assert.equal((full >> 45n) & 1n, 1n);
  assert.equal((full >> 46n) & 1n, 1n);
  assert.equal(full ^ encodeCd(linuxS1Cd({ ...args, stall: false }))[0], 1n << 44n);
  assert.equal(full ^ encodeCd(linuxS1Cd({ ...args, record: false }))[0], 1n << 45n);
  assert.equal(full ^ encodeCd(linuxS1Cd({ ...args, abort: false }))[0], 1n << 46n);
});

test("linuxS1Cd follows io-pgtable-arm's IPS table and MAIR", () => {
  assert.equal(linuxS1Cd({ ...args, oas: 48 }).ips, 5);
  assert.equal(linuxS1Cd({ ...args, oas: 32 }).ips, 0);
  assert.equal(linuxS1Cd({ ...args, ias: 39 }).t0sz, 25);
  assert.equal(linuxS1Cd(args).mair0, 0xf404ff44n);
  assert.throws(() => linuxS1Cd({ ...args, oas: 41 }), RangeError);
  assert.throws(() => linuxS1Cd({ ...args, oas: 56 }), RangeError);
});

test('decodeCd reads back the Linux CD', () => {
  assert.deepEqual(decodeCd(encodeCd(linuxS1Cd(args))), linuxS1Cd(args));
});

test('TTB0 sits at dword 1 [55:4] and must be 16-byte aligned', () => {
  const cd = linuxS1Cd({ ...args, ttb0: 0x00f0_1234_5678_9ab0n });
  assert.equal(encodeCd(cd)[1], 0x00f0_1234_5678_9ab0n);
  assert.throws(() => encodeCd(linuxS1Cd({ ...args, ttb0: 0x4000_0008n })), RangeError);
  assert.throws(() => encodeCd({ ...linuxS1Cd(args), asid: 0x1_0000 }), RangeError);
  assert.throws(() => decodeCd([0n]), RangeError);
});

test('describeCd gives the spec bit numbers and meanings', () => {
  const fields = describeCd(encodeCd(linuxS1Cd(args)));
  const byName = new Map(fields.map((f) => [f.name, f]));
  assert.deepEqual(
    fields.map((f) => f.name),
    ['T0SZ', 'TG0', 'IR0', 'OR0', 'SH0', 'EPD0', 'EPD1', 'V', 'IPS', 'AFFD', 'AA64', 'HD', 'HA', 'S', 'R', 'A', 'ASET', 'ASID', 'TTB0', 'MAIR'],
  );
  assert.deepEqual([byName.get('S')?.bits, byName.get('R')?.bits, byName.get('A')?.bits], ['44', '45', '46']);
  assert.equal(byName.get('T0SZ')?.meaning, '48-bit input range through TTB0');
  assert.equal(byName.get('IPS')?.meaning, '40-bit output (capped at SMMU_IDR5.OAS)');
  assert.equal(byName.get('R')?.meaning, 'ignored while S = 1 (stalls are always recorded)');
  assert.equal(byName.get('TTB0')?.bits, '[119:68]');
  assert.equal(byName.get('TTB0')?.value, 0x400_0000n);
  assert.equal(byName.get('TTB0')?.meaning, 'translation table at 0x40000000');
  assert.equal(byName.get('MAIR')?.bits, '[255:192]');
  assert.equal(byName.get('MAIR')?.meaning, 'Attr0 0x44 · Attr1 0xff · Attr2 0x4 · Attr3 0xf4 · Attr4 0x0 · Attr5 0x0 · Attr6 0x0 · Attr7 0x0');
});

const bit = fc.boolean();
const cdFields: fc.Arbitrary<CdFields> = fc.record({
  valid: bit,
  t0sz: fc.integer({ min: 0, max: 63 }),
  tg0: fc.integer({ min: 0, max: 3 }),
  ir0: fc.integer({ min: 0, max: 3 }),
  or0: fc.integer({ min: 0, max: 3 }),
  sh0: fc.integer({ min: 0, max: 3 }),
  epd0: bit,
  epd1: bit,
  ips: fc.integer({ min: 0, max: 7 }),
  affd: bit,
  aa64: bit,
  ha: bit,
  hd: bit,
  s: bit,
  r: bit,
  a: bit,
  aset: bit,
  asid: fc.integer({ min: 0, max: 0xffff }),
  ttb0: fc.bigInt({ min: 0n, max: (1n << 52n) - 1n }).map((v) => v << 4n),
  mair0: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
});

test('decodeCd(encodeCd(x)) is x', () => {
  // fc.record builds null-prototype objects; strict deepEqual compares prototypes.
  fc.assert(fc.property(cdFields, (fields) => assert.deepEqual(decodeCd(encodeCd(fields)), { ...fields })));
});
