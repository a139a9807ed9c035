import { ErrorCodes, Position, Range, SemanticTokensLegend, TextEdit } from 'vscode-languageserver-protocol';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { SentRequest } from './lspRequests';

/**
 * What an answer of the language server must look like: the promise kept for each request
 * the fuzzer sends, in words when broken. Positions are checked against the document the
 * client holds: a range is inside it when each end is on a line it has, at most at that
 * line's end.
 */

export type Outcome = { kind: 'result'; value: unknown } | { kind: 'error'; code: number; message: string };

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isUinteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}

function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

/** The geometry of the document the client holds. */
export class Geometry {
  constructor(readonly document: TextDocument) {}

  lineLength(line: number): number {
    return this.document.offsetAt({ line, character: Number.MAX_SAFE_INTEGER }) - this.document.offsetAt({ line, character: 0 });
  }

  /** Where the server must take a position to be: clamped into the text as LSP says. */
  clamp(position: Position): Position {
    return this.document.positionAt(this.document.offsetAt(position));
  }

  positionProblem(value: unknown, what: string): string | undefined {
    if (!isObject(value) || !isUinteger(value['line']) || !isUinteger(value['character'])) return `${what} is not a position: ${show(value)}`;
    if (value['line'] >= this.document.lineCount) return `${what} ${show(value)} is past the last line (${this.document.lineCount} lines)`;
    const length = this.lineLength(value['line']);
    if (value['character'] > length) return `${what} ${show(value)} is past the end of its line (${length} characters)`;
    return undefined;
  }

  rangeProblem(value: unknown, what: string): string | undefined {
    if (!isObject(value)) return `${what} is not a range: ${show(value)}`;
    const problem = this.positionProblem(value['start'], `${what}.start`) ?? this.positionProblem(value['end'], `${what}.end`);
    if (problem) return problem;
    const { start, end } = value as unknown as Range;
    return before(start, end) ? undefined : `${what} ${show(value)} ends before it starts`;
  }
}

function before(a: Position, b: Position): boolean {
  return a.line < b.line || (a.line === b.line && a.character <= b.character);
}

function holds(range: Range, position: Position): boolean {
  return before(range.start, position) && before(position, range.end);
}

function isEmpty(value: unknown): boolean {
  return value === null || (Array.isArray(value) && value.length === 0) || (isObject(value) && Array.isArray(value['data']) && value['data'].length === 0);
}

/** Each element of an array answer, or the problem that it is not one. */
function eachOf(value: unknown, what: string, check: (item: unknown, where: string) => (string | undefined)[]): string[] {
  if (value === null) return [];
  if (!Array.isArray(value)) return [`${what} is not an array: ${show(value)}`];
  return value.flatMap((item, i) => check(item, `${what}[${i}]`)).filter((p): p is string => p !== undefined);
}

/** Edits to one document: inside it, and none overlapping another (LSP forbids it). */
function editProblems(edits: unknown, what: string, geometry: Geometry): string[] {
  const problems = eachOf(edits, what, (edit, where) => [isObject(edit) && typeof edit['newText'] === 'string' ? undefined : `${where} has no newText`, geometry.rangeProblem(isObject(edit) ? edit['range'] : undefined, `${where}.range`)]);
  if (problems.length > 0 || !Array.isArray(edits)) return problems;
  const ranges = (edits as { range: Range }[]).map((e) => e.range).sort((a, b) => a.start.line - b.start.line || a.start.character - b.start.character);
  for (let i = 1; i < ranges.length; i++) {
    const previous = ranges[i - 1];
    const current = ranges[i];
    if (!before(previous.end, current.start)) return [`${what}: edits ${show(previous)} and ${show(current)} overlap`];
  }
  return [];
}

function symbolProblems(symbol: unknown, where: string, geometry: Geometry): (string | undefined)[] {
  if (!isObject(symbol) || typeof symbol['name'] !== 'string' || symbol['name'] === '') return [`${where} has no name: ${show(symbol)}`];
  const range = geometry.rangeProblem(symbol['range'], `${where}.range`) ?? geometry.rangeProblem(symbol['selectionRange'], `${where}.selectionRange`);
  if (range) return [range];
  const outer = symbol['range'] as Range;
  const selection = symbol['selectionRange'] as Range;
  if (!holds(outer, selection.start) || !holds(outer, selection.end)) return [`${where}.selectionRange ${show(selection)} is not inside its range ${show(outer)}`];
  return eachOf(symbol['children'] ?? [], `${where}.children`, (child, inner) => symbolProblems(child, inner, geometry));
}

function semanticTokenProblems(value: unknown, geometry: Geometry, legend: SemanticTokensLegend): string[] {
  if (value === null) return [];
  if (!isObject(value) || !Array.isArray(value['data']) || value['data'].length % 5 !== 0) return [`semantic tokens are not a multiple of 5 numbers: ${show(value)}`];
  const data = value['data'] as unknown[];
  if (!data.every(isUinteger)) return ['semantic tokens hold something that is not a whole number'];
  const numbers = data as number[];
  let line = 0;
  let character = 0;
  let previousEnd = 0;
  for (let i = 0; i < numbers.length; i += 5) {
    const [deltaLine, deltaStart, length, type, modifiers] = numbers.slice(i, i + 5);
    if (deltaLine > 0) previousEnd = 0;
    line += deltaLine;
    character = deltaLine === 0 ? character + deltaStart : deltaStart;
    const where = `semantic token ${i / 5} (line ${line}, character ${character}, length ${length})`;
    if (line >= geometry.document.lineCount || character + length > geometry.lineLength(line)) return [`${where} is not inside its line`];
    if (length === 0 || character < previousEnd) return [`${where} is empty or overlaps the one before`];
    if (type >= legend.tokenTypes.length || modifiers >= 2 ** legend.tokenModifiers.length) return [`${where} has type ${type} / modifiers ${modifiers} beyond the legend`];
    previousEnd = character + length;
  }
  return [];
}

/** The problems of a result of a well-formed request on the document. */
function resultProblems(sent: SentRequest, value: unknown, geometry: Geometry, legend: SemanticTokensLegend): string[] {
  const params = sent.params as { textDocument: { uri: string }; position?: Position };
  const at = params.position ? geometry.clamp(params.position) : undefined;
  const location = (item: unknown, where: string): (string | undefined)[] => [
    isObject(item) && item['uri'] === params.textDocument.uri ? undefined : `${where} is not in the document: ${show(item)}`,
    geometry.rangeProblem(isObject(item) ? item['range'] : undefined, `${where}.range`),
  ];
  switch (sent.method) {
    case 'textDocument/hover': {
      if (value === null) return [];
      if (!isObject(value) || value['contents'] === undefined) return [`hover has no contents: ${show(value)}`];
      if (value['range'] === undefined) return [];
      const problem = geometry.rangeProblem(value['range'], 'hover.range');
      if (problem) return [problem];
      return at && holds(value['range'] as Range, at) ? [] : [`hover.range ${show(value['range'])} does not hold the cursor ${show(at)}`];
    }
    case 'textDocument/completion': {
      const items = isObject(value) ? value['items'] : value;
      return eachOf(items, 'completion', (item, where) => [
        isObject(item) && typeof item['label'] === 'string' && item['label'] !== '' ? undefined : `${where} has no label: ${show(item)}`,
        isObject(item) && isObject(item['textEdit']) ? geometry.rangeProblem(item['textEdit']['range'], `${where}.textEdit.range`) : undefined,
      ]);
    }
    case 'textDocument/definition':
    case 'textDocument/references':
      return isObject(value) ? location(value, 'location').filter((p): p is string => p !== undefined) : eachOf(value, 'locations', location);
    case 'textDocument/prepareRename': {
      if (value === null || (isObject(value) && value['defaultBehavior'] !== undefined)) return [];
      const range = isObject(value) && value['range'] !== undefined ? value['range'] : value;
      const problem = geometry.rangeProblem(range, 'prepareRename');
      if (problem) return [problem];
      return at && holds(range as Range, at) ? [] : [`prepareRename's range ${show(range)} does not hold the cursor ${show(at)}`];
    }
    case 'textDocument/rename': {
      if (value === null) return [];
      if (!isObject(value) || !isObject(value['changes'])) return [`rename is not a workspace edit of changes: ${show(value)}`];
      const uris = Object.keys(value['changes']);
      if (uris.some((uri) => uri !== params.textDocument.uri)) return [`rename edits other documents: ${show(uris)}`];
      return editProblems(value['changes'][params.textDocument.uri] ?? [], 'rename', geometry);
    }
    case 'textDocument/formatting': {
      const problems = editProblems(value, 'formatting', geometry);
      if (problems.length > 0 || value === null) return problems;
      // Formatting moves text between lines and columns; it never changes a token.
      const formatted = TextDocument.applyEdits(geometry.document, value as TextEdit[]);
      const tokensOf = (text: string): string => text.replace(/[ \t\v\f\r\n]+/g, '');
      return tokensOf(formatted) === tokensOf(geometry.document.getText()) ? [] : [`formatting changed more than blanks: ${show(formatted)}`];
    }
    case 'textDocument/documentSymbol':
      return eachOf(value, 'symbol', (symbol, where) => symbolProblems(symbol, where, geometry));
    case 'textDocument/foldingRange':
      return eachOf(value, 'folding', (fold, where) =>
        isObject(fold) && isUinteger(fold['startLine']) && isUinteger(fold['endLine']) && fold['startLine'] <= fold['endLine'] && fold['endLine'] < geometry.document.lineCount
          ? []
          : [`${where} is not a range of lines of the document: ${show(fold)}`],
      );
    case 'textDocument/semanticTokens/full':
      return semanticTokenProblems(value, geometry, legend);
    case 'textDocument/inlayHint':
      return eachOf(value, 'inlay hint', (hint, where) => [
        geometry.positionProblem(isObject(hint) ? hint['position'] : undefined, `${where}.position`),
        isObject(hint) && ((typeof hint['label'] === 'string' && hint['label'] !== '') || Array.isArray(hint['label'])) ? undefined : `${where} has no label: ${show(hint)}`,
      ]);
    case 'textDocument/codeLens':
      return eachOf(value, 'code lens', (lens, where) => [geometry.rangeProblem(isObject(lens) ? lens['range'] : undefined, `${where}.range`)]);
    case 'textDocument/codeAction':
      return eachOf(value, 'code action', (action, where) => {
        const changes = isObject(action) && isObject(action['edit']) ? action['edit']['changes'] : undefined;
        if (!isObject(action) || typeof action['title'] !== 'string' || !isObject(changes)) return [`${where} is not a quick fix with edits: ${show(action)}`];
        if (Object.keys(changes).some((uri) => uri !== params.textDocument.uri)) return [`${where} edits other documents: ${show(Object.keys(changes))}`];
        return editProblems(changes[params.textDocument.uri] ?? [], where, geometry);
      });
    default:
      return [`no check for ${sent.method}`];
  }
}

/** Rename and prepareRename may refuse, with InvalidParams and a reason; nothing else may answer with an error. */
const mayRefuse: ReadonlySet<string> = new Set(['textDocument/rename', 'textDocument/prepareRename']);

/** What is wrong with the answer to a request, in words; empty when nothing is. */
export function answerProblems(sent: SentRequest, outcome: Outcome, geometry: Geometry, legend: SemanticTokensLegend): string[] {
  const request = `${sent.method} ${show(sent.params)}`;
  const unexpectedError = (): string[] => (outcome.kind === 'error' ? [`${request} answered error ${outcome.code}: ${outcome.message}`] : []);
  switch (sent.expect) {
    case 'answer':
      if (outcome.kind === 'error') return mayRefuse.has(sent.method) && outcome.code === ErrorCodes.InvalidParams ? [] : unexpectedError();
      return resultProblems(sent, outcome.value, geometry, legend).map((problem) => `${request}: ${problem}`);
    case 'nothing':
      if (outcome.kind === 'error') return outcome.code === ErrorCodes.InternalError ? unexpectedError() : [];
      return isEmpty(outcome.value) ? [] : [`${request} on a document the server does not have answered ${show(outcome.value)}`];
    case 'invalid-params':
      return outcome.kind === 'error' && outcome.code === ErrorCodes.InvalidParams ? [] : [`${request} has invalid params but was answered ${show(outcome)}`];
    case 'method-not-found':
      return outcome.kind === 'error' && outcome.code === ErrorCodes.MethodNotFound ? [] : [`${request} is not offered but was answered ${show(outcome)}`];
    case 'notification':
      return [];
  }
}

/**
 * prepareRename and rename at the same position agree: where prepareRename finds no name,
 * rename renames nothing; where it refuses, rename refuses; where it gives a range, rename
 * (unless it refuses the new name) edits that range.
 */
export function renamePairProblems(prepare: Outcome, rename: Outcome, where: string): string[] {
  if (prepare.kind === 'error') return rename.kind === 'error' ? [] : [`${where}: prepareRename refused but rename answered ${show(rename)}`];
  if (prepare.value === null) return rename.kind === 'result' && rename.value === null ? [] : [`${where}: prepareRename found no name but rename answered ${show(rename)}`];
  if (rename.kind === 'error') return [];
  const range = (isObject(prepare.value) && isObject(prepare.value['range']) ? prepare.value['range'] : prepare.value) as Range;
  const changes = isObject(rename.value) && isObject(rename.value['changes']) ? Object.values(rename.value['changes']).flat() : [];
  const covered = (changes as TextEdit[]).some((edit) => holds(edit.range, range.start) && holds(edit.range, range.end));
  return covered ? [] : [`${where}: rename does not edit what prepareRename gave, ${show(range)}: ${show(rename.value)}`];
}
