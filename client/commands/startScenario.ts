import * as vscode from 'vscode';
import { languageId, scenarioConfiguration } from '../configurationProvider';

/**
 * The scenario a command acts on: the one clicked in the explorer or title bar (a Uri),
 * the one a code lens names (the language server sends its URI as a string), else the
 * active editor's.
 */
function targetScenario(resource: vscode.Uri | string | undefined): vscode.Uri | undefined {
  if (typeof resource === 'string') return vscode.Uri.parse(resource);
  if (resource) return resource;
  const document = vscode.window.activeTextEditor?.document;
  return document?.languageId === languageId ? document.uri : undefined;
}

export async function startScenario(resource: vscode.Uri | string | undefined, noDebug: boolean): Promise<void> {
  const scenario = targetScenario(resource);
  if (!scenario) {
    void vscode.window.showErrorMessage('Open a .iommu scenario first.');
    return;
  }
  const folder = vscode.workspace.getWorkspaceFolder(scenario);
  // Both, as VS Code's own Run (Ctrl+F5) does: the option is what VS Code reads, the attribute what the adapter's launch reads.
  await vscode.debug.startDebugging(folder, scenarioConfiguration(scenario.fsPath, noDebug), { noDebug });
}
