import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { decodePageRequest, describePageRequest, encodePageRequest, PageRequest } from '../../../emulator/smmu/v3/priEntry';

/*
 * PRI queue entries computed by hand (IHI 0070 chapter 8): dword 0 StreamID [31:0],
 * SubstreamID [51:32], Priv 58, X 59, R 60, W 61, Last 62, SSV 63; dword 1 PRGIndex [8:0],
 * page address [63:12].
 */

const lastRead: PageRequest = {
  sid: 1,
  ssv: true,
  ssid: 5,
  read: true,
  write: false,
  exec: false,
  priv: false,
  last: true,
  prgi: 0x1ff,
  addr: 0x7000_0000n,
};

test('the Last request of a group encodes byte-exact', () => {
  // dword 0: SID 1 | SSID 5 << 32 | R 1 << 60 | Last 1 << 62 | SSV 1 << 63.
  assert.deepEqual(encodePageRequest(lastRead), [0xd000_0005_0000_0001n, 0x0000_0000_7000_01ffn]);
  assert.deepEqual(decodePageRequest([0xd000_0005_0000_0001n, 0x0000_0000_7000_01ffn]), lastRead);
});

test('W, X and Priv are bits 61, 59 and 58', () => {
  const request = { ...lastRead, sid: 0xabcd, ssid: 0xfffff, read: false, write: true, exec: true, priv: true, last: false, prgi: 0, addr: 0xffff_ffff_ffff_f000n };
  assert.deepEqual(encodePageRequest(request), [0xac0f_ffff_0000_abcdn, 0xffff_ffff_ffff_f000n]);
});

test('requests the PCIe format cannot carry are refused', () => {
  assert.throws(() => encodePageRequest({ ...lastRead, addr: 0x7000_0010n }), RangeError);
  assert.throws(() => encodePageRequest({ ...lastRead, ssv: false, exec: true }), RangeError);
  assert.throws(() => encodePageRequest({ ...lastRead, ssv: false, priv: true }), RangeError);
  assert.throws(() => encodePageRequest({ ...lastRead, prgi: 0x200 }), RangeError);
  assert.throws(() => decodePageRequest([0n]), RangeError);
});

test('describePageRequest names the fields and spots a Stop PASID marker', () => {
  const fields = describePageRequest(encodePageRequest(lastRead));
  assert.deepEqual(
    fields.map((f) => [f.name, f.bits, f.value]),
    [
      ['StreamID', '[31:0]', 1n],
      ['SubstreamID', '[51:32]', 5n],
      ['Priv', '58', 0n],
      ['X', '59', 0n],
      ['R', '60', 1n],
      ['W', '61', 0n],
      ['Last', '62', 1n],
      ['SSV', '63', 1n],
      ['PRGIndex', '[72:64]', 0x1ffn],
      ['Page address', '[127:76]', 0x7_0000n],
    ],
  );
  assert.equal(fields[6].meaning, 'last request of its group: answer the group with CMD_PRI_RESP');
  const stop = describePageRequest(encodePageRequest({ ...lastRead, read: false }));
  assert.equal(stop[6].meaning, 'Stop PASID marker');
});

const request: fc.Arbitrary<PageRequest> = fc
  .record({
    sid: fc.integer({ min: 0, max: 0xffff_ffff }),
    ssv: fc.boolean(),
    ssid: fc.integer({ min: 0, max: 0xfffff }),
    read: fc.boolean(),
    write: fc.boolean(),
    exec: fc.boolean(),
    priv: fc.boolean(),
    last: fc.boolean(),
    prgi: fc.integer({ min: 0, max: 0x1ff }),
    addr: fc.bigInt({ min: 0n, max: (1n << 52n) - 1n }).map((page) => page << 12n),
  })
  .map((r) => (r.ssv ? r : { ...r, exec: false, priv: false }));

test('decodePageRequest(encodePageRequest(x)) is x', () => {
  // fc.record builds null-prototype objects; strict deepEqual compares prototypes.
  fc.assert(fc.property(request, (r) => assert.deepEqual(decodePageRequest(encodePageRequest(r)), { ...r })));
});
