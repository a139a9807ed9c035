import { Machine } from '../emulator/machine/machine';
import { describeCommand, describeEvent, describePageRequest, describePointers, inOverflow, pendingEntries, queueEntries, QueueMemory, QueueState } from '../emulator/inspect/queues';
import { DecodedField, fieldView } from '../emulator/inspect/decodedFields';
import { hex, hex32, hex64 } from '../emulator/util/u64';
import { QueueEntryView, QueueView, SmmuQueuesView } from './protocol';
import { entryText, QueueName } from '../emulator/inspect/queueText';
import { pageRequestWaitsOf, stallTagsOf } from '../emulator/inspect/smmus';
import { guestQueuesOf } from '../emulator/inspect/vms';

const describers: Record<QueueName, (dwords: readonly bigint[]) => DecodedField[]> = {
  event: describeEvent,
  pri: describePageRequest,
  command: describeCommand,
};

/** What the queue views call each queue: `event queue`, `PRI queue`, `command queue`. */
export const queueTitles: Record<QueueName, string> = {
  event: 'event queue',
  pri: 'PRI queue',
  command: 'command queue',
};

function fieldsOf(queue: QueueName, dwords: readonly bigint[]): QueueEntryView['fields'] {
  try {
    return describers[queue](dwords).map(fieldView);
  } catch {
    return [];
  }
}

/** Where a queue is: the host's at PAs; a guest's at IPAs, `pa` the stage-2 translation of one. */
interface QueuePlace {
  memory: QueueMemory;
  pa: (address: number) => number;
  guest: boolean;
}

const HOST_QUEUE = (memory: QueueMemory): QueuePlace => ({ memory, pa: (address) => address, guest: false });

function queueView(place: QueuePlace, name: QueueName, q: Readonly<QueueState>): QueueView {
  return {
    name,
    base: hex(place.pa(q.base)),
    ipa: place.guest ? hex(q.base) : null,
    entries: queueEntries(q),
    prod: hex32(q.prod),
    cons: hex32(q.cons),
    pointers: describePointers(q),
    overflow: inOverflow(q),
    dropped: q.dropped,
    pending: pendingEntries(place.memory, q).map((entry) => ({
      index: entry.index,
      address: hex(place.pa(q.base + entry.index * q.entryBytes)),
      text: entryText(name, entry.dwords),
      fields: fieldsOf(name, entry.dwords),
      dwords: entry.dwords.map(hex64),
    })),
  };
}

/**
 * Each SMMUv3's queues as they are in memory now, its stalls and the page request groups
 * devices wait on; then each VM's virtual SMMUv3 — its guest's queues at IPAs, and the
 * stalls its VMM injected (STAG and vSID).
 */
export function queuesOf(machine: Machine): SmmuQueuesView[] {
  const guests = guestQueuesOf(machine).map(
    (guest): SmmuQueuesView => ({
      smmu: `${guest.vm} (virtual SMMUv3, guest memory)`,
      queues: guest.queues.map(({ name, queue, memory, pa }) => queueView({ memory, pa, guest: true }, name, queue)),
      stalls: guest.stalls.map((s) => ({ stag: hex(s.stag), sid: hex(s.vsid), transaction: guestStallTransaction(machine, s) })),
      pageRequestGroups: [],
    }),
  );
  return [...hostQueuesOf(machine), ...guests];
}

/** The host transaction an injected stall stands for. */
function guestStallTransaction(machine: Machine, stall: { vsid: number; stag: number }): number {
  const v3Stalls = machine.model.smmus.flatMap((_, index) => stallTagsOf(machine.state, index));
  return v3Stalls.find((s) => s.sid === stall.vsid && s.stag === stall.stag)?.transaction ?? -1;
}

function hostQueuesOf(machine: Machine): SmmuQueuesView[] {
  return machine.model.smmus.flatMap((smmu, index): SmmuQueuesView[] => {
    const queues = machine.smmu(index)?.queues() ?? [];
    if (queues.length === 0) return [];
    return [
      {
        smmu: smmu.name,
        queues: queues.map(({ name, queue }) => queueView(HOST_QUEUE(machine.runtime.memory), name, queue)),
        stalls: stallTagsOf(machine.state, index).map((s) => ({ stag: hex(s.stag), sid: hex(s.sid), transaction: s.transaction })),
        pageRequestGroups: pageRequestWaitsOf(machine.state, index).map((w) => ({ prgi: hex(w.prgi), sid: hex(w.sid), transactions: [...w.transactions] })),
      },
    ];
  });
}

/** `PROD 0x00000002 CONS 0x00000000 · 2 pending · OVERFLOW`: a queue in one line. */
export function queueSummary(queue: QueueView): string {
  const pending = queue.pending.length === 0 ? 'empty' : `${queue.pending.length} pending`;
  return `PROD ${queue.prod} CONS ${queue.cons} · ${pending}${queue.overflow ? ' · OVERFLOW' : ''}`;
}
