import * as path from 'path';
import * as vscode from 'vscode';

export const debugType = 'iommu';
export const languageId = 'iommu-scenario';

/** The configuration F5 uses on an open scenario when there is no launch.json. */
export function scenarioConfiguration(scenario: string, noDebug = false): vscode.DebugConfiguration {
  return { type: debugType, request: 'launch', name: 'Debug scenario', scenario, noDebug };
}

/**
 * A scenario's folder in the workspace (`gpu`), none for one at its top. Not the relative
 * path of its folder: that of the workspace folder itself is its absolute path.
 */
function folderOf(uri: vscode.Uri): string | undefined {
  const folder = path.posix.dirname(vscode.workspace.asRelativePath(uri, false));
  return folder === '.' ? undefined : folder;
}

/** The scenarios of the workspace, to pick one when F5 is pressed with none open. */
async function pickScenario(): Promise<string | undefined> {
  const files = await vscode.workspace.findFiles('**/*.iommu', '**/node_modules/**', 500);
  if (files.length === 0) {
    void vscode.window.showErrorMessage('There is no .iommu scenario in this workspace: open one, or set "scenario" in launch.json, to start debugging.');
    return undefined;
  }
  const items = files
    .map((uri) => ({ label: path.basename(uri.fsPath), description: folderOf(uri), uri }))
    .sort((a, b) => a.label.localeCompare(b.label));
  const picked = await vscode.window.showQuickPick(items, { title: 'Debug which scenario?', placeHolder: 'a .iommu scenario of this workspace', matchOnDescription: true });
  return picked?.uri.fsPath;
}

/**
 * Lets F5 on an `.iommu` file start a session with no launch.json (and offers the
 * workspace's scenarios when none is open).
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

  /**
   * The Debug Console's paths are relative to `cwd`, the workspace folder by default: VS
   * Code links a `./` path there from the session's folder, which is this one. A scenario
   * the language server found errors in is launched all the same, so that the adapter lists
   * them in the Debug Console, each a link to its line (a launch refused here has no session,
   * and the Debug Console drops what is written to it without one); the message beside it
   * opens the Problems panel.
   */
  resolveDebugConfigurationWithSubstitutedVariables(folder: vscode.WorkspaceFolder | undefined, config: vscode.DebugConfiguration): vscode.DebugConfiguration {
    const scenario = config['scenario'];
    if (typeof scenario !== 'string') return config;
    const resolved = config['cwd'] === undefined && folder ? { ...config, cwd: folder.uri.fsPath } : config;
    const errors = vscode.languages.getDiagnostics(vscode.Uri.file(scenario)).filter((d) => d.severity === vscode.DiagnosticSeverity.Error);
    if (errors.length > 0) offerProblems(scenario, errors);
    return resolved;
  }
}

/** A message with the first error and "Show Problems", which opens the Problems panel. */
function offerProblems(scenario: string, errors: readonly vscode.Diagnostic[]): void {
  const first = errors[0] as vscode.Diagnostic;
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : '';
  void vscode.window
    .showErrorMessage(`${path.basename(scenario)} has errors, so it cannot run: line ${first.range.start.line + 1}: ${first.message}${more}`, 'Show Problems')
    .then((choice) => (choice === 'Show Problems' ? vscode.commands.executeCommand('workbench.actions.view.problems') : undefined));
}
