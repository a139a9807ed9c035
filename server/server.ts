import { CodeActionKind, Connection, ErrorCodes, InitializeResult, ResponseError, TextDocuments, TextDocumentSyncKind } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import packageJson from '../package.json';
import { Analyses, Analysis } from './analysis';
import { codeActions } from './codeActions';
import { codeLenses } from './codeLens';
import { completion } from './completion';
import { definition } from './definition';
import { diagnostics } from './diagnostics';
import { documentsConfiguration } from './documentUpdates';
import { explainText, ReadFault, readFaults, reproduceReport } from '../emulator/inspect/faultLogs';
import { faultLogHover } from './faultLogHover';
import { faultLogLenses } from './faultLogLens';
import { LogReads } from './logReads';
import { ExplainLogParams, ExplainLogResult, explainLogRequest, ReproduceFaultParams, ReproduceFaultResult, reproduceFaultRequest } from './faultLogRequests';
import { documentSymbols } from './documentSymbols';
import { foldingRanges } from './foldingRanges';
import { format } from './formatting';
import { hover } from './hover';
import { inlayHints } from './inlayHints';
import { references } from './references';
import { prepareRename, rename } from './rename';
import { ParamField, paramsProblem, TextDocumentIdentifierParams } from './requestParams';
import { semanticTokens, semanticTokensLegend } from './semanticTokens';

/** The scenario language's id: every other document the client sends is a kernel log. */
export const scenarioLanguageId = 'iommu-scenario';

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
  codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
};

/**
 * Wires the LSP features to a connection. The transport (stdio, IPC, an in-memory
 * stream pair in tests) is the caller's choice. No request can take the server down: params
 * that are not what LSP says get InvalidParams, and a feature that throws is logged and
 * answers with nothing.
 */
export function startServer(connection: Connection): TextDocuments<TextDocument> {
  const documents = new TextDocuments(documentsConfiguration);
  const analyses = new Analyses();
  const logReads = new LogReads();

  /** Runs a feature, logging a failure instead of throwing it. */
  function guarded<T>(feature: string, uri: string, fallback: T, run: () => T): T {
    try {
      return run();
    } catch (error) {
      connection.console.error(`${feature} failed on ${uri}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      return fallback;
    }
  }

  /**
   * Runs a scenario feature on the document's current analysis (a log document gets the
   * fallback: the scenario features, diagnostics included, never read a log as a scenario);
   * a failure is logged, never thrown.
   */
  function withAnalysis<T>(feature: string, uri: string, fallback: T, run: (analysis: Analysis) => T): T {
    const document = documents.get(uri);
    if (!document || document.languageId !== scenarioLanguageId) return fallback;
    return guarded(feature, uri, fallback, () => run(analyses.of(document)));
  }

  /** A log document's reports, undefined for a scenario (or no document). */
  function logFaults(uri: string): readonly ReadFault[] | undefined {
    const document = documents.get(uri);
    return document && document.languageId !== scenarioLanguageId ? logReads.of(document) : undefined;
  }

  /** A feature of log documents, or the scenario feature on a scenario. */
  function onLog<T>(feature: string, params: unknown, fields: readonly ParamField[], fallback: T, log: (faults: readonly ReadFault[], uri: string) => T, scenario: (analysis: Analysis) => T): T | ResponseError<void> {
    const problem = paramsProblem(params, fields);
    if (problem) return new ResponseError(ErrorCodes.InvalidParams, `${feature}: ${problem}`);
    const uri = (params as TextDocumentIdentifierParams).textDocument.uri;
    const faults = logFaults(uri);
    return faults === undefined ? withAnalysis(feature, uri, fallback, scenario) : guarded(feature, uri, fallback, () => log(faults, uri));
  }

  /** A request's answer: InvalidParams when its params are not what it needs (`fields`), else the feature's. */
  function answer<T>(feature: string, params: unknown, fields: readonly ParamField[], fallback: T, run: (analysis: Analysis) => T): T | ResponseError<void> {
    const problem = paramsProblem(params, fields);
    if (problem) return new ResponseError(ErrorCodes.InvalidParams, `${feature}: ${problem}`);
    return withAnalysis(feature, (params as TextDocumentIdentifierParams).textDocument.uri, fallback, run);
  }

  function publishDiagnostics(document: TextDocument): void {
    const list = withAnalysis('diagnostics', document.uri, [], diagnostics);
    void connection.sendDiagnostics({ uri: document.uri, version: document.version, diagnostics: list });
  }

  connection.onInitialize((): InitializeResult => ({ serverInfo, capabilities }));

  documents.onDidChangeContent((change) => publishDiagnostics(change.document));
  documents.onDidClose((event) => {
    analyses.forget(event.document.uri);
    logReads.forget(event.document.uri);
    void connection.sendDiagnostics({ uri: event.document.uri, diagnostics: [] });
  });

  connection.onHover((params) => onLog('hover', params, ['position'], null, (faults) => faultLogHover(faults, params.position), (a) => hover(a, params.position)));
  connection.onCompletion((params) => answer('completion', params, ['position'], [], (a) => completion(a, params.position)));
  connection.onDefinition((params) => answer('definition', params, ['position'], null, (a) => definition(a, params.position)));
  connection.onReferences((params) => answer('references', params, ['position', 'context'], [], (a) => references(a, params.position, params.context.includeDeclaration)));
  connection.onPrepareRename((params) => answer('prepareRename', params, ['position'], null, (a) => prepareRename(a, params.position)));
  // A ResponseError returned from a handler is sent as the error response (an invalid name).
  connection.onRenameRequest((params) => answer('rename', params, ['position', 'newName'], null, (a) => rename(a, params.position, params.newName)));
  connection.onDocumentSymbol((params) => answer('documentSymbols', params, [], [], documentSymbols));
  connection.onFoldingRanges((params) => answer('foldingRanges', params, [], [], foldingRanges));
  connection.onDocumentFormatting((params) => answer('formatting', params, ['options'], [], (a) => format(a, params.options)));
  connection.languages.semanticTokens.on((params) => answer('semanticTokens', params, [], { data: [] }, semanticTokens));
  connection.languages.inlayHint.on((params) => answer('inlayHints', params, ['range'], [], (a) => inlayHints(a, params.range)));
  connection.onCodeLens((params) => onLog('codeLens', params, [], [], (faults, uri) => faultLogLenses(uri, faults), codeLenses));
  connection.onRequest<ExplainLogResult | ResponseError<void>, void>(explainLogRequest, (params: ExplainLogParams) => {
    if (typeof params?.text !== 'string') return new ResponseError(ErrorCodes.InvalidParams, `${explainLogRequest}: text must be a string`);
    const faults = readFaults(params.text);
    return { text: explainText(faults), reports: faults.length };
  });
  connection.onRequest<ReproduceFaultResult | ResponseError<void>, void>(reproduceFaultRequest, (params: ReproduceFaultParams) => {
    if (typeof params?.text !== 'string' || !Number.isInteger(params.index)) {
      return new ResponseError(ErrorCodes.InvalidParams, `${reproduceFaultRequest}: text must be a string and index an integer`);
    }
    const fault = readFaults(params.text)[params.index];
    if (!fault) return { cannot: 'there is no such SMMU fault report in the text' };
    return reproduceReport(fault.report);
  });
  connection.onCodeAction((params) => answer('codeActions', params, ['range', 'codeActionContext'], [], (a) => codeActions(a, params)));

  documents.listen(connection);
  connection.listen();
  return documents;
}
