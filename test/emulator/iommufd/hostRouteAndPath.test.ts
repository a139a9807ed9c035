import assert from 'node:assert/strict';
import { test } from 'node:test';
import { forwardingPath, forwardingPathOn } from '../../../emulator/kernel/iommufd/forwardingPath';
import { hostEventRoute, pageRequestOfStall } from '../../../emulator/kernel/iommufd/hostEventRoute';
import { behavioursOf, hasChange } from '../../../emulator/kernel/versions';

test('arm_smmu_handle_event on 7.1: a stall goes to iopf (stage 1 or 2); a non-stalled stage-1 event of a vmaster to its vEVENTQ; the rest to the host log', () => {
  const route = (id: 'F_TRANSLATION' | 'F_PERMISSION' | 'C_BAD_CD' | 'E_PAGE_REQUEST', stall: boolean, s2: boolean, vmaster: boolean) => hostEventRoute('7.1', { id, stall, s2 }, vmaster);
  assert.equal(route('F_TRANSLATION', true, false, true), 'iopf');
  assert.equal(route('F_TRANSLATION', true, true, true), 'iopf');
  assert.equal(route('F_PERMISSION', false, false, true), 'veventq');
  assert.equal(route('C_BAD_CD', false, false, true), 'veventq');
  assert.equal(route('F_PERMISSION', false, true, true), 'host', 'a stage-2 fault is the host\'s');
  assert.equal(route('F_PERMISSION', false, false, false), 'host');
  assert.equal(route('E_PAGE_REQUEST', false, false, true), 'host');
});

test('6.12 has no vEVENTQ: only stalled translation faults are taken', () => {
  assert.equal(hostEventRoute('6.12', { id: 'F_TRANSLATION', stall: false, s2: false }, true), 'host');
  assert.equal(hostEventRoute('6.12', { id: 'C_BAD_CD', stall: false, s2: false }, true), 'host');
  assert.equal(hostEventRoute('6.12', { id: 'F_TRANSLATION', stall: true, s2: false }, true), 'iopf');
});

test('the stall\'s iommu_fault_page_request: LAST_PAGE|PASID_VALID, grpid = STAG, perm W|EXEC, addr = InputAddr', () => {
  assert.deepEqual(
    pageRequestOfStall({ ssv: true, ssid: 5, stag: 0x1234, pnu: false, ind: true, rnw: false, inputAddr: 0x1000n }),
    { flags: 3, pasid: 5, grpid: 0x1234, perm: 6, addr: 0x1000n },
  );
});

test('the forwarding path, hop by hop, and the fault object\'s file per release', () => {
  assert.deepEqual(
    forwardingPath.map((h) => `${h.side}:${h.function}`),
    [
      'host:arm_smmu_evtq_thread',
      'host:iommu_report_device_fault',
      'host:iommufd_fault_iopf_handler',
      'vmm:iommufd_fault_fops_read',
      'vmm:smmuv3_record_event',
      'guest:arm_smmu_evtq_thread',
      'guest:iommu_report_device_fault',
      'guest:iommu_sva_handle_iopf',
      'guest:arm_smmu_page_response',
      'vmm:smmuv3_cmdq_consume',
      'vmm:iommufd_fault_fops_write',
      'host:iopf_group_response',
      'host:arm_smmu_page_response',
    ],
  );
  assert.deepEqual(new Set(forwardingPathOn('6.12').filter((h) => h.function.startsWith('iommufd_')).map((h) => h.file)), new Set(['drivers/iommu/iommufd/fault.c']));
  assert.deepEqual(new Set(forwardingPathOn('7.1').filter((h) => h.function.startsWith('iommufd_')).map((h) => h.file)), new Set(['drivers/iommu/iommufd/eventq.c']));
});

test('the releases: fault queue since 6.11, SMMUv3 nesting since 6.13, vEVENTQ since 6.15', () => {
  assert.deepEqual(['6.6', '6.12', '7.1'].map((k) => hasChange(k as '6.6' | '6.12' | '7.1', 'iommufdFaultQueue')), [false, true, true]);
  assert.deepEqual(['6.12', '7.1'].map((k) => hasChange(k as '6.12' | '7.1', 'smmuV3Nesting')), [false, true]);
  assert.deepEqual(['6.12', '7.1'].map((k) => hasChange(k as '6.12' | '7.1', 'iommufdVeventq')), [false, true]);
  assert.ok(behavioursOf('6.12').includes(
    "non-recoverable guest events through a vEVENTQ: arm_smmu_handle_event handles only stalled translation faults: a guest device's other events are printed by the host (until 6.15, e36ba5ab808e (\"iommufd: Add IOMMUFD_OBJ_VEVENTQ and IOMMUFD_CMD_VEVENTQ_ALLOC\") and e7d3fa3d29d5 (\"iommu/arm-smmu-v3: Report events that belong to devices attached to vIOMMU\"))",
  ));
});
