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

function binaryOperatorOf(token: Token): BinaryOperator | undefined {
  return token.kind === 'punctuator' && Object.hasOwn(binaryPrecedence, token.text) ? (token.text as BinaryOperator) : undefined;
}

function unaryOperatorOf(token: Token): UnaryOperator | undefined {
  return token.kind === 'punctuator' && (token.text === '-' || token.text === '~' || token.text === '!') ? token.text : undefined;
}

/** The literal of a number token the parser has taken, or `undefined` when the lexer found it malformed. */
export function numberLiteralOf(token: NumberToken): NumberLiteral | undefined {
  return token.value === undefined ? undefined : { kind: 'number', range: token.range, text: token.text, value: token.value };
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
 */
export function parseExpressionAt(cursor: TokenCursor): Expression | undefined {
  return parseBinary(cursor, 1);
}

function parseBinary(cursor: TokenCursor, minimumPrecedence: number): Expression | undefined {
  const start = cursor.peek().range.start;
  const before = cursor.position;
  let left = parseUnary(cursor);
  if (cursor.position === before) return undefined;
  for (;;) {
    const operatorToken = cursor.peek();
    const operator = binaryOperatorOf(operatorToken);
    if (operator === undefined || binaryPrecedence[operator] < minimumPrecedence) return left;
    cursor.next();
    // A line that ends with an operator continues on the next.
    cursor.skipNewlines();
    const right = parseOperand(cursor, binaryPrecedence[operator] + 1, `'${operator}'`);
    // With no left value (a malformed number) the whole expression has none, but its tokens are still taken.
    left = left && { kind: 'binary', range: cursor.rangeFrom(start), operator, operatorRange: operatorToken.range, left, right };
  }
}

/**
 * An operand after an operator, `(`, `[` or `,`: every nesting goes through here, so this
 * is where depth is bounded. Reports it missing without skipping (the token may close an
 * outer group).
 */
function parseOperand(cursor: TokenCursor, minimumPrecedence: number, after: string): Expression | undefined {
  if (!cursor.enter()) return undefined;
  const before = cursor.position;
  const operand = parseBinary(cursor, minimumPrecedence);
  if (cursor.position === before) cursor.expected(`expected an expression after ${after}`);
  cursor.leave();
  return operand;
}

function parseUnary(cursor: TokenCursor): Expression | undefined {
  const operatorToken = cursor.peek();
  const operator = unaryOperatorOf(operatorToken);
  if (operator === undefined) return parsePostfix(cursor);
  cursor.next();
  const operand = parseOperand(cursor, 11, `'${operator}'`);
  return { kind: 'unary', range: cursor.rangeFrom(operatorToken.range.start), operator, operand };
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
    const argument = parseOperand(cursor, 1, args.length === 0 ? `'${callee}('` : "','");
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
  const index = parseOperand(cursor, 1, "'['");
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
    return { kind: 'qualified', range: cursor.rangeFrom(token.range.start), master: token.text, engine: engine.text };
  }
  if (isPunctuator(token, '(')) {
    cursor.next();
    const inner = parseOperand(cursor, 1, "'('");
    if (!cursor.acceptPunctuator(')')) cursor.expected("expected ')' to close '('");
    return inner;
  }
  return undefined;
}
