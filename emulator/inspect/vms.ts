import { Machine } from '../machine/machine';
import { QueueMemory, QueueState } from '../smmu/v3/queue';
import { guestStallOf } from '../kernel/vm/guestKernel';
import { vmThreadNames } from '../kernel/vm/vmState';

/**
 * A VM as views show it: the guest's virtual SMMUv3 queues — in guest memory, at IPAs, read
 * through the VM's stage 2 — and the stalls its VMM injected and the guest has not answered.
 */
export interface GuestQueues {
  vm: string;
  /** `memory` reads at IPAs; `pa` is where an IPA is (the queues are in pages stage 2 maps). */
  queues: { name: 'event' | 'command'; queue: Readonly<QueueState>; memory: QueueMemory; pa: (ipa: number) => number }[];
  stalls: { vsid: number; stag: number; cookie: number }[];
  /** Its threads: the VMM's, the guest kernel's event queue thread and iopf worker. */
  threads: string[];
}

export function guestQueuesOf(machine: Machine): GuestQueues[] {
  return machine.model.vms.flatMap((vm, index): GuestQueues[] => {
    const state = machine.state.vms[index];
    const view = machine.runtime.vmViews[index];
    if (!state || !view) return [];
    const names = vmThreadNames(vm.name);
    const pa = (ipa: number): number => Number(view.translate(BigInt(ipa)) ?? BigInt(ipa));
    return [
      {
        vm: vm.name,
        queues: [
          { name: 'event', queue: state.queues.eventq, memory: view, pa },
          { name: 'command', queue: state.queues.cmdq, memory: view, pa },
        ],
        stalls: state.vmm.pending.map((p) => ({ ...p })),
        threads: [names.vmm, names.evtq, names.iopf],
      },
    ];
  });
}

/** Whether a guest holds a stalled transaction: its fault forwarded and injected, the guest's to answer. */
export function guestHolds(machine: Machine, transaction: number): boolean {
  return guestStallOf(machine.runtime, transaction) !== undefined;
}
