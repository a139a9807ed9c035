import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  Command,
  decodeCommand,
  describeCommand,
  encodeCommand,
  LINUX_PAGE_RESPONSE,
  PRG_RESPONSE_CODE,
  PRI_RESP_CODE,
  resumeActionOf,
} from '../../../emulator/smmu/v3/commands';

/*
 * Command vectors computed by hand (IHI 0070 chapter 4): opcode [7:0], SSV 11,
 * SubstreamID [31:12], StreamID [63:32]; CMD_RESUME Ac 12, Ab 13, STAG dword 1 [15:0];
 * CMD_PRI_RESP PRGIndex dword 1 [8:0], Resp dword 1 [13:12]; CMD_SYNC CS [13:12].
 */

test('CMD_RESUME for SID 0x42, STAG 0x1a: retry, terminate, abort', () => {
  assert.deepEqual(encodeCommand({ op: 'CMD_RESUME', sid: 0x42, stag: 0x1a, action: 'retry' }), [0x0000_0042_0000_1044n, 0x1an]);
  assert.deepEqual(encodeCommand({ op: 'CMD_RESUME', sid: 0x42, stag: 0x1a, action: 'terminate' }), [0x0000_0042_0000_0044n, 0x1an]);
  assert.deepEqual(encodeCommand({ op: 'CMD_RESUME', sid: 0x42, stag: 0x1a, action: 'abort' }), [0x0000_0042_0000_2044n, 0x1an]);
});

test('CMD_RESUME with Ac = 1 retries whatever Ab says', () => {
  assert.deepEqual(decodeCommand([0x0000_0042_0000_3044n, 0x1an]), { op: 'CMD_RESUME', sid: 0x42, stag: 0x1a, action: 'retry' });
});

test('CMD_STALL_TERM and CMD_SYNC', () => {
  assert.deepEqual(encodeCommand({ op: 'CMD_STALL_TERM', sid: 0x42 }), [0x0000_0042_0000_0045n, 0n]);
  assert.deepEqual(encodeCommand({ op: 'CMD_SYNC', cs: 'none' }), [0x46n, 0n]);
  assert.deepEqual(encodeCommand({ op: 'CMD_SYNC', cs: 'irq' }), [0x1046n, 0n]);
  assert.deepEqual(encodeCommand({ op: 'CMD_SYNC', cs: 'sev' }), [0x2046n, 0n]);
});

test('CMD_PRI_RESP for SID 1, SSID 5, PRG 0x1ff', () => {
  const base = { op: 'CMD_PRI_RESP' as const, sid: 1, ssv: true, ssid: 5, prgi: 0x1ff };
  // dword 0: 0x41 | SSV 0x800 | 5 << 12 | 1 << 32; dword 1: 0x1ff | Resp << 12.
  assert.deepEqual(encodeCommand({ ...base, response: 'success' }), [0x0000_0001_0000_5841n, 0x21ffn]);
  assert.deepEqual(encodeCommand({ ...base, response: 'invalid' }), [0x0000_0001_0000_5841n, 0x11ffn]);
  assert.deepEqual(encodeCommand({ ...base, response: 'failure' }), [0x0000_0001_0000_5841n, 0x01ffn]);
});

test('response codes: hardware Resp, PCIe ResponseCode and Linux enum', () => {
  assert.deepEqual(PRI_RESP_CODE, { success: 0b10, invalid: 0b01, failure: 0b00 });
  assert.deepEqual(PRG_RESPONSE_CODE, { success: 0b0000, invalid: 0b0001, failure: 0b1111 });
  assert.deepEqual(LINUX_PAGE_RESPONSE, { success: 0, invalid: 1, failure: 2 });
  assert.equal(resumeActionOf('success'), 'retry');
  assert.equal(resumeActionOf('invalid'), 'abort');
  assert.equal(resumeActionOf('failure'), 'abort');
});

test('unknown opcodes and ILLEGAL encodings are refused', () => {
  assert.throws(() => decodeCommand([0x03n, 0n]), { name: 'RangeError', message: 'unknown command opcode 0x3' });
  assert.throws(() => decodeCommand([0x0000_0001_0000_0041n, 0x3000n]), RangeError); // Resp 0b11
  assert.throws(() => decodeCommand([0x3046n, 0n]), RangeError); // CS 0b11
  assert.throws(() => decodeCommand([0x44n]), RangeError);
  assert.throws(() => encodeCommand({ op: 'CMD_RESUME', sid: 0x42, stag: 0x1_0000, action: 'retry' }), RangeError);
});

test('describeCommand shows Ac and Ab separately, and names commands it does not model', () => {
  const resume = describeCommand(encodeCommand({ op: 'CMD_RESUME', sid: 0x42, stag: 0x1a, action: 'abort' }));
  assert.deepEqual(
    resume.map((f) => [f.name, f.bits, f.value, f.meaning]),
    [
      ['Opcode', '[7:0]', 0x44n, 'CMD_RESUME'],
      ['SSec', '10', 0n, 'Non-secure StreamID'],
      ['Ac', '12', 0n, 'Terminate'],
      ['Ab', '13', 1n, 'terminate with an abort'],
      ['StreamID', '[63:32]', 0x42n, 'SID 0x42'],
      ['STAG', '[79:64]', 0x1an, 'the stall tag from the event record'],
    ],
  );
  const pri = describeCommand(encodeCommand({ op: 'CMD_PRI_RESP', sid: 1, ssv: true, ssid: 5, prgi: 0x1ff, response: 'success' }));
  assert.deepEqual(pri.map((f) => [f.name, f.bits]), [['Opcode', '[7:0]'], ['SSV', '11'], ['SubstreamID', '[31:12]'], ['StreamID', '[63:32]'], ['PRGIndex', '[72:64]'], ['Resp', '[77:76]']]);
  assert.match(pri[5].meaning, /^Success: .*PRG ResponseCode 0b0000; Linux IOMMU_PAGE_RESP_SUCCESS 0/);
  assert.deepEqual(describeCommand([0x0001_0000_0000_0010n, 0n]).map((f) => [f.name, f.meaning]), [['Opcode', 'CMD_TLBI_NH_ALL']]);
  assert.deepEqual(describeCommand([0x08n, 0n]).map((f) => f.meaning), ['reserved: CERROR_ILL']);
});

const u = (bits: number) => fc.integer({ min: 0, max: 2 ** bits - 1 });
const command: fc.Arbitrary<Command> = fc.oneof(
  fc.record({ op: fc.constant('CMD_RESUME' as const), sid: u(32), stag: u(16), action: fc.constantFrom('retry' as const, 'terminate' as const, 'abort' as const) }),
  fc.record({ op: fc.constant('CMD_STALL_TERM' as const), sid: u(32) }),
  fc.record({
    op: fc.constant('CMD_PRI_RESP' as const),
    sid: u(32),
    ssv: fc.boolean(),
    ssid: u(20),
    prgi: u(9),
    response: fc.constantFrom('success' as const, 'invalid' as const, 'failure' as const),
  }),
  fc.record({ op: fc.constant('CMD_SYNC' as const), cs: fc.constantFrom('none' as const, 'irq' as const, 'sev' as const) }),
);

test('decodeCommand(encodeCommand(x)) is x', () => {
  // fc.record builds null-prototype objects; strict deepEqual compares prototypes.
  fc.assert(fc.property(command, (c) => assert.deepEqual(decodeCommand(encodeCommand(c)), { ...c })));
});
