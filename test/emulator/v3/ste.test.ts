import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { decodeSte, describeSte, encodeSte, NO_STAGE2, SteFields } from '../../../emulator/smmu/v3/ste';

/*
 * STE vectors computed by hand from IHI 0070 §5.2: V 0, Config [3:1], S1Fmt [5:4],
 * S1ContextPtr [55:6], S1CDMax [63:59], S1DSS [65:64], S1STALLD 91, EATS [93:92], STRW [95:94].
 */

const stage1: SteFields = {
  valid: true,
  config: 's1',
  s1Fmt: 0,
  s1ContextPtr: 0x4000_1000n,
  s1CdMax: 3,
  s1Dss: 'ssid0',
  s1Stalld: false,
  eats: 0,
  strw: 0,
  mev: false,
  s2: NO_STAGE2,
};

test('a stage-1 STE with 8 CDs and S1DSS=ssid0 encodes byte-exact', () => {
  // dword 0: V 1 | Config 0b101 << 1 = 0xb, pointer in place, S1CDMax 3 << 59; dword 1: S1DSS 0b10.
  assert.deepEqual(encodeSte(stage1), [0x1800_0000_4000_100bn, 0x2n, 0n, 0n, 0n, 0n, 0n, 0n]);
});

test('S1STALLD is bit 91, EATS [93:92] and STRW [95:94]: dword 1 bits 27, 29:28, 31:30', () => {
  assert.equal(encodeSte({ ...stage1, s1Stalld: true })[1], 0x0800_0002n);
  assert.equal(encodeSte({ ...stage1, eats: 1 })[1], 0x1000_0002n);
  assert.equal(encodeSte({ ...stage1, strw: 2 })[1], 0x8000_0002n);
});

test('bypass, abort and invalid STEs', () => {
  const base = { ...stage1, s1ContextPtr: 0n, s1CdMax: 0, s1Dss: 'terminate' as const };
  assert.deepEqual(encodeSte({ ...base, config: 'bypass' }).slice(0, 2), [0x9n, 0n]);
  assert.deepEqual(encodeSte({ ...base, config: 'abort' }).slice(0, 2), [0x1n, 0n]);
  assert.deepEqual(encodeSte({ ...base, valid: false, config: 'abort' }), new Array(8).fill(0n));
});

test('S1ContextPtr holds address bits up to 55 (the field is [55:6])', () => {
  const dwords = encodeSte({ ...stage1, s1ContextPtr: 0x00f0_0000_0000_0040n, s1CdMax: 0 });
  assert.equal(dwords[0], 0x00f0_0000_0000_004bn);
  assert.equal(decodeSte(dwords).s1ContextPtr, 0x00f0_0000_0000_0040n);
});

test('reserved encodings decode as what they behave as', () => {
  const dwords = encodeSte(stage1);
  assert.equal(decodeSte([0b0101n, ...dwords.slice(1)]).config, 'abort'); // Config 0b010
  assert.equal(decodeSte([dwords[0], 0x3n, ...dwords.slice(2)]).s1Dss, 'terminate'); // S1DSS 0b11
});

test('a stage-2 STE as arm_smmu_make_s2_domain_ste writes it (ias 40, 4K, start level 1, PS 44 bits, VMID 3) encodes byte-exact', () => {
  // §5.2: Config 0b110 → dword 0 = 0xd. Dword 2: S2VMID [143:128] = 3; S2T0SZ [165:160] = 64 - 40 = 24;
  // S2SL0 [167:166] = 0b01 (4K: start level 1); S2IR0/S2OR0 = 0b01 (WBWA); S2SH0 = 0b11 (Inner);
  // S2TG 0b00 (4KB); S2PS [178:176] = 0b100 (44 bits); S2AA64 179; S2PTW 182; S2R 186.
  // Dword 3: S2TTB [247:196] = the table's address bits [51:4] in place.
  const s2: SteFields = {
    ...stage1,
    config: 's2',
    s1ContextPtr: 0n,
    s1CdMax: 0,
    s1Dss: 'terminate',
    s2: { vmid: 3, t0sz: 24, sl0: 1, ir0: 1, or0: 1, sh0: 3, tg: 0, ps: 0b100, aa64: true, affd: false, ptw: true, stall: false, record: true, ttb: 0x1_2345_6000n },
  };
  const dwords = encodeSte(s2);
  assert.deepEqual(dwords, [0xdn, 0n, 0x044c_3558_0000_0003n, 0x1_2345_6000n, 0n, 0n, 0n, 0n]);
  assert.deepEqual(decodeSte(dwords), s2);
  // S2S is bit 185: dword 2 bit 57 (a master that can stall).
  assert.equal(encodeSte({ ...s2, s2: { ...s2.s2, stall: true } })[2], 0x064c_3558_0000_0003n);
});

test('a nested STE is Config 0b111 with MEV (bit 83) and both stages\' fields', () => {
  const nested: SteFields = { ...stage1, config: 'nested', mev: true, s2: { ...NO_STAGE2, vmid: 1, aa64: true, ttb: 0x8000_0000n } };
  const dwords = encodeSte(nested);
  assert.equal(dwords[0], 0x1800_0000_4000_100fn); // Config 0b111 << 1 | V
  assert.equal(dwords[1], 0x8_0002n); // MEV: dword 1 bit 19; S1DSS 0b10
  assert.deepEqual(decodeSte(dwords), nested);
  const byName = new Map(describeSte(dwords).map((f) => [f.name, f]));
  assert.equal(byName.get('Config')?.meaning, 'nested: stage 1 translates to an IPA, stage 2 translates it and every CD and stage 1 table fetch');
  assert.equal(byName.get('S2TTB')?.meaning, 'stage 2 table at 0x80000000');
  assert.equal(byName.get('S2VMID')?.meaning, 'VMID 1: its translations are tagged with it');
});

test('stage 2 fields are listed only where stage 2 translates (§5.2: IGNORED when it bypasses); malformed input is refused', () => {
  assert.deepEqual(describeSte(encodeSte(stage1)).map((f) => f.name), ['V', 'Config', 'S1Fmt', 'S1ContextPtr', 'S1CDMax', 'S1DSS', 'S1STALLD', 'EATS', 'STRW']);
  assert.throws(() => encodeSte({ ...stage1, s2: { ...NO_STAGE2, ttb: 0x1008n } }), RangeError);
  assert.throws(() => decodeSte([0n, 0n]), RangeError);
  assert.throws(() => encodeSte({ ...stage1, s1ContextPtr: 0x4000_1010n }), RangeError);
  assert.throws(() => encodeSte({ ...stage1, s1CdMax: 32 }), RangeError);
  assert.throws(() => encodeSte({ ...stage1, s1ContextPtr: 1n << 56n }), RangeError);
});

test('describeSte names every field with the spec bit numbers', () => {
  const fields = describeSte(encodeSte({ ...stage1, config: 'nested' }));
  assert.deepEqual(
    fields.slice(0, 9).map((f) => [f.name, f.bits, f.value]),
    [
      ['V', '0', 1n],
      ['Config', '[3:1]', 7n],
      ['S1Fmt', '[5:4]', 0n],
      ['S1ContextPtr', '[55:6]', 0x100_0040n],
      ['S1CDMax', '[63:59]', 3n],
      ['S1DSS', '[65:64]', 2n],
      ['S1STALLD', '91', 0n],
      ['EATS', '[93:92]', 0n],
      ['STRW', '[95:94]', 0n],
    ],
  );
  assert.deepEqual(
    fields.slice(9).map((f) => [f.name, f.bits]),
    [
      ['MEV', '83'],
      ['S2VMID', '[143:128]'],
      ['S2T0SZ', '[165:160]'],
      ['S2SL0', '[167:166]'],
      ['S2IR0', '[169:168]'],
      ['S2OR0', '[171:170]'],
      ['S2SH0', '[173:172]'],
      ['S2TG', '[175:174]'],
      ['S2PS', '[178:176]'],
      ['S2AA64', '179'],
      ['S2AFFD', '181'],
      ['S2PTW', '182'],
      ['S2S', '185'],
      ['S2R', '186'],
      ['S2TTB', '[247:196]'],
    ],
  );
  assert.equal(describeSte(encodeSte(stage1))[1]?.meaning, 'stage 1 translates, stage 2 bypassed');
  assert.equal(fields[3].meaning, 'CD table at 0x40001000');
  assert.equal(fields[4].meaning, '8 CDs: SSIDs 0–7');
  assert.match(fields[5].meaning, /^ssid0: traffic without an SSID uses CD 0/);
});

test('describeSte marks stage 1 fields ignored when stage 1 is bypassed, and a misaligned CD table', () => {
  const bypass = describeSte(encodeSte({ ...stage1, config: 'bypass' }));
  assert.equal(bypass[3].meaning, 'ignored (stage 1 not translating)');
  const misaligned = describeSte(encodeSte({ ...stage1, s1ContextPtr: 0x4000_1040n }));
  assert.equal(misaligned[3].meaning, 'CD table at 0x40001040, misaligned: a 512-byte table must be aligned to its size');
});

const steFields: fc.Arbitrary<SteFields> = fc.record({
  valid: fc.boolean(),
  config: fc.constantFrom('abort' as const, 'bypass' as const, 's1' as const, 's2' as const, 'nested' as const),
  s1Fmt: fc.integer({ min: 0, max: 3 }),
  s1ContextPtr: fc.bigInt({ min: 0n, max: (1n << 50n) - 1n }).map((v) => v << 6n),
  s1CdMax: fc.integer({ min: 0, max: 31 }),
  s1Dss: fc.constantFrom('terminate' as const, 'bypass' as const, 'ssid0' as const),
  s1Stalld: fc.boolean(),
  eats: fc.integer({ min: 0, max: 3 }),
  strw: fc.integer({ min: 0, max: 3 }),
  mev: fc.boolean(),
  s2: fc.record({
    vmid: fc.integer({ min: 0, max: 0xffff }),
    t0sz: fc.integer({ min: 0, max: 63 }),
    sl0: fc.integer({ min: 0, max: 3 }),
    ir0: fc.integer({ min: 0, max: 3 }),
    or0: fc.integer({ min: 0, max: 3 }),
    sh0: fc.integer({ min: 0, max: 3 }),
    tg: fc.integer({ min: 0, max: 3 }),
    ps: fc.integer({ min: 0, max: 7 }),
    aa64: fc.boolean(),
    affd: fc.boolean(),
    ptw: fc.boolean(),
    stall: fc.boolean(),
    record: fc.boolean(),
    ttb: fc.bigInt({ min: 0n, max: (1n << 52n) - 1n }).map((v) => v << 4n),
  }),
});

test('decodeSte(encodeSte(x)) is x', () => {
  // fc.record builds null-prototype objects; strict deepEqual compares prototypes.
  fc.assert(fc.property(steFields, (fields) => assert.deepEqual(decodeSte(encodeSte(fields)), { ...fields, s2: { ...fields.s2 } })));
});
