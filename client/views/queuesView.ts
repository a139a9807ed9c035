import * as vscode from 'vscode';
import { isExpandable, QueueRow, queueChildren, queueRoots, rowDescription, rowId, rowLabel } from './queueRows';
import { RunSource } from '../session/iommuSessions';
import { SessionTree } from './sessionTree';

export const queuesViewId = 'iommu.queues';

const icons: Record<QueueRow['kind'], string> = {
  queue: 'inbox',
  entry: 'mail',
  field: 'symbol-field',
  waits: 'debug-pause',
  wait: 'watch',
};

/**
 * Each SMMUv3's event, PRI and command queues as they are in memory (`iommu/queues`):
 * PROD and CONS, the entries not consumed yet, each opening into its decoded fields;
 * then the stalls and page request groups waiting for an answer.
 */
export class QueuesView extends SessionTree<QueueRow> {
  protected readonly noneWhenEnded = 'No SMMUv3 queue';

  protected async roots(source: RunSource): Promise<QueueRow[]> {
    return queueRoots((await this.sessions.ask(source, 'iommu/queues', {})).smmus);
  }

  protected override children(_source: RunSource, row: QueueRow): Promise<QueueRow[]> {
    return Promise.resolve(queueChildren(row));
  }

  protected item(row: QueueRow): vscode.TreeItem {
    const item = new vscode.TreeItem(rowLabel(row), isExpandable(row) ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
    item.id = rowId(row);
    item.description = rowDescription(row);
    const overflow = row.kind === 'queue' && row.queue.overflow;
    item.iconPath = new vscode.ThemeIcon(overflow ? 'warning' : icons[row.kind], overflow ? new vscode.ThemeColor('charts.red') : undefined);
    if (row.kind === 'queue') item.tooltip = `${row.queue.pointers}\nbase ${row.queue.base}, ${row.queue.entries} entries, ${row.queue.dropped} dropped`;
    if (row.kind === 'entry') item.tooltip = row.entry.dwords.join(' ');
    if (row.kind === 'field') item.tooltip = `bits ${row.field.bits}: ${row.field.meaning}`;
    item.contextValue = `iommu.queues.${row.kind}`;
    return item;
  }
}
