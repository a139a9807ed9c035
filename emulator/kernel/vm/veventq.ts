import { Runtime } from '../../machine/runtime';
import { hex, hex64 } from '../../util/u64';
import { readVeventq, reportVevent } from '../iommufd/veventq';
import { decodeVeventArmSmmuv3, describeVeventHeader, encodeVeventArmSmmuv3, VEVENT_ARM_SMMUV3_BYTES, VEVENT_HEADER } from '../iommufd/veventRecords';
import { vmasterEvent } from '../iommufd/hostEventRoute';
import { startVmActivity, vmState, vmThread } from './vmState';

/**
 * A non-stalled stage-1 event of a device the guest owns (arm_vmaster_report_event, from
 * 6.15): the record with its vSID goes to the VM's vEVENTQ — or, the queue full, is lost
 * behind a LOST_EVENTS header — and the VMM's poll wakes. Undefined where the release has
 * no vEVENTQ: the host prints it.
 */
export function reportToVeventq(rt: Runtime, smmu: number, vm: number, dwords: readonly bigint[], vsid: number): string | undefined {
  const state = vmState(rt, vm);
  if (!state.veventq) return undefined;
  const outcome = reportVevent(state.veventq, encodeVeventArmSmmuv3(vmasterEvent(dwords, vsid)));
  if (outcome === 'lost') rt.state.counters['lost-vevents']++;
  startVmActivity(rt, vm, vmThread(rt, vm, 'vmm'), { smmu, steps: ['iommufd_veventq_fops_read', 'smmuv3_record_event'], domain: undefined, group: undefined, handler: undefined, fault: undefined });
  const q = state.veventq;
  return `arm_vmaster_report_event: vsid ${hex(vsid)} → ${rt.model.vms[vm]?.name ?? '?'}'s vEVENTQ: ${outcome === 'lost' ? `full (${q.depth} events): lost, LOST_EVENTS header at the tail` : `queued (${q.numEvents}/${q.depth})`}`;
}

/** read(veventq_fd) of one vEVENT: its header (and the 4 dwords of an SMMUv3 event), or the lost-events header alone. */
export function vmmReadVeventq(rt: Runtime, vm: number): string {
  const state = vmState(rt, vm);
  if (!state.veventq) return 'no vEVENTQ';
  const read = readVeventq(state.veventq, VEVENT_HEADER.size + VEVENT_ARM_SMMUV3_BYTES);
  const event = read.events[0];
  if (!event) return `read(veventq_fd) = ${read.result}: nothing to read`;
  const header = `struct iommufd_vevent_header {${describeVeventHeader(read.bytes.subarray(0, VEVENT_HEADER.size)).join(', ')}}`;
  if (event.lost) return `read(veventq_fd) = ${read.result}: ${header}: events were lost, the last of them sequence ${event.sequence}`;
  const dwords = decodeVeventArmSmmuv3(event.data);
  state.vmmEvents.push(dwords);
  return `read(veventq_fd) = ${read.result}: ${header}, struct iommu_vevent_arm_smmuv3 {${dwords.map(hex64).join(' ')}}`;
}

