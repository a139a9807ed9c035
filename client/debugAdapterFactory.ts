import * as vscode from 'vscode';
import { IommuDebugSession } from '../debug-adapter/session';
import { readScenarioFromDisk, ScenarioReader } from '../debug-adapter/scenarioReader';

export type DebugAdapterMode = 'inline' | 'process';

/**
 * The inline adapter runs what the editor shows, saved or not — the same text the language
 * server checks — and reads the disk for a scenario that is not open.
 */
const readScenarioFromEditor: ScenarioReader = (path) => {
  const open = vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'file' && d.uri.fsPath === vscode.Uri.file(path).fsPath);
  return open ? Promise.resolve(open.getText()) : readScenarioFromDisk(path);
};

/**
 * Runs the adapter inline in the extension host (quick to start, one process, the editor's
 * unsaved text) or, when `iommu.debugAdapter.mode` is `process`, as
 * `node dist/debug-adapter.js` on stdio — the same session class either way.
 */
export class IommuDebugAdapterFactory implements vscode.DebugAdapterDescriptorFactory {
  constructor(private readonly context: vscode.ExtensionContext) {}

  createDebugAdapterDescriptor(): vscode.DebugAdapterDescriptor {
    const mode = vscode.workspace.getConfiguration('iommu').get<DebugAdapterMode>('debugAdapter.mode', 'inline');
    if (mode === 'process') {
      // The extension host's own executable runs as plain Node when asked to, on desktop and in the browser's server alike.
      return new vscode.DebugAdapterExecutable(process.execPath, [this.context.asAbsolutePath('dist/debug-adapter.js')], {
        env: { ELECTRON_RUN_AS_NODE: '1' },
      });
    }
    return new vscode.DebugAdapterInlineImplementation(new IommuDebugSession(readScenarioFromEditor));
  }
}
