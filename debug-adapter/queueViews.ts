import { Machine } from '../emulator/machine/machine';
import { describeCommand, describeEvent, describePageRequest, describePointers, inOverflow, pendingEntries, queueEntries, QueueState } from '../emulator/inspect/queues';
import { DecodedField, fieldView } from '../emulator/inspect/decodedFields';
import { hex, hex32, hex64 } from '../emulator/util/u64';
import { QueueEntryView, QueueView, SmmuQueuesView } from './protocol';
import { entryText, QueueName } from '../emulator/inspect/queueText';
import { pageRequestWaitsOf, stallTagsOf } from '../emulator/inspect/smmus';

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

function queueView(machine: Machine, name: QueueName, q: Readonly<QueueState>): QueueView {
  return {
    name,
    base: hex(q.base),
    entries: queueEntries(q),
    prod: hex32(q.prod),
    cons: hex32(q.cons),
    pointers: describePointers(q),
    overflow: inOverflow(q),
    dropped: q.dropped,
    pending: pendingEntries(machine.runtime.memory, q).map((entry) => ({
      index: entry.index,
      address: hex(q.base + entry.index * q.entryBytes),
      text: entryText(name, entry.dwords),
      fields: fieldsOf(name, entry.dwords),
      dwords: entry.dwords.map(hex64),
    })),
  };
}

/** Each SMMUv3's queues as they are in memory now, its stalls and the page request groups devices wait on. */
export function queuesOf(machine: Machine): SmmuQueuesView[] {
  return machine.model.smmus.flatMap((smmu, index): SmmuQueuesView[] => {
    const queues = machine.smmu(index)?.queues() ?? [];
    if (queues.length === 0) return [];
    return [
      {
        smmu: smmu.name,
        queues: queues.map(({ name, queue }) => queueView(machine, name, queue)),
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
