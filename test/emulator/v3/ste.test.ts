import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { decodeSte, describeSte, encodeSte, SteFields } from '../../../emulator/smmu/v3/ste';

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

test('stage 2 configurations decode as such (the SMMU finds them ILLEGAL); writing one and malformed input are refused', () => {
  assert.equal(decodeSte([0b1101n, 0n, 0n, 0n, 0n, 0n, 0n, 0n]).config, 'stage2'); // Config 0b110
  assert.equal(decodeSte([0b1111n, 0n, 0n, 0n, 0n, 0n, 0n, 0n]).config, 'stage2'); // Config 0b111
  assert.throws(() => encodeSte({ ...stage1, config: 'stage2' }), RangeError);
  assert.throws(() => decodeSte([0n, 0n]), RangeError);
  assert.throws(() => encodeSte({ ...stage1, s1ContextPtr: 0x4000_1010n }), RangeError);
  assert.throws(() => encodeSte({ ...stage1, s1CdMax: 32 }), RangeError);
  assert.throws(() => encodeSte({ ...stage1, s1ContextPtr: 1n << 56n }), RangeError);
});

test('describeSte names every field with the spec bit numbers', () => {
  const fields = describeSte(encodeSte(stage1));
  assert.deepEqual(
    fields.map((f) => [f.name, f.bits, f.value]),
    [
      ['V', '0', 1n],
      ['Config', '[3:1]', 5n],
      ['S1Fmt', '[5:4]', 0n],
      ['S1ContextPtr', '[55:6]', 0x100_0040n],
      ['S1CDMax', '[63:59]', 3n],
      ['S1DSS', '[65:64]', 2n],
      ['S1STALLD', '91', 0n],
      ['EATS', '[93:92]', 0n],
      ['STRW', '[95:94]', 0n],
    ],
  );
  assert.equal(fields[1].meaning, 'stage 1 translates, stage 2 bypassed');
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
  config: fc.constantFrom('abort' as const, 'bypass' as const, 's1' as const),
  s1Fmt: fc.integer({ min: 0, max: 3 }),
  s1ContextPtr: fc.bigInt({ min: 0n, max: (1n << 50n) - 1n }).map((v) => v << 6n),
  s1CdMax: fc.integer({ min: 0, max: 31 }),
  s1Dss: fc.constantFrom('terminate' as const, 'bypass' as const, 'ssid0' as const),
  s1Stalld: fc.boolean(),
  eats: fc.integer({ min: 0, max: 3 }),
  strw: fc.integer({ min: 0, max: 3 }),
});

test('decodeSte(encodeSte(x)) is x', () => {
  // fc.record builds null-prototype objects; strict deepEqual compares prototypes.
  fc.assert(fc.property(steFields, (fields) => assert.deepEqual(decodeSte(encodeSte(fields)), { ...fields })));
});
