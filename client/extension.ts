import * as vscode from 'vscode';
import { LanguageClient } from 'vscode-languageclient/node';
import { registerCommands } from './commands/registerCommands';
import { debugType, IommuConfigurationProvider, languageId } from './configurationProvider';
import { IommuDebugAdapterFactory } from './debugAdapterFactory';
import { CrashDumpDocuments, crashDumpScheme } from './dumps/crashDumpDocuments';
import { EvaluatableAddresses } from './editor/evaluatableAddresses';
import { TransactionInlineValues } from './editor/transactionInlineValues';
import { createLanguageClient } from './languageClient';
import { RunReportDocuments, runReportScheme } from './report/runReportDocuments';
import { IommuSessions } from './session/iommuSessions';
import { registerTimeline } from './timeline/timelinePanel';
import { registerViews } from './views/registerViews';

let client: LanguageClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const sessions = new IommuSessions();
  const dumps = new CrashDumpDocuments(sessions);
  const reports = new RunReportDocuments(sessions);
  context.subscriptions.push(
    sessions,
    reports,
    vscode.workspace.registerTextDocumentContentProvider(runReportScheme, reports),
    vscode.debug.registerDebugConfigurationProvider(debugType, new IommuConfigurationProvider()),
    vscode.debug.registerDebugAdapterDescriptorFactory(debugType, new IommuDebugAdapterFactory(context)),
    vscode.workspace.registerTextDocumentContentProvider(crashDumpScheme, dumps),
    vscode.languages.registerEvaluatableExpressionProvider(languageId, new EvaluatableAddresses()),
    vscode.languages.registerInlineValuesProvider(languageId, new TransactionInlineValues(sessions)),
  );
  registerViews(context, sessions);
  registerTimeline(context, sessions);
  client = createLanguageClient(context);
  registerCommands(context, sessions, dumps, reports, client);
  await client.start();
}

export async function deactivate(): Promise<void> {
  await client?.stop();
  client = undefined;
}
