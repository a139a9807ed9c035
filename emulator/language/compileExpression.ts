import { BinaryExpression, Expression, UnaryExpression } from './ast';
import { arithmeticOperations, comparisons, decidedByLeft, Environment, equal, evaluate, EvaluationError, isArithmetic, isComparison, isTruthy, toInteger, Value } from './evaluate';
import { wrap64 } from '../util/u64';

/**
 * An expression turned once into closures, for what is evaluated again and again (an
 * engine's address, per transaction): no walk over the tree, no array of operand values.
 * It gives exactly what `evaluate` gives, errors and their ranges included; operands
 * without names are folded to their value. What is rare or unusual (calls, indexing,
 * missing operands, trees deeper than `COMPILED_DEPTH`) is left to `evaluate`.
 */
export type CompiledExpression = (env: Environment) => Value;

/** Levels compiled to nested closures; a deeper subtree (as deep as its text is long) is evaluated by `evaluate`, which has room for it. */
const COMPILED_DEPTH = 100;

/** A compiled node, with its value when it uses no names and evaluates without an error. */
interface Compiled {
  run: CompiledExpression;
  constant: Value | undefined;
}

/** An environment with no names: what a constant subtree is folded in. */
const noNames: Environment = { lookup: () => undefined };

export function compileExpression(expression: Expression): CompiledExpression {
  return compile(expression, 0).run;
}

function compile(expression: Expression, depth: number): Compiled {
  if (depth === COMPILED_DEPTH) return interpreted(expression);
  switch (expression.kind) {
    case 'number':
      return constant(expression.value);
    case 'qualified':
      return constant(`${expression.master}.${expression.engine}`);
    case 'identifier': {
      const { name, range } = expression;
      return {
        run: (env) => {
          const value = env.lookup(name, range);
          if (value === undefined) throw new EvaluationError(`'${name}' means nothing here`, range);
          return value;
        },
        constant: undefined,
      };
    }
    case 'unary':
      return expression.operand ? folded(unary(expression, expression.operand, compile(expression.operand, depth + 1))) : interpreted(expression);
    case 'binary':
      return expression.right ? folded(binary(expression, expression.right, compile(expression.left, depth + 1), compile(expression.right, depth + 1))) : interpreted(expression);
    default:
      return interpreted(expression);
  }
}

function constant(value: Value): Compiled {
  return { run: () => value, constant: value };
}

function interpreted(expression: Expression): Compiled {
  return { run: (env) => evaluate(expression, env), constant: undefined };
}

/** A node whose operands are all constant is folded to its value — unless evaluating it throws (a division by zero): that is the run's to report. */
function folded(node: { run: CompiledExpression; operands: readonly Compiled[] }): Compiled {
  if (node.operands.some((operand) => operand.constant === undefined)) return { run: node.run, constant: undefined };
  try {
    return constant(node.run(noNames));
  } catch (error) {
    if (error instanceof EvaluationError) return { run: node.run, constant: undefined };
    throw error;
  }
}

function unary(expression: UnaryExpression, operandExpression: Expression, operand: Compiled): { run: CompiledExpression; operands: Compiled[] } {
  const value = operand.run;
  const range = operandExpression.range;
  const operands = [operand];
  switch (expression.operator) {
    case '!':
      return { run: (env) => !isTruthy(value(env)), operands };
    case '-':
      return { run: (env) => wrap64(-toInteger(value(env), range)), operands };
    case '~':
      return { run: (env) => wrap64(~toInteger(value(env), range)), operands };
  }
}

/** Operands are evaluated left to right, then converted: the order `evaluate` reports errors in. */
function binary(expression: BinaryExpression, rightExpression: Expression, leftOperand: Compiled, rightOperand: Compiled): { run: CompiledExpression; operands: Compiled[] } {
  const operator = expression.operator;
  const left = leftOperand.run;
  const right = rightOperand.run;
  const leftRange = expression.left.range;
  const rightRange = rightExpression.range;
  const operands = [leftOperand, rightOperand];
  if (operator === '&&' || operator === '||') {
    return {
      run: (env) => {
        const a = left(env);
        return decidedByLeft(operator, a) ? isTruthy(a) : isTruthy(right(env));
      },
      operands,
    };
  }
  if (operator === '==') return { run: (env) => equal(left(env), right(env)), operands };
  if (operator === '!=') return { run: (env) => !equal(left(env), right(env)), operands };
  if (isComparison(operator)) {
    const compare = comparisons[operator];
    return {
      run: (env) => {
        const a = left(env);
        const b = right(env);
        return compare(toInteger(a, leftRange), toInteger(b, rightRange));
      },
      operands,
    };
  }
  if (isArithmetic(operator)) {
    const apply = arithmeticOperations[operator];
    const operatorRange = expression.operatorRange;
    // A constant integer on one side (`i * 0x1000`) is neither evaluated nor converted again.
    const l = leftOperand.constant;
    const r = rightOperand.constant;
    if (typeof r === 'bigint') return { run: (env) => apply(toInteger(left(env), leftRange), r, operatorRange), operands };
    if (typeof l === 'bigint') return { run: (env) => apply(l, toInteger(right(env), rightRange), operatorRange), operands };
    return {
      run: (env) => {
        const a = left(env);
        const b = right(env);
        return apply(toInteger(a, leftRange), toInteger(b, rightRange), operatorRange);
      },
      operands,
    };
  }
  return { run: (env) => evaluate(expression, env), operands };
}

/** An integer operand (`read ADDR SIZE`), compiled: what `toInteger(evaluate(…))` gives; an absent one is 0. */
export type CompiledInteger = (env: Environment) => bigint;

export function compileInteger(expression: Expression | undefined): CompiledInteger {
  if (!expression) return () => 0n;
  const { run, constant } = compile(expression, 0);
  const range = expression.range;
  if (typeof constant === 'bigint') return () => constant;
  return (env) => toInteger(run(env), range);
}
