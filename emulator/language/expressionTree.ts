import { Expression } from './ast';

/**
 * Walks over expression trees without recursion. A tree is as deep as its text is long
 * (`1 + 1 + … + 1` leans left, `- - … - 1` is a straight line) and only brackets are
 * bounded by the parser, so a recursive walk would overflow the stack on one long line.
 */

/** The operands of a node, in source order (a call's callee is a name, not an operand). */
export function operandsOf(expression: Expression): readonly Expression[] {
  switch (expression.kind) {
    case 'unary':
      return expression.operand ? [expression.operand] : [];
    case 'binary':
      return expression.right ? [expression.left, expression.right] : [expression.left];
    case 'call':
      return expression.args;
    case 'index':
      return expression.index ? [expression.target, expression.index] : [expression.target];
    default:
      return [];
  }
}

/**
 * Every node, each before its operands, in source order. `descend` decides whether a
 * node's operands are visited (a search prunes what does not hold the cursor).
 */
export function* nodesOf(root: Expression, descend: (node: Expression) => boolean = () => true): Generator<Expression> {
  const pending = [root];
  for (let node = pending.pop(); node !== undefined; node = pending.pop()) {
    yield node;
    if (!descend(node)) continue;
    const operands = operandsOf(node);
    for (let i = operands.length - 1; i >= 0; i--) pending.push(operands[i]);
  }
}

/** How a fold computes a node's value from its operands' values. */
export interface Fold<T> {
  /** The operand to compute next, given the values computed so far; `undefined` when the node has what it needs (`&&` may stop after its left side). */
  next(node: Expression, values: readonly T[]): Expression | undefined;
  /** The node's value from its operands' values (as many as `next` asked for); may throw. */
  combine(node: Expression, values: readonly T[]): T;
}

interface Frame<T> {
  node: Expression;
  values: T[];
}

/** Computes a value bottom-up (post-order): operands first, as `fold.next` asks for them. */
export function foldExpression<T>(root: Expression, fold: Fold<T>): T {
  const stack: Frame<T>[] = [{ node: root, values: [] }];
  for (;;) {
    const top = stack[stack.length - 1];
    const operand = fold.next(top.node, top.values);
    if (operand !== undefined) {
      stack.push({ node: operand, values: [] });
      continue;
    }
    const value = fold.combine(top.node, top.values);
    stack.pop();
    const parent = stack[stack.length - 1];
    if (parent === undefined) return value;
    parent.values.push(value);
  }
}
