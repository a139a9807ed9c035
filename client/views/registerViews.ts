import * as vscode from 'vscode';
import { ResumeAction, StalledTransaction } from '../../debug-adapter/protocol';
import { IommuSessions } from '../session/iommuSessions';
import { endedAt } from '../session/keptRun';
import { FaultsView, faultsViewId } from './faultsView';
import { PageTablesView, pageTablesViewId } from './pageTablesView';
import { QueuesView, queuesViewId } from './queuesView';
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

/** The views in the Run and Debug container, and the actions on their rows. */
export function registerViews(context: vscode.ExtensionContext, sessions: IommuSessions): void {
  const stalled = new StalledTransactionsView(sessions);
  const pageTables = new PageTablesView(sessions);
  const smmu = new SmmuView(sessions);
  const faults = new FaultsView(sessions);
  const queues = new QueuesView(sessions);
  const trees = [
    vscode.window.createTreeView(stalledViewId, { treeDataProvider: stalled }),
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
    ...Object.entries(resumeCommands).map(([action, command]) =>
      vscode.commands.registerCommand(command, (t: StalledTransaction) => resumeStalled(sessions, t.id, action as ResumeAction)),
    ),
    vscode.commands.registerCommand('iommu.smmu.edit', (node: SmmuNode) => editRegister(sessions, node)),
  );
}
