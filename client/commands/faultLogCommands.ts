import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import { LanguageClient } from 'vscode-languageclient/node';
import {
  ExplainLogParams,
  ExplainLogResult,
  explainLogRequest,
  ReproduceFaultParams,
  ReproduceFaultResult,
  reproduceFaultRequest,
} from '../../server/faultLogRequests';

/** The scheme of the read-only documents an explanation opens in. */
export const explanationScheme = 'iommu-fault-explanation';

/** The explanations opened so far, by path, for the content provider. */
export class FaultExplanations implements vscode.TextDocumentContentProvider {
  private readonly texts = new Map<string, string>();
  private next = 1;

  add(text: string): vscode.Uri {
    const uri = vscode.Uri.from({ scheme: explanationScheme, path: `fault-explanation-${this.next++}.txt` });
    this.texts.set(uri.path, text);
    return uri;
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.path) ?? '';
  }
}

/**
 * The log a command reads: the CodeLens's document when run from one; from the palette the
 * first of the active editor's selection, its whole document and the clipboard in which the
 * server finds a report (so a log copied from a bug works whatever editor is open).
 */
async function logText(client: LanguageClient, uri: string | undefined): Promise<string> {
  if (uri !== undefined) return (await vscode.workspace.openTextDocument(vscode.Uri.parse(uri))).getText();
  const editor = vscode.window.activeTextEditor;
  const candidates = [
    editor && !editor.selection.isEmpty ? editor.document.getText(editor.selection) : undefined,
    editor?.document.getText(),
    await vscode.env.clipboard.readText(),
  ].filter((text): text is string => text !== undefined && text.trim() !== '');
  for (const text of candidates) {
    const { reports } = await client.sendRequest<ExplainLogResult>(explainLogRequest, { text } satisfies ExplainLogParams);
    if (reports > 0) return text;
  }
  return candidates[0] ?? '';
}

/** `IOMMU: Explain Kernel Fault Log`: the server's explanation, read-only beside the editor. */
export async function explainFaultLog(client: LanguageClient, explanations: FaultExplanations, uri?: string): Promise<void> {
  const text = await logText(client, uri);
  const result = await client.sendRequest<ExplainLogResult>(explainLogRequest, { text } satisfies ExplainLogParams);
  if (result.reports === 0) {
    void vscode.window.showErrorMessage('No SMMU fault report found in the log (the selection, the document, or the clipboard).');
    return;
  }
  const document = await vscode.workspace.openTextDocument(explanations.add(result.text));
  await vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.Beside, preview: true });
}

/** Which report to reproduce when the palette gives none: the only one, else the user's pick. */
async function pickReport(client: LanguageClient, text: string): Promise<number | undefined> {
  const { reports } = await client.sendRequest<ExplainLogResult>(explainLogRequest, { text } satisfies ExplainLogParams);
  if (reports <= 1) return 0;
  const items = Array.from({ length: reports }, (_, i) => ({ label: `report ${i + 1}`, index: i }));
  return (await vscode.window.showQuickPick(items, { title: 'Reproduce which report?' }))?.index;
}

/**
 * A file for the reproduced scenario, `reproduced-fault-N.iommu` in the workspace's first
 * folder (else the temp folder), never over an existing one: the debug adapter reads the
 * scenario from disk, so F5 needs a file, not an untitled buffer.
 */
async function freeScenarioPath(report: number): Promise<string> {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? os.tmpdir();
  for (let n = report; ; n++) {
    const candidate = path.join(folder, `reproduced-fault-${n}.iommu`);
    try {
      await vscode.workspace.fs.stat(vscode.Uri.file(candidate));
    } catch {
      return candidate;
    }
  }
}

/** `IOMMU: Reproduce Kernel Fault as Scenario`: the scenario opened ready for F5, or why there is none. */
export async function reproduceFault(client: LanguageClient, uri?: string, index?: number): Promise<void> {
  const text = await logText(client, uri);
  const chosen = index ?? (await pickReport(client, text));
  if (chosen === undefined) return;
  const result = await client.sendRequest<ReproduceFaultResult>(reproduceFaultRequest, { text, index: chosen } satisfies ReproduceFaultParams);
  if ('cannot' in result) {
    void vscode.window.showErrorMessage(`Report ${chosen + 1} cannot be reproduced yet: ${result.cannot}`);
    return;
  }
  const file = vscode.Uri.file(await freeScenarioPath(chosen + 1));
  await vscode.workspace.fs.writeFile(file, Buffer.from(result.scenario, 'utf8'));
  await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(file), { preview: false });
}
