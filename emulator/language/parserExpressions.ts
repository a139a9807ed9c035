import { BinaryOperator, Expression, Name, NumberLiteral, UnaryOperator } from './ast';
import { TokenCursor } from './parserCursor';
import { isPunctuator, NumberToken, Token } from './tokens';

/** C's precedence: higher binds tighter. All binary operators are left-associative. */
const binaryPrecedence: Readonly<Record<BinaryOperator, number>> = {
  '||': 1,
  '&&': 2,
  '|': 3,
  '^': 4,
  '&': 5,
  '==': 6,
  '!=': 6,
  '<': 7,
  '<=': 7,
  '>': 7,
  '>=': 7,
  '<<': 8,
  '>>': 8,
  '+': 9,
  '-': 9,
  '*': 10,
  '/': 10,
  '%': 10,
};

/** The binary operator a token is, if it is one. */
export function binaryOperatorOf(token: Token): BinaryOperator | undefined {
  return token.kind === 'punctuator' && Object.hasOwn(binaryPrecedence, token.text) ? (token.text as BinaryOperator) : undefined;
}

/** The prefix operator a token is, if it is one. */
export function unaryOperatorOf(token: Token): UnaryOperator | undefined {
  return token.kind === 'punctuator' && (token.text === '-' || token.text === '~' || token.text === '!') ? token.text : undefined;
}

/** The literal of a number token the parser has taken, or `undefined` when the lexer found it malformed. */
export function numberLiteralOf(token: NumberToken): NumberLiteral | undefined {
  return token.value === undefined ? undefined : { kind: 'number', range: token.range, text: token.text, value: token.value };
}

/** An operand as the parser holds it: its tree (none when it held a malformed number) and where its text starts. */
interface Operand {
  expression: Expression | undefined;
  /** The first token's start, a `(` or a prefix operator included: where the nodes built on it start. */
  start: number;
}

/** A binary operator waiting for its right operand. */
interface PendingBinary {
  operator: BinaryOperator;
  token: Token;
  left: Operand;
}

/**
 * Parses the longest expression that starts here: it ends at the first token that cannot
 * continue it, so `read 0x1000 + i*64 64` stops before the size.
 *
 * Returns `undefined` in two cases the caller tells apart by `cursor.position`: nothing
 * was taken (no expression starts here; the caller says what it expected), or the
 * expression held a malformed number, already reported, and has no value.
 *
 * A node's range runs from its first token to its last: parentheses around a whole node
 * belong to its parent (`(a + b) * c`: the product starts at `(`, the sum at `a`).
 *
 * Operators wait on a stack of their own (precedence climbing without recursion), so an
 * expression of any length parses; only brackets recurse, and the cursor bounds their depth.
 */
export function parseExpressionAt(cursor: TokenCursor): Expression | undefined {
  const pending: PendingBinary[] = [];
  for (;;) {
    let operand = parseOperand(cursor);
    if (operand === undefined) {
      const waiting = pending.pop();
      if (waiting === undefined) return undefined;
      // Reported without skipping (the token may close an outer group); the expression may go on after it.
      cursor.expected(`expected an expression after '${waiting.operator}'`);
      operand = binary(cursor, waiting, undefined);
    }
    const operatorToken = cursor.peek();
    const operator = binaryOperatorOf(operatorToken);
    // All operators are left-associative: those waiting that bind at least as tightly end here.
    const precedence = operator === undefined ? 0 : binaryPrecedence[operator];
    for (let top = pending.at(-1); top !== undefined && binaryPrecedence[top.operator] >= precedence; top = pending.at(-1)) {
      pending.pop();
      operand = binary(cursor, top, operand);
    }
    if (operator === undefined) return operand.expression;
    pending.push({ operator, token: operatorToken, left: operand });
    cursor.next();
    // A line that ends with an operator continues on the next.
    cursor.skipNewlines();
  }
}

/** A binary node that ends at the last token taken; `right` undefined when it is missing. */
function binary(cursor: TokenCursor, { operator, token, left }: PendingBinary, right: Operand | undefined): Operand {
  // With no left value (a malformed number) the whole expression has none, but its tokens are still taken.
  const expression: Expression | undefined = left.expression && { kind: 'binary', range: cursor.rangeFrom(left.start), operator, operatorRange: token.range, left: left.expression, right: right?.expression };
  return { expression, start: left.start };
}

/**
 * Prefix operators and what they apply to (they bind tighter than any binary operator);
 * `undefined` when nothing was taken. Reports an operand missing after a prefix without
 * skipping (the token may close an outer group).
 */
function parseOperand(cursor: TokenCursor): Operand | undefined {
  const prefixes: Array<{ operator: UnaryOperator; start: number }> = [];
  for (let operator = unaryOperatorOf(cursor.peek()); operator !== undefined; operator = unaryOperatorOf(cursor.peek())) {
    prefixes.push({ operator, start: cursor.next().range.start });
  }
  const start = prefixes[0]?.start ?? cursor.peek().range.start;
  const before = cursor.position;
  let expression = parsePostfix(cursor);
  if (cursor.position === before) {
    const last = prefixes.at(-1);
    if (last === undefined) return undefined;
    cursor.expected(`expected an expression after '${last.operator}'`);
  }
  // The innermost prefix first: each unary node ends where its operand ends.
  for (let i = prefixes.length - 1; i >= 0; i--) {
    const { operator, start: at } = prefixes[i];
    expression = { kind: 'unary', range: cursor.rangeFrom(at), operator, operand: expression };
  }
  return { expression, start };
}

/**
 * An operand inside brackets (`(`, `[`, a call's `(` or `,`): the only nesting, so this is
 * where depth is bounded. Reports it missing without skipping (the token may close an
 * outer group).
 */
function parseBracketed(cursor: TokenCursor, after: string): Expression | undefined {
  if (!cursor.enter()) return undefined;
  const before = cursor.position;
  const operand = parseExpressionAt(cursor);
  if (cursor.position === before) cursor.expected(`expected an expression after ${after}`);
  cursor.leave();
  return operand;
}

/** Calls `f(a, b)` (only a plain name is called) and indexes `a[b]`. */
function parsePostfix(cursor: TokenCursor): Expression | undefined {
  const start = cursor.peek().range.start;
  const primaryPosition = cursor.position;
  let expression = parsePrimary(cursor);
  // Only a name written alone is called: `f(x)`, not `(f)(x)` or `f(x)(y)`.
  const calleeIsName = expression?.kind === 'identifier' && cursor.position === primaryPosition + 1;
  for (;;) {
    if (calleeIsName && expression?.kind === 'identifier' && cursor.atPunctuator('(')) {
      const callee: Name = { range: expression.range, text: expression.name };
      const args = parseArguments(cursor, callee.text);
      expression = { kind: 'call', range: cursor.rangeFrom(start), callee, args };
    } else if (cursor.atPunctuator('[')) {
      const index = parseIndex(cursor);
      expression = expression && { kind: 'index', range: cursor.rangeFrom(start), target: expression, index };
    } else {
      return expression;
    }
  }
}

function parseArguments(cursor: TokenCursor, callee: string): Expression[] {
  cursor.next();
  const args: Expression[] = [];
  if (cursor.acceptPunctuator(')')) return args;
  for (;;) {
    const argument = parseBracketed(cursor, args.length === 0 ? `'${callee}('` : "','");
    if (argument) args.push(argument);
    if (cursor.acceptPunctuator(')')) return args;
    if (!cursor.acceptPunctuator(',')) {
      cursor.expected(`expected ',' or ')' in the arguments of '${callee}'`);
      return args;
    }
  }
}

function parseIndex(cursor: TokenCursor): Expression | undefined {
  cursor.next();
  const index = parseBracketed(cursor, "'['");
  if (!cursor.acceptPunctuator(']')) cursor.expected("expected ']' to close '['");
  return index;
}

function parsePrimary(cursor: TokenCursor): Expression | undefined {
  const token = cursor.peek();
  if (token.kind === 'number') {
    cursor.next();
    return numberLiteralOf(token);
  }
  if (token.kind === 'identifier') {
    cursor.next();
    if (!cursor.atPunctuator('.')) return { kind: 'identifier', range: token.range, name: token.text };
    cursor.next();
    const engine = cursor.acceptIdentifier();
    if (engine === undefined) {
      cursor.expected(`expected an engine name after '${token.text}.'`);
      return undefined;
    }
    return { kind: 'qualified', range: cursor.rangeFrom(token.range.start), master: token.text, masterRange: token.range, engine: engine.text };
  }
  if (isPunctuator(token, '(')) {
    cursor.next();
    const inner = parseBracketed(cursor, "'('");
    if (!cursor.acceptPunctuator(')')) cursor.expected("expected ')' to close '('");
    return inner;
  }
  return undefined;
}
