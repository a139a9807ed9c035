import assert from 'node:assert/strict';
import { test } from 'node:test';
import { alternateHex, eventLogLines } from '../../../emulator/kernel/smmuV3EventLog';
import { hasChange } from '../../../emulator/kernel/versions';
import { kernelLines } from '../helpers/kernelLog';
import { runScenario } from '../helpers/scenario';

/*
 * What arm_smmu_evtq_thread prints for a record it does not handle: up to 6.13 the raw dump
 * at KERN_INFO; from 6.14 (43ca55f5555b, d814b70b9b90) the dump at KERN_ERR, then the
 * decoded lines of arm_smmu_dump_event.
 */

/** F_TRANSLATION, StreamID 0x11, stalled with STAG 0x1: RnW=1, CLASS=IN (2); InputAddr 0x2000000. */
const stalled = [0x0000_0011_0000_0010n, 0x0000_0208_8000_0001n, 0x0200_0000n, 0n];

test('the boundary is 6.14: 6.12 dumps raw, 7.1 decodes', () => {
  assert.equal(hasChange('6.12', 'smmuV3DecodedEvents'), false);
  assert.equal(hasChange('7.1', 'smmuV3DecodedEvents'), true);
});

test('6.12: "event 0x%02x received:" and each dword as \\t0x%016llx, at KERN_INFO', () => {
  assert.deepEqual(eventLogLines('6.12', stalled, 'cam'), [
    { level: 'info', text: 'event 0x10 received:' },
    { level: 'info', text: '\t0x0000001100000010' },
    { level: 'info', text: '\t0x0000020880000001' },
    { level: 'info', text: '\t0x0000000002000000' },
    { level: 'info', text: '\t0x0000000000000000' },
  ]);
});

test('7.1: the same dump at KERN_ERR, then the event, its client and the access', () => {
  assert.deepEqual(
    eventLogLines('7.1', stalled, 'cam').map((l) => `${l.level}: ${l.text}`),
    [
      'err: event 0x10 received:',
      'err: \t0x0000001100000010',
      'err: \t0x0000020880000001',
      'err: \t0x0000000002000000',
      'err: \t0x0000000000000000',
      'err: event: F_TRANSLATION client: cam sid: 0x11 ssid: 0 iova: 0x2000000 ipa: 0',
      'err: unpriv data read s1 "Input address caused fault" stall stag: 0x1',
    ],
  );
});

test("7.1's decoded lines by event: %#x prints 0 bare; no master is \"(unassigned sid)\"; fetches give fetch_addr; an ID event_str lacks is UNKNOWN", () => {
  const decoded = (dwords: bigint[], client: string | undefined) => eventLogLines('7.1', dwords, client).slice(5).map((l) => l.text);
  // C_BAD_STE of a StreamID no master has.
  assert.deepEqual(decoded([0x0000_0005_0000_0004n, 0n, 0n, 0n], undefined), ['event: C_BAD_STE client: (unassigned sid) sid: 0x5 ssid: 0']);
  // F_PERMISSION with SSV and SubstreamID 3, PnU, InD, a write, CLASS=TT and TT_READ: " ttd_read"; not stalled.
  assert.deepEqual(decoded([0x0000_0002_0000_3813n, 0x0000_1102_0000_0000n | (1n << 33n) | (1n << 34n), 0xdead_0000n, 0x0000_0000_1234_5000n], 'gpu'), [
    'event: F_PERMISSION client: gpu sid: 0x2 ssid: 0x3 iova: 0xdead0000 ipa: 0x12345000',
    'priv inst write s1 "Stage 1 translation table fetch" ttd_read stag: 0',
  ]);
  // F_CD_FETCH: the fetch address, bits [51:3] of dword 3.
  assert.deepEqual(decoded([0x0000_0001_0000_0009n, 0n, 0n, 0x0000_0000_4000_6008n], 'gpu'), ['event: F_CD_FETCH client: gpu sid: 0x1 ssid: 0 fetch_addr: 0x40006008']);
  // E_PAGE_REQUEST (0x24) is not in event_str[].
  assert.deepEqual(decoded([0x0000_0001_0000_0024n, 0n, 0n, 0n], 'nic'), ['event: UNKNOWN client: nic sid: 0x1 ssid: 0']);
  assert.deepEqual([alternateHex(0n), alternateHex(0x1fn)], ['0', '0x1f']);
});

function terminated(kernel: string): string {
  return `kernel ${kernel}
smmu s { version v3 }
domain d { map 0x0 -> 0x8000_0000 size 1M rw }
master dma { stream 0x7; domain d }
engine dma.copy { write 0x0200_0000 64 as bad }
`;
}

test('a run on 6.12 and on 7.1: the terminated write of master dma, as dmesg shows it under the SMMU', () => {
  const raw = ['\t0x0000000700000010', '\t0x0000020000000000', '\t0x0000000002000000', '\t0x0000000000000000'];
  assert.deepEqual(kernelLines(runScenario(terminated('6.12')).machine), [
    'info: arm-smmu-v3 15000000.iommu: event 0x10 received:',
    ...raw.map((l) => `info: arm-smmu-v3 15000000.iommu: ${l}`),
  ]);
  assert.deepEqual(kernelLines(runScenario(terminated('7.1')).machine), [
    'err: arm-smmu-v3 15000000.iommu: event 0x10 received:',
    ...raw.map((l) => `err: arm-smmu-v3 15000000.iommu: ${l}`),
    'err: arm-smmu-v3 15000000.iommu: event: F_TRANSLATION client: dma sid: 0x7 ssid: 0 iova: 0x2000000 ipa: 0',
    'err: arm-smmu-v3 15000000.iommu: unpriv data write s1 "Input address caused fault" stag: 0',
  ]);
});
