import * as vscode from 'vscode';
import { ResumeAction, StalledTransaction } from '../../debug-adapter/protocol';
import { refusedAnswerMessage } from '../commands/refusedAnswer';
import { revealLineOnClick } from '../editor/revealLine';
import { IommuSessions, RunSource } from '../session/iommuSessions';
import { EndedNote, SessionTree } from './sessionTree';
import { answerMessage, rowContext, stalledDescription, stalledWhere } from './stalledRows';

export const stalledViewId = 'iommu.stalledTransactions';
/** Whether the Stalled Transactions view shows a transaction the driver can answer now. */
const answerableContext = 'iommu.answerable';

/**
 * Every stalled transaction, one row each, with Retry / Terminate / Abort inline — or, for
 * one waiting on a PRI page request group, Success / Invalid / Failure.
 */
export class StalledTransactionsView extends SessionTree<StalledTransaction> {
  protected readonly noneWhenEnded = 'No transaction was stalled';
  /** One object per transaction across refreshes, updated in place: the tree can reveal a row it drew before. */
  private readonly rows = new Map<number, StalledTransaction>();
  /** The stop's one `iommu/stalled` answer, shared by the tree and the row a stop selects; asked again after each change. */
  private fetched: Promise<StalledTransaction[]> | undefined;

  override refresh(): void {
    this.fetched = undefined;
    super.refresh();
  }

  protected roots(source: RunSource): Promise<StalledTransaction[]> {
    this.fetched ??= this.fetch(source);
    return this.fetched;
  }

  private async fetch(source: RunSource): Promise<StalledTransaction[]> {
    const { transactions } = await this.sessions.ask(source, 'iommu/stalled', {});
    // The view's title offers "Resume Stalled Transaction…" only while a row can be answered.
    void vscode.commands.executeCommand('setContext', answerableContext, !this.readOnly && transactions.some((t) => t.unanswerable === null));
    const live = new Set(transactions.map((t) => t.id));
    for (const id of this.rows.keys()) if (!live.has(id)) this.rows.delete(id);
    return transactions.map((t) => {
      const row = this.rows.get(t.id);
      if (!row) {
        this.rows.set(t.id, t);
        return t;
      }
      return Object.assign(row, t);
    });
  }

  getParent(): undefined {
    return undefined;
  }

  /**
   * The row of the transaction a stop is about, on `threadId`'s engine, if the driver can
   * answer it now: what the view selects so that its answers show.
   */
  async stoppedRow(threadId: number): Promise<StalledTransaction | undefined> {
    const rows = await this.getChildren();
    return rows.find((r): r is StalledTransaction => !(r instanceof EndedNote) && r.threadId === threadId && r.unanswerable === null);
  }

  protected item(t: StalledTransaction): vscode.TreeItem {
    const item = new vscode.TreeItem(`#${t.id} ${t.engine}`, vscode.TreeItemCollapsibleState.None);
    item.id = `stalled-${t.id}`;
    item.description = stalledDescription(t);
    item.iconPath = new vscode.ThemeIcon(t.stall === 'behind' ? 'debug-pause' : 'debug-breakpoint-log-unverified', new vscode.ThemeColor(t.stall === 'behind' ? 'charts.yellow' : 'charts.red'));
    const where = stalledWhere(t);
    item.tooltip = new vscode.MarkdownString(
      [
        `**#${t.id}** ${t.access} \`${t.iova}\`${t.label ? ` (${t.label})` : ''} from **${t.engine}**, stream \`0x${t.sid.toString(16)}\``,
        t.stall === 'behind'
          ? `Stalled behind another transaction's fault on ${where} (HUPCF=0).`
          : t.stall === 'page-request'
            ? `Its device waits for the response to its page request group on ${where}: ${t.fault ?? ''}.`
            : `Stalled by its own fault on ${where}: ${t.fault ?? ''}.`,
        `Waiting for ${t.age} cycles; line ${t.line}.`,
        ...(t.unanswerable !== null ? [`Cannot be answered now: ${t.unanswerable}.`] : []),
      ].join('\n\n'),
    );
    // A kept run's stalls can no longer be answered: no Retry, Terminate or Abort on them.
    if (!this.readOnly) item.contextValue = rowContext(t);
    item.command = revealLineOnClick(t.path, t.line);
    return item;
  }
}

/** Answers a stalled transaction as the driver would: RESUME / CMD_RESUME, or CMD_PRI_RESP to its group. */
export async function resumeStalled(sessions: IommuSessions, transaction: number, action: ResumeAction): Promise<void> {
  const session = sessions.stoppedSession();
  if (typeof session === 'string') {
    void vscode.window.showErrorMessage(session);
    return;
  }
  try {
    const body = await sessions.request(session, 'iommu/resume', { transaction, action });
    vscode.window.setStatusBarMessage(answerMessage(transaction, body), 8000);
  } catch (error) {
    void vscode.window.showErrorMessage(refusedAnswerMessage(transaction, action, error));
  }
}
