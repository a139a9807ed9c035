import * as vscode from 'vscode';

export const debugType = 'iommu';
export const languageId = 'iommu-scenario';

/** The configuration F5 uses on an open scenario when there is no launch.json. */
export function scenarioConfiguration(scenario: string, noDebug = false): vscode.DebugConfiguration {
  return { type: debugType, request: 'launch', name: 'Debug scenario', scenario, noDebug };
}

/** Lets F5 on an `.iommu` file start a session with no launch.json. */
export class IommuConfigurationProvider implements vscode.DebugConfigurationProvider {
  resolveDebugConfiguration(
    _folder: vscode.WorkspaceFolder | undefined,
    config: vscode.DebugConfiguration,
  ): vscode.ProviderResult<vscode.DebugConfiguration> {
    if (!config.type && !config.request && !config.name) {
      const editor = vscode.window.activeTextEditor;
      // Run Without Debugging (Ctrl+F5) with no launch.json sends `{ noDebug: true }` alone: keep it.
      if (editor?.document.languageId === languageId) return scenarioConfiguration('${file}', config.noDebug === true);
    }
    if (typeof config['scenario'] !== 'string' || config['scenario'] === '') {
      void vscode.window.showErrorMessage('Open a .iommu scenario, or set "scenario" in launch.json, to start debugging.');
      return undefined;
    }
    return config;
  }
}
