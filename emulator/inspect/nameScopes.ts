import { Expression, StringPart } from '../language/ast';
import { nodesOf } from '../language/expressionTree';
import { counterNames, faultFields, faultKindEventNames, faultKinds, transactionStatuses } from '../language/schema';
import { ScenarioModel } from '../scenario/model';

/** The names an expression may use where it is evaluated: a breakpoint's line, a filter, the Debug Console. */
export interface NameScope {
  /** `on a handler line`: what the scope is, for messages. */
  where: string;
  names: ReadonlySet<string>;
  engines: ReadonlySet<string>;
}

function scenarioNames(model: ScenarioModel): string[] {
  return [...model.masters.map((m) => m.name), ...model.domains.map((d) => d.name)];
}

/** Symbols compared with: fault kinds (`kind == translation`) and statuses (`status == raz`). */
const symbols = [...faultKinds, ...Object.values(faultKindEventNames), ...transactionStatuses];

function scope(model: ScenarioModel, where: string, names: readonly string[]): NameScope {
  return { where, names: new Set([...names, ...counterNames, ...symbols, ...scenarioNames(model)]), engines: new Set(model.engines.map((e) => e.name)) };
}

/** A handler line: the fault's fields. */
export function handlerScope(model: ScenarioModel): NameScope {
  return scope(model, 'on a handler line', Object.keys(faultFields));
}

/** An engine line: the transaction about to be issued, and `i` inside a repeat. */
export function engineScope(model: ScenarioModel, inRepeat: boolean): NameScope {
  return scope(model, 'on an engine line', [...(inRepeat ? ['i'] : []), 'iova', 'read', 'write', 'engine', 'master', 'stalled']);
}

/** An exception filter's condition: the fault's fields, or the transaction's. */
export function filterScope(model: ScenarioModel): NameScope {
  return scope(model, 'in an exception filter', [...Object.keys(faultFields), 'size', 'status']);
}

/** The Debug Console: everything, and the context bank's registers. */
export function consoleScope(model: ScenarioModel): NameScope {
  return scope(model, 'here', [...Object.keys(faultFields), 'i', 'size', 'status', 'SCTLR', 'FSR', 'FSYNR0', 'FAR', 'CBFRSYNRA', 'TTBR0', 'TCR']);
}

function firstUnknown(expression: Expression | undefined, scope: NameScope): string | undefined {
  if (!expression) return undefined;
  // The table an index names (STE, CD) is the evaluator's to judge: it says which SMMU has them.
  const tables = new Set<Expression>();
  for (const node of nodesOf(expression, (n) => !tables.has(n))) {
    if (node.kind === 'index') tables.add(node.target);
    if (tables.has(node)) continue;
    if (node.kind === 'identifier' && !scope.names.has(node.name)) return node.name;
    if (node.kind === 'qualified' && !scope.engines.has(`${node.master}.${node.engine}`)) return `${node.master}.${node.engine}`;
  }
  return undefined;
}

/** Why an expression cannot be evaluated in a scope (a name that means nothing there), or undefined. */
export function unknownName(expression: Expression | undefined, scope: NameScope): string | undefined {
  const name = firstUnknown(expression, scope);
  return name === undefined ? undefined : `'${name}' means nothing ${scope.where}`;
}

/** The same for the `{…}` holes of a logpoint. */
export function unknownNameInTemplate(parts: readonly StringPart[], scope: NameScope): string | undefined {
  for (const part of parts) {
    const problem = part.kind === 'hole' ? unknownName(part.expression, scope) : undefined;
    if (problem) return problem;
  }
  return undefined;
}
