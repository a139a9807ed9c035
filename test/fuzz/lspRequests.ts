import fc from 'fast-check';
import { Position } from 'vscode-languageserver-protocol';
import { TextDocument } from 'vscode-languageserver-textdocument';

/**
 * Requests for the language-server fuzzer, drawn as specs and made concrete against the
 * document they are sent on (a position is drawn as an offset into whatever text there is,
 * or as raw numbers that may lie far outside it).
 */

/** The requests the server registers, by method. */
const supportedMethods = [
  'textDocument/hover',
  'textDocument/completion',
  'textDocument/definition',
  'textDocument/references',
  'textDocument/prepareRename',
  'textDocument/rename',
  'textDocument/documentSymbol',
  'textDocument/foldingRange',
  'textDocument/formatting',
  'textDocument/semanticTokens/full',
  'textDocument/inlayHint',
  'textDocument/codeLens',
  'textDocument/codeAction',
] as const;
type SupportedMethod = (typeof supportedMethods)[number];

/** Requests a client may send that this server does not offer: each deserves MethodNotFound. */
const unsupportedMethods = [
  'textDocument/rangeFormatting',
  'textDocument/onTypeFormatting',
  'textDocument/semanticTokens/range',
  'textDocument/semanticTokens/full/delta',
  'textDocument/signatureHelp',
  'textDocument/documentHighlight',
  'completionItem/resolve',
  'inlayHint/resolve',
  'codeLens/resolve',
  'workspace/symbol',
  'fuzz/noSuchMethod',
] as const;

/** Notifications a client may send at any time, about documents the server has or has not: none may disturb it. */
const notifications = [
  'textDocument/didSave',
  'textDocument/didClose',
  'textDocument/didChange',
  'workspace/didChangeConfiguration',
  'workspace/didChangeWatchedFiles',
  '$/cancelRequest',
  '$/setTrace',
  'fuzz/noSuchNotification',
] as const;

type PositionSpec = { kind: 'offset'; offset: number } | { kind: 'end'; back: number } | { kind: 'raw'; line: number; character: number };

/** Documents the server does not have: it answers with nothing (or an error that is not internal). */
const unknownUris = ['file:///fuzz/never-opened.iommu', 'untitled:Untitled-1', '', 'not a uri', 'file:///fuzz/%E2%82%AC%20%F0%9F%98%80.iommu'] as const;

/** Ways to break a request's params so that it deserves InvalidParams. */
const corruptions = [
  'no params',
  'params not an object',
  'no textDocument',
  'uri not a string',
  'no position',
  'negative line',
  'fractional character',
  'line as a string',
  'newName not a string',
  'no context',
  'no options',
  'tabSize as a string',
  'no range',
  'range end missing',
] as const;
type Corruption = (typeof corruptions)[number];

export type RequestSpec =
  | {
      kind: 'supported';
      method: SupportedMethod;
      /** `undefined`: the fuzzed document; else an index into `unknownUris`. */
      unknownUri: number | undefined;
      position: PositionSpec;
      end: PositionSpec;
      newName: string;
      includeDeclaration: boolean;
      tabSize: number;
      insertSpaces: boolean;
      /** Extra properties a client may add: ignored. */
      extra: boolean;
    }
  | { kind: 'corrupted'; method: SupportedMethod; corruption: Corruption; position: PositionSpec }
  | { kind: 'unsupported'; method: (typeof unsupportedMethods)[number]; position: PositionSpec }
  | { kind: 'notification'; method: (typeof notifications)[number]; position: PositionSpec };

const positionSpec: fc.Arbitrary<PositionSpec> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('offset' as const), offset: fc.nat() }) },
  // Where the user types: at the end of the text, or just before it.
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('end' as const), back: fc.nat({ max: 3 }) }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('raw' as const),
      line: fc.oneof(fc.nat({ max: 50 }), fc.nat({ max: 2 ** 31 - 1 })),
      character: fc.oneof(fc.nat({ max: 200 }), fc.nat({ max: 2 ** 31 - 1 })),
    }),
  },
);

const newName = fc.oneof(fc.constantFrom('renamed', 'x', 'a-b', '_', 'gpu', 'd', 'iopf', '2d', 'a-1', '', 'a b', 'é', '\uD800'), fc.string({ maxLength: 12 }));

export const requestArbitrary: fc.Arbitrary<RequestSpec> = fc.oneof(
  {
    weight: 12,
    arbitrary: fc.record({
      kind: fc.constant('supported' as const),
      method: fc.constantFrom(...supportedMethods),
      unknownUri: fc.oneof({ weight: 8, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.nat({ max: unknownUris.length - 1 }) }),
      position: positionSpec,
      end: positionSpec,
      newName,
      includeDeclaration: fc.boolean(),
      tabSize: fc.oneof(fc.constantFrom(2, 4, 8), fc.nat({ max: 100 })),
      insertSpaces: fc.boolean(),
      extra: fc.boolean(),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('corrupted' as const), method: fc.constantFrom(...supportedMethods), corruption: fc.constantFrom(...corruptions), position: positionSpec }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('unsupported' as const), method: fc.constantFrom(...unsupportedMethods), position: positionSpec }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('notification' as const), method: fc.constantFrom(...notifications), position: positionSpec }) },
);

/** What the answer to a request must be. */
export type Expectation =
  /** A result for the document (an error only where the method may refuse: rename). */
  | 'answer'
  /** A request on a document the server does not have: an empty answer, or an error that is not internal. */
  | 'nothing'
  | 'invalid-params'
  | 'method-not-found'
  /** A notification: nothing to answer, nothing to log. */
  | 'notification';

export interface SentRequest {
  method: string;
  params: unknown;
  expect: Expectation;
}

function positionOf(spec: PositionSpec, document: TextDocument): Position {
  const length = document.getText().length;
  switch (spec.kind) {
    case 'raw':
      return { line: spec.line, character: spec.character };
    case 'end':
      return document.positionAt(length - spec.back);
    case 'offset':
      return document.positionAt(spec.offset % (length + 1));
  }
}

/** The params of a well-formed request. */
function paramsOf(spec: Extract<RequestSpec, { kind: 'supported' }>, uri: string, document: TextDocument): Record<string, unknown> {
  const textDocument = { uri };
  const position = positionOf(spec.position, document);
  switch (spec.method) {
    case 'textDocument/hover':
    case 'textDocument/completion':
    case 'textDocument/definition':
    case 'textDocument/prepareRename':
      return { textDocument, position };
    case 'textDocument/references':
      return { textDocument, position, context: { includeDeclaration: spec.includeDeclaration } };
    case 'textDocument/rename':
      return { textDocument, position, newName: spec.newName };
    case 'textDocument/formatting':
      return { textDocument, options: { tabSize: spec.tabSize, insertSpaces: spec.insertSpaces } };
    case 'textDocument/inlayHint':
      return { textDocument, range: { start: position, end: positionOf(spec.end, document) } };
    // The request is sent with the change, before its diagnostics are published: it names none.
    case 'textDocument/codeAction':
      return { textDocument, range: { start: position, end: positionOf(spec.end, document) }, context: { diagnostics: [] } };
    case 'textDocument/documentSymbol':
    case 'textDocument/foldingRange':
    case 'textDocument/semanticTokens/full':
    case 'textDocument/codeLens':
      return { textDocument };
  }
}

/** Which corruptions break which method's params (a method without a position has none to break). */
function applies(method: SupportedMethod, corruption: Corruption): boolean {
  const positional = ['textDocument/hover', 'textDocument/completion', 'textDocument/definition', 'textDocument/prepareRename', 'textDocument/references', 'textDocument/rename'].includes(method);
  switch (corruption) {
    case 'no position':
    case 'negative line':
    case 'fractional character':
    case 'line as a string':
      return positional;
    case 'newName not a string':
      return method === 'textDocument/rename';
    case 'no context':
      return method === 'textDocument/references' || method === 'textDocument/codeAction';
    case 'no options':
    case 'tabSize as a string':
      return method === 'textDocument/formatting';
    case 'no range':
    case 'range end missing':
      return method === 'textDocument/inlayHint' || method === 'textDocument/codeAction';
    default:
      return true;
  }
}

function corrupt(params: Record<string, unknown>, corruption: Corruption): unknown {
  const position = params['position'] as Position;
  switch (corruption) {
    case 'no params':
      return undefined;
    case 'params not an object':
      return 'textDocument';
    case 'no textDocument':
      return { ...params, textDocument: undefined };
    case 'uri not a string':
      return { ...params, textDocument: { uri: 42 } };
    case 'no position':
      return { ...params, position: undefined };
    case 'negative line':
      return { ...params, position: { ...position, line: -1 } };
    case 'fractional character':
      return { ...params, position: { ...position, character: 1.5 } };
    case 'line as a string':
      return { ...params, position: { ...position, line: String(position.line) } };
    case 'newName not a string':
      return { ...params, newName: 7 };
    case 'no context':
      return { ...params, context: undefined };
    case 'no options':
      return { ...params, options: undefined };
    case 'tabSize as a string':
      return { ...params, options: { tabSize: 'two', insertSpaces: true } };
    case 'no range':
      return { ...params, range: undefined };
    case 'range end missing':
      return { ...params, range: { start: { line: 0, character: 0 } } };
  }
}

/** Well-formed params, about a document the server does not have (closing or changing the fuzzed one would end the case early). */
function notificationParams(method: (typeof notifications)[number], uri: string, position: Position): unknown {
  const other = { uri: `${uri}.other`, version: 7 };
  switch (method) {
    case 'textDocument/didSave':
    case 'textDocument/didClose':
      return { textDocument: other };
    case 'textDocument/didChange':
      return { textDocument: other, contentChanges: [{ range: { start: position, end: position }, text: 'x' }] };
    case 'workspace/didChangeConfiguration':
      return { settings: { iommu: { anything: [1, 2] } } };
    case 'workspace/didChangeWatchedFiles':
      return { changes: [{ uri, type: 2 }] };
    case '$/cancelRequest':
      return { id: 987654 };
    case '$/setTrace':
      return { value: 'off' };
    case 'fuzz/noSuchNotification':
      return { position };
  }
}

/** The request as sent, and what its answer must be. */
function concreteRequest(spec: RequestSpec, uri: string, document: TextDocument): SentRequest {
  const position = positionOf(spec.position, document);
  switch (spec.kind) {
    case 'unsupported':
      return { method: spec.method, params: { textDocument: { uri }, position }, expect: 'method-not-found' };
    case 'notification':
      return { method: spec.method, params: notificationParams(spec.method, uri, position), expect: 'notification' };
    case 'corrupted': {
      const valid = paramsOf({ kind: 'supported', method: spec.method, unknownUri: undefined, position: spec.position, end: spec.position, newName: 'x', includeDeclaration: true, tabSize: 2, insertSpaces: true, extra: false }, uri, document);
      // A corruption that does not apply to the method breaks its whole params instead.
      return { method: spec.method, params: corrupt(valid, applies(spec.method, spec.corruption) ? spec.corruption : 'params not an object'), expect: 'invalid-params' };
    }
    case 'supported': {
      const target = spec.unknownUri === undefined ? uri : unknownUris[spec.unknownUri];
      const params = paramsOf(spec, target, document);
      return { method: spec.method, params: spec.extra ? { ...params, workDoneToken: 'fuzz', fuzzExtra: [1, { deep: null }] } : params, expect: spec.unknownUri === undefined ? 'answer' : 'nothing' };
    }
  }
}

/** A rename of the document comes right after a prepareRename at the same position, as an editor sends them: the two must agree. */
export function isRenamePair(first: SentRequest | undefined, second: SentRequest): first is SentRequest {
  return second.method === 'textDocument/rename' && second.expect === 'answer' && first?.method === 'textDocument/prepareRename';
}

/** The requests as sent, each rename of the document after its prepareRename. */
export function concreteRequests(specs: readonly RequestSpec[], uri: string, document: TextDocument): SentRequest[] {
  return specs.flatMap((spec) => {
    const sent = concreteRequest(spec, uri, document);
    if (sent.method !== 'textDocument/rename' || sent.expect !== 'answer') return [sent];
    const { textDocument, position } = sent.params as { textDocument: unknown; position: unknown };
    return [{ method: 'textDocument/prepareRename', params: { textDocument, position }, expect: 'answer' }, sent];
  });
}
