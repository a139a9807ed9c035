import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeEvent } from '../../../emulator/smmu/v3/eventRecord';
import {
  decodeFaultAlloc,
  decodePageResponse,
  decodePgfault,
  describePageResponse,
  describePgfault,
  encodeFaultAlloc,
  encodePageResponse,
  encodePgfault,
  HwptPgfault,
} from '../../../emulator/kernel/iommufd/faultRecords';
import { IOMMUFD_CMD, iommufdIoctl } from '../../../emulator/kernel/iommufd/uapi';
import {
  decodeVeventqAlloc,
  describeVeventArmSmmuv3,
  describeVeventHeader,
  describeVeventqAlloc,
  encodeVeventArmSmmuv3,
  encodeVeventHeader,
  encodeVeventqAlloc,
} from '../../../emulator/kernel/iommufd/veventRecords';
import { vmasterEvent } from '../../../emulator/kernel/iommufd/hostEventRoute';

/**
 * include/uapi/linux/iommufd.h, as a 64-bit little-endian host lays the structures out: the
 * bytes are written by hand from the header's field order and types.
 */

const pgfault: HwptPgfault = { flags: 3, dev_id: 1, pasid: 5, grpid: 0x1234, perm: 1, addr: 0x12_3456_7000n, length: 0, cookie: 1 };

test('struct iommu_hwpt_pgfault is 40 bytes: five __u32, the __reserved word at 20, addr at 24, length, cookie', () => {
  const bytes = encodePgfault(pgfault);
  assert.deepEqual(
    [...bytes],
    [
      0x03, 0, 0, 0, // flags: PASID_VALID | LAST_PAGE
      0x01, 0, 0, 0, // dev_id
      0x05, 0, 0, 0, // pasid
      0x34, 0x12, 0, 0, // grpid
      0x01, 0, 0, 0, // perm: R
      0, 0, 0, 0, // __reserved
      0x00, 0x70, 0x56, 0x34, 0x12, 0, 0, 0, // addr
      0, 0, 0, 0, // length
      0x01, 0, 0, 0, // cookie
    ],
  );
  assert.deepEqual(decodePgfault(bytes), pgfault);
  assert.deepEqual(describePgfault(bytes), [
    'flags @0: 0x00000003 (PASID_VALID|LAST_PAGE)',
    'dev_id @4: 0x00000001',
    'pasid @8: 0x00000005',
    'grpid @12: 0x00001234',
    'perm @16: 0x00000001 (R)',
    'addr @24: 0x0000001234567000',
    'length @32: 0x00000000',
    'cookie @36: 0x00000001',
  ]);
  const dirty = bytes.slice();
  dirty[20] = 0xff;
  assert.equal(describePgfault(dirty)[5], '__reserved @20: 0x000000ff (must be 0)');
});

test('struct iommu_hwpt_page_response is {cookie, code}: 8 bytes', () => {
  const bytes = encodePageResponse({ cookie: 7, code: 1 });
  assert.deepEqual([...bytes], [0x07, 0, 0, 0, 0x01, 0, 0, 0]);
  assert.deepEqual(decodePageResponse(bytes), { cookie: 7, code: 1 });
  assert.deepEqual(describePageResponse(bytes), ['cookie @0: 0x00000007', 'code @4: 0x00000001 (IOMMUFD_PAGE_RESP_INVALID)']);
  assert.deepEqual(describePageResponse(encodePageResponse({ cookie: 1, code: 5 })), ['cookie @0: 0x00000001', 'code @4: 0x00000005 (unknown)']);
});

test('struct iommu_fault_alloc: size, flags, out_fault_id, out_fault_fd', () => {
  const bytes = encodeFaultAlloc({ size: 16, flags: 0, out_fault_id: 4, out_fault_fd: 9 });
  assert.deepEqual([...bytes], [0x10, 0, 0, 0, 0, 0, 0, 0, 0x04, 0, 0, 0, 0x09, 0, 0, 0]);
  assert.deepEqual(decodeFaultAlloc(bytes), { size: 16, flags: 0, out_fault_id: 4, out_fault_fd: 9 });
});

test('struct iommufd_vevent_header: flags then sequence; LOST_EVENTS is bit 0', () => {
  const bytes = encodeVeventHeader({ flags: 1, sequence: 4 });
  assert.deepEqual([...bytes], [0x01, 0, 0, 0, 0x04, 0, 0, 0]);
  assert.deepEqual(describeVeventHeader(bytes), ['flags @0: 0x00000001 (LOST_EVENTS)', 'sequence @4: 0x00000004']);
});

test('struct iommu_veventq_alloc: 32 bytes, the __reserved word last', () => {
  const alloc = { size: 32, flags: 0, viommu_id: 3, type: 1, veventq_depth: 2, out_veventq_id: 5, out_veventq_fd: 11 };
  const bytes = encodeVeventqAlloc(alloc);
  assert.deepEqual(
    [...bytes],
    [0x20, 0, 0, 0, 0, 0, 0, 0, 0x03, 0, 0, 0, 0x01, 0, 0, 0, 0x02, 0, 0, 0, 0x05, 0, 0, 0, 0x0b, 0, 0, 0, 0, 0, 0, 0],
  );
  assert.deepEqual(decodeVeventqAlloc(bytes), alloc);
  assert.equal(describeVeventqAlloc(bytes)[3], 'type @12: 0x00000001 (IOMMU_VEVENTQ_TYPE_ARM_SMMUV3)');
});

test('struct iommu_vevent_arm_smmuv3: the record as four LE dwords, StreamID replaced by the vSID (arm_vmaster_report_event)', () => {
  // A terminated stage-1 read F_TRANSLATION of StreamID 0x20 at 0x1000 (IHI 0070 §7.3.13):
  // dword 0 = ID 0x10 | SID << 32; dword 1 = RnW (bit 99 → bit 35) | CLASS IN (2, bits 105:104 → 41:40).
  const host = encodeEvent({ id: 'F_TRANSLATION', sid: 0x20, ssv: false, ssid: 0, stag: 0, stall: false, pnu: false, ind: false, rnw: true, s2: false, class: 2, inputAddr: 0x1000n });
  const guest = vmasterEvent(host, 0x3);
  assert.deepEqual(guest, [0x0000_0003_0000_0010n, 0x0000_0208_0000_0000n, 0x1000n, 0n]);
  assert.deepEqual(host[0], 0x0000_0020_0000_0010n, 'the host record is left as it was');
  const bytes = encodeVeventArmSmmuv3(guest);
  assert.deepEqual(
    [...bytes],
    [0x10, 0, 0, 0, 0x03, 0, 0, 0, 0, 0, 0, 0, 0x08, 0x02, 0, 0, 0x00, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
  );
  assert.deepEqual(describeVeventArmSmmuv3(bytes).slice(0, 4), [
    'evt[0] @0: 0x0000000300000010',
    'evt[1] @8: 0x0000020800000000',
    'evt[2] @16: 0x0000000000001000',
    'evt[3] @24: 0x0000000000000000',
  ]);
});

test('the ioctl numbers: _IO(\';\', nr) — IOMMU_FAULT_QUEUE_ALLOC 0x3b8e, IOMMU_VEVENTQ_ALLOC 0x3b93', () => {
  assert.equal(IOMMUFD_CMD.FAULT_QUEUE_ALLOC, 0x8e);
  assert.equal(IOMMUFD_CMD.VEVENTQ_ALLOC, 0x93);
  assert.equal(iommufdIoctl(IOMMUFD_CMD.FAULT_QUEUE_ALLOC), 0x3b8e);
  assert.equal(iommufdIoctl(IOMMUFD_CMD.VEVENTQ_ALLOC), 0x3b93);
});

test('a value that does not fit its field is refused', () => {
  assert.throws(() => encodePageResponse({ cookie: 2 ** 32, code: 0 }), /struct iommu_hwpt_page_response.cookie 4294967296 is not a __u32/);
  assert.throws(() => encodePgfault({ ...pgfault, addr: 1n << 64n }), /struct iommu_hwpt_pgfault.addr 18446744073709551616 is not a __u64/);
  assert.throws(() => decodePgfault(new Uint8Array(32)), /struct iommu_hwpt_pgfault is 40 bytes, got 32/);
});
