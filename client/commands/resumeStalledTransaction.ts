import * as vscode from 'vscode';
import { IommuSessions } from '../session/iommuSessions';
import { answerMessage, answersFor } from '../views/stalledRows';
import { refusedAnswerMessage } from './refusedAnswer';

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
  // Only what the driver can answer now is offered; the rest say why they wait.
  const answerable = transactions.filter((t) => t.unanswerable === null);
  if (answerable.length === 0) {
    void vscode.window.showInformationMessage(`No stalled transaction can be answered now: ${transactions.map((t) => `#${t.id}: ${t.unanswerable ?? ''}`).join('; ')}.`);
    return;
  }
  const picked = await vscode.window.showQuickPick(
    answerable.map((t) => ({ label: `#${t.id} ${t.engine}`, description: `${t.access} ${t.iova}${t.label ? ` (${t.label})` : ''}`, detail: t.fault ?? '', transaction: t })),
    { title: 'Resume which stalled transaction?' },
  );
  if (!picked) return;
  const stalled = picked.transaction;
  // A stall takes Retry / Terminate / Abort; a page request group Success / Invalid / Failure.
  const answer = await vscode.window.showQuickPick([...answersFor(stalled)], { title: `Answer #${stalled.id} with` });
  if (!answer) return;
  try {
    const body = await sessions.request(session, 'iommu/resume', { transaction: stalled.id, action: answer.action });
    vscode.window.setStatusBarMessage(answerMessage(stalled.id, body), 8000);
  } catch (error) {
    void vscode.window.showErrorMessage(refusedAnswerMessage(stalled.id, answer.action, error));
  }
}
