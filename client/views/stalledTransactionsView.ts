import * as vscode from 'vscode';
import { ResumeAction, StalledTransaction } from '../../debug-adapter/protocol';
import { revealLineOnClick } from '../editor/revealLine';
import { IommuSessions } from '../session/iommuSessions';
import { SessionTree } from './sessionTree';

export const stalledViewId = 'iommu.stalledTransactions';

function describe(t: StalledTransaction): string {
  const why = t.stall === 'behind' ? 'behind a fault (HUPCF=0)' : (t.fault ?? 'stalled');
  return `${t.access} ${t.iova}${t.label ? ` (${t.label})` : ''} · sid ${'0x' + t.sid.toString(16)} · ${why} · ${t.age} cycles`;
}

/** Every stalled transaction, one row each, with Retry / Terminate / Abort inline. */
export class StalledTransactionsView extends SessionTree<StalledTransaction> {
  protected async roots(session: vscode.DebugSession): Promise<StalledTransaction[]> {
    return (await this.sessions.request(session, 'iommu/stalled', {})).transactions;
  }

  getTreeItem(t: StalledTransaction): vscode.TreeItem {
    const item = new vscode.TreeItem(`#${t.id} ${t.engine}`, vscode.TreeItemCollapsibleState.None);
    item.id = `stalled-${t.id}`;
    item.description = describe(t);
    item.iconPath = new vscode.ThemeIcon(t.stall === 'behind' ? 'debug-pause' : 'debug-breakpoint-log-unverified', new vscode.ThemeColor(t.stall === 'behind' ? 'charts.yellow' : 'charts.red'));
    const where = t.contextBank === null ? t.smmu : `${t.smmu} cb${t.contextBank}`;
    item.tooltip = new vscode.MarkdownString(
      [
        `**#${t.id}** ${t.access} \`${t.iova}\`${t.label ? ` (${t.label})` : ''} from **${t.engine}**, stream \`0x${t.sid.toString(16)}\``,
        t.stall === 'behind' ? `Stalled behind another transaction's fault on ${where} (HUPCF=0).` : `Stalled by its own fault on ${where}: ${t.fault ?? ''}.`,
        `Waiting for ${t.age} cycles; line ${t.line}.`,
      ].join('\n\n'),
    );
    item.contextValue = 'iommu.stalledTransaction';
    item.command = revealLineOnClick(t.path, t.line);
    return item;
  }
}

/** Answers a stalled transaction as the driver would: RESUME / CMD_RESUME. */
export async function resumeStalled(sessions: IommuSessions, transaction: number, action: ResumeAction): Promise<void> {
  const session = sessions.stoppedSession();
  if (typeof session === 'string') {
    void vscode.window.showErrorMessage(session);
    return;
  }
  try {
    const body = await sessions.request(session, 'iommu/resume', { transaction, action });
    const others = body.resumed.filter((id) => id !== transaction);
    const also = others.length > 0 ? `; also resumed ${others.map((id) => `#${id}`).join(', ')}` : '';
    vscode.window.setStatusBarMessage(`IOMMU: ${body.written}${also}`, 8000);
  } catch (error) {
    void vscode.window.showErrorMessage(`IOMMU: cannot ${action} #${transaction}: ${error instanceof Error ? error.message : String(error)}`);
  }
}
