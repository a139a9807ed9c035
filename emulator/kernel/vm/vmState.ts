import { Runtime } from '../../machine/runtime';
import { ActivityState, IopfGroupState, VmState } from '../../machine/state';
import { Guest } from '../../machine/addressSpaces';
import { ScenarioModel } from '../../scenario/model';
import { newFaultObject } from '../iommufd/faultObject';
import { HwptPgfault } from '../iommufd/faultRecords';
import { IOMMU_VEVENTQ_TYPE } from '../iommufd/uapi';
import { newVeventq } from '../iommufd/veventq';
import { GuestMemory, newVirtualQueues } from '../iommufd/virtualQueues';
import { newVmmFaultState } from '../iommufd/vmm';
import { masterOfStream } from '../iopf';
import { newActivity, startOn, threadById } from '../threads';
import { hasChange } from '../versions';

/**
 * A device a guest owns (translation-regimes.md, "A guest owns the device"): the host's
 * iommu core hands a nested domain's recoverable faults to iommufd, whose fault object the
 * VMM reads; the VMM injects a stall record into the guest's virtual SMMU event queue (in
 * guest memory, at IPAs); the guest kernel's own arm-smmu-v3 driver takes it, its iopf work
 * runs the guest's handler and answers with CMD_RESUME in its virtual command queue; the VMM
 * traps that and writes a page response to the fault fd; the host resumes the stall. Each
 * hop is a step of a thread: the host's evtq thread, the VMM's, the guest's evtq thread and
 * its iopf worker (emulator/kernel/iommufd/forwardingPath.ts names them).
 *
 * Here: a VM's state, its threads and its guest's memory. vmm.ts runs the VMM's steps,
 * guestKernel.ts the guest kernel's, veventq.ts the path of its non-recoverable events.
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

export function vmThread(rt: Runtime, vm: number, role: 'vmm' | 'evtq' | 'iopf'): number {
  const name = vmThreadNames(rt.model.vms[vm]?.name ?? '?')[role];
  const thread = rt.state.threads.find((t) => t.name === name);
  if (!thread) throw new Error(`no thread ${name}`);
  return thread.id;
}

/** The guest's memory as its virtual SMMU's queues are reached: IPAs through the VM's stage 2. */
export function guestOf(rt: Runtime, vm: number): GuestMemory {
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
export function devIdOf(rt: Runtime, group: IopfGroupState): number {
  const master = masterOfStream(rt, group.smmu, group.sid);
  return (master ? rt.model.masters.indexOf(master) : -1) + 1;
}


export function startVmActivity(rt: Runtime, vm: number, thread: number, fields: Pick<ActivityState, 'steps' | 'domain' | 'group' | 'handler' | 'fault'> & { smmu: number }): void {
  const activity = newActivity(rt, { thread, bank: undefined, cfi: undefined, callers: [], vm, ...fields });
  startOn(rt, threadById(rt, thread), activity);
}


/** The host fault a pgfault stands for (its group's, by grpid and device). */
export function hostGroupOf(rt: Runtime, state: VmState, pgfault: Pick<HwptPgfault, 'grpid' | 'dev_id'>): IopfGroupState | undefined {
  return state.forwarded.find((g) => g.grpid === pgfault.grpid && devIdOf(rt, g) === pgfault.dev_id);
}

