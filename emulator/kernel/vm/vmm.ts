import { Runtime } from '../../machine/runtime';
import { ActivityState, FaultRecord, IopfGroupState } from '../../machine/state';
import { commandText } from '../../smmu/v3/commands';
import { decodeEvent, encodeEvent } from '../../smmu/v3/eventRecord';
import { eventText } from '../../smmu/v3/eventq';
import { hex } from '../../util/u64';
import { ResponseKind } from '../../language/ast';
import { FaultPageRequest, iommufdFaultIopfHandler, readFaultFile, writeFaultFile } from '../iommufd/faultObject';
import { decodePgfault, describePageResponse, describePgfault, encodePageResponse, HWPT_PGFAULT, HwptPageResponse } from '../iommufd/faultRecords';
import { pageRequestOfStall } from '../iommufd/hostEventRoute';
import { IOMMUFD_PAGE_RESP } from '../iommufd/uapi';
import { injectEvent, vmmFetchCommand } from '../iommufd/virtualQueues';
import { injectedEventFor, rememberStall, responsesFor, vmmOwnResponse } from '../iommufd/vmm';
import { describeGroup, errorResponse, Reported, sendPageResponse } from '../iopf';
import { raiseGuestEvtq } from './guestKernel';
import { vmmReadVeventq } from './veventq';
import { devIdOf, guestOf, hostGroupOf, startVmActivity, vmState, vmThread } from './vmState';

/*
 * The host's and the VMM's hops of a guest's fault (vmState.ts tells the whole path):
 * iommufd_fault_iopf_handler, then on the VMM's thread the fault fd's read, the injection
 * into the guest's event queue, the trapped CMD_RESUME and the fault fd's write.
 */

/** struct iommu_fault_page_request of one stalled fault, as arm_smmu_handle_event fills it from the stall record. */
function pageRequestOf(group: IopfGroupState, fault: FaultRecord): FaultPageRequest {
  return pageRequestOfStall({ rnw: !fault.write, ind: fault.exec, pnu: fault.priv, ssv: group.ssid !== undefined, ssid: group.ssid ?? 0, stag: group.grpid, inputAddr: fault.iova });
}


/**
 * iommu_report_device_fault of a group of a nested domain a VM owns: with a fault queue
 * (the domain allocated with IOMMU_HWPT_FAULT_ID_VALID) iommufd_fault_iopf_handler queues
 * it on the fault object and the VMM's poll wakes; without one the domain has no
 * iopf_handler and the core answers at once.
 */
export function forwardGroup(rt: Runtime, vm: number, group: IopfGroupState): Reported {
  const model = rt.model.vms[vm];
  if (!model?.faultQueue) {
    return { text: `vm ${model?.name ?? '?'} has no fault queue (the nested domain was allocated without IOMMU_HWPT_FAULT_ID_VALID): ${errorResponse(rt, group)}`, errorResponse: true };
  }
  const state = vmState(rt, vm);
  iommufdFaultIopfHandler(state.fault, { devId: devIdOf(rt, group), faults: group.faults.map((f) => pageRequestOf(group, f)), cookie: 0 });
  state.forwarded.push(group);
  rt.state.counters.forwarded++;
  startVmActivity(rt, vm, vmThread(rt, vm, 'vmm'), { smmu: group.smmu, steps: ['iommufd_fault_fops_read', 'smmuv3_record_event'], domain: undefined, group, handler: undefined, fault: group.faults[0] });
  return { text: `iommufd_fault_iopf_handler: ${describeGroup(group)} queued on ${model.name}'s fault object; the VMM's poll wakes`, errorResponse: false };
}

/** iommufd_fault_fops_read: the VMM reads one struct iommu_hwpt_pgfault per fault of the oldest group; the read gives the group its cookie. */
function vmmRead(rt: Runtime, vm: number): string {
  const state = vmState(rt, vm);
  const read = readFaultFile(state.fault, HWPT_PGFAULT.size * Math.max(1, state.fault.deliver[0]?.faults.length ?? 1));
  if (read.result <= 0) return `read(fault_fd) = ${read.result}: nothing to read`;
  const records = Array.from({ length: read.bytes.length / HWPT_PGFAULT.size }, (_, i) => read.bytes.subarray(i * HWPT_PGFAULT.size, (i + 1) * HWPT_PGFAULT.size));
  state.vmmRead.push(...records.map((bytes) => decodePgfault(bytes)));
  return `read(fault_fd) = ${read.result}: ${records.map((bytes) => `struct iommu_hwpt_pgfault {${describePgfault(bytes).join(', ')}}`).join('; ')}`;
}


/**
 * The VMM injects what it read: a stall record at the guest's EVENTQ_PROD (vSID = the
 * device's StreamID as the guest sees it), or — a stage-2 fault, the VMM's own mapping — its
 * own INVALID through the fault fd, never shown to the guest.
 */
function vmmInject(rt: Runtime, activity: ActivityState, vm: number): string {
  const state = vmState(rt, vm);
  const done: string[] = [];
  for (const dwords of state.vmmEvents.splice(0)) {
    const outcome = injectEvent(guestOf(rt, vm), state.queues, dwords);
    done.push(`${eventText(decodeEvent(dwords))} → ${outcome.outcome === 'written' ? `guest EVTQ[${outcome.index}]` : outcome.outcome}`);
  }
  for (const pgfault of state.vmmRead.splice(0)) {
    const host = hostGroupOf(rt, state, pgfault);
    if (host?.faults[0]?.stage.stage === 2) {
      done.push(`a stage-2 fault (the VMM's own mapping): ${answerFaultFd(rt, vm, [vmmOwnResponse(pgfault)])}`);
      continue;
    }
    const vsid = host?.sid ?? 0;
    const record = injectedEventFor(pgfault, vsid);
    const outcome = injectEvent(guestOf(rt, vm), state.queues, encodeEvent(record));
    if (outcome.outcome === 'written') rememberStall(state.vmm, vsid, pgfault);
    const where = outcome.outcome === 'written' ? `guest EVTQ[${outcome.index}] at IPA ${hex(outcome.ipa)} (PA ${hex(outcome.pa)})` : outcome.outcome;
    done.push(`F_TRANSLATION vsid ${hex(vsid)} stag ${hex(record.stag)} stall ${record.rnw ? 'read' : 'write'} ${hex(record.inputAddr)} → ${where}`);
  }
  raiseGuestEvtq(rt, activity.smmu, vm);
  return done.join('; ') || 'nothing read';
}


/** The VMM consumes the trapped command: a CMD_RESUME of an injected stall becomes {cookie, code}. */
function vmmConsume(rt: Runtime, vm: number): string {
  const state = vmState(rt, vm);
  const fetched = vmmFetchCommand(guestOf(rt, vm), state.queues.cmdq);
  if (fetched.outcome !== 'read') return fetched.outcome === 'abort' ? `the command queue's IPA ${hex(fetched.ipa)} is not mapped by stage 2` : 'no command';
  const responses = responsesFor(state.vmm, fetched.command);
  state.vmmResponses.push(...responses);
  return `${commandText(fetched.command)}: ${responses.length === 0 ? 'answers no injected stall' : responses.map((r) => `cookie ${r.cookie} → ${r.code === IOMMUFD_PAGE_RESP.SUCCESS ? 'SUCCESS' : 'INVALID'}`).join(', ')}`;
}

/** write(fault_fd) of struct iommu_hwpt_page_response records: iommufd finds each group by cookie; iopf_group_response answers the host's stall. */
function answerFaultFd(rt: Runtime, vm: number, responses: readonly HwptPageResponse[]): string {
  const state = vmState(rt, vm);
  if (responses.length === 0) return 'nothing to write';
  const bytes = new Uint8Array(responses.flatMap((r) => [...encodePageResponse(r)]));
  const written = writeFaultFile(state.fault, bytes);
  const structs = responses.map((r) => `struct iommu_hwpt_page_response {${describePageResponse(encodePageResponse(r)).join(', ')}}`).join('; ');
  const answers = written.answered.map(({ group, code }) => {
    const last = group.faults[group.faults.length - 1];
    const host = last ? hostGroupOf(rt, state, { grpid: last.grpid, dev_id: group.devId }) : undefined;
    if (!host) return `cookie ${group.cookie}: no host group`;
    state.forwarded.splice(state.forwarded.indexOf(host), 1);
    const answer: ResponseKind = code === IOMMUFD_PAGE_RESP.SUCCESS ? 'success' : 'invalid';
    return `iopf_group_response(${answer === 'success' ? 'IOMMU_PAGE_RESP_SUCCESS' : 'IOMMU_PAGE_RESP_INVALID'}) → ${sendPageResponse(rt, host.smmu, host, answer)}`;
  });
  return `write(fault_fd, ${bytes.length}) = ${written.result}: ${structs}; ${answers.join('; ')}`;
}


/** The VMM's steps (emulator/kernel/iommufd/forwardingPath.ts): read, inject; consume, write. */
export function runVmmStep(rt: Runtime, activity: ActivityState, vm: number, step: VmmStep): string {
  switch (step) {
    case 'iommufd_fault_fops_read':
      return vmmRead(rt, vm);
    case 'iommufd_veventq_fops_read':
      return vmmReadVeventq(rt, vm);
    case 'smmuv3_record_event':
      return vmmInject(rt, activity, vm);
    case 'smmuv3_cmdq_consume':
      return vmmConsume(rt, vm);
    case 'iommufd_fault_fops_write':
      return answerFaultFd(rt, vm, vmState(rt, vm).vmmResponses.splice(0));
  }
}

const vmmSteps = ['iommufd_fault_fops_read', 'iommufd_veventq_fops_read', 'smmuv3_record_event', 'smmuv3_cmdq_consume', 'iommufd_fault_fops_write'] as const;
export type VmmStep = (typeof vmmSteps)[number];

export function isVmmStep(step: string): step is VmmStep {
  return (vmmSteps as readonly string[]).includes(step);
}

