import { ResponseKind } from '../language/ast';
import { Runtime } from '../machine/runtime';
import { ActivityState, FaultRecord, IopfGroupState, VmState } from '../machine/state';
import { decodeEvent, encodeEvent } from '../smmu/v3/eventRecord';
import { commandText } from '../smmu/v3/commands';
import { hex, hex64 } from '../util/u64';
import { eventText } from '../smmu/v3/eventq';
import { FaultPageRequest, newFaultObject, iommufdFaultIopfHandler, readFaultFile, writeFaultFile } from './iommufd/faultObject';
import { decodePgfault, describePageResponse, describePgfault, encodePageResponse, HWPT_PGFAULT, HwptPageResponse, HwptPgfault } from './iommufd/faultRecords';
import { IOMMU_VEVENTQ_TYPE, IOMMUFD_PAGE_RESP } from './iommufd/uapi';
import { GuestMemory, guestIssueCommand, guestTakeEvent, newVirtualQueues, injectEvent, injectWaitingStalls, vmmFetchCommand } from './iommufd/virtualQueues';
import { injectedEventFor, newVmmFaultState, rememberStall, responsesFor, vmmOwnResponse } from './iommufd/vmm';
import { newVeventq, readVeventq, reportVevent } from './iommufd/veventq';
import { describeVeventHeader, encodeVeventArmSmmuv3, VEVENT_ARM_SMMUV3_BYTES, VEVENT_HEADER } from './iommufd/veventRecords';
import { pageRequestOfStall, vmasterEvent } from './iommufd/hostEventRoute';
import { hasChange } from './versions';
import { ScenarioModel } from '../scenario/model';
import { Guest } from '../machine/addressSpaces';
import { describeGroup, errorResponse, masterOfStream, groupResponseCommand, handlerFor, iopfResponseStep, iopfWorkStep, Reported, sendPageResponse } from './iopf';
import { printk } from './printk';
import { eventLogLines } from './smmuV3EventLog';
import { newActivity, startOn, threadById } from './threads';

/**
 * A device a guest owns (translation-regimes.md, "A guest owns the device"): the host's
 * iommu core hands a nested domain's recoverable faults to iommufd, whose fault object the
 * VMM reads; the VMM injects a stall record into the guest's virtual SMMU event queue (in
 * guest memory, at IPAs); the guest kernel's own arm-smmu-v3 driver takes it, its iopf work
 * runs the guest's handler and answers with CMD_RESUME in its virtual command queue; the VMM
 * traps that and writes a page response to the fault fd; the host resumes the stall. Each
 * hop is a step of a thread: the host's evtq thread, the VMM's, the guest's evtq thread and
 * its iopf worker (emulator/kernel/iommufd/forwardingPath.ts names them).
 */

/** The guest's virtual SMMU queues: 32 event records, 64 commands (a page each), from its first nested domain's table pages. */
const GUEST_EVTQ_LOG2SIZE = 5;
const GUEST_CMDQ_LOG2SIZE = 6;

/**
 * A VM as the machine starts it: an empty fault object, its vEVENTQ (from the release that
 * has them), and the guest's virtual SMMU queues in its memory — pages the guest kernel
 * takes next to its page tables (the first nested domain's), else its first stage-2 page.
 */
export function newVmState(model: ScenarioModel, vm: number, guests: readonly (Guest | undefined)[]): VmState {
  const vmModel = model.vms[vm];
  const nested = model.domains.findIndex((d) => d.vm === vm);
  const allocator = guests[nested]?.allocator;
  const firstIpa = Number(model.domains[vmModel?.stage2 ?? -1]?.maps[0]?.iova ?? 0n);
  const page = (): number => allocator?.allocateContiguous(1) ?? firstIpa;
  const veventq = vmModel && hasChange(model.kernel, 'iommufdVeventq') ? newVeventq(IOMMU_VEVENTQ_TYPE.ARM_SMMUV3, vmModel.veventqDepth) : undefined;
  return {
    fault: newFaultObject(),
    veventq: veventq && !('error' in veventq) ? veventq : undefined,
    vmm: newVmmFaultState(),
    vmmRead: [],
    vmmEvents: [],
    vmmResponses: [],
    forwarded: [],
    queues: newVirtualQueues({ ipa: page(), log2size: GUEST_EVTQ_LOG2SIZE }, { ipa: page(), log2size: GUEST_CMDQ_LOG2SIZE }),
    guestEvtqActive: false,
  };
}

/** The VM's threads, after every host thread (machine.ts makeThreads): its VMM, the guest's evtq IRQ thread, its iopf worker. */
export function vmThreadNames(vm: string): { vmm: string; evtq: string; iopf: string } {
  return { vmm: `${vm}/vmm`, evtq: `${vm}/irq/vsmmu-evtq`, iopf: `${vm}/iopf` };
}

function vmThread(rt: Runtime, vm: number, role: 'vmm' | 'evtq' | 'iopf'): number {
  const name = vmThreadNames(rt.model.vms[vm]?.name ?? '?')[role];
  const thread = rt.state.threads.find((t) => t.name === name);
  if (!thread) throw new Error(`no thread ${name}`);
  return thread.id;
}

/** The guest's memory as its virtual SMMU's queues are reached: IPAs through the VM's stage 2. */
function guestOf(rt: Runtime, vm: number): GuestMemory {
  const view = rt.vmViews[vm];
  if (!view) throw new Error(`no VM ${vm}`);
  return view.guestMemory();
}

export function vmState(rt: Runtime, vm: number): VmState {
  const state = rt.state.vms[vm];
  if (!state) throw new Error(`no VM ${vm}`);
  return state;
}

/** The device's iommufd object ID the VMM bound (IOMMU_VFIO_DEVICE_BIND): 1 + the master's index, in the model. */
function devIdOf(rt: Runtime, group: IopfGroupState): number {
  const master = rt.model.masters.findIndex((m) => m.smmu === group.smmu && m.streams.some((s) => s.id === group.sid));
  return master + 1;
}

/** struct iommu_fault_page_request of one stalled fault, as arm_smmu_handle_event fills it from the stall record. */
function pageRequestOf(group: IopfGroupState, fault: FaultRecord): FaultPageRequest {
  return pageRequestOfStall({ rnw: !fault.write, ind: fault.exec, pnu: fault.priv, ssv: group.ssid !== undefined, ssid: group.ssid ?? 0, stag: group.grpid, inputAddr: fault.iova });
}

function startVmActivity(rt: Runtime, vm: number, thread: number, fields: Pick<ActivityState, 'steps' | 'domain' | 'group' | 'handler' | 'fault'> & { smmu: number }): void {
  const activity = newActivity(rt, { thread, bank: undefined, cfi: undefined, callers: [], vm, ...fields });
  startOn(rt, threadById(rt, thread), activity);
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

/** The host fault a pgfault stands for (its group's, by grpid and device). */
function hostGroupOf(rt: Runtime, state: VmState, pgfault: Pick<HwptPgfault, 'grpid' | 'dev_id'>): IopfGroupState | undefined {
  return state.forwarded.find((g) => g.grpid === pgfault.grpid && devIdOf(rt, g) === pgfault.dev_id);
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

/** The guest's event queue interrupt: its evtq thread drains the virtual queue (one run at a time). */
function raiseGuestEvtq(rt: Runtime, smmu: number, vm: number): void {
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
function vmmReadVeventq(rt: Runtime, vm: number): string {
  const state = vmState(rt, vm);
  if (!state.veventq) return 'no vEVENTQ';
  const read = readVeventq(state.veventq, VEVENT_HEADER.size + VEVENT_ARM_SMMUV3_BYTES);
  const event = read.events[0];
  if (!event) return `read(veventq_fd) = ${read.result}: nothing to read`;
  const header = `struct iommufd_vevent_header {${describeVeventHeader(read.bytes.subarray(0, VEVENT_HEADER.size)).join(', ')}}`;
  if (event.lost) return `read(veventq_fd) = ${read.result}: ${header}: events were lost, the last of them sequence ${event.sequence}`;
  const dwords = Array.from({ length: 4 }, (_, i) => new DataView(event.data.buffer, event.data.byteOffset + 8 * i, 8).getBigUint64(0, true));
  state.vmmEvents.push(dwords);
  return `read(veventq_fd) = ${read.result}: ${header}, struct iommu_vevent_arm_smmuv3 {${dwords.map(hex64).join(' ')}}`;
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

export const vmmSteps = ['iommufd_fault_fops_read', 'iommufd_veventq_fops_read', 'smmuv3_record_event', 'smmuv3_cmdq_consume', 'iommufd_fault_fops_write'] as const;
export type VmmStep = (typeof vmmSteps)[number];

export function isVmmStep(step: string): step is VmmStep {
  return (vmmSteps as readonly string[]).includes(step);
}
