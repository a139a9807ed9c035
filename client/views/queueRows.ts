import { QueueEntryView, QueueView, SmmuQueuesView } from '../../debug-adapter/protocol';

/** The rows of the Queues view, from `iommu/queues`: nothing here talks to VS Code. */
export type QueueRow =
  | { kind: 'queue'; smmu: string; queue: QueueView }
  | { kind: 'entry'; smmu: string; queue: QueueView['name']; entry: QueueEntryView }
  | { kind: 'field'; parent: string; field: QueueEntryView['fields'][number] }
  | { kind: 'waits'; smmu: string; what: 'stalls' | 'groups'; rows: { label: string; description: string }[] }
  | { kind: 'wait'; parent: string; label: string; description: string };

const titles: Record<QueueView['name'], string> = {
  event: 'event queue',
  pri: 'PRI queue',
  command: 'command queue',
};

/** Each SMMUv3's queues, then what waits for an answer (only when something does). */
export function queueRoots(smmus: readonly SmmuQueuesView[]): QueueRow[] {
  return smmus.flatMap((smmu): QueueRow[] => {
    const rows: QueueRow[] = smmu.queues.map((queue) => ({ kind: 'queue', smmu: smmu.smmu, queue }));
    if (smmu.stalls.length > 0) {
      rows.push({ kind: 'waits', smmu: smmu.smmu, what: 'stalls', rows: smmu.stalls.map((s) => ({ label: `STAG ${s.stag}`, description: `#${s.transaction} · sid ${s.sid}` })) });
    }
    if (smmu.pageRequestGroups.length > 0) {
      rows.push({
        kind: 'waits',
        smmu: smmu.smmu,
        what: 'groups',
        rows: smmu.pageRequestGroups.map((g) => ({ label: `PRGI ${g.prgi}`, description: `sid ${g.sid} · ${g.transactions.map((t) => `#${t}`).join(', ')}` })),
      });
    }
    return rows;
  });
}

/** What a row opens into. */
export function queueChildren(row: QueueRow): QueueRow[] {
  switch (row.kind) {
    case 'queue':
      return row.queue.pending.map((entry) => ({ kind: 'entry', smmu: row.smmu, queue: row.queue.name, entry }));
    case 'entry':
      return row.entry.fields.map((field) => ({ kind: 'field', parent: rowId(row), field }));
    case 'waits':
      return row.rows.map((r) => ({ kind: 'wait', parent: rowId(row), ...r }));
    default:
      return [];
  }
}

/** `smmu0 · event queue`, `[0] F_TRANSLATION …`, `STAG`, `smmu0 · stalls`. */
export function rowLabel(row: QueueRow): string {
  switch (row.kind) {
    case 'queue':
      return `${row.smmu} · ${titles[row.queue.name]}`;
    case 'entry':
      return `[${row.entry.index}] ${row.entry.text}`;
    case 'field':
      return row.field.name;
    case 'waits':
      return `${row.smmu} · ${row.what === 'stalls' ? 'stalls' : 'page request groups'}`;
    case 'wait':
      return row.label;
  }
}

/** `PROD 0x00000002 CONS 0x00000000 · 2 pending · OVERFLOW` for a queue; a field's value and meaning. */
export function rowDescription(row: QueueRow): string {
  switch (row.kind) {
    case 'queue': {
      const q = row.queue;
      const pending = q.pending.length === 0 ? 'empty' : `${q.pending.length} pending`;
      const dropped = q.dropped > 0 ? ` · ${q.dropped} dropped` : '';
      // A VM's virtual queue says where its guest put it: an IPA.
      const ipa = q.ipa === null ? '' : ` · at IPA ${q.ipa}`;
      return `PROD ${q.prod} CONS ${q.cons} · ${pending}${q.overflow ? ' · OVERFLOW' : ''}${dropped}${ipa}`;
    }
    case 'entry':
      return `slot at ${row.entry.address}`;
    case 'field':
      return row.field.meaning && row.field.meaning !== row.field.value ? `${row.field.value} · ${row.field.meaning}` : row.field.value;
    case 'waits':
      return `${row.rows.length} waiting for ${row.what === 'stalls' ? 'CMD_RESUME' : 'CMD_PRI_RESP'}`;
    case 'wait':
      return row.description;
  }
}

/** Stable across stops, so what the user opened stays open when the view refreshes. */
export function rowId(row: QueueRow): string {
  switch (row.kind) {
    case 'queue':
      return `queue-${row.smmu}-${row.queue.name}`;
    case 'entry':
      return `queue-${row.smmu}-${row.queue}-${row.entry.index}`;
    case 'field':
      return `${row.parent}-${row.field.name}`;
    case 'waits':
      return `queue-${row.smmu}-${row.what}`;
    case 'wait':
      return `${row.parent}-${row.label}`;
  }
}

export function isExpandable(row: QueueRow): boolean {
  return (row.kind === 'queue' && row.queue.pending.length > 0) || (row.kind === 'entry' && row.entry.fields.length > 0) || row.kind === 'waits';
}
