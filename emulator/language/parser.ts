import {
  BinaryOperator,
  Declaration,
  DomainDeclaration,
  EngineDeclaration,
  ExpectCheck,
  ExpectDeclaration,
  Expression,
  HandlerDeclaration,
  KernelDeclaration,
  MasterDeclaration,
  Name,
  PagetableDeclaration,
  QualifiedName,
  ScenarioFile,
  ScenarioTitle,
  Setting,
  SmmuDeclaration,
  StringPart,
  TimingDeclaration,
  VfioDeclaration,
  VmDeclaration,
  WorkqueueDeclaration,
} from './ast';
import { Diagnostic, DiagnosticSink } from './diagnostics';
import { tokenize } from './lexer';
import { declarationStatements } from './grammarTable';
import { ExpectationRecord } from './parserExpectations';
import { BlockGrammar, inTableOrder, openBlock, parseBlockBody, StatementParser, statementsFor } from './parserBlocks';
import { TokenCursor } from './parserCursor';
import { engineGrammar } from './parserEngine';
import { parseExpressionAt } from './parserExpressions';
import { handlerGrammar } from './parserHandler';
import { nameOf, parseMap, parseMasters, parsePasidBinding, parseStream, requireExpression, wordOf } from './parserStatements';
import { parseTemplateParts, plainStringLiteral } from './parserTemplate';
import { BlockKind } from './schema';
import { Range } from './source';
import { suggest } from './suggestions';
import { describeToken, IdentifierToken, isPunctuator, isWord, Token } from './tokens';

export interface ParseResult {
  file: ScenarioFile;
  /** Lexer and parser errors (code `syntax`), in source order. */
  diagnostics: Diagnostic[];
  comments: Range[];
  /** The file's tokens, new lines and the final `end` included (not those inside a string's `{…}` holes). */
  tokens: Token[];
  /** What the parser expected where each statement starts, by index into `tokens`: what completion asks. */
  expectations: ExpectationRecord;
}

/** Parses a whole `.iommu` file. Never throws: every error is a diagnostic and the tree keeps what could be read. */
export function parseScenario(text: string): ParseResult {
  const lexed = tokenize(text);
  const sink = new DiagnosticSink();
  const expectations = new ExpectationRecord();
  const cursor = new TokenCursor(text, lexed.tokens, sink, expectations);
  const declarations = parseDeclarations(cursor);
  return {
    file: { range: { start: 0, end: text.length }, declarations },
    diagnostics: inSourceOrder(lexed.diagnostics, sink.diagnostics),
    comments: lexed.comments,
    tokens: lexed.tokens,
    expectations,
  };
}

/** One expression (a breakpoint condition, a Debug Console line); ranges are offsets into `text`. */
export function parseExpression(text: string): { expression: Expression | undefined; diagnostics: Diagnostic[] } {
  const lexed = tokenize(text);
  const sink = new DiagnosticSink();
  const cursor = new TokenCursor(text, lexed.tokens, sink);
  cursor.skipNewlines();
  const before = cursor.position;
  const expression = parseExpressionAt(cursor);
  cursor.skipNewlines();
  const rest = cursor.peek();
  if (cursor.position === before && rest.kind === 'end') cursor.error(rest.range, 'expected an expression');
  else if (rest.kind !== 'end') cursor.error(rest.range, `unexpected ${describeToken(rest)}`);
  return { expression, diagnostics: inSourceOrder(lexed.diagnostics, sink.diagnostics) };
}

/** A logpoint message: text with `{expr}` holes, taken literally otherwise (no quotes, no escapes). */
export function parseTemplate(text: string): { parts: StringPart[]; diagnostics: Diagnostic[] } {
  const sink = new DiagnosticSink();
  const parts = parseTemplateParts(text, 0, text.length, false, sink);
  return { parts, diagnostics: inSourceOrder(sink.diagnostics) };
}

function inSourceOrder(...lists: Diagnostic[][]): Diagnostic[] {
  return lists.flat().sort((a, b) => a.range.start - b.range.start);
}

// ---------------------------------------------------------------------------------------
// Top level

const declarationParsers: ReadonlyMap<string, (cursor: TokenCursor) => Declaration> = inTableOrder(declarationStatements, 'the top level', {
  scenario: parseScenarioTitle,
  kernel: parseKernel,
  timing: parseTiming,
  smmu: parseSmmu,
  domain: parseDomain,
  master: parseMaster,
  engine: parseEngine,
  workqueue: parseWorkqueue,
  handler: parseHandler,
  pagetable: parsePagetable,
  vfio: parseVfio,
  vm: parseVm,
  expect: parseExpect,
});

function isTopLevelKeyword(token: Token): boolean {
  return token.kind === 'identifier' && declarationParsers.has(token.text);
}

function parseDeclarations(cursor: TokenCursor): Declaration[] {
  const declarations: Declaration[] = [];
  for (;;) {
    cursor.statementFailed = false;
    cursor.skipToStatement();
    const token = cursor.peek();
    if (token.kind === 'end') return declarations;
    cursor.declarationStart = token.range.start;
    const parse = token.kind === 'identifier' ? declarationParsers.get(token.text) : undefined;
    if (parse === undefined) {
      const meant = token.kind === 'identifier' ? suggest(token.text, token.range, declarationParsers.keys()) : undefined;
      const message = isPunctuator(token, '}')
        ? "unexpected '}': no block is open here"
        : `unexpected ${describeToken(token)}; expected a declaration: ${[...declarationParsers.keys()].join(', ')}${meant?.hint ?? ''}`;
      cursor.error(token.range, message, meant?.fix);
      cursor.skipToDeclaration(isTopLevelKeyword);
      continue;
    }
    declarations.push(parse(cursor));
    if (!cursor.atStatementEnd()) {
      const next = cursor.peek();
      cursor.error(next.range, `unexpected ${describeToken(next)}; a declaration ends at a new line or ';'`);
      // `smmu a { } domain d { }`: the second declaration is still read.
      if (!isTopLevelKeyword(next)) cursor.skipToDeclaration(isTopLevelKeyword);
    }
  }
}

/** `KEYWORD NAME`: the declared name. */
function parseDeclaredName(cursor: TokenCursor, keyword: Token): Name | undefined {
  const name = cursor.acceptIdentifier();
  if (name) return nameOf(name);
  cursor.expectedBeforeBlock(`expected a name after '${keyword.text}'`);
  return undefined;
}

/** The `{ … }` of a declaration, when its header is followed by one. */
function parseBody<T>(cursor: TokenCursor, keyword: Token, grammar: BlockGrammar<T>, into: T): void {
  const open = openBlock(cursor, keyword.range.start);
  if (open) parseBlockBody(cursor, open, grammar, into);
}

/** A block that takes only its schema settings. */
function settingsGrammar<T extends { settings: Setting[] }>(block: BlockKind, where: string, parsers: Readonly<Record<string, StatementParser<T>>> = {}): BlockGrammar<T> {
  return { body: block, where, noun: 'setting', settings: { block, of: (into) => into.settings }, statements: statementsFor(block, parsers) };
}

const timingGrammar = settingsGrammar<TimingDeclaration>('timing', 'a timing block');
const smmuGrammar = settingsGrammar<SmmuDeclaration>('smmu', 'an smmu block');
const workqueueGrammar = settingsGrammar<WorkqueueDeclaration>('workqueue', 'a workqueue block');
const vmGrammar = settingsGrammar<VmDeclaration>('vm', 'a vm block');

const domainGrammar = settingsGrammar<DomainDeclaration>('domain', 'a domain block', { map: (cursor, domain) => domain.maps.push(parseMap(cursor, 'domain')) });

const masterGrammar = settingsGrammar<MasterDeclaration>('master', 'a master block', {
  stream: (cursor, master) => master.streams.push(parseStream(cursor, 'master')),
  pasid: (cursor, master) => master.pasids.push(parsePasidBinding(cursor)),
});

const pagetableGrammar = settingsGrammar<PagetableDeclaration>('pagetable', 'a pagetable block', { map: (cursor, table) => table.maps.push(parseMap(cursor, 'pagetable')) });

const vfioGrammar = settingsGrammar<VfioDeclaration>('vfio', 'a vfio block', {
  masters: (cursor, vfio) => vfio.masters.push(parseMasters(cursor)),
  map: (cursor, vfio) => vfio.maps.push(parseMap(cursor, 'vfio')),
});

function parseScenarioTitle(cursor: TokenCursor): ScenarioTitle {
  const keyword = cursor.next();
  const token = cursor.peek();
  let title;
  if (token.kind === 'string') {
    cursor.next();
    title = plainStringLiteral(token);
  } else {
    cursor.fail("expected a title string after 'scenario'");
  }
  return { kind: 'scenario', range: cursor.rangeFrom(keyword.range.start), title };
}

/** `kernel 6.6`: MAJOR `.` MINOR, written together. */
function parseKernel(cursor: TokenCursor): KernelDeclaration {
  const keyword = cursor.next();
  const major = cursor.peek();
  let version: KernelDeclaration['version'];
  if (major.kind === 'number' && major.value !== undefined) {
    cursor.next();
    const dot = cursor.atPunctuator('.') && cursor.peek().range.start === major.range.end ? cursor.acceptPunctuator('.') : undefined;
    const minor = cursor.peek();
    if (dot && minor.kind === 'number' && minor.value !== undefined && minor.range.start === dot.range.end && major.value < 1000n && minor.value < 1000n) {
      cursor.next();
      version = { major: Number(major.value), minor: Number(minor.value), range: { start: major.range.start, end: minor.range.end } };
    }
  }
  if (!version) cursor.fail("expected a kernel version MAJOR.MINOR after 'kernel', like 'kernel 6.6'");
  return { kind: 'kernel', range: cursor.rangeFrom(keyword.range.start), version };
}

function parseTiming(cursor: TokenCursor): TimingDeclaration {
  const keyword = cursor.next();
  const node: TimingDeclaration = { kind: 'timing', range: keyword.range, settings: [] };
  parseBody(cursor, keyword, timingGrammar, node);
  node.range = cursor.rangeFrom(keyword.range.start);
  return node;
}

function parseSmmu(cursor: TokenCursor): SmmuDeclaration {
  const keyword = cursor.next();
  const node: SmmuDeclaration = { kind: 'smmu', range: keyword.range, name: parseDeclaredName(cursor, keyword), settings: [] };
  parseBody(cursor, keyword, smmuGrammar, node);
  node.range = cursor.rangeFrom(keyword.range.start);
  return node;
}

function parseDomain(cursor: TokenCursor): DomainDeclaration {
  const keyword = cursor.next();
  const node: DomainDeclaration = { kind: 'domain', range: keyword.range, name: parseDeclaredName(cursor, keyword), settings: [], maps: [] };
  parseBody(cursor, keyword, domainGrammar, node);
  node.range = cursor.rangeFrom(keyword.range.start);
  return node;
}

function parseMaster(cursor: TokenCursor): MasterDeclaration {
  const keyword = cursor.next();
  const node: MasterDeclaration = { kind: 'master', range: keyword.range, name: parseDeclaredName(cursor, keyword), settings: [], streams: [], pasids: [] };
  parseBody(cursor, keyword, masterGrammar, node);
  node.range = cursor.rangeFrom(keyword.range.start);
  return node;
}

function parseEngine(cursor: TokenCursor): EngineDeclaration {
  const keyword = cursor.next();
  cursor.expect({ kind: 'name', of: 'master', then: '.' });
  const node: EngineDeclaration = { kind: 'engine', range: keyword.range, name: parseEngineName(cursor), settings: [], streams: [], body: [] };
  parseBody(cursor, keyword, engineGrammar, node);
  node.range = cursor.rangeFrom(keyword.range.start);
  return node;
}

/** `MASTER.NAME`. */
function parseEngineName(cursor: TokenCursor): QualifiedName | undefined {
  const master = cursor.acceptIdentifier();
  if (!master) {
    cursor.expectedBeforeBlock("expected 'master.engine' after 'engine'");
    return undefined;
  }
  if (!cursor.acceptPunctuator('.')) {
    cursor.expectedBeforeBlock(`expected '.' and the engine's name after '${master.text}': engines are named master.engine`);
    return undefined;
  }
  const engine = cursor.acceptIdentifier();
  if (!engine) {
    cursor.expectedBeforeBlock(`expected the engine's name after '${master.text}.'`);
    return undefined;
  }
  return { range: cursor.rangeFrom(master.range.start), master: nameOf(master), engine: nameOf(engine) };
}

function parseWorkqueue(cursor: TokenCursor): WorkqueueDeclaration {
  const keyword = cursor.next();
  const node: WorkqueueDeclaration = { kind: 'workqueue', range: keyword.range, name: parseDeclaredName(cursor, keyword), settings: [] };
  parseBody(cursor, keyword, workqueueGrammar, node);
  node.range = cursor.rangeFrom(keyword.range.start);
  return node;
}

/** `handler NAME on DOMAIN { … }`. */
function parseHandler(cursor: TokenCursor): HandlerDeclaration {
  const keyword = cursor.next();
  const node: HandlerDeclaration = { kind: 'handler', range: keyword.range, name: parseDeclaredName(cursor, keyword), domain: undefined, settings: [], body: [] };
  node.domain = parseOnDomain(cursor, keyword, node.name, true);
  parseBody(cursor, keyword, handlerGrammar, node);
  node.range = cursor.rangeFrom(keyword.range.start);
  return node;
}

/** `pagetable NAME on DOMAIN { … }`. */
function parsePagetable(cursor: TokenCursor): PagetableDeclaration {
  const keyword = cursor.next();
  const node: PagetableDeclaration = { kind: 'pagetable', range: keyword.range, name: parseDeclaredName(cursor, keyword), domain: undefined, settings: [], maps: [] };
  node.domain = parseOnDomain(cursor, keyword, node.name, false);
  parseBody(cursor, keyword, pagetableGrammar, node);
  node.range = cursor.rangeFrom(keyword.range.start);
  return node;
}

/** The `on DOMAIN` of `handler NAME on DOMAIN` (`unhandled`: a domain no other handler has) and `pagetable NAME on DOMAIN`. */
function parseOnDomain(cursor: TokenCursor, keyword: Token, name: Name | undefined, unhandled: boolean): Name | undefined {
  let domain: Name | undefined;
  if (name) {
    cursor.expect({ kind: 'words', words: ['on'] });
    if (!cursor.acceptWord('on')) {
      cursor.expectedBeforeBlock(() => `expected 'on' and a domain after '${cursor.snippetFrom(keyword.range.start)}'`);
    } else {
      cursor.expect(unhandled ? { kind: 'name', of: 'domain', unhandled: true } : { kind: 'name', of: 'domain' });
      const token = cursor.acceptIdentifier();
      if (token) domain = nameOf(token);
      else cursor.expectedBeforeBlock("expected a domain name after 'on'");
    }
  }
  return domain;
}

function parseVfio(cursor: TokenCursor): VfioDeclaration {
  const keyword = cursor.next();
  const node: VfioDeclaration = { kind: 'vfio', range: keyword.range, name: parseDeclaredName(cursor, keyword), settings: [], masters: [], maps: [] };
  parseBody(cursor, keyword, vfioGrammar, node);
  node.range = cursor.rangeFrom(keyword.range.start);
  return node;
}

function parseVm(cursor: TokenCursor): VmDeclaration {
  const keyword = cursor.next();
  const node: VmDeclaration = { kind: 'vm', range: keyword.range, name: parseDeclaredName(cursor, keyword), settings: [] };
  parseBody(cursor, keyword, vmGrammar, node);
  node.range = cursor.rangeFrom(keyword.range.start);
  return node;
}

// ---------------------------------------------------------------------------------------
// expect

const comparisonOperators: readonly BinaryOperator[] = ['==', '!=', '<', '<=', '>', '>='];

function parseExpect(cursor: TokenCursor): ExpectDeclaration {
  const keyword = cursor.next() as IdentifierToken;
  const check = parseExpectCheck(cursor, keyword);
  return { kind: 'expect', range: cursor.rangeFrom(keyword.range.start), check };
}

/** The form follows the token after the first name: a comparison (a counter), `pa`, or a status word. */
function parseExpectCheck(cursor: TokenCursor, keyword: IdentifierToken): ExpectCheck | undefined {
  cursor.expect({ kind: 'expect-subject' });
  const nameToken = cursor.acceptIdentifier();
  if (!nameToken) {
    cursor.fail("expected a transaction label or a counter after 'expect'");
    return undefined;
  }
  const name = nameOf(nameToken);
  cursor.expect({ kind: 'expect-check', subject: name.text });
  const next = cursor.peek();
  const operator = comparisonOperators.find((op) => isPunctuator(next, op));
  if (operator) {
    cursor.next();
    const value = requireExpression(cursor, `expected a value after '${operator}'`);
    return { kind: 'counter', counter: name, operator, operatorRange: next.range, value: value?.expression };
  }
  if (isWord(next, 'pa')) {
    cursor.next();
    const pa = requireExpression(cursor, "expected a physical address after 'pa'");
    return { kind: 'pa', label: name, pa: pa?.expression };
  }
  if (next.kind === 'identifier') {
    cursor.next();
    return { kind: 'status', label: name, status: wordOf(next) };
  }
  cursor.fail(`expected a status (completed, aborted, raz, stalled, pending), 'pa' or a comparison after '${cursor.snippetFrom(keyword.range.start)}'`);
  return { kind: 'status', label: name, status: undefined };
}
