import { Expression } from '../ast';
import { constantEnvironment, evaluate, EvaluationError } from '../evaluate';
import { nodesOf } from '../expressionTree';
import { counterNames, faultFields, faultKindEventNames, faultKinds } from '../schema';
import { Range } from '../source';
import { CheckContext } from './context';
import { SymbolEntry, SymbolTable } from './symbols';
import { suggest } from '../suggestions';

/**
 * Where an expression is written decides what its names can mean:
 * - `constant`: numbers only (map addresses, expect values, settings);
 * - `engine`: numbers and, inside `repeat`, the iteration index `i`;
 * - `handler`: the fault's fields, counters, fault kinds and declared names.
 */
export type ExpressionScope = { kind: 'constant' } | { kind: 'engine'; inRepeat: boolean } | { kind: 'handler' };

const kindSymbols = new Set<string>([...faultKinds, ...Object.values(faultKindEventNames)]);

function describeScope(scope: ExpressionScope): string {
  switch (scope.kind) {
    case 'constant':
      return 'here: only numbers are allowed';
    case 'engine':
      return scope.inRepeat ? 'in an engine: only numbers and the iteration index i' : 'in an engine outside repeat: only numbers';
    case 'handler':
      return `in a handler (fields: ${Object.keys(faultFields).join(', ')})`;
  }
}

/** What a name means in a handler expression, in this order: a fault field, a counter, a fault kind, a master, a domain. */
export type HandlerName =
  | { kind: 'field' | 'counter' | 'fault-kind' }
  | { kind: 'master' | 'domain'; target: SymbolEntry };

export function handlerName(name: string, symbols: SymbolTable): HandlerName | undefined {
  if (Object.hasOwn(faultFields, name)) return { kind: 'field' };
  if ((counterNames as readonly string[]).includes(name)) return { kind: 'counter' };
  if (kindSymbols.has(name)) return { kind: 'fault-kind' };
  for (const kind of ['master', 'domain'] as const) {
    const target = symbols.get(kind, name);
    if (target) return { kind, target };
  }
  return undefined;
}

function checkIdentifier(name: string, range: Range, scope: ExpressionScope, context: CheckContext): void {
  if (scope.kind === 'engine' && name === 'i') {
    if (!scope.inRepeat) context.sink.error('i-outside-repeat', range, "'i' is the iteration index of 'repeat'; there is no repeat around it");
    return;
  }
  const meaning = scope.kind === 'handler' ? handlerName(name, context.symbols) : undefined;
  if (meaning && (meaning.kind === 'master' || meaning.kind === 'domain')) context.symbols.references.push({ kind: meaning.kind, name, range, target: meaning.target });
  if (meaning) return;
  const meant = scope.kind === 'handler' ? suggest(name, range, handlerNames(context.symbols)) : undefined;
  context.sink.error('unknown-identifier', range, `'${name}' means nothing ${describeScope(scope)}${meant?.hint ?? ''}`, undefined, meant?.fix);
}

/** Every name a handler expression understands, in `handlerName`'s order. */
function handlerNames(symbols: SymbolTable): string[] {
  return [...Object.keys(faultFields), ...counterNames, ...kindSymbols, ...(['master', 'domain'] as const).flatMap((kind) => symbols.all(kind).map((e) => e.name))];
}

function checkNode(expression: Expression, scope: ExpressionScope, context: CheckContext): void {
  switch (expression.kind) {
    case 'identifier':
      checkIdentifier(expression.name, expression.range, scope, context);
      return;
    case 'qualified': {
      const name = `${expression.master}.${expression.engine}`;
      if (scope.kind !== 'handler') {
        context.sink.error('unknown-identifier', expression.range, `'${name}' means nothing ${describeScope(scope)}`);
        return;
      }
      const target = context.symbols.get('engine', name);
      if (!target) {
        const meant = suggest(name, expression.range, context.symbols.all('engine').map((e) => e.name));
        context.sink.error('unknown-identifier', expression.range, `'${name}' is not an engine of this scenario${meant.hint}`, undefined, meant.fix);
        return;
      }
      // Its master half names the master, as in `engine gpu.cp`: references and rename find it there.
      const master = context.symbols.get('master', expression.master);
      if (master) context.symbols.references.push({ kind: 'master', name: expression.master, range: expression.masterRange, target: master });
      context.symbols.references.push({ kind: 'engine', name, range: expression.range, target });
      return;
    }
    case 'call':
    case 'index':
      context.sink.error('unknown-identifier', expression.range, `calls and indexing belong to the Debug Console, not to a scenario`);
      return;
  }
}

/** Reports names the scope does not define; records references to declared names. */
export function checkExpression(expression: Expression, scope: ExpressionScope, context: CheckContext): void {
  // A call is reported whole: what its arguments say does not matter.
  const intoOperands = (node: Expression): boolean => node.kind !== 'call' && node.kind !== 'index';
  for (const node of nodesOf(expression, intoOperands)) checkNode(node, scope, context);
}

/** The value of an expression that must be a constant number, reporting it when it is not. */
export function constantNumber(expression: Expression | undefined, what: string, context: CheckContext): bigint | undefined {
  if (!expression) return undefined;
  const reported = context.sink.diagnostics.length;
  checkExpression(expression, { kind: 'constant' }, context);
  if (context.sink.diagnostics.length > reported) return undefined;
  try {
    const value = evaluate(expression, constantEnvironment);
    if (typeof value === 'bigint') return value;
    context.sink.error('bad-value', expression.range, `${what} must be a number`);
  } catch (error) {
    if (!(error instanceof EvaluationError)) throw error;
    context.sink.error('bad-value', error.range, error.message);
  }
  return undefined;
}
