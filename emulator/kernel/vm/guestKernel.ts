import { ResponseKind } from '../../language/ast';
import { Runtime } from '../../machine/runtime';
import { ActivityState, IopfGroupState } from '../../machine/state';
import { commandText } from '../../smmu/v3/commands';
import { decodeEvent } from '../../smmu/v3/eventRecord';
import { eventText } from '../../smmu/v3/eventq';
import { hex } from '../../util/u64';
import { guestIssueCommand, guestTakeEvent, injectWaitingStalls } from '../iommufd/virtualQueues';
import { groupResponseCommand, handlerFor, iopfResponseStep, iopfWorkStep, masterOfStream } from '../iopf';
import { printk } from '../printk';
import { eventLogLines } from '../smmuV3EventLog';
import { guestOf, startVmActivity, vmState, vmThread } from './vmState';

/*
 * The guest kernel's hops of its device's fault: its own arm-smmu-v3 driver over the virtual
 * SMMU — the event queue thread, the iopf work that runs its handler, and the CMD_RESUME that
 * answers in its virtual command queue (which traps to the VMM) — and a debugger answering
 * for it.
 */

/** The guest's event queue interrupt: its evtq thread drains the virtual queue (one run at a time). */
export function raiseGuestEvtq(rt: Runtime, smmu: number, vm: number): void {
  const state = vmState(rt, vm);
  if (state.guestEvtqActive || state.queues.eventq.prod === state.queues.eventq.cons) return;
  state.guestEvtqActive = true;
  startVmActivity(rt, vm, vmThread(rt, vm, 'evtq'), { smmu, steps: ['arm_smmu_evtq_thread'], domain: undefined, group: undefined, handler: undefined, fault: undefined });
}

/** The nested domain of `vm` a host group's transaction translated in. */
function guestDomainOf(rt: Runtime, host: IopfGroupState | undefined): number | undefined {
  return rt.state.transactions.get(host?.transactions[0] ?? -1)?.domain;
}

/**
 * One step of the guest's arm_smmu_evtq_thread: a stall record becomes a guest iopf group
 * (grpid = STAG) whose work runs the guest's handler on its iopf worker; anything else is
 * printed, as the guest kernel's driver prints it.
 */
export function runGuestEvtqStep(rt: Runtime, activity: ActivityState, vm: number): { detail: string; more: boolean } {
  const state = vmState(rt, vm);
  const taken = guestTakeEvent(guestOf(rt, vm), state.queues.eventq);
  injectWaitingStalls(guestOf(rt, vm), state.queues);
  if (taken.outcome !== 'read') {
    state.guestEvtqActive = false;
    return { detail: taken.outcome === 'abort' ? `the event queue's IPA ${hex(taken.ipa)} is not mapped by stage 2: GERROR.EVENTQ_ABT_ERR` : 'queue empty: IRQ_HANDLED', more: false };
  }
  const record = decodeEvent(taken.dwords);
  if (!record.stall) {
    const client = masterOfStream(rt, activity.smmu, record.sid)?.name;
    for (const line of eventLogLines(rt.model.kernel, taken.dwords, client)) printk(rt, activity.thread, line.level, `arm-smmu-v3 ${rt.model.vms[vm]?.name ?? '?'}-vsmmu: ${line.text}`);
    return { detail: `[${taken.index}] ${eventText(record)}: printed by the guest`, more: true };
  }
  const host = state.forwarded.find((g) => g.sid === record.sid && g.grpid === record.stag);
  const domain = guestDomainOf(rt, host);
  const group: IopfGroupState = { kind: 'stall', smmu: activity.smmu, sid: record.sid, ssid: record.ssv ? record.ssid : undefined, grpid: record.stag, faults: host?.faults ?? [], transactions: host?.transactions ?? [] };
  const handler = handlerFor(rt, domain);
  const kernel = rt.model.kernel;
  startVmActivity(rt, vm, vmThread(rt, vm, 'iopf'), {
    smmu: activity.smmu,
    steps: handler === undefined ? [iopfResponseStep(kernel)] : [iopfWorkStep(kernel), 'handler', iopfResponseStep(kernel)],
    domain,
    group,
    handler,
    fault: group.faults[0],
  });
  const who = handler === undefined ? 'no guest handler: the guest answers INVALID' : `queued for ${rt.model.handlers[handler]?.name ?? '?'} on the guest's iopf queue`;
  return { detail: `[${taken.index}] F_TRANSLATION vsid ${hex(record.sid)} stag ${hex(record.stag)} stall: iommu_report_device_fault: ${who}`, more: true };
}

/**
 * The guest's page response: its arm_smmu_page_response writes CMD_RESUME (vSID, STAG) at its
 * CMDQ_PROD; the PROD write traps to the VMM, whose thread consumes it.
 */
export function guestRespond(rt: Runtime, activity: ActivityState, vm: number): string {
  const group = activity.group;
  if (!group) return 'no group';
  const response = activity.response;
  if (response === undefined) return 'no response: the device keeps waiting';
  const state = vmState(rt, vm);
  const command = groupResponseCommand(group, group.sid, response);
  const written = guestIssueCommand(guestOf(rt, vm), state.queues.cmdq, command);
  startVmActivity(rt, vm, vmThread(rt, vm, 'vmm'), { smmu: activity.smmu, steps: ['smmuv3_cmdq_consume', 'iommufd_fault_fops_write'], domain: undefined, group, handler: undefined, fault: activity.fault });
  const where = written.outcome === 'written' ? `guest CMDQ[${written.index}]` : written.outcome;
  return `${commandText(command)} → ${where}; CMDQ_PROD traps to the VMM`;
}

/**
 * Where a stalled transaction's fault went, if a guest holds it: the VM, and the stall the
 * VMM injected for it (its vSID and STAG), once injected.
 */
export function guestStallOf(rt: Runtime, transaction: number): { vm: number; vsid: number; stag: number } | undefined {
  for (const [vm, state] of rt.state.vms.entries()) {
    const host = state.forwarded.find((g) => g.transactions.includes(transaction));
    const pending = host && state.vmm.pending.find((p) => p.vsid === host.sid && p.stag === (host.grpid & 0xffff));
    if (host && pending) return { vm, vsid: pending.vsid, stag: pending.stag };
  }
  return undefined;
}

/**
 * The debugger answers a forwarded stall from the guest's side: the guest's CMD_RESUME in its
 * virtual command queue, which the VMM traps and turns into a page response — the device
 * retries (or aborts) once the host has it. Undefined when no guest holds the transaction.
 */
export function answerAsGuest(rt: Runtime, transaction: number, action: ResponseKind): string | undefined {
  const stall = guestStallOf(rt, transaction);
  if (!stall) return undefined;
  const command = groupResponseCommand({ kind: 'stall', sid: stall.vsid, ssid: undefined, grpid: stall.stag }, stall.vsid, action);
  const written = guestIssueCommand(guestOf(rt, stall.vm), vmState(rt, stall.vm).queues.cmdq, command);
  const smmu = rt.state.transactions.get(transaction)?.smmu ?? 0;
  startVmActivity(rt, stall.vm, vmThread(rt, stall.vm, 'vmm'), { smmu, steps: ['smmuv3_cmdq_consume', 'iommufd_fault_fops_write'], domain: undefined, group: undefined, handler: undefined, fault: undefined });
  return `${commandText(command)} → ${written.outcome === 'written' ? `guest CMDQ[${written.index}]` : written.outcome}; the VMM answers the host when it has consumed it`;
}

