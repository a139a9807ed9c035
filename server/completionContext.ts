import { Declaration } from '../emulator/language/ast';
import { versionOf } from '../emulator/language/checker/context';
import { CheckResult } from '../emulator/language/checker/check';
import { tokenize } from '../emulator/language/lexer';
import { BodyKind, declarationStatements } from '../emulator/language/grammarTable';
import { Expectation, WithinStatement } from '../emulator/language/parserExpectations';
import { binaryOperatorOf, unaryOperatorOf } from '../emulator/language/parserExpressions';
import { NameKind, SettingSpec, settingSpec, SmmuVersion } from '../emulator/language/schema';
import { Punctuator, Token } from '../emulator/language/tokens';
import { CompiledScenario } from '../emulator/scenario/compile';

/**
 * What the cursor is in the middle of, for completion. Where a statement starts and which
 * block it is in, the parser says: it records what it expected at each statement's start
 * (`ParseResult.expectations`). Within the statement, the tokens before the cursor say
 * how far it has come (the file may be half typed); the parser's tree is used to look
 * things up (settings given, versions).
 */
export type CompletionContext =
  | { kind: 'nothing' }
  /** The start of a top-level line. `declaredOnce`: `scenario` / `timing` are there already. */
  | { kind: 'declaration'; declaredOnce: ReadonlySet<string> }
  /** The start of a statement inside a block. */
  | { kind: 'statement'; block: EnclosingBlock }
  /** After a setting's key. */
  | { kind: 'setting-value'; spec: SettingSpec }
  /** Declared names of one kind: `handler h on ▮`, `engine ▮` (masters, then `.`), `masters a ▮`, `pasid 1 -> ▮`. */
  | { kind: 'names'; of: NameKind; exclude: ReadonlySet<string>; then?: '.' }
  /** Fixed words of the grammar: `on`, `size`, `all`/`va`, `off for`, `else` … */
  | { kind: 'keywords'; words: readonly string[] }
  /** After a map's size (or a handler's `map page -> PA`). */
  | { kind: 'map-permissions'; given: readonly string[]; pages: boolean }
  /** After `pages`. */
  | { kind: 'leaf-size' }
  /** After a transaction's size. */
  | { kind: 'transaction-option'; access: 'read' | 'write'; given: ReadonlySet<string>; version: SmmuVersion | undefined }
  /** `expect ▮`. */
  | { kind: 'expect-subject' }
  /** `expect NAME ▮`. */
  | { kind: 'expect-check'; subject: string }
  /** Where an operand of an expression goes. */
  | { kind: 'expression'; slot: ExpressionSlot };

export type ExpressionSlot =
  /** Any operand of a handler expression; `page` too at the start of a handler's map. */
  | { kind: 'handler'; withPage: boolean }
  /** `kind == ▮`, `engine != ▮` …: what the field compares with. */
  | { kind: 'compared'; field: 'kind' | 'engine' | 'master' | 'domain' }
  /** `gpu.▮`: the engines of a master. */
  | { kind: 'engine-of'; master: string }
  /** An address, size or count in an engine: numbers, and `i` inside a repeat. */
  | { kind: 'engine'; inRepeat: boolean };

export type { BodyKind };

/** The innermost block around the cursor and the declaration it belongs to. */
export interface EnclosingBlock {
  body: BodyKind;
  declaration: Declaration | undefined;
  /** The SMMU version of the declaration (its own for an smmu, its domain's for a handler), when known. */
  version: SmmuVersion | undefined;
  /** Settings already given in the declaration (the one being typed is not counted). */
  given: ReadonlySet<string>;
  /** A handler's `context` as written: what it may do depends on it. */
  handlerContext: string | undefined;
  inRepeat: boolean;
}

const nothing: CompletionContext = { kind: 'nothing' };

// As the token helpers, but a look-ahead past the end of the words is simply not a match.
function isWord(token: Token | undefined, text: string): boolean {
  return token?.kind === 'identifier' && token.text === text;
}

function isPunctuator(token: Token | undefined, text: Punctuator): boolean {
  return token?.kind === 'punctuator' && token.text === text;
}

const comparedFields: ReadonlySet<string> = new Set(['kind', 'engine', 'master', 'domain']);

// The parser's own operators.
function isBinaryOperator(token: Token | undefined): boolean {
  return token !== undefined && binaryOperatorOf(token) !== undefined;
}

function isEngineBody(body: BodyKind): boolean {
  return body === 'engine' || body === 'repeat' || body === 'submit';
}

function isHandlerBody(body: BodyKind): boolean {
  return body === 'handler' || body === 'if' || body === 'else';
}

// ---------------------------------------------------------------------------------------
// Where the cursor is

/** Whether `offset` is inside a comment: after its first character, up to the end of a line comment. */
function inComment(compiled: CompiledScenario, text: string, offset: number): boolean {
  return compiled.comments.some((c) => {
    if (offset <= c.start || offset > c.end) return false;
    const closedBlock = text.startsWith('/*', c.start) && c.end - c.start >= 4 && text.startsWith('*/', c.end - 2);
    return offset < c.end || !closedBlock;
  });
}

/** The tokens before the cursor (`words` end at `before`) and the word being typed, if any. */
interface CursorSplit {
  before: number;
  partial: Token | undefined;
  /** A token the cursor is inside that no completion can extend (`-|>`, a string). */
  inside: Token | undefined;
}

function splitAtCursor(tokens: readonly Token[], offset: number): CursorSplit {
  let index = 0;
  while (index < tokens.length && tokens[index].kind !== 'end' && tokens[index].range.start < offset) index++;
  const last = tokens[index - 1];
  if (last && last.kind !== 'newline' && offset <= last.range.end) {
    if (last.kind === 'identifier' || last.kind === 'number') return { before: index - 1, partial: last, inside: undefined };
    const unterminated = last.kind === 'string' && !last.terminated;
    if (offset < last.range.end || unterminated) return { before: index - 1, partial: undefined, inside: last };
    // `can-▮`: a `-` joins a name only once a letter follows it; the word being typed is `can-`.
    const name = tokens[index - 2];
    if (isPunctuator(last, '-') && name?.kind === 'identifier' && name.range.end === last.range.start) {
      return { before: index - 2, partial: name, inside: undefined };
    }
  }
  return { before: index, partial: undefined, inside: undefined };
}

// ---------------------------------------------------------------------------------------
// The enclosing declaration

function declarationAt(compiled: CompiledScenario, start: number): Declaration | undefined {
  return compiled.file.declarations.find((d) => d.range.start === start);
}

function versionOfDeclaration(declaration: Declaration | undefined, check: CheckResult): SmmuVersion | undefined {
  switch (declaration?.kind) {
    case 'smmu':
      return check.settings.get(declaration)?.word('version') as SmmuVersion | undefined;
    case 'domain':
    case 'master':
    case 'vfio':
      return versionOf(check, check.smmuOf.get(declaration));
    case 'handler': {
      const domain = declaration.domain ? check.symbols.get('domain', declaration.domain.text)?.declaration : undefined;
      return domain ? versionOf(check, check.smmuOf.get(domain)) : undefined;
    }
    case 'engine': {
      const master = declaration.name ? check.symbols.get('master', declaration.name.master.text)?.declaration : undefined;
      return master ? versionOf(check, check.smmuOf.get(master)) : undefined;
    }
    default:
      return undefined;
  }
}

function enclosingBlock(compiled: CompiledScenario, place: Extract<Expectation, { kind: 'statement' }>, partial: Token | undefined): EnclosingBlock {
  const declaration = declarationAt(compiled, place.declarationStart);
  const settings = declaration && 'settings' in declaration ? declaration.settings : [];
  const given = new Set(settings.filter((s) => s.key.range.start !== partial?.range.start).map((s) => s.key.text));
  const context = settings.find((s) => s.key.text === 'context')?.value;
  return {
    body: place.body,
    declaration,
    version: versionOfDeclaration(declaration, compiled.check),
    given,
    handlerContext: declaration?.kind === 'handler' && context?.kind === 'word' ? context.text : undefined,
    inRepeat: place.bodies.includes('repeat'),
  };
}

// ---------------------------------------------------------------------------------------
// Expressions

interface Scan {
  /** Index after what was read. */
  end: number;
  /** False when an operand is still expected there. */
  complete: boolean;
}

/** A group open around the scan: what closes it, and whether it follows a name (a call or an index, which more may follow). */
interface OpenGroup {
  close: ')' | ']';
  afterName: boolean;
}

/** Where the scan is: before an operand, after a name (calls and indexing may follow), or after an operand. */
type ScanState = 'operand' | 'postfix' | 'after';

/**
 * Reads the longest expression from `words[start]`, as the parser does: `0x1000 + i*64 64`
 * stops before the size. Calls and indexing (the Debug Console's) are skipped over. Open
 * groups wait on a stack of their own, so no depth of brackets overflows the call stack.
 */
function scanExpression(words: readonly Token[], start: number): Scan {
  const groups: OpenGroup[] = [];
  let i = start;
  let state: ScanState = 'operand';
  /** Opens the group at `i`, or steps over it when it is empty: `()`. */
  const openGroup = (afterName: boolean): void => {
    const close = isPunctuator(words[i], '(') ? ')' : ']';
    if (isPunctuator(words[i + 1], close)) {
      i += 2;
      state = afterName ? 'postfix' : 'after';
    } else {
      groups.push({ close, afterName });
      i++;
      state = 'operand';
    }
  };
  for (;;) {
    let stoppedAt: number | undefined;
    if (state === 'operand') {
      while (i < words.length && unaryOperatorOf(words[i]) !== undefined) i++;
      const token = words[i];
      if (token?.kind === 'number') {
        i++;
        state = 'after';
      } else if (isPunctuator(token, '(')) {
        openGroup(false);
      } else if (token?.kind === 'identifier') {
        i++;
        if (isPunctuator(words[i], '.') && words[i + 1]?.kind !== 'identifier') stoppedAt = i + 1;
        else if (isPunctuator(words[i], '.')) i += 2;
        state = 'postfix';
      } else {
        stoppedAt = i;
      }
    } else if (state === 'postfix') {
      if (isPunctuator(words[i], '(') || isPunctuator(words[i], '[')) openGroup(true);
      else state = 'after';
    } else if (isBinaryOperator(words[i]) || (groups.length > 0 && isPunctuator(words[i], ','))) {
      i++;
      state = 'operand';
    } else if (groups.length === 0 || i >= words.length) {
      return { end: i, complete: true };
    } else {
      stoppedAt = i;
    }
    if (stoppedAt === undefined) continue;
    // Incomplete here: a group whose close stands here ends complete all the same (`(a + )`), and the scan goes on after it.
    const closed = closeAt(words, groups, stoppedAt);
    if (!closed) return { end: stoppedAt, complete: false };
    i = stoppedAt + 1;
    state = closed.afterName ? 'postfix' : 'after';
  }
}

/** Ends the open groups, innermost first, up to the one `words[at]` closes; undefined (and all ended) when none. */
function closeAt(words: readonly Token[], groups: OpenGroup[], at: number): OpenGroup | undefined {
  for (let group = groups.pop(); group !== undefined; group = groups.pop()) {
    if (at < words.length && isPunctuator(words[at], group.close)) return group;
  }
  return undefined;
}

/** Whether the words from `start` end where an operand of an expression goes. */
function atOperand(words: readonly Token[], start: number): boolean {
  const scan = scanExpression(words, start);
  return scan.end >= words.length && !scan.complete;
}

/** The operand slot at the end of a handler expression: after `kind ==`, after `gpu.`, or any. */
function handlerSlot(words: readonly Token[], withPage = false): CompletionContext {
  const last = words[words.length - 1];
  const before = words[words.length - 2];
  if (last && isPunctuator(last, '.') && before?.kind === 'identifier') return { kind: 'expression', slot: { kind: 'engine-of', master: before.text } };
  if (last && (isPunctuator(last, '==') || isPunctuator(last, '!=')) && before?.kind === 'identifier' && comparedFields.has(before.text)) {
    return { kind: 'expression', slot: { kind: 'compared', field: before.text as 'kind' | 'engine' | 'master' | 'domain' } };
  }
  return { kind: 'expression', slot: { kind: 'handler', withPage } };
}

/** A handler expression from `words[start]`: completions only where an operand goes. */
function handlerOperand(words: readonly Token[], start: number): CompletionContext {
  return atOperand(words, start) ? handlerSlot(words) : nothing;
}

function engineOperand(words: readonly Token[], start: number, block: EnclosingBlock): CompletionContext {
  return atOperand(words, start) ? { kind: 'expression', slot: { kind: 'engine', inRepeat: block.inRepeat } } : nothing;
}

// ---------------------------------------------------------------------------------------
// Statements

type OperandContext = (words: readonly Token[], start: number) => CompletionContext;

/** The operands of `map IOVA -> PA size SIZE …`, in a handler also `map page -> PA …`. */
function mapStatement(words: readonly Token[], inHandler: boolean): CompletionContext {
  const operand: OperandContext = inHandler ? handlerOperand : () => nothing;
  const page = inHandler && isWord(words[1], 'page') && isPunctuator(words[2], '->');
  let i = 2;
  if (!page) {
    if (inHandler && words.length === 1) return handlerSlot(words, true);
    const iova = scanExpression(words, 1);
    if (iova.end >= words.length) return operand(words, 1);
    i = iova.end;
  }
  if (!isPunctuator(words[i], '->')) return nothing;
  const pa = scanExpression(words, i + 1);
  if (pa.end >= words.length && !pa.complete) return operand(words, i + 1);
  i = pa.end;
  if (!page && isWord(words[i], 'size')) {
    const size = scanExpression(words, i + 1);
    if (size.end >= words.length && !size.complete) return operand(words, i + 1);
  }
  // `size`, the permissions and `pages`: what the parser expected there.
  return nothing;
}

/** The operands of `read|write ADDRESS SIZE [pasid N] [value V] …`. */
function transaction(words: readonly Token[], block: EnclosingBlock): CompletionContext {
  const address = scanExpression(words, 1);
  // After a whole address, the size goes next.
  if (address.end >= words.length) return engineOperand(words, address.complete ? address.end : 1, block);
  const size = scanExpression(words, address.end);
  if (size.end >= words.length && !size.complete) return engineOperand(words, address.end, block);
  for (let i = size.end; i < words.length; ) {
    const option = words[i];
    if (isWord(option, 'pasid') || isWord(option, 'value')) {
      const value = scanExpression(words, i + 1);
      if (value.end >= words.length && !value.complete) return engineOperand(words, i + 1, block);
      i = value.end;
    } else {
      i += isWord(option, 'as') ? 2 : 1;
    }
  }
  // The options themselves: what the parser expected there.
  return nothing;
}

function engineStatement(words: readonly Token[], block: EnclosingBlock): CompletionContext | undefined {
  switch (words[0].text) {
    case 'read':
    case 'write':
      return transaction(words, block);
    case 'wait':
    case 'repeat':
    case 'submit':
      return engineOperand(words, 1, block);
    default:
      return undefined;
  }
}

function handlerStatement(words: readonly Token[]): CompletionContext | undefined {
  switch (words[0].text) {
    case 'if':
      return handlerOperand(words, 1);
    case 'else':
      return isWord(words[1], 'if') ? handlerOperand(words, 2) : nothing;
    case 'map':
      return mapStatement(words, true);
    case 'unmap': {
      const iova = scanExpression(words, 1);
      if (iova.end >= words.length) return iova.complete ? { kind: 'keywords', words: ['size'] } : handlerOperand(words, 1);
      if (!isWord(words[iova.end], 'size')) return nothing;
      const size = scanExpression(words, iova.end + 1);
      // After a whole size: `nosync` (iommu_unmap_fast).
      return size.end >= words.length && size.complete && size.end > iova.end + 1 ? { kind: 'keywords', words: ['nosync'] } : handlerOperand(words, iova.end + 1);
    }
    case 'tlbi':
      return isWord(words[1], 'va') ? handlerOperand(words, 2) : nothing;
    case 'sleep':
      return handlerOperand(words, 1);
    case 'stall':
      return isWord(words[1], 'off') && isWord(words[2], 'for') ? handlerOperand(words, 3) : nothing;
    default:
      return undefined;
  }
}

/** `masters a b ▮`: the masters this container does not list yet. */
function mastersStatement(words: readonly Token[], block: EnclosingBlock, partial: Token | undefined): CompletionContext {
  const listed = new Set(words.slice(1).map((w) => w.text));
  if (block.declaration?.kind === 'vfio') {
    for (const list of block.declaration.masters) {
      for (const name of list.masters) if (name.range.start !== partial?.range.start) listed.add(name.text);
    }
  }
  return { kind: 'names', of: 'master', exclude: listed };
}

function blockStatement(words: readonly Token[], block: EnclosingBlock, partial: Token | undefined): CompletionContext {
  const body = block.body;
  const first = words[0];
  if (first.kind !== 'identifier') return nothing;
  const statement = isEngineBody(body) ? engineStatement(words, block) : isHandlerBody(body) ? handlerStatement(words) : undefined;
  if (statement) return statement;
  switch (`${body} ${first.text}`) {
    case 'domain map':
    case 'vfio map':
      return mapStatement(words, false);
    case 'vfio masters':
      return mastersStatement(words, block, partial);
  }
  return nothing;
}

// ---------------------------------------------------------------------------------------
// Top level

/** Domains another handler handles already: a domain has one fault handler (iommu_set_fault_handler). */
function handledDomains(compiled: CompiledScenario, keyword: Token): Set<string> {
  const handled = new Set<string>();
  for (const d of compiled.file.declarations) {
    if (d.kind === 'handler' && d.domain && d.range.start !== keyword.range.start) handled.add(d.domain.text);
  }
  return handled;
}

/** At the start of a top-level line: the declarations, but not a second of one a file has once. */
function declarationStart(compiled: CompiledScenario, partial: Token | undefined): CompletionContext {
  const once = new Set(declarationStatements.filter((spec) => spec.once).map((spec) => spec.words));
  const declaredOnce = new Set(compiled.file.declarations.filter((d) => once.has(d.kind) && d.range.start !== partial?.range.start).map((d) => d.kind));
  return { kind: 'declaration', declaredOnce };
}

// ---------------------------------------------------------------------------------------
// Strings

/** Inside a handler's `log` message: the expression of the `{…}` hole the cursor is in, or nothing outside one. */
function logHole(text: string, string: Token, offset: number): CompletionContext {
  let hole: number | undefined;
  for (let p = string.range.start + 1; p < offset; p++) {
    const c = text[p];
    if (c === '\\') p++;
    else if (c === '{') hole = p;
    else if (c === '}') hole = undefined;
  }
  if (hole === undefined) return nothing;
  const tokens = tokenize(text, hole + 1, offset).tokens.filter((t) => t.kind !== 'end' && t.kind !== 'newline');
  const split = splitAtCursor(tokens, offset);
  if (split.inside) return nothing;
  return handlerOperand(tokens.slice(0, split.before), 0);
}

// ---------------------------------------------------------------------------------------

/**
 * Whether the cursor is on the line of the token before it, in that token's statement: the
 * token after the cursor may start a statement on the next line (`if (▮` with a `}` below:
 * no new-line token stands inside an open bracket).
 */
function continuesPrevious(text: string, previous: Token | undefined, cursorStart: number): boolean {
  if (previous === undefined || previous.kind === 'newline' || isPunctuator(previous, ';') || isPunctuator(previous, '{') || isPunctuator(previous, '}')) return false;
  return !/[\r\n]/.test(text.slice(previous.range.end, cursorStart));
}

/** What the parser expected at the cursor inside a statement. */
function withinStatement(expected: WithinStatement, compiled: CompiledScenario, place: Exclude<Expectation, WithinStatement | { kind: 'after-block' }>, statementStart: Token): CompletionContext {
  switch (expected.kind) {
    case 'setting-value': {
      const spec = settingSpec(expected.block, expected.key);
      return spec ? { kind: 'setting-value', spec } : nothing;
    }
    case 'words':
      return { kind: 'keywords', words: expected.words };
    case 'name':
      return { kind: 'names', of: expected.of, exclude: expected.unhandled ? handledDomains(compiled, statementStart) : new Set(), ...(expected.then ? { then: expected.then } : {}) };
    case 'map-permissions':
      return expected;
    case 'leaf-size':
      return expected;
    case 'transaction-option': {
      const version = place.kind === 'statement' ? enclosingBlock(compiled, place, undefined).version : undefined;
      return { kind: 'transaction-option', access: expected.access, given: new Set(expected.given), version };
    }
    case 'expect-subject':
      return expected;
    case 'expect-check':
      return expected;
  }
}

/** Decides what completion offers at `offset` of the compiled text. */
export function completionContext(compiled: CompiledScenario, text: string, offset: number): CompletionContext {
  if (inComment(compiled, text, offset)) return nothing;
  const split = splitAtCursor(compiled.tokens, offset);
  const previous = compiled.tokens[split.before - 1];
  // Where the statement before the cursor started, and what the parser expected there.
  const recorded = compiled.expectations.atOrBefore(continuesPrevious(text, previous, split.partial?.range.start ?? split.inside?.range.start ?? offset) ? split.before - 1 : split.before);
  if (!recorded) return nothing;
  const words = compiled.tokens.slice(recorded.token, split.before).filter((t) => t.kind !== 'newline');
  let place = recorded.expectation;
  if (place.kind === 'after-block') {
    // After a `}` on its line only an `if`'s `else` may follow.
    if (words.length === 0) return place.body === 'if' && !split.inside ? { kind: 'keywords', words: ['else'] } : nothing;
    place = place.around;
  }
  const within = split.inside ? undefined : compiled.expectations.withinStatementAt(split.before);
  if (within) return withinStatement(within, compiled, place, compiled.tokens[recorded.token]);
  if (split.inside) {
    const inLog = words.length === 1 && isWord(words[0], 'log') && place.kind === 'statement' && isHandlerBody(place.body);
    return split.inside.kind === 'string' && inLog ? logHole(text, split.inside, offset) : nothing;
  }
  // Right after a typed `{` (a trigger character) the block is only being opened.
  if (words.length === 0 && isPunctuator(previous, '{') && previous.range.end === offset) return nothing;
  // A declaration's header takes nothing but what the parser expected in it (above).
  if (place.kind === 'declaration') return words.length === 0 ? declarationStart(compiled, split.partial) : nothing;
  const block = enclosingBlock(compiled, place, split.partial);
  return words.length === 0 ? { kind: 'statement', block } : blockStatement(words, block, split.partial);
}
