import * as vscode from 'vscode';
import { ResumeAction } from '../../debug-adapter/protocol';
import { IommuSessions } from '../session/iommuSessions';
import { resumeStalled } from '../views/stalledTransactionsView';

const actions: { label: string; description: string; action: ResumeAction }[] = [
  { label: 'Retry', description: 'RESUME with TnR=0: translate the transaction again', action: 'retry' },
  { label: 'Terminate', description: 'RESUME with TnR=1: the transaction ends as the domain reports (abort or RAZ/WI)', action: 'terminate' },
  { label: 'Abort', description: 'Terminate with an abort to the master', action: 'abort' },
];

/** IOMMU: Resume Stalled Transaction… — pick a stalled transaction, then the answer. */
export async function resumeStalledTransaction(sessions: IommuSessions): Promise<void> {
  const session = sessions.stoppedSession();
  if (typeof session === 'string') {
    void vscode.window.showErrorMessage(session);
    return;
  }
  const { transactions } = await sessions.request(session, 'iommu/stalled', {});
  if (transactions.length === 0) {
    void vscode.window.showInformationMessage('No transaction is stalled.');
    return;
  }
  const transaction = await vscode.window.showQuickPick(
    transactions.map((t) => ({ label: `#${t.id} ${t.engine}`, description: `${t.access} ${t.iova}${t.label ? ` (${t.label})` : ''}`, detail: t.stall === 'behind' ? 'behind a fault (HUPCF=0)' : (t.fault ?? ''), id: t.id })),
    { title: 'Resume which stalled transaction?' },
  );
  if (!transaction) return;
  const answer = await vscode.window.showQuickPick(actions, { title: `Answer #${transaction.id} with` });
  if (!answer) return;
  await resumeStalled(sessions, transaction.id, answer.action);
}
