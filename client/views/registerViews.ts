import * as vscode from 'vscode';
import { ResumeAction, StalledTransaction } from '../../debug-adapter/protocol';
import { IommuSessions } from '../session/iommuSessions';
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
  context.subscriptions.push(
    stalled,
    pageTables,
    smmu,
    faults,
    queues,
    vscode.window.createTreeView(stalledViewId, { treeDataProvider: stalled }),
    vscode.window.createTreeView(pageTablesViewId, { treeDataProvider: pageTables, showCollapseAll: true }),
    vscode.window.createTreeView(smmuViewId, { treeDataProvider: smmu, showCollapseAll: true }),
    vscode.window.createTreeView(faultsViewId, { treeDataProvider: faults }),
    vscode.window.createTreeView(queuesViewId, { treeDataProvider: queues, showCollapseAll: true }),
    ...Object.entries(resumeCommands).map(([action, command]) =>
      vscode.commands.registerCommand(command, (t: StalledTransaction) => resumeStalled(sessions, t.id, action as ResumeAction)),
    ),
    vscode.commands.registerCommand('iommu.smmu.edit', (node: SmmuNode) => editRegister(sessions, node)),
  );
}
