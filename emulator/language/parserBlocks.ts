import { Setting, SettingValue, StringLiteral } from './ast';
import { plainStringLiteral } from './parserTemplate';
import { isStatementEnd, TokenCursor } from './parserCursor';
import { numberLiteralOf } from './parserExpressions';
import { nameOf, wordOf } from './parserStatements';
import { BodyKind, bodyStatements, firstWord, StatementSpec } from './grammarTable';
import { BlockKind, blockSettings, SettingSpec, settingSpec } from './schema';
import { describeToken, IdentifierToken, isPunctuator, PunctuatorToken } from './tokens';
import { suggest } from './suggestions';

/** Parses one statement, starting at its first word, into what the block builds (`T`). */
export type StatementParser<T> = (cursor: TokenCursor, into: T) => void;

/** What a block takes, and how to parse each of its statements: built once, used for every block of its kind. */
export interface BlockGrammar<T> {
  /** What the body is, as the grammar table names it. */
  body: BodyKind;
  /** How messages name the block: `a domain block`. */
  where: string;
  /** How messages name an entry the block does not know: `unknown setting 'foo'`. */
  noun: 'setting' | 'statement';
  /** The schema's settings of the block, and where parsed ones go. */
  settings?: { block: BlockKind; of: (into: T) => Setting[] };
  /** Statements by their first word. */
  statements: ReadonlyMap<string, StatementParser<T>>;
}

/** The statements a body takes, as the grammar table lists them, each with its parser from `parsers`. */
export function statementsFor<T>(body: BodyKind, parsers: Readonly<Record<string, StatementParser<T>>>): ReadonlyMap<string, StatementParser<T>> {
  return inTableOrder(bodyStatements[body], `a ${body} body`, parsers);
}

/**
 * `parsers` keyed by the first words of `specs`, in the table's order. A statement of the
 * table without a parser, or a parser for a statement the table does not list, is a
 * programming error caught when the module loads.
 */
export function inTableOrder<P>(specs: readonly StatementSpec[], where: string, parsers: Readonly<Record<string, P>>): ReadonlyMap<string, P> {
  const words = specs.map(firstWord);
  const unlisted = Object.keys(parsers).filter((word) => !words.includes(word));
  if (unlisted.length > 0) throw new Error(`the grammar table lists no statement '${unlisted.join("', '")}' in ${where}`);
  return new Map(
    words.map((word): [string, P] => {
      const parse = parsers[word];
      if (!parse) throw new Error(`no parser for the '${word}' statement in ${where}`);
      return [word, parse];
    }),
  );
}

/** The statements of `parsers`, parsing into a part of a larger target (an engine's items into the engine's body). */
export function statementsOf<T, Part>(parsers: Readonly<Record<string, StatementParser<Part>>>, part: (into: T) => Part): Record<string, StatementParser<T>> {
  return Object.fromEntries(Object.entries(parsers).map(([keyword, parse]): [string, StatementParser<T>] => [keyword, (cursor, into) => parse(cursor, part(into))]));
}

/**
 * The `{` after a block's header: here or on a following line. When something else stands
 * there (`domain gpu dom {`), reports it and still opens a `{` later on the same line.
 */
export function openBlock(cursor: TokenCursor, headerStart: number, expected = "'{'"): PunctuatorToken | undefined {
  if (isPunctuator(cursor.peekPastNewlines(), '{')) {
    cursor.skipNewlines();
    return cursor.acceptPunctuator('{');
  }
  cursor.expected(`expected ${expected} after '${cursor.snippetFrom(headerStart)}'`);
  for (let ahead = 0; !isStatementEnd(cursor.peek(ahead)); ahead++) {
    if (isPunctuator(cursor.peek(ahead), '{')) {
      for (let skipped = 0; skipped < ahead; skipped++) cursor.skip();
      return cursor.acceptPunctuator('{');
    }
  }
  cursor.skipStatement();
  return undefined;
}

/**
 * Parses statements up to the `}` that closes `open`. Returns false when the block is never
 * closed (see `TokenCursor.atEndOfUnclosedBlock`). Each statement reports at most one error
 * and the next one starts afresh.
 */
export function parseBlockBody<T>(cursor: TokenCursor, open: PunctuatorToken, grammar: BlockGrammar<T>, into: T): boolean {
  if (!cursor.enter()) return false;
  // The block's statements report their own errors; after it, the enclosing statement's state resumes.
  const enclosingFailed = cursor.statementFailed;
  cursor.enterBody(grammar.body);
  const closed = parseEntries(cursor, open, grammar, into);
  cursor.leaveBody(closed);
  cursor.statementFailed = enclosingFailed;
  cursor.leave();
  return closed;
}

function parseEntries<T>(cursor: TokenCursor, open: PunctuatorToken, grammar: BlockGrammar<T>, into: T): boolean {
  for (;;) {
    cursor.statementFailed = false;
    // At the end of the file an unclosed block is still the one being typed; at a new declaration it has ended.
    cursor.skipToStatement(() => cursor.peek().kind !== 'end' && cursor.atEndOfUnclosedBlock(open));
    if (cursor.acceptPunctuator('}')) return true;
    if (cursor.atEndOfUnclosedBlock(open)) {
      cursor.structureError(open.range, "'{' is never closed");
      return false;
    }
    parseEntry(cursor, grammar, into);
    endStatement(cursor);
  }
}

/** After a statement: the next one must start on a new line or after `;`. */
function endStatement(cursor: TokenCursor): void {
  if (!cursor.atStatementEnd()) cursor.unexpected("a statement ends at a new line or ';'");
}

function parseEntry<T>(cursor: TokenCursor, grammar: BlockGrammar<T>, into: T): void {
  const token = cursor.peek();
  if (token.kind === 'identifier') {
    const statement = grammar.statements.get(token.text);
    if (statement) return statement(cursor, into);
    const spec = grammar.settings && settingSpec(grammar.settings.block, token.text);
    if (grammar.settings && spec) {
      grammar.settings.of(into).push(parseSetting(cursor, grammar.settings.block, spec));
      return;
    }
  }
  const settingKeys = grammar.settings ? blockSettings[grammar.settings.block].map((s) => s.key) : [];
  const expected = [...settingKeys, ...grammar.statements.keys()].join(', ');
  const what = token.kind === 'identifier' ? `unknown ${grammar.noun} '${token.text}'` : `unexpected ${describeToken(token)}`;
  const meant = token.kind === 'identifier' ? suggest(token.text, token.range, [...settingKeys, ...grammar.statements.keys()]) : undefined;
  cursor.error(token.range, `${what} in ${grammar.where}; expected one of: ${expected}${meant?.hint ?? ''}`, meant?.fix);
  cursor.skipStatement(true);
}

/** `KEY [VALUE]`: a flag takes no value, a text setting a string; any other setting one number or word, which the checker validates. */
function parseSetting(cursor: TokenCursor, block: BlockKind, spec: SettingSpec): Setting {
  const key = nameOf(cursor.next() as IdentifierToken);
  let value: SettingValue | undefined;
  if (spec.preposition && !parsePreposition(cursor, key.text, spec.preposition)) {
    return { kind: 'setting', range: cursor.rangeFrom(key.range.start), key, value };
  }
  cursor.expect({ kind: 'setting-value', block, key: spec.key });
  if (spec.value.kind === 'flag') {
    if (!cursor.atStatementEnd()) cursor.fail(`'${key.text}' takes no value`);
  } else if (spec.value.kind === 'text') {
    value = parseText(cursor, key.text, spec.value.default);
  } else if (cursor.atStatementEnd()) {
    cursor.missing(`'${key.text}' needs a value`);
  } else {
    const token = cursor.peek();
    if (token.kind === 'number') {
      cursor.next();
      value = numberLiteralOf(token);
    } else if (token.kind === 'identifier') {
      cursor.next();
      value = wordOf(token);
    } else {
      cursor.fail(`'${key.text}' takes a number or a word, not ${describeToken(token)}`);
    }
  }
  return { kind: 'setting', range: cursor.rangeFrom(key.range.start), key, value };
}

/** The word between a two-word setting's key and its value (`cd at IPA`); false, reported, when it is not there. */
function parsePreposition(cursor: TokenCursor, key: string, word: string): boolean {
  cursor.expect({ kind: 'words', words: [word] });
  if (cursor.acceptWord(word)) return true;
  cursor.fail(`expected '${word}' after '${key}': ${key} ${word} ADDRESS`);
  return false;
}

/**
 * A text setting's quoted value. Written bare (`device arm-smmu.0.auto`), the rest of the
 * statement is what was meant: reported whole, with the quotes as its fix.
 */
function parseText(cursor: TokenCursor, key: string, example: string): StringLiteral | undefined {
  const token = cursor.peek();
  if (token.kind === 'string') {
    cursor.next();
    // An unclosed string runs to the end of the line: the lexer has reported it, and what it holds is not the name.
    return token.terminated ? plainStringLiteral(token) : undefined;
  }
  if (cursor.atStatementEnd()) {
    cursor.missing(`'${key}' takes a name in quotes: ${key} "${example}"`);
    return undefined;
  }
  while (!cursor.atStatementEnd()) cursor.next();
  const range = cursor.rangeFrom(token.range.start);
  cursor.error(range, `'${key}' takes a name in quotes: ${key} "${cursor.snippetFrom(token.range.start)}"`, {
    title: 'Put the name in quotes',
    edits: [
      { range: { start: range.start, end: range.start }, newText: '"' },
      { range: { start: range.end, end: range.end }, newText: '"' },
    ],
  });
  return undefined;
}
