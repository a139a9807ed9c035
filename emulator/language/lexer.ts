import { Diagnostic, DiagnosticSink } from './diagnostics';
import { Range } from './source';
import { Punctuator, punctuators, Token } from './tokens';

export interface LexResult {
  /** Every token in order, newlines included, ending with one `end` token. */
  tokens: Token[];
  /** Ranges of the line and block comments, for folding and colouring. */
  comments: Range[];
  diagnostics: Diagnostic[];
}

const LF = 10;
const CR = 13;
const SLASH = 47;
const STAR = 42;
const BYTE_ORDER_MARK = 0xfeff;

// What an ASCII character can start; a table lookup is the cheapest dispatch while the code is still cold.
const OTHER = 0;
const BLANK = 1;
const LINE_BREAK = 2;
const LETTER = 3;
const DIGIT = 4;
const QUOTE = 5;
const PUNCTUATION = 6;

const characterClass = new Uint8Array(128);
for (const c of ' \t\v\f') characterClass[c.charCodeAt(0)] = BLANK;
characterClass[LF] = LINE_BREAK;
characterClass[CR] = LINE_BREAK;
for (let c = 0; c < 128; c++) {
  if (/[A-Za-z_]/.test(String.fromCharCode(c))) characterClass[c] = LETTER;
  else if (/[0-9]/.test(String.fromCharCode(c))) characterClass[c] = DIGIT;
}
characterClass['"'.charCodeAt(0)] = QUOTE;

const punctuatorsByFirstCharacter = new Map<number, Punctuator[]>();
for (const p of punctuators) {
  const first = p.charCodeAt(0);
  punctuatorsByFirstCharacter.set(first, [...(punctuatorsByFirstCharacter.get(first) ?? []), p]);
  characterClass[first] = PUNCTUATION;
}

function classOf(c: number): number {
  return c < 128 ? characterClass[c] : c === BYTE_ORDER_MARK ? BLANK : OTHER;
}

const sizeSuffixes: Readonly<Record<string, bigint>> = { K: 1n << 10n, M: 1n << 20n, G: 1n << 30n };
const u64Max = (1n << 64n) - 1n;
const numberSyntax = /^(?:0[xX]([0-9A-Fa-f_]*)|([0-9][0-9_]*))([KMG]?)$/;

/** The value of a number's text, or why it has none. */
export function numberValue(text: string): { value: bigint } | { error: string } {
  const match = numberSyntax.exec(text);
  const written = match?.[1] ?? match?.[2];
  const digits = written?.includes('_') ? written.replace(/_/g, '') : written;
  if (match === null || digits === undefined || digits === '') {
    if (/^0[xX]_*[KMG]?$/.test(text)) return { error: `malformed number '${text}': expected hex digits after '${text.slice(0, 2)}'` };
    if (/^[0-9_]+[kmg]$/.test(text)) return { error: `malformed number '${text}': the size suffixes are K, M and G` };
    return { error: `malformed number '${text}'` };
  }
  const value = BigInt(match[1] === undefined ? digits : `0x${digits}`) * (sizeSuffixes[match[3] ?? ''] ?? 1n);
  if (value > u64Max) return { error: `'${text}' does not fit in 64 bits` };
  return { value };
}

/** A character as an error message shows it: itself when visible, else its code point. */
function showCharacter(character: string): string {
  const code = character.codePointAt(0) ?? 0;
  return code < 32 || code === 127 || (code >= 0xd800 && code <= 0xdfff) ? `U+${code.toString(16).toUpperCase().padStart(4, '0')}` : character;
}

// Sticky patterns for the runs of characters that make up a token: the regular-expression
// engine scans them much faster than a character loop, which matters for a cold start.
const blanks = /[ \t\v\f\uFEFF]+/y;
const lineComment = /\/\/[^\r\n]*/y;
const identifier = /[A-Za-z_](?:[A-Za-z0-9_]|-(?=[A-Za-z_]))*/y;
/** Every letter, digit and `_` that follows, so `12abc` is one malformed number, not `12` and `abc`. */
const numberRun = /[0-9][A-Za-z0-9_]*/y;
/** To the closing quote or the end of the line. */
const stringRun = /"(?:[^"\\\r\n]|\\[^\r\n]|\\(?=[\r\n]|$))*(")?/y;

/** The end of the run `pattern` matches at `offset` (it must match). */
function runEnd(pattern: RegExp, text: string, offset: number): number {
  pattern.lastIndex = offset;
  pattern.test(text);
  return pattern.lastIndex;
}

/**
 * Splits `text[start, end)` into tokens. Ranges are offsets into `text`, so a `{…}` hole
 * of a string can be lexed in place. Never throws: what it cannot read it reports and skips.
 */
export function tokenize(text: string, start = 0, end = text.length): LexResult {
  // A prefix keeps every offset and stops the patterns at `end`.
  return new Lexer(end < text.length ? text.slice(0, end) : text, start).run();
}

class Lexer {
  private readonly tokens: Token[] = [];
  private readonly comments: Range[] = [];
  private readonly sink = new DiagnosticSink();
  private readonly end: number;
  private position: number;
  /** Open `(` and `[`: a line break inside them does not end the statement. */
  private groupDepth = 0;
  private lineBreakSinceToken: boolean;

  constructor(
    private readonly text: string,
    start: number,
  ) {
    this.position = start;
    this.end = text.length;
    const before = text.charCodeAt(start - 1);
    this.lineBreakSinceToken = start === 0 || before === LF || before === CR;
  }

  run(): LexResult {
    while (this.position < this.end) this.scanOne();
    this.push({ kind: 'end', range: { start: this.end, end: this.end }, text: '', firstOnLine: this.lineBreakSinceToken });
    return { tokens: this.tokens, comments: this.comments, diagnostics: this.sink.diagnostics };
  }

  private code(offset: number): number {
    return offset < this.end ? this.text.charCodeAt(offset) : -1;
  }

  private push(token: Token): void {
    this.tokens.push(token);
    this.lineBreakSinceToken = false;
  }

  private error(start: number, end: number, message: string): void {
    this.sink.error('syntax', { start, end }, message);
  }

  private scanOne(): void {
    const start = this.position;
    const c = this.text.charCodeAt(start);
    switch (classOf(c)) {
      case BLANK:
        this.position = runEnd(blanks, this.text, start);
        return;
      case LINE_BREAK:
        return this.scanLineBreak(start, c);
      case LETTER:
        return this.scanIdentifier(start);
      case DIGIT:
        return this.scanNumber(start);
      case QUOTE:
        return this.scanString(start);
      case PUNCTUATION:
        if (c === SLASH && this.code(start + 1) === SLASH) {
          this.position = runEnd(lineComment, this.text, start);
          this.comments.push({ start, end: this.position });
          return;
        }
        if (c === SLASH && this.code(start + 1) === STAR) return this.scanBlockComment(start);
        if (this.scanPunctuator(start, c)) return;
    }
    this.scanUnknown(start);
  }

  private scanLineBreak(start: number, c: number): void {
    const crlf = c === CR && this.code(start + 1) === LF;
    this.position = start + (crlf ? 2 : 1);
    const firstOnLine = this.lineBreakSinceToken;
    this.lineBreakSinceToken = true;
    if (this.groupDepth > 0) return;
    this.tokens.push({ kind: 'newline', range: { start, end: this.position }, text: crlf ? '\r\n' : c === LF ? '\n' : '\r', firstOnLine });
  }

  private scanBlockComment(start: number): void {
    const close = this.text.indexOf('*/', start + 2);
    const end = close >= 0 ? close + 2 : this.end;
    if (close < 0) this.error(start, start + 2, "'/*' is never closed");
    // A comment that spans lines still puts the next token on a new line.
    if (/[\r\n]/.test(this.text.slice(start, end))) this.lineBreakSinceToken = true;
    this.position = end;
    this.comments.push({ start, end });
  }

  private scanIdentifier(start: number): void {
    const end = runEnd(identifier, this.text, start);
    this.position = end;
    this.push({ kind: 'identifier', range: { start, end }, text: this.text.slice(start, end), firstOnLine: this.lineBreakSinceToken });
  }

  private scanNumber(start: number): void {
    const end = runEnd(numberRun, this.text, start);
    this.position = end;
    const text = this.text.slice(start, end);
    const parsed = numberValue(text);
    if ('error' in parsed) this.error(start, end, parsed.error);
    const value = 'value' in parsed ? parsed.value : undefined;
    this.push({ kind: 'number', range: { start, end }, text, value, firstOnLine: this.lineBreakSinceToken });
  }

  private scanString(start: number): void {
    stringRun.lastIndex = start;
    const match = stringRun.exec(this.text);
    const text = match?.[0] ?? '"';
    const terminated = match?.[1] !== undefined;
    const end = start + text.length;
    this.position = end;
    if (!terminated) this.error(start, start + 1, 'this string is never closed (a string ends at the end of its line)');
    const content = text.slice(1, terminated ? -1 : undefined);
    const value = content.includes('\\') ? this.unescape(content, start + 1) : content;
    this.push({ kind: 'string', range: { start, end }, text, value, terminated, firstOnLine: this.lineBreakSinceToken });
  }

  /** Resolves `\"` and `\\`; reports any other escape and keeps it as written. */
  private unescape(content: string, offset: number): string {
    return content.replace(/\\([^])?/g, (escape: string, escaped: string | undefined, at: number) => {
      if (escaped === '"' || escaped === '\\') return escaped;
      if (escaped !== undefined) {
        const character = String.fromCodePoint(content.codePointAt(at + 1) ?? 0);
        this.error(offset + at, offset + at + 1 + character.length, `unknown escape '\\${showCharacter(character)}': a string takes only \\" and \\\\`);
      }
      return escape;
    });
  }
  private scanPunctuator(start: number, c: number): boolean {
    const candidates = punctuatorsByFirstCharacter.get(c);
    const match = candidates?.find((p) => p.length === 1 || this.code(start + 1) === p.charCodeAt(1));
    if (match === undefined) return false;
    this.position = start + match.length;
    if (match === '(' || match === '[') this.groupDepth++;
    else if (match === ')' || match === ']') this.groupDepth = Math.max(0, this.groupDepth - 1);
    // Braces never sit inside parentheses, so an unclosed `(` stops hiding line breaks at the next brace.
    else if (match === '{' || match === '}') this.groupDepth = 0;
    this.push({ kind: 'punctuator', range: { start, end: this.position }, text: match, firstOnLine: this.lineBreakSinceToken });
    return true;
  }

  /** A run of characters the language has no use for: one error, then they are skipped. */
  private scanUnknown(start: number): void {
    let p = start;
    let shown = '';
    let count = 0;
    do {
      // A lone surrogate at the end of the range counts as one unit.
      const length = Math.min(String.fromCodePoint(this.text.codePointAt(p) ?? 0).length, this.end - p);
      shown += showCharacter(this.text.slice(p, p + length));
      p += length;
      count++;
    } while (p < this.end && this.startsNothing(p));
    this.position = p;
    this.error(start, p, count > 1 ? `unexpected characters '${shown}'` : `unexpected character '${shown}'`);
  }

  private startsNothing(offset: number): boolean {
    const c = this.code(offset);
    const kind = classOf(c);
    if (kind !== OTHER && kind !== PUNCTUATION) return false;
    const candidates = punctuatorsByFirstCharacter.get(c);
    return !candidates?.some((p) => p.length === 1 || this.code(offset + 1) === p.charCodeAt(1));
  }
}
