import { Declaration, EngineItem, Expression, HandlerStatement, Identifier, StringLiteral } from '../emulator/language/ast';
import { engineItemsOf } from '../emulator/language/engineItems';
import { nodesOf } from '../emulator/language/expressionTree';
import { contains } from '../emulator/language/source';

/** The identifier at `offset`: only the operands that hold the offset are searched. */
function inExpression(expression: Expression | undefined, offset: number): Identifier | undefined {
  if (!expression) return undefined;
  for (const node of nodesOf(expression, (n) => contains(n.range, offset))) {
    if (node.kind === 'identifier' && contains(node.range, offset)) return node;
  }
  return undefined;
}

function inString(message: StringLiteral | undefined, offset: number): Identifier | undefined {
  for (const part of message?.parts ?? []) {
    if (part.kind === 'hole') {
      const found = inExpression(part.expression, offset);
      if (found) return found;
    }
  }
  return undefined;
}

function inStatements(statements: readonly HandlerStatement[], offset: number): Identifier | undefined {
  for (const s of statements) {
    if (!contains(s.range, offset)) continue;
    switch (s.kind) {
      case 'log':
        return inString(s.message, offset);
      case 'if':
        return inExpression(s.condition, offset) ?? inStatements(s.then, offset) ?? inStatements(s.otherwise ?? [], offset);
      case 'map':
        return inExpression(s.iova, offset) ?? inExpression(s.pa, offset) ?? inExpression(s.size, offset);
      case 'unmap':
        return inExpression(s.iova, offset) ?? inExpression(s.size, offset);
      case 'tlbi':
        return inExpression(s.address, offset);
      case 'sleep':
      case 'stall-off':
        return inExpression(s.cycles, offset);
      default:
        return undefined;
    }
  }
  return undefined;
}

/** The identifier at `offset` in an item's own expressions (a block's body holds items of its own). */
function inEngineItem(item: EngineItem, offset: number): Identifier | undefined {
  switch (item.kind) {
    case 'transaction':
      return inExpression(item.address, offset) ?? inExpression(item.size, offset);
    case 'repeat':
      return inExpression(item.count, offset);
    case 'submit':
      return inExpression(item.id, offset);
    case 'wait':
      return inExpression(item.cycles, offset);
  }
}

function inEngine(items: readonly EngineItem[], offset: number): Identifier | undefined {
  for (const { item } of engineItemsOf(items)) {
    const found = contains(item.range, offset) ? inEngineItem(item, offset) : undefined;
    if (found) return found;
  }
  return undefined;
}

/** The identifier of an expression at an offset: in a handler (log holes too) or an engine. */
export function identifierAt(declarations: readonly Declaration[], offset: number): Identifier | undefined {
  for (const d of declarations) {
    if (!contains(d.range, offset)) continue;
    if (d.kind === 'handler') return inStatements(d.body, offset);
    if (d.kind === 'engine') return inEngine(d.body, offset);
  }
  return undefined;
}
