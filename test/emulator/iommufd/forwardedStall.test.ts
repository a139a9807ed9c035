import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PhysicalMemory } from '../../../emulator/memory/physicalMemory';
import { decodeCommand, encodeCommand, resumeActionOf } from '../../../emulator/smmu/v3/commands';
import { decodeEvent, encodeEvent } from '../../../emulator/smmu/v3/eventRecord';
import { describeFaultObject, iommufdFaultIopfHandler, newFaultObject, readFaultFile, writeFaultFile } from '../../../emulator/kernel/iommufd/faultObject';
import { decodePgfault, encodePageResponse } from '../../../emulator/kernel/iommufd/faultRecords';
import { hostEventRoute, pageRequestOfStall } from '../../../emulator/kernel/iommufd/hostEventRoute';
import { guestIssueCommand, guestTakeEvent, injectEvent, newVirtualQueues, vmmFetchCommand } from '../../../emulator/kernel/iommufd/virtualQueues';
import { injectedEventFor, newVmmFaultState, rememberStall, responsesFor, vmmOwnResponse } from '../../../emulator/kernel/iommufd/vmm';

/**
 * One stalled stage-1 write of host StreamID 0x20 (vSID 0x3, iommufd device object 7) at IOVA
 * 0x1234_5000, SubstreamID 2, STAG 0x5: every hop of the forwarding path with the structure it
 * hands on, byte for byte. The guest's queues sit at IPA 0x4000_0000 (event queue, 4 entries)
 * and 0x4000_0800 (command queue), which stage 2 maps to PA 0x8_1234_5000.
 */
test('a forwarded stall: host record → pgfault → guest record → guest CMD_RESUME → page response → host CMD_RESUME', () => {
  const hostRecord = { id: 'F_TRANSLATION' as const, sid: 0x20, ssv: true, ssid: 2, stag: 0x5, stall: true, pnu: false, ind: false, rnw: false, s2: false, class: 2, inputAddr: 0x1234_5000n };
  // The host's record (IHI 0070 §7.3.13): dword 0 = 0x10 | SSV | 2 << 12 | 0x20 << 32;
  // dword 1 = STAG 5 | Stall (bit 31) | CLASS IN (2 << 40); RnW 0 (a write).
  assert.deepEqual(encodeEvent(hostRecord), [0x0000_0020_0000_2810n, 0x0000_0200_8000_0005n, 0x1234_5000n, 0n]);
  assert.equal(hostEventRoute('7.1', hostRecord, true), 'iopf');

  // arm_smmu_handle_event → iommu_report_device_fault → iommufd_fault_iopf_handler.
  const fault = newFaultObject();
  iommufdFaultIopfHandler(fault, { devId: 7, cookie: 0, faults: [pageRequestOfStall(hostRecord)] });
  assert.deepEqual(describeFaultObject(fault), ['deliver[0]: dev_id 7 grpid 0x5 addr 0x12345000 (1 fault)']);

  // The VMM's read(2): struct iommu_hwpt_pgfault, cookie 1.
  const read = readFaultFile(fault, 40);
  assert.deepEqual(
    [...read.bytes],
    [3, 0, 0, 0, 7, 0, 0, 0, 2, 0, 0, 0, 5, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x50, 0x34, 0x12, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0],
  );
  const pgfault = decodePgfault(read.bytes);

  // The VMM injects the stall into the guest's event queue at IPA 0x4000_0000.
  const memory = new PhysicalMemory();
  const guest = { memory, translate: (ipa: bigint) => (ipa >= 0x4000_0000n && ipa < 0x4000_1000n ? 0x8_1234_5000n + (ipa - 0x4000_0000n) : undefined) };
  const vq = newVirtualQueues({ ipa: 0x4000_0000, log2size: 2 }, { ipa: 0x4000_0800, log2size: 2 });
  const vmm = newVmmFaultState();
  const injected = encodeEvent(injectedEventFor(pgfault, 0x3));
  assert.deepEqual(injected, [0x0000_0003_0000_2810n, 0x0000_0200_8000_0005n, 0x1234_5000n, 0n], 'the host record with the vSID');
  assert.deepEqual(injectEvent(guest, vq, injected), { outcome: 'written', index: 0, ipa: 0x4000_0000n, pa: 0x8_1234_5000n });
  rememberStall(vmm, 0x3, pgfault);
  assert.deepEqual([...memory.readBytes(0x8_1234_5000, 16)], [0x10, 0x28, 0, 0, 0x03, 0, 0, 0, 0x05, 0, 0, 0x80, 0, 0x02, 0, 0]);

  // The guest's event queue thread reads it; its handler maps and answers SUCCESS: CMD_RESUME Retry.
  const taken = guestTakeEvent(guest, vq.eventq);
  assert.equal(taken.outcome, 'read');
  const guestRecord = decodeEvent(taken.outcome === 'read' ? taken.dwords : []);
  assert.deepEqual([guestRecord.sid, guestRecord.stag, guestRecord.ssid, guestRecord.inputAddr], [0x3, 0x5, 2, 0x1234_5000n]);
  guestIssueCommand(guest, vq.cmdq, { op: 'CMD_RESUME', sid: guestRecord.sid, stag: guestRecord.stag, action: resumeActionOf('success') });
  assert.deepEqual([...memory.readBytes(0x8_1234_5800, 16)], [0x44, 0x10, 0, 0, 0x03, 0, 0, 0, 0x05, 0, 0, 0, 0, 0, 0, 0]);

  // The VMM traps CMDQ_PROD, fetches the command and writes struct iommu_hwpt_page_response.
  const fetched = vmmFetchCommand(guest, vq.cmdq);
  assert.equal(fetched.outcome, 'read');
  const responses = responsesFor(vmm, fetched.outcome === 'read' ? fetched.command : { op: 'CMD_SYNC', cs: 'none' });
  assert.deepEqual(responses, [{ cookie: 1, code: 0 }]);
  const bytes = encodePageResponse(responses[0]);
  assert.deepEqual([...bytes], [1, 0, 0, 0, 0, 0, 0, 0]);
  const written = writeFaultFile(fault, bytes);
  assert.equal(written.result, 8);

  // iopf_group_response → arm_smmu_page_response: CMD_RESUME Retry to the host StreamID with STAG = grpid.
  const [answered] = written.answered;
  const hostResume = encodeCommand({ op: 'CMD_RESUME', sid: 0x20, stag: answered.group.faults[0].grpid, action: resumeActionOf(answered.code === 0 ? 'success' : 'invalid') });
  assert.deepEqual(hostResume, [0x0000_0020_0000_1044n, 0x5n]);
  assert.deepEqual(decodeCommand(hostResume), { op: 'CMD_RESUME', sid: 0x20, stag: 0x5, action: 'retry' });
  assert.deepEqual(fault, { deliver: [], response: [] });
});

test('a stall the VMM answers itself (a stage-2 fault reported to the fault queue): INVALID, and the host aborts it', () => {
  const fault = newFaultObject();
  iommufdFaultIopfHandler(fault, { devId: 7, cookie: 0, faults: [{ flags: 2, pasid: 0, grpid: 0x9, perm: 1, addr: 0x2000n }] });
  const pgfault = decodePgfault(readFaultFile(fault, 40).bytes);
  const written = writeFaultFile(fault, encodePageResponse(vmmOwnResponse(pgfault)));
  assert.deepEqual(written.answered.map((a) => [a.group.faults[0].grpid, a.code]), [[0x9, 1]]);
  assert.equal(resumeActionOf('invalid'), 'abort');
});
