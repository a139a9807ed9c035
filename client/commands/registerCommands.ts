import * as vscode from 'vscode';
import { LanguageClient } from 'vscode-languageclient/node';
import { explainLogCommand, reproduceFaultCommand } from '../../server/faultLogRequests';
import { CrashDumpDocuments, openCrashDumpCommand } from '../dumps/crashDumpDocuments';
import { revealLine, revealLineCommand } from '../editor/revealLine';
import { RunReportDocuments, showRunReportCommand } from '../report/runReportDocuments';
import { IommuSessions } from '../session/iommuSessions';
import { explainFaultLog, explanationScheme, FaultExplanations, reproduceFault } from './faultLogCommands';
import { openExample } from './openExample';
import { resumeStalledTransaction } from './resumeStalledTransaction';
import { startScenario } from './startScenario';
import { translateAddress } from './translateAddress';

/** The palette's commands: run and debug a scenario, and everything the views can do. */
export function registerCommands(context: vscode.ExtensionContext, sessions: IommuSessions, dumps: CrashDumpDocuments, reports: RunReportDocuments, client: LanguageClient): void {
  const explanations = new FaultExplanations();
  context.subscriptions.push(
    vscode.workspace.registerTextDocumentContentProvider(explanationScheme, explanations),
    vscode.commands.registerCommand(explainLogCommand, (uri?: string) => explainFaultLog(client, explanations, typeof uri === 'string' ? uri : undefined)),
    vscode.commands.registerCommand(reproduceFaultCommand, (uri?: string, index?: number) =>
      reproduceFault(client, typeof uri === 'string' ? uri : undefined, typeof index === 'number' ? index : undefined),
    ),
    vscode.commands.registerCommand('iommu.debugScenario', (resource?: vscode.Uri | string) => startScenario(resource, false)),
    vscode.commands.registerCommand('iommu.runScenario', (resource?: vscode.Uri | string) => startScenario(resource, true)),
    vscode.commands.registerCommand('iommu.translateAddress', (iova?: string) => translateAddress(sessions, iova)),
    vscode.commands.registerCommand('iommu.resumeStalledTransaction', () => resumeStalledTransaction(sessions)),
    vscode.commands.registerCommand(openCrashDumpCommand, (id?: number) => dumps.open(id)),
    vscode.commands.registerCommand('iommu.openExample', () => openExample(context.extensionUri)),
    vscode.commands.registerCommand(showRunReportCommand, () => reports.show()),
    vscode.commands.registerCommand(revealLineCommand, (path: string, line: number) => revealLine(path, line)),
  );
}
