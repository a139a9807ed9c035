import * as path from 'path';
import * as vscode from 'vscode';

export const debugType = 'iommu';
export const languageId = 'iommu-scenario';

/** The configuration F5 uses on an open scenario when there is no launch.json. */
export function scenarioConfiguration(scenario: string, noDebug = false): vscode.DebugConfiguration {
  return { type: debugType, request: 'launch', name: 'Debug scenario', scenario, noDebug };
}

/** The scenarios of the workspace, to pick one when F5 is pressed with none open. */
async function pickScenario(): Promise<string | undefined> {
  const files = await vscode.workspace.findFiles('**/*.iommu', '**/node_modules/**', 500);
  if (files.length === 0) {
    void vscode.window.showErrorMessage('There is no .iommu scenario in this workspace: open one, or set "scenario" in launch.json, to start debugging.');
    return undefined;
  }
  const items = files
    .map((uri) => ({ label: path.basename(uri.fsPath), description: vscode.workspace.asRelativePath(path.dirname(uri.fsPath)), uri }))
    .sort((a, b) => a.label.localeCompare(b.label));
  const picked = await vscode.window.showQuickPick(items, { title: 'Debug which scenario?', placeHolder: 'a .iommu scenario of this workspace', matchOnDescription: true });
  return picked?.uri.fsPath;
}

/**
 * Lets F5 on an `.iommu` file start a session with no launch.json (and offers the
 * workspace's scenarios when none is open); a scenario the language server found errors in
 * is not launched: its errors are in the Problems panel, which the message opens.
 */
export class IommuConfigurationProvider implements vscode.DebugConfigurationProvider {
  async resolveDebugConfiguration(_folder: vscode.WorkspaceFolder | undefined, config: vscode.DebugConfiguration): Promise<vscode.DebugConfiguration | undefined> {
    if (!config.type && !config.request && !config.name) {
      const editor = vscode.window.activeTextEditor;
      // Run Without Debugging (Ctrl+F5) with no launch.json sends `{ noDebug: true }` alone: keep it.
      const noDebug = config.noDebug === true;
      if (editor?.document.languageId === languageId) return scenarioConfiguration('${file}', noDebug);
      const picked = await pickScenario();
      return picked === undefined ? undefined : scenarioConfiguration(picked, noDebug);
    }
    if (typeof config['scenario'] !== 'string' || config['scenario'] === '') {
      const picked = await pickScenario();
      return picked === undefined ? undefined : { ...config, scenario: picked };
    }
    return config;
  }

  resolveDebugConfigurationWithSubstitutedVariables(_folder: vscode.WorkspaceFolder | undefined, config: vscode.DebugConfiguration): vscode.DebugConfiguration | undefined {
    const scenario = config['scenario'];
    if (typeof scenario !== 'string') return config;
    const errors = vscode.languages.getDiagnostics(vscode.Uri.file(scenario)).filter((d) => d.severity === vscode.DiagnosticSeverity.Error);
    if (errors.length === 0) return config;
    // Undefined cancels the launch without VS Code's "Open launch.json" dialog: the errors are in Problems, with their lines.
    const first = errors[0] as vscode.Diagnostic;
    const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : '';
    void vscode.window
      .showErrorMessage(`${path.basename(scenario)} has errors, so it cannot run: line ${first.range.start.line + 1}: ${first.message}${more}`, 'Show Problems')
      .then((choice) => (choice === 'Show Problems' ? vscode.commands.executeCommand('workbench.actions.view.problems') : undefined));
    return undefined;
  }
}
