import * as vscode from 'vscode';
import { LanguageClient, LanguageClientOptions, ServerOptions, TransportKind } from 'vscode-languageclient/node';

/** Starts `dist/server.js` in its own process, talking over Node IPC. */
export function createLanguageClient(context: vscode.ExtensionContext): LanguageClient {
  const module = context.asAbsolutePath('dist/server.js');
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6019'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'iommu-scenario' },
      { scheme: 'untitled', language: 'iommu-scenario' },
      // Kernel logs: the server gives their fault reports lenses and hovers, nothing else.
      ...(['file', 'untitled'] as const).flatMap((scheme) => [
        { scheme, language: 'plaintext' },
        { scheme, language: 'log' },
        { scheme, pattern: '**/*.log' },
        { scheme, pattern: '**/dmesg*' },
      ]),
    ],
  };
  return new LanguageClient('iommuScenario', 'IOMMU Scenario Language Server', serverOptions, clientOptions);
}
