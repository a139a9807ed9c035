import { Connection, InitializeResult, TextDocuments, TextDocumentSyncKind } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import packageJson from '../package.json';
import { Analyses, Analysis } from './analysis';
import { codeLenses } from './codeLens';
import { completion } from './completion';
import { definition } from './definition';
import { diagnostics } from './diagnostics';
import { documentSymbols } from './documentSymbols';
import { foldingRanges } from './foldingRanges';
import { format } from './formatting';
import { hover } from './hover';
import { inlayHints } from './inlayHints';
import { references } from './references';
import { prepareRename, rename } from './rename';
import { semanticTokens, semanticTokensLegend } from './semanticTokens';

/** Name and version the server reports in `initialize`. */
export const serverInfo = { name: 'iommu-scenario-language-server', version: packageJson.version };

export const capabilities: InitializeResult['capabilities'] = {
  textDocumentSync: TextDocumentSyncKind.Incremental,
  hoverProvider: true,
  completionProvider: { triggerCharacters: ['.', '{'] },
  definitionProvider: true,
  referencesProvider: true,
  renameProvider: { prepareProvider: true },
  documentSymbolProvider: true,
  foldingRangeProvider: true,
  documentFormattingProvider: true,
  semanticTokensProvider: { legend: semanticTokensLegend, full: true },
  inlayHintProvider: true,
  codeLensProvider: { resolveProvider: false },
};

/**
 * Wires the LSP features to a connection. The transport (stdio, IPC, an in-memory
 * stream pair in tests) is the caller's choice. No request can take the server down: a
 * feature that throws is logged and answers with nothing.
 */
export function startServer(connection: Connection): TextDocuments<TextDocument> {
  const documents = new TextDocuments(TextDocument);
  const analyses = new Analyses();

  /** Runs a feature on the document's current analysis; a failure is logged, never thrown. */
  function withAnalysis<T>(feature: string, uri: string, fallback: T, run: (analysis: Analysis) => T): T {
    const document = documents.get(uri);
    if (!document) return fallback;
    try {
      return run(analyses.of(document));
    } catch (error) {
      connection.console.error(`${feature} failed on ${uri}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      return fallback;
    }
  }

  function publishDiagnostics(document: TextDocument): void {
    const list = withAnalysis('diagnostics', document.uri, [], diagnostics);
    void connection.sendDiagnostics({ uri: document.uri, version: document.version, diagnostics: list });
  }

  connection.onInitialize((): InitializeResult => ({ serverInfo, capabilities }));

  documents.onDidChangeContent((change) => publishDiagnostics(change.document));
  documents.onDidClose((event) => {
    analyses.forget(event.document.uri);
    void connection.sendDiagnostics({ uri: event.document.uri, diagnostics: [] });
  });

  connection.onHover((params) => withAnalysis('hover', params.textDocument.uri, null, (a) => hover(a, params.position)));
  connection.onCompletion((params) => withAnalysis('completion', params.textDocument.uri, [], (a) => completion(a, params.position)));
  connection.onDefinition((params) => withAnalysis('definition', params.textDocument.uri, null, (a) => definition(a, params.position)));
  connection.onReferences((params) =>
    withAnalysis('references', params.textDocument.uri, [], (a) => references(a, params.position, params.context.includeDeclaration)),
  );
  connection.onPrepareRename((params) => withAnalysis('prepareRename', params.textDocument.uri, null, (a) => prepareRename(a, params.position)));
  // A ResponseError returned from a handler is sent as the error response (an invalid name).
  connection.onRenameRequest((params) => withAnalysis('rename', params.textDocument.uri, null, (a) => rename(a, params.position, params.newName)));
  connection.onDocumentSymbol((params) => withAnalysis('documentSymbols', params.textDocument.uri, [], documentSymbols));
  connection.onFoldingRanges((params) => withAnalysis('foldingRanges', params.textDocument.uri, [], foldingRanges));
  connection.onDocumentFormatting((params) => withAnalysis('formatting', params.textDocument.uri, [], (a) => format(a, params.options)));
  connection.languages.semanticTokens.on((params) => withAnalysis('semanticTokens', params.textDocument.uri, { data: [] }, semanticTokens));
  connection.languages.inlayHint.on((params) => withAnalysis('inlayHints', params.textDocument.uri, [], (a) => inlayHints(a, params.range)));
  connection.onCodeLens((params) => withAnalysis('codeLens', params.textDocument.uri, [], codeLenses));

  documents.listen(connection);
  connection.listen();
  return documents;
}
