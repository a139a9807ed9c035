import { ResponseKind } from '../language/ast';
import { Runtime } from '../machine/runtime';
import { ActivityState, IopfGroupState } from '../machine/state';
import { Command, LINUX_PAGE_RESPONSE, PriResponse, ResumeAction, resumeActionOf } from '../smmu/v3/commands';
import { submitCommands } from '../smmu/v3/cmdq';
import { hex } from '../util/u64';
import { newActivity } from './threads';
import { queueWork } from './workqueues';

/** The handler of the domain a group's faults belong to, if the scenario gives one. */
function handlerFor(rt: Runtime, domain: number | undefined): number | undefined {
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

/** What `iopf_group_response` → `arm_smmu_page_response` sends for a group answered with `response`. */
export function groupResponseCommands(group: IopfGroupId, response: ResponseKind): Command[] {
  const answer: Command =
    group.kind === 'stall'
      ? { op: 'CMD_RESUME', sid: group.sid, stag: group.grpid, action: resumeActionFor(response) }
      : { op: 'CMD_PRI_RESP', sid: group.sid, ssv: group.ssid !== undefined, ssid: group.ssid ?? 0, prgi: group.grpid, response: priResponseFor(response) };
  return [answer, { op: 'CMD_SYNC', cs: 'none' }];
}

/**
 * arm_smmu_page_response: the answer to a group goes through the command queue, its
 * CMD_SYNC after it. The iopf worker, the core's error response and the debugger all
 * answer so. Returns each command and what it did, in words.
 */
export function sendPageResponse(rt: Runtime, smmu: number, group: IopfGroupId, response: ResponseKind): string {
  return submitCommands(rt, smmu, groupResponseCommands(group, response)).join('; ');
}

export function describeGroup(group: IopfGroupState): string {
  const what = group.kind === 'stall' ? `stall grpid=STAG ${hex(group.grpid)}` : `page requests grpid=PRGI ${hex(group.grpid)}`;
  return `${what}, sid ${hex(group.sid)}${group.ssid === undefined ? '' : ` ssid ${group.ssid}`}, ${group.faults.length} fault${group.faults.length === 1 ? '' : 's'}`;
}

/**
 * iommu_report_device_fault with a complete group: the domain's handler runs on its
 * workqueue (iopf by default, unbound: groups may finish in any order). Without a handler
 * the core answers at once as iopf_error_response does: INVALID (a stall is aborted).
 * Returns what happened, in words.
 */
export function reportGroup(rt: Runtime, group: IopfGroupState, domain: number | undefined): string {
  const handlerIndex = handlerFor(rt, domain);
  const handler = handlerIndex === undefined ? undefined : rt.model.handlers[handlerIndex];
  if (!handler) {
    return `no fault handler for this domain: iopf_error_response → ${sendPageResponse(rt, group.smmu, group, 'invalid')}`;
  }
  const work = newActivity(rt, {
    thread: 0,
    smmu: group.smmu,
    bank: undefined,
    domain,
    group,
    steps: ['iopf_handler', 'handler', 'iopf_group_response'],
    handler: handlerIndex,
    fault: group.faults[0],
    cfi: undefined,
    callers: ['worker_thread', 'process_one_work'],
  });
  queueWork(rt, handler.workqueue, work);
  return `iommu_report_device_fault: ${describeGroup(group)} queued for ${handler.name} on ${rt.model.workqueues[handler.workqueue]?.name ?? '?'}`;
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
