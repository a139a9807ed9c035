import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  decodeEvent,
  describeEvent,
  encodeEvent,
  EventName,
  EventRecord,
  eventBytes,
  eventFromBytes,
  EVT_ID,
  isTranslationFault,
} from '../../../emulator/smmu/v3/eventRecord';

/*
 * Event record vectors computed by hand from IHI 0070 §7.3: dword 0 ID [7:0], SSV 11,
 * SubstreamID [31:12], StreamID [63:32]; dword 1 STAG [15:0], Stall 31, PnU 33, InD 34,
 * RnW 35, S2 39, CLASS [41:40]; dword 2 InputAddr.
 */

const none = { sid: 0, ssv: false, ssid: 0, stag: 0, stall: false, pnu: false, ind: false, rnw: false, s2: false, class: 0, inputAddr: 0n };

const stallRead: EventRecord = {
  id: 'F_TRANSLATION',
  sid: 0x42,
  ssv: true,
  ssid: 5,
  stag: 0x1a,
  stall: true,
  pnu: false,
  ind: false,
  rnw: true,
  s2: false,
  class: 2,
  inputAddr: 0x7000_0000n,
};

test('an F_TRANSLATION stall record for SID 0x42, SSID 5, STAG 0x1a, read of 0x7000_0000', () => {
  // dword 0: 0x10 | SSV 0x800 | 5 << 12 | 0x42 << 32; dword 1: 0x1a | Stall 1 << 31 | RnW 1 << 35 | CLASS IN 2 << 40.
  const dwords = encodeEvent(stallRead);
  assert.deepEqual(dwords, [0x0000_0042_0000_5810n, 0x0000_0208_8000_001an, 0x0000_0000_7000_0000n, 0n]);
  assert.deepEqual(
    eventBytes(dwords),
    new Uint8Array([
      0x10, 0x58, 0x00, 0x00, 0x42, 0x00, 0x00, 0x00, // dword 0
      0x1a, 0x00, 0x00, 0x80, 0x08, 0x02, 0x00, 0x00, // dword 1
      0x00, 0x00, 0x00, 0x70, 0x00, 0x00, 0x00, 0x00, // dword 2
      0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // dword 3
    ]),
  );
  assert.deepEqual(decodeEvent(dwords), stallRead);
  assert.deepEqual(eventFromBytes(eventBytes(dwords)), dwords);
});

test('PnU is bit 97, InD 98, S2 103 (dword 1 bits 33, 34, 39)', () => {
  const dwords = encodeEvent({ ...stallRead, id: 'F_PERMISSION', pnu: true, ind: true, s2: true, class: 1 });
  assert.equal(dwords[0], 0x0000_0042_0000_5813n);
  assert.equal(dwords[1], 0x0000_018e_8000_001an);
});

test('configuration errors carry only StreamID, SSV and SubstreamID', () => {
  const noise = { stag: 0x1a, stall: true, pnu: true, ind: true, rnw: true, s2: true, class: 2, inputAddr: 0x7000_0000n };
  assert.deepEqual(encodeEvent({ ...none, ...noise, id: 'C_BAD_STE', sid: 0x42, ssv: true, ssid: 5 }), [0x0000_0042_0000_5804n, 0n, 0n, 0n]);
  assert.deepEqual(encodeEvent({ ...none, id: 'C_BAD_STREAMID', sid: 0x1_0000 }), [0x0001_0000_0000_0002n, 0n, 0n, 0n]);
  assert.deepEqual(encodeEvent({ ...none, id: 'C_BAD_CD', sid: 7, ssv: true, ssid: 0xfffff }), [0x0000_0007_ffff_f80an, 0n, 0n, 0n]);
  assert.deepEqual(decodeEvent([0x0000_0042_0000_5804n, 0xffn, 0x7000_0000n, 0n]), { ...none, id: 'C_BAD_STE', sid: 0x42, ssv: true, ssid: 5 });
});

test('C_BAD_SUBSTREAMID has no SSV bit: its SubstreamID is always valid', () => {
  const dwords = encodeEvent({ ...none, id: 'C_BAD_SUBSTREAMID', sid: 1, ssv: false, ssid: 7 });
  assert.deepEqual(dwords, [0x0000_0001_0000_7008n, 0n, 0n, 0n]);
  assert.equal(decodeEvent(dwords).ssv, true);
});

test('F_STREAM_DISABLED carries the StreamID alone', () => {
  assert.deepEqual(encodeEvent({ ...none, id: 'F_STREAM_DISABLED', sid: 3, ssv: true, ssid: 4 }), [0x0000_0003_0000_0006n, 0n, 0n, 0n]);
  assert.deepEqual(decodeEvent([0x0000_0003_0000_5806n, 0n, 0n, 0n]), { ...none, id: 'F_STREAM_DISABLED', sid: 3 });
});

test('E_PAGE_REQUEST keeps InputAddr[63:12]', () => {
  const dwords = encodeEvent({ ...none, id: 'E_PAGE_REQUEST', sid: 2, ssv: true, ssid: 9, inputAddr: 0x1234_5678n });
  assert.deepEqual(dwords, [0x0000_0002_0000_9824n, 0n, 0x1234_5000n, 0n]);
  assert.equal(decodeEvent(dwords).inputAddr, 0x1234_5000n);
});

test('unknown IDs and malformed records are refused', () => {
  assert.throws(() => decodeEvent([0x0000_0042_0000_0003n, 0n, 0n, 0n]), { name: 'RangeError', message: 'unknown event ID 0x3' });
  assert.throws(() => decodeEvent([0n, 0n, 0n]), RangeError);
  assert.throws(() => eventFromBytes(new Uint8Array(16)), RangeError);
  assert.throws(() => encodeEvent({ ...stallRead, stag: 0x1_0000 }), RangeError);
  assert.throws(() => encodeEvent({ ...stallRead, class: 4 }), RangeError);
});

test('describeEvent gives every field of a translation fault with the spec bit numbers', () => {
  const fields = describeEvent(encodeEvent(stallRead));
  assert.deepEqual(
    fields.map((f) => [f.name, f.bits, f.value]),
    [
      ['ID', '[7:0]', 0x10n],
      ['SSV', '11', 1n],
      ['SubstreamID', '[31:12]', 5n],
      ['StreamID', '[63:32]', 0x42n],
      ['STAG', '[79:64]', 0x1an],
      ['Stall', '95', 1n],
      ['PnU', '97', 0n],
      ['InD', '98', 0n],
      ['RnW', '99', 1n],
      ['S2', '103', 0n],
      ['CLASS', '[105:104]', 2n],
      ['InputAddr', '[191:128]', 0x7000_0000n],
      ['dword 3 (IPA)', '[255:192]', 0n],
    ],
  );
  assert.equal(fields[0].meaning, 'F_TRANSLATION: translation fault');
  assert.equal(fields[5].meaning, 'stalled: awaits CMD_RESUME or CMD_STALL_TERM');
  assert.equal(fields[8].meaning, 'read');
  assert.equal(fields[10].meaning, 'IN: the input address');
});

test('describeEvent names events the emulator never writes', () => {
  const fields = describeEvent([0x0000_0042_0000_0003n, 1n, 2n, 3n]);
  assert.deepEqual(
    fields.map((f) => [f.name, f.value, f.meaning]),
    [
      ['ID', 3n, 'F_STE_FETCH: external abort fetching the STE'],
      ['StreamID', 0x42n, 'SID 0x42'],
      ['dword 1', 1n, 'not decoded: an event the emulator does not raise'],
      ['dword 2', 2n, 'not decoded: an event the emulator does not raise'],
      ['dword 3', 3n, 'not decoded: an event the emulator does not raise'],
    ],
  );
  assert.deepEqual(
    describeEvent(encodeEvent({ ...none, id: 'C_BAD_SUBSTREAMID', sid: 1, ssid: 7 })).map((f) => f.name),
    ['ID', 'SubstreamID', 'StreamID'],
  );
});

/** A record as decodeEvent returns it: only the fields its type has, the others 0. */
const u = (bits: number) => fc.integer({ min: 0, max: 2 ** bits - 1 });
const record: fc.Arbitrary<EventRecord> = fc
  .record({
    id: fc.constantFrom(...(Object.keys(EVT_ID) as EventName[])),
    sid: u(32),
    ssv: fc.boolean(),
    ssid: u(20),
    stag: u(16),
    stall: fc.boolean(),
    pnu: fc.boolean(),
    ind: fc.boolean(),
    rnw: fc.boolean(),
    s2: fc.boolean(),
    class: u(2),
    inputAddr: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
    // IPA [51:12] (dword 3 of a stage-2 fault, §7.3.13).
    ipa: fc.bigInt({ min: 0n, max: (1n << 40n) - 1n }).map((page) => page << 12n),
  })
  .map((r): EventRecord => {
    if (isTranslationFault(r.id)) {
      const { ipa, ...fault } = r;
      return r.s2 ? { ...fault, ipa } : fault;
    }
    const base = { ...none, id: r.id, sid: r.sid, ssv: r.ssv, ssid: r.ssid };
    if (r.id === 'F_STREAM_DISABLED') return { ...none, id: r.id, sid: r.sid };
    if (r.id === 'C_BAD_SUBSTREAMID') return { ...base, ssv: true };
    if (r.id === 'E_PAGE_REQUEST') return { ...base, inputAddr: r.inputAddr & ~0xfffn };
    return base;
  });

test('decodeEvent(encodeEvent(x)) is x, and the bytes round-trip', () => {
  // fc.record builds null-prototype objects; strict deepEqual compares prototypes.
  fc.assert(
    fc.property(record, (r) => {
      const dwords = encodeEvent(r);
      assert.deepEqual(decodeEvent(dwords), { ...r });
      assert.deepEqual(eventFromBytes(eventBytes(dwords)), dwords);
    }),
  );
});

test('a stage-2 fault carries its IPA in dword 3 bits [51:12] (§7.3.13); a stage-1 fault leaves dword 3 zero', () => {
  const fault: EventRecord = { ...none, id: 'F_TRANSLATION', sid: 0x10, s2: true, class: 1, rnw: true, inputAddr: 0x1000n, ipa: 0x4000_4000n };
  assert.deepEqual(encodeEvent(fault), [0x0000_0010_0000_0010n, 0x0000_0188_0000_0000n, 0x1000n, 0x4000_4000n]);
  assert.equal(encodeEvent({ ...fault, s2: false, ipa: undefined })[3], 0n);
});
