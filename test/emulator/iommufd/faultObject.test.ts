import assert from 'node:assert/strict';
import { test } from 'node:test';
import { answerAllInvalid, iommufdFaultIopfHandler, IopfGroup, newFaultObject, readFaultFile, writeFaultFile } from '../../../emulator/kernel/iommufd/faultObject';
import { decodePgfault, encodePageResponse } from '../../../emulator/kernel/iommufd/faultRecords';

/**
 * drivers/iommu/iommufd/eventq.c (fault.c before 6.15): iommufd_fault_iopf_handler queues,
 * iommufd_fault_fops_read gives each group a cookie from the XA_FLAGS_ALLOC1 xarray (lowest
 * free index ≥ 1) as it reads it, iommufd_fault_fops_write finds the group by cookie.
 */

/** A stall as arm_smmu_handle_event reports it: one fault, LAST_PAGE, grpid = STAG. */
function stall(devId: number, stag: number, addr: bigint): IopfGroup {
  return { devId, cookie: 0, faults: [{ flags: 2, pasid: 0, grpid: stag, perm: 1, addr }] };
}

function records(bytes: Uint8Array): { cookie: number; grpid: number; addr: bigint; dev_id: number; flags: number }[] {
  const out = [];
  for (let at = 0; at < bytes.length; at += 40) {
    const r = decodePgfault(bytes.subarray(at, at + 40));
    out.push({ cookie: r.cookie, grpid: r.grpid, addr: r.addr, dev_id: r.dev_id, flags: r.flags });
  }
  return out;
}

test('read gives each group its cookie, 1 then 2, one pgfault per fault with the device object ID and length 0', () => {
  const fault = newFaultObject();
  iommufdFaultIopfHandler(fault, stall(7, 0x10, 0x1000n));
  iommufdFaultIopfHandler(fault, stall(7, 0x11, 0x2000n));
  assert.deepEqual(fault.deliver.map((g) => g.cookie), [0, 0], 'no cookie while queued');
  const read = readFaultFile(fault, 4 * 40);
  assert.equal(read.result, 80);
  assert.deepEqual(records(read.bytes), [
    { cookie: 1, grpid: 0x10, addr: 0x1000n, dev_id: 7, flags: 2 },
    { cookie: 2, grpid: 0x11, addr: 0x2000n, dev_id: 7, flags: 2 },
  ]);
  assert.equal(decodePgfault(read.bytes.subarray(0, 40)).length, 0);
  assert.deepEqual(fault.deliver, []);
  assert.deepEqual(fault.response.map((g) => g.cookie), [1, 2]);
});

test('a response finds its group by cookie; the freed cookie is the next group\'s (xa_alloc takes the lowest free)', () => {
  const fault = newFaultObject();
  iommufdFaultIopfHandler(fault, stall(7, 0x10, 0x1000n));
  iommufdFaultIopfHandler(fault, stall(7, 0x11, 0x2000n));
  readFaultFile(fault, 80);
  const written = writeFaultFile(fault, encodePageResponse({ cookie: 1, code: 0 }));
  assert.equal(written.result, 8);
  assert.deepEqual(written.answered.map((a) => [a.group.faults[0].grpid, a.code]), [[0x10, 0]]);
  assert.deepEqual(fault.response.map((g) => g.cookie), [2]);
  iommufdFaultIopfHandler(fault, stall(7, 0x12, 0x3000n));
  assert.deepEqual(records(readFaultFile(fault, 40).bytes).map((r) => [r.cookie, r.grpid]), [[1, 0x12]]);
  assert.deepEqual(fault.response.map((g) => [g.cookie, g.faults[0].grpid]), [[1, 0x12], [2, 0x11]]);
});

test('a group that does not fit the read stays queued; a count not a whole number of records is -ESPIPE', () => {
  const fault = newFaultObject();
  const two: IopfGroup = { devId: 1, cookie: 0, faults: [{ flags: 0, pasid: 0, grpid: 3, perm: 1, addr: 0x1000n }, { flags: 2, pasid: 0, grpid: 3, perm: 1, addr: 0x2000n }] };
  iommufdFaultIopfHandler(fault, two);
  assert.deepEqual({ result: readFaultFile(fault, 40).result, queued: fault.deliver.length }, { result: 0, queued: 1 });
  assert.equal(readFaultFile(fault, 50).result, -29);
  const read = readFaultFile(fault, 80);
  assert.deepEqual(records(read.bytes).map((r) => [r.cookie, r.flags, r.addr]), [[1, 0, 0x1000n], [1, 2, 0x2000n]], 'every fault of a group carries its cookie; the last has LAST_PAGE');
});

test('an unknown cookie is -EINVAL; a later bad record stops the write after the good ones, which stay answered', () => {
  const fault = newFaultObject();
  iommufdFaultIopfHandler(fault, stall(7, 0x10, 0x1000n));
  readFaultFile(fault, 40);
  assert.deepEqual(writeFaultFile(fault, encodePageResponse({ cookie: 9, code: 0 })), { result: -22, answered: [] });
  assert.deepEqual(writeFaultFile(fault, encodePageResponse({ cookie: 1, code: 2 })), { result: -22, answered: [] }, 'FAILURE is not a code the fault fd takes');
  const both = new Uint8Array([...encodePageResponse({ cookie: 1, code: 1 }), ...encodePageResponse({ cookie: 1, code: 1 })]);
  const written = writeFaultFile(fault, both);
  assert.equal(written.result, 8, 'the second record names a cookie already answered');
  assert.deepEqual(written.answered.map((a) => a.code), [1]);
  assert.equal(writeFaultFile(fault, new Uint8Array(12)).result, -29);
});

test('destroying the fault object answers every group INVALID: queued ones, then read ones by cookie', () => {
  const fault = newFaultObject();
  iommufdFaultIopfHandler(fault, stall(7, 0x10, 0x1000n));
  readFaultFile(fault, 40);
  iommufdFaultIopfHandler(fault, stall(7, 0x11, 0x2000n));
  assert.deepEqual(answerAllInvalid(fault).map((a) => [a.group.faults[0].grpid, a.code]), [[0x11, 1], [0x10, 1]]);
  assert.deepEqual(fault, { deliver: [], response: [] });
});
