import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { Machine } from '../../../emulator/machine/machine';
import { MachineEvent } from '../../../emulator/machine/events';
import { v3StateOf } from '../../../emulator/smmu/smmuState';
import { decodeCommand, encodeCommand } from '../../../emulator/smmu/v3/commands';
import { encodeEvent } from '../../../emulator/smmu/v3/eventRecord';
import { decodeSte } from '../../../emulator/smmu/v3/ste';
import { steAddress } from '../../../emulator/smmu/v3/program';
import { modelOf, statuses } from '../helpers/scenario';

/*
 * A guest-assigned NIC's stage-1 fault, forwarded to the guest through iommufd and answered
 * there (translation-regimes.md, "A guest owns the device"): every hop is a step of its
 * thread, and every structure it passes is checked byte for byte.
 */

const scenario = readFileSync('examples/vm-nic-fault-forwarded.iommu', 'utf8');

function run(text: string): { machine: Machine; steps: string[]; details: string[] } {
  const machine = new Machine(modelOf(text));
  const steps: string[] = [];
  const details: string[] = [];
  machine.on((event: MachineEvent) => {
    if (event.kind !== 'kernel-step') return;
    steps.push(`${machine.state.threads[event.thread - 1]?.name ?? '?'}: ${event.step}`);
    details.push(event.detail);
  });
  machine.run();
  return { machine, steps, details };
}

test('the fault goes host → iommufd → VMM → guest driver → guest handler → VMM → host, each hop on its own thread', () => {
  const { machine, steps } = run(scenario);
  assert.deepEqual(steps, [
    'irq/smmu0: arm_smmu_evtq_thread', // the stall record → iommu_report_device_fault → iommufd_fault_iopf_handler
    'guest0/vmm: iommufd_fault_fops_read',
    'irq/smmu0: arm_smmu_evtq_thread', // the host's queue is empty
    'guest0/vmm: smmuv3_record_event',
    'guest0/irq/vsmmu-evtq: arm_smmu_evtq_thread',
    'guest0/iopf: iommu_sva_handle_iopf',
    'guest0/irq/vsmmu-evtq: arm_smmu_evtq_thread',
    'guest0/iopf: iopf_group_response',
    'guest0/vmm: smmuv3_cmdq_consume',
    'guest0/vmm: iommufd_fault_fops_write',
  ]);
  const result = machine.result();
  assert.deepEqual(statuses(result), { 'mapped#0': 'completed', 'demand#0': 'completed' });
  assert.equal(result.transactions.find((t) => t.label === 'demand')?.pa, 0x8_0010_0000n);
  assert.equal(result.counters.forwarded, 1);
  assert.equal(result.counters.retried, 1);
});

test('the VMM reads a struct iommu_hwpt_pgfault (40 bytes, cookie 1) and answers with a struct iommu_hwpt_page_response (8 bytes, SUCCESS)', () => {
  const { details, steps } = run(scenario);
  const at = (step: string): string => details[steps.indexOf(step)] ?? '';
  assert.equal(
    at('guest0/vmm: iommufd_fault_fops_read'),
    'read(fault_fd) = 40: struct iommu_hwpt_pgfault {flags @0: 0x00000002 (LAST_PAGE), dev_id @4: 0x00000001, pasid @8: 0x00000000, grpid @12: 0x00000000, perm @16: 0x00000002 (W), addr @24: 0x0000000000200000, length @32: 0x00000000, cookie @36: 0x00000001}',
  );
  assert.equal(
    at('guest0/vmm: iommufd_fault_fops_write'),
    'write(fault_fd, 8) = 8: struct iommu_hwpt_page_response {cookie @0: 0x00000001, code @4: 0x00000000 (IOMMUFD_PAGE_RESP_SUCCESS)}; iopf_group_response(IOMMU_PAGE_RESP_SUCCESS) → CMD_RESUME sid 0x10 stag 0x0 retry: #1 retried',
  );
  assert.equal(at('guest0/vmm: smmuv3_cmdq_consume'), 'CMD_RESUME sid 0x10 stag 0x0 retry: cookie 1 → SUCCESS');
});

test("the injected record and the guest's CMD_RESUME sit in the guest's queues, in guest memory, byte for byte", () => {
  const { machine } = run(scenario);
  const vm = machine.state.vms[0];
  const view = machine.runtime.vmViews[0];
  assert.ok(vm && view);
  // The guest's event queue entry 0: an F_TRANSLATION (0x10) stall record, vSID 0x10 [63:32]; Stall (bit 95: dword 1 bit 31),
  // CLASS=IN 0b10 ([105:104]: dword 1 bits 41:40), STAG 0; InputAddr 0x200000 (IHI 0070 §7.3.13).
  const record = [0, 1, 2, 3].map((i) => view.readU64(vm.queues.eventq.base + 8 * i));
  assert.deepEqual(record, encodeEvent({ id: 'F_TRANSLATION', sid: 0x10, ssv: false, ssid: 0, stag: 0, stall: true, pnu: false, ind: false, rnw: false, s2: false, class: 2, inputAddr: 0x20_0000n }));
  assert.deepEqual(record, [0x0000_0010_0000_0010n, 0x0000_0200_8000_0000n, 0x20_0000n, 0n]);
  // The guest's command queue entry 0: CMD_RESUME (0x44) vSID 0x10, Ac=1 (retry), STAG 0 (§4.7.1).
  const command = [0, 1].map((i) => view.readU64(vm.queues.cmdq.base + 8 * i));
  assert.deepEqual(decodeCommand(command), { op: 'CMD_RESUME', sid: 0x10, stag: 0, action: 'retry' });
  assert.deepEqual(command, encodeCommand({ op: 'CMD_RESUME', sid: 0x10, stag: 0, action: 'retry' }));
  // Both queues are the guest's pages: IPAs inside vm_s2's map, at PA 0x8_0000_0000 + (IPA - 0x4000_0000).
  assert.equal(view.translate(BigInt(vm.queues.eventq.base)), 0x8_0000_0000n + BigInt(vm.queues.eventq.base - 0x4000_0000));
  assert.deepEqual(vm.forwarded, []);
  assert.deepEqual(vm.fault, { deliver: [], response: [] });
});

test('the nested STE: Config 0b111, the guest CD table at its IPA, the stage-2 fields of vm_s2, MEV', () => {
  const machine = new Machine(modelOf(scenario));
  const v3 = v3StateOf(machine.state, 0);
  assert.ok(v3);
  const at = steAddress(machine.runtime.memory, v3, 0x10);
  assert.equal(typeof at, 'number');
  const ste = decodeSte([0, 1, 2, 3, 4, 5, 6, 7].map((i) => machine.runtime.memory.readU64((at as number) + 8 * i)));
  assert.equal(ste.config, 'nested');
  assert.equal(ste.mev, true);
  assert.equal(ste.s1ContextPtr, 0x4000_0000n); // the first page of vm_s2's map (guestPlacement)
  assert.equal(ste.s2.vmid, 3);
  assert.equal(ste.s2.t0sz, 64 - 40);
  assert.equal(ste.s2.stall, true); // S2S: the NIC can stall
  assert.equal(BigInt(machine.runtime.tables[0]?.root ?? -1), ste.s2.ttb);
});

test('a stalled stage-2 fault reaches the fault queue but is the VMM\'s to answer: INVALID, the guest never sees it', () => {
  const text = scenario
    .replace('map 0x4000_0000 -> 0x8_0000_0000 size 1G rw', 'map 0x4000_0000 -> 0x8_0000_0000 size 1M rw')
    .replace('map 0x1000 -> 0x4000_1000 size 64K rw', 'map 0x1000 -> 0x4000_1000 size 64K rw\n  map 0x30_0000 -> 0x5000_0000 size 4K rw');
  const withRead = text.replace("write 0x20_0000 4 value 0xabcd as demand     // the guest has not mapped it: forwarded, retried", 'write 0x30_0000 4 value 0xabcd as demand');
  const { machine, steps, details } = run(withRead);
  assert.deepEqual(steps, ['irq/smmu0: arm_smmu_evtq_thread', 'guest0/vmm: iommufd_fault_fops_read', 'irq/smmu0: arm_smmu_evtq_thread', 'guest0/vmm: smmuv3_record_event']);
  assert.match(details[3] ?? '', /^a stage-2 fault \(the VMM's own mapping\): write\(fault_fd, 8\) = 8: struct iommu_hwpt_page_response \{cookie @0: 0x00000001, code @4: 0x00000001 \(IOMMUFD_PAGE_RESP_INVALID\)\}; iopf_group_response\(IOMMU_PAGE_RESP_INVALID\) → CMD_RESUME sid 0x10 stag 0x0 abort/);
  const fault = machine.result().faults.find((f) => f.iova === 0x30_0000n);
  assert.deepEqual(fault?.stage, { stage: 2, class: 'IN', ipa: 0x5000_0000n });
  assert.deepEqual(statuses(machine.result()), { 'mapped#0': 'completed', 'demand#0': 'aborted' });
});

test('without a fault queue the nested domain has no iopf handler: the host answers the stall INVALID at once', () => {
  const { machine, steps, details } = run(scenario.replace('fault-queue on           // recoverable stage-1 faults go to the VMM', ''));
  assert.deepEqual(steps, ['irq/smmu0: arm_smmu_evtq_thread', 'irq/smmu0: arm_smmu_evtq_thread']);
  assert.match(details[0] ?? '', /vm guest0 has no fault queue \(the nested domain was allocated without IOMMU_HWPT_FAULT_ID_VALID\): iopf_error_response → CMD_RESUME sid 0x10 stag 0x0 abort/);
  assert.equal(machine.result().counters.forwarded, 0);
  assert.deepEqual(statuses(machine.result()), { 'mapped#0': 'completed', 'demand#0': 'aborted' });
});

test("the debugger answers a stall the guest holds from the guest's side: CMD_RESUME in the guest's queue, then the VMM, then the host", () => {
  // The guest's handler maps the page but does not answer: the device keeps waiting.
  const machine = new Machine(modelOf(scenario.replace('  map page -> 0x4010_0000 rw\n  retry\n', '  map page -> 0x4010_0000 rw\n')));
  machine.run();
  const demand = machine.result().transactions.find((t) => t.label === 'demand');
  assert.equal(demand?.status, 'stalled');
  assert.throws(() => machine.resumeFromGuest(demand?.id ?? -1, 'success'), /a guest answers a stall with retry, terminate or abort \(CMD_RESUME\), not success/);
  assert.throws(() => machine.resumeFromGuest(0, 'retry'), /transaction #0 is not a stall a guest holds/);
  const { written } = machine.resumeFromGuest(demand?.id ?? -1, 'retry');
  assert.equal(written, 'CMD_RESUME sid 0x10 stag 0x0 retry → guest CMDQ[0]; the VMM answers the host when it has consumed it');
  machine.run();
  const after = machine.result();
  assert.deepEqual(statuses(after), { 'mapped#0': 'completed', 'demand#0': 'completed' });
  assert.equal(after.counters.retried, 1);
});
