import * as vscode from 'vscode';
import { IommuDebugSession } from '../debug-adapter/session';
import { readScenarioFromDisk } from '../debug-adapter/scenarioReader';

export type DebugAdapterMode = 'inline' | 'process';

/**
 * Runs the adapter inline in the extension host (quick to start, one process) or, when
 * `iommu.debugAdapter.mode` is `process`, as `node dist/debug-adapter.js` on stdio — the
 * same session class either way.
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
    return new vscode.DebugAdapterInlineImplementation(new IommuDebugSession(readScenarioFromDisk));
  }
}
