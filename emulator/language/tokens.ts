import { Range } from './source';

/** Punctuation and operators. Two-character ones come first so the lexer matches the longest. */
export const punctuators = [
  '->', '<<', '>>', '<=', '>=', '==', '!=', '&&', '||',
  '{', '}', '(', ')', '[', ']', ';', ',', '.',
  '+', '-', '*', '/', '%', '<', '>', '&', '|', '^', '~', '!',
] as const;
export type Punctuator = (typeof punctuators)[number];

interface TokenBase {
  range: Range;
  /** The source text of the token. */
  text: string;
  /** No other token precedes it on its line: recovery resumes at lines that start a declaration. */
  firstOnLine: boolean;
}

/** `gpu_dom`, `can-stall`: a `-` joins an identifier only when a letter or `_` follows it. */
export interface IdentifierToken extends TokenBase {
  kind: 'identifier';
}

export interface NumberToken extends TokenBase {
  kind: 'number';
  /** `undefined` when the number is malformed or does not fit in 64 bits (the lexer reported it). */
  value: bigint | undefined;
}

export interface StringToken extends TokenBase {
  kind: 'string';
  /** The text between the quotes with `\"` and `\\` resolved (an unknown escape is kept as written). */
  value: string;
  /** False when the line ended before the closing quote. */
  terminated: boolean;
}

export interface PunctuatorToken extends TokenBase {
  kind: 'punctuator';
  text: Punctuator;
}

/** A line break outside parentheses and brackets: it ends a statement. */
export interface NewlineToken extends TokenBase {
  kind: 'newline';
}

/** Zero-width, at the end of the text: every token list ends with one. */
export interface EndToken extends TokenBase {
  kind: 'end';
}

export type Token = IdentifierToken | NumberToken | StringToken | PunctuatorToken | NewlineToken | EndToken;

// Plain booleans, not type guards: a guard's false branch would wrongly rule out every punctuator (or identifier).
export function isPunctuator(token: Token, text: Punctuator): boolean {
  return token.kind === 'punctuator' && token.text === text;
}

export function isWord(token: Token, text: string): boolean {
  return token.kind === 'identifier' && token.text === text;
}

/** How a message names a token: `'foo'`, `the string "abc"`, `the end of the line`. */
export function describeToken(token: Token): string {
  switch (token.kind) {
    case 'newline':
      return 'the end of the line';
    case 'end':
      return 'the end of the file';
    case 'string':
      return `the string ${token.text.length > 24 ? `${token.text.slice(0, 23)}…` : token.text}`;
    default:
      return `'${token.text}'`;
  }
}
