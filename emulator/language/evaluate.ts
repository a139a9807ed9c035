import { BinaryExpression, BinaryOperator, Expression } from './ast';
import { foldExpression, nodesOf } from './expressionTree';
import { Range } from './source';
import { wrap64 } from '../util/u64';

/**
 * What an expression evaluates to: a 64-bit unsigned integer, a truth value, or a symbol
 * (a fault kind such as `translation`, or a name such as `gpu.cp`).
 */
export type Value = bigint | boolean | string;

/** An expression that cannot be evaluated here: unknown name, division by zero … */
export class EvaluationError extends Error {
  constructor(
    message: string,
    readonly range: Range,
  ) {
    super(message);
  }
}

/** Where identifiers, calls and indexing get their meaning: a fault, an engine's loop, the debugger. */
export interface Environment {
  /** The value of a name, or undefined when the name means nothing here. */
  lookup(name: string, range: Range): Value | undefined;
  call?(name: string, args: Value[], range: Range): Value;
  index?(target: Expression, index: Value, range: Range): Value;
}

/** The v3 event names that a fault's `kind` also answers to. */
const kindAliases: Readonly<Record<string, string>> = {
  F_TRANSLATION: 'translation',
  F_PERMISSION: 'permission',
  F_ACCESS: 'access-flag',
  F_ADDR_SIZE: 'address-size',
};

export function canonicalSymbol(symbol: string): string {
  return kindAliases[symbol] ?? symbol;
}

export function toInteger(value: Value, range: Range): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'boolean') return value ? 1n : 0n;
  throw new EvaluationError(`'${value}' is a name, not a number`, range);
}

export function isTruthy(value: Value): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'bigint') return value !== 0n;
  return true;
}

/** `==` on values: symbols by their canonical name, integers and truth values as integers. */
export function equal(left: Value, right: Value): boolean {
  if (typeof left === 'string' || typeof right === 'string') {
    return typeof left === 'string' && typeof right === 'string' && canonicalSymbol(left) === canonicalSymbol(right);
  }
  const integer = (v: bigint | boolean): bigint => (typeof v === 'bigint' ? v : v ? 1n : 0n);
  return integer(left) === integer(right);
}

export type ArithmeticOperator = '+' | '-' | '*' | '/' | '%' | '<<' | '>>' | '&' | '|' | '^';
export type ComparisonOperator = '<' | '<=' | '>' | '>=';

/** Each arithmetic operator on unsigned 64-bit integers; `range` is the operator's, for a division by zero. */
export const arithmeticOperations: Readonly<Record<ArithmeticOperator, (a: bigint, b: bigint, range: Range) => bigint>> = {
  '+': (a, b) => wrap64(a + b),
  '-': (a, b) => wrap64(a - b),
  '*': (a, b) => wrap64(a * b),
  '/': (a, b, range) => {
    if (b === 0n) throw new EvaluationError('division by zero', range);
    return a / b;
  },
  '%': (a, b, range) => {
    if (b === 0n) throw new EvaluationError('division by zero', range);
    return a % b;
  },
  '<<': (a, b) => (b >= 64n ? 0n : wrap64(a << b)),
  '>>': (a, b) => (b >= 64n ? 0n : a >> b),
  '&': (a, b) => a & b,
  '|': (a, b) => a | b,
  '^': (a, b) => a ^ b,
};

export const comparisons: Readonly<Record<ComparisonOperator, (a: bigint, b: bigint) => boolean>> = {
  '<': (a, b) => a < b,
  '<=': (a, b) => a <= b,
  '>': (a, b) => a > b,
  '>=': (a, b) => a >= b,
};

export function isArithmetic(operator: BinaryOperator): operator is ArithmeticOperator {
  return operator in arithmeticOperations;
}

export function isComparison(operator: BinaryOperator): operator is ComparisonOperator {
  return operator in comparisons;
}

/** Whether `&&` or `||` is decided by its left side alone. */
export function decidedByLeft(operator: BinaryOperator, left: Value): boolean {
  return (operator === '&&' && !isTruthy(left)) || (operator === '||' && isTruthy(left));
}

/** The operand an evaluation needs next: none once an error or a short circuit decides the node. */
function nextOperand(expression: Expression, values: readonly Value[], env: Environment): Expression | undefined {
  switch (expression.kind) {
    case 'unary':
      return values.length === 0 ? expression.operand : undefined;
    case 'binary':
      if (!expression.right) return undefined;
      if (values.length === 0) return expression.left;
      return values.length === 1 && !decidedByLeft(expression.operator, values[0]) ? expression.right : undefined;
    case 'call':
      return env.call ? expression.args[values.length] : undefined;
    case 'index':
      // The target is the environment's to interpret (`STE[sid]`): only the index has a value.
      return env.index && values.length === 0 ? expression.index : undefined;
    default:
      return undefined;
  }
}

function binaryValue(expression: BinaryExpression, values: readonly Value[]): Value {
  const { operator, left, right } = expression;
  if (!right) throw new EvaluationError(`'${operator}' needs a right operand`, expression.range);
  // The last side evaluated decides `&&` and `||`: the left one when it short-circuits.
  if (operator === '&&' || operator === '||') return isTruthy(values[values.length - 1]);
  const a = values[0];
  const b = values[1];
  if (operator === '==') return equal(a, b);
  if (operator === '!=') return !equal(a, b);
  const x = toInteger(a, left.range);
  const y = toInteger(b, right.range);
  if (isComparison(operator)) return comparisons[operator](x, y);
  if (isArithmetic(operator)) return arithmeticOperations[operator](x, y, expression.operatorRange);
  throw new EvaluationError(`'${operator}' is not arithmetic`, expression.operatorRange);
}

/** A node's value from its operands' values (as `nextOperand` asked for them). */
function nodeValue(expression: Expression, values: readonly Value[], env: Environment): Value {
  switch (expression.kind) {
    case 'number':
      return expression.value;
    case 'identifier': {
      const value = env.lookup(expression.name, expression.range);
      if (value === undefined) throw new EvaluationError(`'${expression.name}' means nothing here`, expression.range);
      return value;
    }
    case 'qualified':
      return `${expression.master}.${expression.engine}`;
    case 'unary': {
      if (!expression.operand) throw new EvaluationError(`'${expression.operator}' needs an operand`, expression.range);
      const operand = values[0];
      if (expression.operator === '!') return !isTruthy(operand);
      const n = toInteger(operand, expression.operand.range);
      return expression.operator === '-' ? wrap64(-n) : wrap64(~n);
    }
    case 'binary':
      return binaryValue(expression, values);
    case 'call':
      if (!env.call) throw new EvaluationError(`'${expression.callee.text}(…)' can only be called in the Debug Console`, expression.range);
      return env.call(expression.callee.text, [...values], expression.range);
    case 'index':
      if (!env.index || !expression.index) throw new EvaluationError('indexing is only possible in the Debug Console', expression.range);
      return env.index(expression.target, values[0], expression.range);
  }
}

/**
 * Levels evaluated by recursion before an explicit stack takes over. Recursion is several
 * times faster, and a run evaluates an address for every transaction; but only a stack of
 * our own has room for any tree the parser accepts (`1 + 1 + … + 1` is as deep as it is
 * long). What people write stays far below this.
 */
const recursionLimit = 200;

/** Evaluates with C's rules on unsigned 64-bit integers: arithmetic wraps, `&&`/`||` short-circuit. */
export function evaluate(expression: Expression, env: Environment): Value {
  return evaluateRecursively(expression, env, 0);
}

/** The fast path: the operands `nextOperand` would ask for, written out and evaluated by recursion. */
function evaluateRecursively(expression: Expression, env: Environment, depth: number): Value {
  if (depth === recursionLimit) {
    return foldExpression<Value>(expression, { next: (node, values) => nextOperand(node, values, env), combine: (node, values) => nodeValue(node, values, env) });
  }
  switch (expression.kind) {
    case 'unary':
      return nodeValue(expression, expression.operand ? [evaluateRecursively(expression.operand, env, depth + 1)] : [], env);
    case 'binary': {
      if (!expression.right) return nodeValue(expression, [], env);
      const left = evaluateRecursively(expression.left, env, depth + 1);
      const values = decidedByLeft(expression.operator, left) ? [left] : [left, evaluateRecursively(expression.right, env, depth + 1)];
      return nodeValue(expression, values, env);
    }
    case 'call':
      return nodeValue(expression, env.call ? expression.args.map((arg) => evaluateRecursively(arg, env, depth + 1)) : [], env);
    case 'index':
      return nodeValue(expression, env.index && expression.index ? [evaluateRecursively(expression.index, env, depth + 1)] : [], env);
    default:
      return nodeValue(expression, [], env);
  }
}

/** An environment with no names: constant folding. */
export const constantEnvironment: Environment = { lookup: () => undefined };

/** Whether an expression uses no names, calls or indexing: its value is known without a run. */
export function isConstant(expression: Expression): boolean {
  for (const node of nodesOf(expression)) {
    const constant = node.kind === 'number' || (node.kind === 'unary' && node.operand !== undefined) || (node.kind === 'binary' && node.right !== undefined);
    if (!constant) return false;
  }
  return true;
}

/** The value of an expression that uses no names, or undefined (also for a division by zero). */
export function constantValue(expression: Expression): Value | undefined {
  if (!isConstant(expression)) return undefined;
  try {
    return evaluate(expression, constantEnvironment);
  } catch (error) {
    if (error instanceof EvaluationError) return undefined;
    throw error;
  }
}
