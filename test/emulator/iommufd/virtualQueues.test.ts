import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PhysicalMemory } from '../../../emulator/memory/physicalMemory';
import { encodeEvent, eventBytes } from '../../../emulator/smmu/v3/eventRecord';
import { describePointers } from '../../../emulator/smmu/v3/queue';
import { GuestMemory, guestIssueCommand, guestTakeEvent, injectEvent, injectWaitingStalls, newVirtualQueues, vmmFetchCommand } from '../../../emulator/kernel/iommufd/virtualQueues';

/**
 * The guest's virtual SMMUv3 queues (IHI 0070 §3.5.1 circular queues, §7.4 overflow) in guest
 * memory at IPAs: stage 2 maps the IPA page 0x4000_0000 to PA 0x8_1234_5000 and nothing else.
 */

const IPA_PAGE = 0x4000_0000n;
const PA_PAGE = 0x8_1234_5000n;

function guest(): GuestMemory {
  const memory = new PhysicalMemory();
  const translate = (ipa: bigint): bigint | undefined => (ipa >= IPA_PAGE && ipa < IPA_PAGE + 0x1000n ? PA_PAGE + (ipa - IPA_PAGE) : undefined);
  return { memory, translate };
}

/** An F_TRANSLATION of vSID 3: stalled with `stag`, or terminated (a vEVENT-style record). */
function record(stag: number, stall = true): bigint[] {
  return encodeEvent({ id: 'F_TRANSLATION', sid: 3, ssv: false, ssid: 0, stag: stall ? stag : 0, stall, pnu: false, ind: false, rnw: true, s2: false, class: 2, inputAddr: BigInt(stag) << 12n });
}

test('the VMM writes the record at the entry\'s IPA, translated: PA 0x8_1234_5000 + index × 32', () => {
  const g = guest();
  const q = newVirtualQueues({ ipa: 0x4000_0000, log2size: 1 }, { ipa: 0x4000_0800, log2size: 2 });
  assert.deepEqual(injectEvent(g, q, record(1)), { outcome: 'written', index: 0, ipa: 0x4000_0000n, pa: 0x8_1234_5000n });
  assert.deepEqual(injectEvent(g, q, record(2)), { outcome: 'written', index: 1, ipa: 0x4000_0020n, pa: 0x8_1234_5020n });
  assert.deepEqual(g.memory.readBytes(0x8_1234_5020, 32), eventBytes(record(2)));
  assert.equal(describePointers(q.eventq), 'PROD 0x00000002 (WR 0, wrap 1, OVFLG 0) · CONS 0x00000000 (RD 0, wrap 0, OVACKFLG 0)');
});

test('a full guest event queue: a terminated fault\'s record is discarded and EVENTQ_PROD.OVFLG toggles once per overflow (§7.4); after the guest consumes, the next wraps to entry 0', () => {
  const g = guest();
  const q = newVirtualQueues({ ipa: 0x4000_0000, log2size: 1 }, { ipa: 0x4000_0800, log2size: 2 });
  injectEvent(g, q, record(1, false));
  injectEvent(g, q, record(2, false));
  assert.deepEqual(injectEvent(g, q, record(3, false)), { outcome: 'overflow', toggled: true });
  assert.deepEqual(injectEvent(g, q, record(4, false)), { outcome: 'overflow', toggled: false });
  assert.equal(q.eventq.prod, 0x8000_0002);
  assert.equal(q.eventq.dropped, 2);
  assert.deepEqual(guestTakeEvent(g, q.eventq), { outcome: 'read', index: 0, dwords: record(1, false) });
  assert.deepEqual(injectEvent(g, q, record(5, false)), { outcome: 'written', index: 0, ipa: 0x4000_0000n, pa: 0x8_1234_5000n });
  assert.equal(describePointers(q.eventq), 'PROD 0x80000003 (WR 1, wrap 1, OVFLG 1) · CONS 0x00000001 (RD 1, wrap 0, OVACKFLG 0)');
});

test('a stall record meeting a full guest queue waits — no overflow (§7.4) — and goes in, in order, once the guest makes room', () => {
  const g = guest();
  const q = newVirtualQueues({ ipa: 0x4000_0000, log2size: 1 }, { ipa: 0x4000_0800, log2size: 2 });
  injectEvent(g, q, record(1));
  injectEvent(g, q, record(2));
  assert.deepEqual(injectEvent(g, q, record(3)), { outcome: 'waiting' });
  assert.deepEqual(injectEvent(g, q, record(4)), { outcome: 'waiting' });
  assert.deepEqual(injectEvent(g, q, record(5, false)), { outcome: 'overflow', toggled: true }, 'a terminated record does not wait');
  assert.equal(q.eventq.dropped, 1);
  guestTakeEvent(g, q.eventq);
  assert.deepEqual(injectWaitingStalls(g, q), [{ outcome: 'written', index: 0, ipa: 0x4000_0000n, pa: 0x8_1234_5000n }]);
  assert.deepEqual(q.waitingStalls, [record(4)]);
  assert.deepEqual(injectEvent(g, q, record(6)), { outcome: 'waiting' }, 'behind the one already waiting');
  assert.deepEqual(q.waitingStalls, [record(4), record(6)]);
});

test('an entry whose IPA stage 2 does not map: nothing written, PROD unchanged (the virtual SMMU\'s GERROR.EVENTQ_ABT_ERR, §13.1)', () => {
  const g = guest();
  const q = newVirtualQueues({ ipa: 0x5000_0000, log2size: 1 }, { ipa: 0x4000_0800, log2size: 2 });
  assert.deepEqual(injectEvent(g, q, record(1)), { outcome: 'abort', ipa: 0x5000_0000n });
  assert.equal(q.eventq.prod, 0);
  assert.equal(g.memory.writeCount, 0);
});

test('the guest writes CMD_RESUME into its command queue at an IPA; the VMM fetches it through stage 2 (§4.7.1 layout)', () => {
  const g = guest();
  const q = newVirtualQueues({ ipa: 0x4000_0000, log2size: 1 }, { ipa: 0x4000_0800, log2size: 2 });
  assert.deepEqual(guestIssueCommand(g, q.cmdq, { op: 'CMD_RESUME', sid: 3, stag: 0x1234, action: 'retry' }), { outcome: 'written', index: 0 });
  // dword 0: opcode 0x44 | Ac (bit 12) | StreamID << 32; dword 1: STAG.
  assert.deepEqual([...g.memory.readBytes(0x8_1234_5800, 16)], [0x44, 0x10, 0, 0, 0x03, 0, 0, 0, 0x34, 0x12, 0, 0, 0, 0, 0, 0]);
  assert.deepEqual(vmmFetchCommand(g, q.cmdq), {
    outcome: 'read',
    index: 0,
    dwords: [0x0000_0003_0000_1044n, 0x1234n],
    command: { op: 'CMD_RESUME', sid: 3, stag: 0x1234, action: 'retry' },
  });
  assert.deepEqual(vmmFetchCommand(g, q.cmdq), { outcome: 'empty' });
});

test('a command queue at an unmapped IPA: the guest\'s write and the VMM\'s fetch both abort (CERROR_ABT, §7.1)', () => {
  const g = guest();
  const q = newVirtualQueues({ ipa: 0x4000_0000, log2size: 1 }, { ipa: 0x6000_0000, log2size: 2 });
  assert.deepEqual(guestIssueCommand(g, q.cmdq, { op: 'CMD_STALL_TERM', sid: 3 }), { outcome: 'abort', ipa: 0x6000_0000n });
  q.cmdq.prod = 1; // as if the guest had moved PROD without a write landing
  assert.deepEqual(vmmFetchCommand(g, q.cmdq), { outcome: 'abort', ipa: 0x6000_0000n });
  assert.equal(q.cmdq.cons, 0);
});
