import { DebugProtocol } from '@vscode/debugprotocol';
import { Expression } from '../emulator/language/ast';
import { parseExpression } from '../emulator/language/parser';
import { ExceptionFilterId, exceptionFilters, isExceptionFilterId } from './exceptionFilters';
import { NameScope, unknownName } from '../emulator/inspect/nameScopes';

export interface ExceptionBreakpoints {
  /** The enabled filters and each one's condition. */
  filters: Map<ExceptionFilterId, Expression | undefined>;
  /** One answer per `filters` entry, then one per `filterOptions` entry, in the request's order. */
  breakpoints: DebugProtocol.Breakpoint[];
}

const known = exceptionFilters.map((f) => f.filter).join(', ');

function unknownFilter(id: string): DebugProtocol.Breakpoint {
  return { verified: false, message: `unknown exception filter '${id}': the filters are ${known}` };
}

function conditionOf(text: string | undefined, scope: NameScope | undefined): Expression | undefined | string {
  if (text === undefined || text.trim() === '') return undefined;
  const parsed = parseExpression(text);
  const problem = parsed.diagnostics[0]?.message ?? (parsed.expression ? undefined : 'not an expression');
  const unknown = problem ?? (scope ? unknownName(parsed.expression, scope) : undefined);
  return unknown === undefined ? parsed.expression : `condition '${text}': ${unknown}`;
}

/**
 * Reads a setExceptionBreakpoints request. `scope` names what a condition may use; it is
 * undefined before a scenario is loaded, when only the syntax can be checked.
 */
export function readExceptionBreakpoints(args: DebugProtocol.SetExceptionBreakpointsArguments, scope: NameScope | undefined): ExceptionBreakpoints {
  const filters = new Map<ExceptionFilterId, Expression | undefined>();
  const breakpoints: DebugProtocol.Breakpoint[] = [];
  for (const id of args.filters) {
    if (!isExceptionFilterId(id)) {
      breakpoints.push(unknownFilter(id));
      continue;
    }
    filters.set(id, undefined);
    breakpoints.push({ verified: true });
  }
  for (const option of args.filterOptions ?? []) {
    if (!isExceptionFilterId(option.filterId)) {
      breakpoints.push(unknownFilter(option.filterId));
      continue;
    }
    const condition = conditionOf(option.condition, scope);
    if (typeof condition === 'string') {
      breakpoints.push({ verified: false, message: condition });
      continue;
    }
    filters.set(option.filterId, condition);
    breakpoints.push({ verified: true });
  }
  return { filters, breakpoints };
}
