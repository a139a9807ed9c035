import { DiagnosticSink, QuickFix } from './diagnostics';
import { BodyKind, declarationStatements } from './grammarTable';
import { ExpectationRecord, StatementExpectation, WithinStatement } from './parserExpectations';
import { blockSettings } from './schema';
import { Range } from './source';
import { describeToken, IdentifierToken, isPunctuator, isWord, Punctuator, PunctuatorToken, Token } from './tokens';

/** An error message, or what builds it when it is reported (messages that quote the source cost time to build). */
export type Message = string | (() => string);

/** Declarations that open a block. A line that starts with one and holds a `{` starts a declaration, whatever block it sits in. */
const blockDeclarationKeywords: ReadonlySet<string> = new Set(declarationStatements.map((spec) => spec.words).filter((word) => word in blockSettings));

/** Top-level keywords that start no statement of any block. */
const declarationOnlyKeywords: ReadonlySet<string> = new Set(declarationStatements.map((spec) => spec.words).filter((word) => !blockDeclarationKeywords.has(word)));

/** Nested blocks and parentheses beyond this are reported rather than recursed into, so no input can overflow the stack. */
export const maxNesting = 100;

/**
 * The parser's view of the tokens: looking ahead, taking tokens, reporting errors and
 * skipping to where parsing can resume. A statement reports at most one error: the first
 * one is what the user must fix, the rest would mostly be its echoes.
 */
export class TokenCursor {
  private index = 0;
  private nesting = 0;
  /** End of the last token the parser took; tokens skipped after an error do not count, so nodes end where their parsed text ends. */
  lastEnd: number;
  /** Set by an error, cleared when the next statement starts. */
  statementFailed = false;
  /** The `{` tokens no later `}` balances, counting braces only; computed when first needed. */
  private unbalancedBraces: ReadonlySet<Token> | undefined;
  /** The bodies being parsed, outermost first. */
  private readonly bodies: BodyKind[] = [];
  /** Where the declaration being parsed starts. */
  declarationStart = 0;

  constructor(
    readonly text: string,
    /** As `tokenize` returns them: never empty, the last one is the `end` token. */
    private readonly tokens: readonly Token[],
    /** Where errors go; string holes parsed with their own cursor report here too. */
    readonly sink: DiagnosticSink,
    /** Where what the parser expected at each statement start goes, for completion (the file's own cursor only: not a string hole's). */
    private readonly expectations?: ExpectationRecord,
  ) {
    this.lastEnd = tokens[0].range.start;
  }

  /** Index of the current token: parsers compare it to tell whether anything was taken. */
  get position(): number {
    return this.index;
  }

  /** The current token, or one `ahead` of it; the `end` token once past the end. */
  peek(ahead = 0): Token {
    // `index` never passes the `end` token, so only a look-ahead needs clamping.
    return ahead === 0 ? this.tokens[this.index] : this.tokens[Math.min(this.index + ahead, this.tokens.length - 1)];
  }

  /** Takes the current token. */
  next(): Token {
    const token = this.peek();
    if (token.kind !== 'end') this.index++;
    if (token.kind !== 'newline' && token.kind !== 'end') this.lastEnd = token.range.end;
    return token;
  }

  /** Steps over the current token without taking it (after an error). */
  skip(): void {
    if (this.peek().kind !== 'end') this.index++;
  }

  atPunctuator(text: Punctuator): boolean {
    return isPunctuator(this.peek(), text);
  }

  atWord(text: string): boolean {
    return isWord(this.peek(), text);
  }

  acceptPunctuator(text: Punctuator): PunctuatorToken | undefined {
    const token = this.peek();
    if (token.kind !== 'punctuator' || token.text !== text) return undefined;
    this.next();
    return token;
  }

  acceptWord(text: string): IdentifierToken | undefined {
    const token = this.peek();
    if (token.kind !== 'identifier' || token.text !== text) return undefined;
    this.next();
    return token;
  }

  acceptIdentifier(): IdentifierToken | undefined {
    const token = this.peek();
    if (token.kind !== 'identifier') return undefined;
    this.next();
    return token;
  }

  /** See `isStatementEnd`. */
  atStatementEnd(): boolean {
    return isStatementEnd(this.peek());
  }

  skipNewlines(): void {
    while (this.peek().kind === 'newline') this.next();
  }

  /** The first token after any new lines, without taking anything. */
  peekPastNewlines(): Token {
    let ahead = 0;
    while (this.peek(ahead).kind === 'newline') ahead++;
    return this.peek(ahead);
  }

  /** From `start` to the end of the last token taken. */
  rangeFrom(start: number): Range {
    return { start, end: Math.max(start, this.lastEnd) };
  }

  /** The source from `start` to the last token taken, on one line and short, for messages ("after 'read 0x1000'"). */
  snippetFrom(start: number): string {
    const text = this.text.slice(start, Math.max(start, this.lastEnd)).replace(/\s+/g, ' ');
    return text.length > 40 ? `${text.slice(0, 39)}…` : text;
  }

  /** Reports a syntax error unless this statement already has one. */
  error(range: Range, message: Message, fix?: QuickFix): void {
    if (this.statementFailed) return;
    this.statementFailed = true;
    this.sink.error('syntax', range, typeof message === 'string' ? message : message(), undefined, fix);
  }

  /** Reports a block-structure error (an unclosed `{`), which no earlier error of the statement excuses. */
  structureError(range: Range, message: string): void {
    this.sink.error('syntax', range, message);
  }

  /** Something is missing: reported zero-width where it should have been. */
  missing(message: Message): void {
    this.error({ start: this.lastEnd, end: this.lastEnd }, message);
  }

  /**
   * Something other than what the grammar needs stands here: reported at the offending
   * token, or zero-width after the last token when the statement simply ended.
   */
  expected(message: Message): void {
    if (this.atStatementEnd()) this.missing(message);
    else this.error(this.peek().range, message);
  }

  /** As `expected`, but zero-width before a `{`: what is missing comes before the block, which is fine. */
  expectedBeforeBlock(message: Message): void {
    if (isPunctuator(this.peek(), '{')) this.missing(message);
    else this.expected(message);
  }

  /** As `expected`, then skips the rest of the statement. */
  fail(message: Message): void {
    this.expected(message);
    this.skipStatement();
  }

  /** "unexpected 'x'; `detail`" at the current token, then skips the rest of the statement. */
  unexpected(detail: string): void {
    this.error(this.peek().range, `unexpected ${describeToken(this.peek())}; ${detail}`);
    this.skipStatement();
  }

  /**
   * Skips to the end of the statement, over balanced `{ … }`, stopping early at a line that
   * starts a declaration. `includingCurrent` skips the current token whatever it is (an
   * unknown statement's first word, which starts a line and so would end the skip at once).
   */
  skipStatement(includingCurrent = false): void {
    let depth = 0;
    for (let first = includingCurrent; ; first = false) {
      const token = this.peek();
      if (token.kind === 'end') return;
      if (!first && ((depth === 0 && isStatementEnd(token)) || this.atDeclarationStart())) return;
      if (isPunctuator(token, '{')) depth++;
      else if (isPunctuator(token, '}')) depth = Math.max(0, depth - 1);
      this.skip();
    }
  }

  /**
   * At top level after an error: skips to the next line that starts with a top-level keyword
   * outside braces (or with a declaration, inside them).
   */
  skipToDeclaration(isTopLevelKeyword: (token: Token) => boolean): void {
    let depth = 0;
    do {
      const token = this.peek();
      if (isPunctuator(token, '{')) depth++;
      else if (isPunctuator(token, '}')) depth = Math.max(0, depth - 1);
      this.skip();
    } while (this.peek().kind !== 'end' && !this.atDeclarationStart() && !(depth === 0 && this.peek().firstOnLine && isTopLevelKeyword(this.peek())));
  }

  /**
   * Whether the block that `open` opened ends before the current token because it was never
   * closed: the file ends, a line starts a new declaration (see `atDeclarationStart`), or a
   * line starts with `expect` or `scenario` and no later `}` balances `open` (otherwise that
   * line is a misplaced statement, reported as such).
   */
  atEndOfUnclosedBlock(open: Token): boolean {
    const token = this.peek();
    if (token.kind === 'end' || this.atDeclarationStart()) return true;
    return token.kind === 'identifier' && token.firstOnLine && declarationOnlyKeywords.has(token.text) && this.isUnbalanced(open);
  }

  /**
   * A line such as `master gpu {` inside a block: the block was never closed and a new
   * declaration starts here. No statement of any block starts so, so this never misreads valid text.
   */
  atDeclarationStart(): boolean {
    const token = this.peek();
    if (token.kind !== 'identifier' || !token.firstOnLine || !blockDeclarationKeywords.has(token.text)) return false;
    for (let ahead = 1; ; ahead++) {
      const next = this.peek(ahead);
      if (isPunctuator(next, '{')) return true;
      if (isStatementEnd(next)) return false;
    }
  }

  private isUnbalanced(open: Token): boolean {
    if (this.unbalancedBraces === undefined) {
      const opens: Token[] = [];
      for (const token of this.tokens) {
        if (isPunctuator(token, '{')) opens.push(token);
        else if (isPunctuator(token, '}')) opens.pop();
      }
      this.unbalancedBraces = new Set(opens);
    }
    return this.unbalancedBraces.has(open);
  }

  /** What starts at the current token: a statement of the innermost body being parsed, or a declaration. */
  private statementHere(): StatementExpectation {
    const body = this.bodies[this.bodies.length - 1];
    return body === undefined ? { kind: 'declaration' } : { kind: 'statement', body, bodies: [...this.bodies], declarationStart: this.declarationStart };
  }

  /**
   * Before a statement: steps over new lines and `;`, recording that a statement may start
   * at each token that follows a line break, a `;` or a brace (not at the one that ends the
   * statement before: what the cursor there completes is that statement). Where
   * `bodyEndsHere` (an unclosed block ends at a new declaration), nothing of the body is.
   */
  skipToStatement(bodyEndsHere?: () => boolean): void {
    for (;;) {
      if (this.afterSeparator() && !bodyEndsHere?.()) this.expectations?.add(this.index, this.statementHere());
      if (this.peek().kind !== 'newline' && !this.atPunctuator(';')) return;
      this.next();
    }
  }

  private afterSeparator(): boolean {
    const previous = this.tokens[this.index - 1];
    if (previous === undefined || this.peek().firstOnLine || previous.kind === 'newline') return true;
    return previous.kind === 'punctuator' && (previous.text === ';' || previous.text === '{' || previous.text === '}');
  }

  /** Inside a statement: what the grammar takes at the current token. */
  expect(expectation: WithinStatement): void {
    this.expectations?.add(this.index, expectation);
  }

  /** Parsing the statements of a body of kind `body` until `leaveBody`. */
  enterBody(body: BodyKind): void {
    this.bodies.push(body);
  }

  /** After a body: `closed` when its `}` was taken, after which only what the block allows may follow on the line. */
  leaveBody(closed: boolean): void {
    const body = this.bodies.pop();
    if (closed && body !== undefined) this.expectations?.add(this.index, { kind: 'after-block', body, around: this.statementHere() });
  }

  /** Enters a nested block or parenthesis; false (and an error, and the statement skipped) when too deep. */
  enter(): boolean {
    if (this.nesting >= maxNesting) {
      this.error(this.peek().range, `nested too deeply (more than ${maxNesting} levels)`);
      this.skipStatement();
      return false;
    }
    this.nesting++;
    return true;
  }

  leave(): void {
    this.nesting--;
  }
}

/**
 * A new line, `;`, the block's `}` or the end of the file. A token that starts a line ends
 * the statement before it too, even when no new-line token stands between them (the line
 * break was inside an unclosed `(`, or the enclosing block swallowed it): statements never
 * run on past a line break but after an operator, and an operand never reaches this test.
 */
export function isStatementEnd(token: Token): boolean {
  return token.firstOnLine || token.kind === 'newline' || token.kind === 'end' || (token.kind === 'punctuator' && (token.text === ';' || token.text === '}'));
}
