import { ResponseKind } from '../language/ast';
import { Runtime } from '../machine/runtime';
import { ActivityState, IopfGroupState, IopfResponseStep, IopfWorkStep } from '../machine/state';
import { Command, LINUX_PAGE_RESPONSE, PriResponse, ResumeAction, resumeActionOf } from '../smmu/v3/commands';
import { submitCommands } from '../smmu/v3/cmdq';
import { MasterModel } from '../scenario/model';
import { hex } from '../util/u64';
import { hasChange, KernelVersion } from './versions';
import { newActivity } from './threads';
import { queueWork } from './workqueues';
import { forwardGroup } from './vm/vmm';

/**
 * The work function that runs a fault group's handler: iopf_handle_group (io-pgfault.c)
 * until iopf_handler took its place, then, once io-pgfault hands each domain's groups to
 * the domain's own iopf_handler, SVA's iommu_sva_handle_iopf (iommu-sva.c) on the iopf queue.
 */
export function iopfWorkStep(kernel: KernelVersion): IopfWorkStep {
  if (hasChange(kernel, 'iopfDomainHandler')) return 'iommu_sva_handle_iopf';
  return hasChange(kernel, 'iopfHandlerRenamed') ? 'iopf_handler' : 'iopf_handle_group';
}

/** Who answers the group through page_response: iopf_complete_group, then iopf_group_response. */
export function iopfResponseStep(kernel: KernelVersion): IopfResponseStep {
  return hasChange(kernel, 'iopfDomainHandler') ? 'iopf_group_response' : 'iopf_complete_group';
}

/** The handler of the domain a group's faults belong to, if the scenario gives one. */
export function handlerFor(rt: Runtime, domain: number | undefined): number | undefined {
  const index = rt.model.handlers.findIndex((h) => h.domain === domain);
  return index < 0 ? undefined : index;
}

/** A stall answers with CMD_RESUME: Linux maps a page response SUCCESS → retry, INVALID/FAILURE → abort. */
function resumeActionFor(response: ResponseKind): ResumeAction {
  return response === 'success' || response === 'invalid' || response === 'failure' ? resumeActionOf(response) : response;
}

/** A page request group answers with CMD_PRI_RESP: retry reads as Success, terminate as Invalid, abort as Failure. */
function priResponseFor(response: ResponseKind): PriResponse {
  switch (response) {
    case 'retry':
      return 'success';
    case 'terminate':
      return 'invalid';
    case 'abort':
      return 'failure';
    default:
      return response;
  }
}

/** What a response needs of its group: the kind picks the command, the stream and grpid are its operands. */
export type IopfGroupId = Pick<IopfGroupState, 'kind' | 'sid' | 'ssid' | 'grpid'>;

/**
 * The command that answers a group with `response`, sent to StreamID `sid`. No CMD_SYNC
 * follows it, in any release: arm_smmu_page_response says a SYNC "doesn't do anything for
 * RESUME or PRI_RESP" and issues the command alone.
 */
export function groupResponseCommand(group: IopfGroupId, sid: number, response: ResponseKind): Command {
  return group.kind === 'stall'
    ? { op: 'CMD_RESUME', sid, stag: group.grpid, action: resumeActionFor(response) }
    : { op: 'CMD_PRI_RESP', sid, ssv: group.ssid !== undefined, ssid: group.ssid ?? 0, prgi: group.grpid, response: priResponseFor(response) };
}

/**
 * The StreamID arm_smmu_page_response answers with: `master->streams[0].id`, the first
 * stream of the master the faulting stream belongs to — not the faulting StreamID. For a
 * fault on a master's second stream the CMD_RESUME matches no stall (a no-op, SMMUv3 4.7.1)
 * and the transaction stays stalled. Every release from 5.14 to 7.1 does this.
 */
function kernelResponseSid(rt: Runtime, smmu: number, sid: number): number {
  return masterOfStream(rt, smmu, sid)?.streams[0]?.id ?? sid;
}

/** arm_smmu_find_master: the master a StreamID of an SMMU belongs to, if any. */
export function masterOfStream(rt: Runtime, smmu: number, sid: number): MasterModel | undefined {
  return rt.model.masters.find((m) => m.smmu === smmu && m.streams.some((s) => s.id === sid));
}

/**
 * The kernel's answer to a group (the iopf worker's, the core's error response):
 * arm_smmu_page_response writes one command to the command queue, to the master's first
 * StreamID. Returns the command and what it did, in words.
 */
export function sendPageResponse(rt: Runtime, smmu: number, group: IopfGroupId, response: ResponseKind): string {
  return submitCommands(rt, smmu, [groupResponseCommand(group, kernelResponseSid(rt, smmu, group.sid), response)]).join('; ');
}

/** The debugger's own answer, not the kernel's: the same command, to the StreamID that faulted. */
export function sendDebuggerResponse(rt: Runtime, smmu: number, group: IopfGroupId, response: ResponseKind): string {
  return submitCommands(rt, smmu, [groupResponseCommand(group, group.sid, response)]).join('; ');
}

export function describeGroup(group: IopfGroupState): string {
  const what = group.kind === 'stall' ? `stall grpid=STAG ${hex(group.grpid)}` : `page requests grpid=PRGI ${hex(group.grpid)}`;
  return `${what}, sid ${hex(group.sid)}${group.ssid === undefined ? '' : ` ssid ${group.ssid}`}, ${group.faults.length} fault${group.faults.length === 1 ? '' : 's'}`;
}

/**
 * Why iopf is not enabled for the master a group came from, or undefined when it is:
 * arm-smmu-v3 enables IOPF only for a master with exactly one StreamID, in every release
 * (arm_smmu_master_iopf_supported until 6.15, arm_smmu_enable_iopf from 6.16).
 */
export function iopfRefusal(rt: Runtime, smmu: number, sid: number): string | undefined {
  const master = masterOfStream(rt, smmu, sid);
  if (!master || master.streams.length === 1) return undefined;
  const check = hasChange(rt.model.kernel, 'smmuV3IopfAtAttach') ? 'arm_smmu_enable_iopf' : 'arm_smmu_master_iopf_supported';
  return `master '${master.name}' has ${master.streams.length} StreamIDs, so iopf is not enabled for it (${check}: num_streams != 1, Linux ${rt.model.kernel})`;
}

/**
 * The core's answer to a group no handler takes, as the release words it (kernelBehaviours
 * iopfErrorResponse): from 6.11 iopf_error_response sends INVALID; before, 5.15's
 * arm_smmu_handle_evt sent FAILURE for a stall ("Nobody cared"). Either aborts a stall.
 */
export function errorResponse(rt: Runtime, group: IopfGroupState): string {
  if (hasChange(rt.model.kernel, 'iopfErrorResponse') || group.kind !== 'stall') {
    return `iopf_error_response → ${sendPageResponse(rt, group.smmu, group, 'invalid')}`;
  }
  return `arm_smmu_handle_evt: nobody cared (IOMMU_PAGE_RESP_FAILURE) → ${sendPageResponse(rt, group.smmu, group, 'failure')}`;
}

/** What reporting a group did: in words, and whether the core answered it at once (the group never reached a handler). */
export interface Reported {
  text: string;
  errorResponse: boolean;
}

/**
 * iommu_report_device_fault with a complete group: the domain's handler runs on its
 * workqueue (iopf by default, unbound: groups may finish in any order). Without a handler,
 * or for a master iopf is not enabled for, the core answers at once (`errorResponse`): a
 * stall is aborted — with CMD_RESUME to the master's first StreamID.
 */
export function reportGroup(rt: Runtime, group: IopfGroupState, domain: number | undefined): Reported {
  // A nested domain's faults are its guest's: iommufd's fault queue, not the host's iopf work.
  const vm = rt.model.domains[domain ?? -1]?.vm;
  if (vm !== undefined) return forwardGroup(rt, vm, group);
  const handlerIndex = handlerFor(rt, domain);
  const handler = handlerIndex === undefined ? undefined : rt.model.handlers[handlerIndex];
  const refused = iopfRefusal(rt, group.smmu, group.sid);
  if (!handler || refused) {
    const why = refused ?? 'no fault handler for this domain';
    return { text: `${why}: ${errorResponse(rt, group)}`, errorResponse: true };
  }
  const work = newActivity(rt, {
    thread: 0,
    smmu: group.smmu,
    bank: undefined,
    domain,
    group,
    steps: [iopfWorkStep(rt.model.kernel), 'handler', iopfResponseStep(rt.model.kernel)],
    handler: handlerIndex,
    fault: group.faults[0],
    cfi: undefined,
    callers: ['worker_thread', 'process_one_work'],
  });
  queueWork(rt, handler.workqueue, work);
  return { text: `iommu_report_device_fault: ${describeGroup(group)} queued for ${handler.name} on ${rt.model.workqueues[handler.workqueue]?.name ?? '?'}`, errorResponse: false };
}

/** The worker's final step: the handler's answer goes back as commands; no answer leaves the device waiting. */
export function respondToGroup(rt: Runtime, activity: ActivityState): string {
  const group = activity.group;
  if (!group) return 'no group';
  if (activity.response === undefined) return 'no response: the device keeps waiting';
  const code = linuxPageResponse(group, activity.response);
  return `${code ? `iommu_page_response(${code}) → ` : ''}${sendPageResponse(rt, group.smmu, group, activity.response)}`;
}

/**
 * The enum iommu_page_response_code an answer is, when Linux has one for it: every answer
 * to a page request group, and success/invalid/failure to a stall. (A stall's retry,
 * terminate and abort are the scenario's direct CMD_RESUME actions.)
 */
function linuxPageResponse(group: IopfGroupId, response: ResponseKind): string | undefined {
  if (group.kind === 'stall' && response !== 'success' && response !== 'invalid' && response !== 'failure') return undefined;
  const code = priResponseFor(response);
  return `IOMMU_PAGE_RESP_${code.toUpperCase()} = ${LINUX_PAGE_RESPONSE[code]}`;
}
