import * as vscode from 'vscode';
import { ResumeAction, StalledTransaction } from '../../debug-adapter/protocol';
import { IommuSessions } from '../session/iommuSessions';
import { endedAt } from '../session/keptRun';
import { FaultsView, faultsViewId } from './faultsView';
import { PageTablesView, pageTablesViewId } from './pageTablesView';
import { QueuesView, queuesViewId } from './queuesView';
import { EndedNote } from './sessionTree';
import { editRegister, SmmuNode, SmmuView, smmuViewId } from './smmuView';
import { resumeStalled, StalledTransactionsView, stalledViewId } from './stalledTransactionsView';

const resumeCommands: Record<ResumeAction, string> = {
  retry: 'iommu.stalled.retry',
  terminate: 'iommu.stalled.terminate',
  abort: 'iommu.stalled.abort',
  success: 'iommu.stalled.success',
  invalid: 'iommu.stalled.invalid',
  failure: 'iommu.stalled.failure',
};

/**
 * A stop on a transaction the driver can answer selects its row, so that its answers show
 * without a hover: the first such stop of a session brings the IOMMU panel forward; later
 * ones select the row only while the view is on screen (the user may have gone elsewhere).
 */
function selectStoppedRows(sessions: IommuSessions, view: StalledTransactionsView, tree: vscode.TreeView<StalledTransaction | EndedNote>): vscode.Disposable {
  const shown = new Set<string>();
  return sessions.onDidChange(async (change) => {
    if (change.kind !== 'stopped' || change.threadId === undefined) return;
    if (shown.has(change.session.id) && !tree.visible) return;
    const row = await view.stoppedRow(change.threadId);
    if (!row) return;
    shown.add(change.session.id);
    try {
      await tree.reveal(row, { select: true, focus: false });
    } catch (error) {
      // The session moved on before the row could be shown: nothing to select.
      console.warn(`IOMMU: ${error instanceof Error ? error.message : String(error)}`);
    }
  });
}

/** The views of the IOMMU panel, and the actions on their rows. */
export function registerViews(context: vscode.ExtensionContext, sessions: IommuSessions): void {
  const stalled = new StalledTransactionsView(sessions);
  const pageTables = new PageTablesView(sessions);
  const smmu = new SmmuView(sessions);
  const faults = new FaultsView(sessions);
  const queues = new QueuesView(sessions);
  const stalledTree = vscode.window.createTreeView(stalledViewId, { treeDataProvider: stalled });
  const trees = [
    stalledTree,
    vscode.window.createTreeView(pageTablesViewId, { treeDataProvider: pageTables, showCollapseAll: true }),
    vscode.window.createTreeView(smmuViewId, { treeDataProvider: smmu, showCollapseAll: true }),
    vscode.window.createTreeView(faultsViewId, { treeDataProvider: faults }),
    vscode.window.createTreeView(queuesViewId, { treeDataProvider: queues, showCollapseAll: true }),
  ];
  // A kept run says so at the top of every view: what it shows is where the run ended.
  const mark = (): void => {
    const source = sessions.source();
    const message = source?.kind === 'kept' ? `The run ${endedAt(source.run)} (read-only).` : undefined;
    for (const tree of trees) tree.message = message;
  };
  context.subscriptions.push(
    stalled,
    pageTables,
    smmu,
    faults,
    queues,
    ...trees,
    sessions.onDidChange(mark),
    selectStoppedRows(sessions, stalled, stalledTree),
    ...Object.entries(resumeCommands).map(([action, command]) =>
      vscode.commands.registerCommand(command, (t: StalledTransaction) => resumeStalled(sessions, t.id, action as ResumeAction)),
    ),
    vscode.commands.registerCommand('iommu.smmu.edit', (node: SmmuNode) => editRegister(sessions, node)),
  );
}
