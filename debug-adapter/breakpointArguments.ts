import { DebugProtocol } from '@vscode/debugprotocol';
import { RequestArguments } from './requestArguments';

/**
 * The breakpoint requests' arguments, read and checked: what the client sent whatever the
 * protocol's types say. Lines are the client's; the session converts them.
 */

/** setBreakpoints: `breakpoints`, or the deprecated `lines`. */
export function sourceBreakpoints(args: RequestArguments): DebugProtocol.SourceBreakpoint[] {
  const given = args.optionalObjects('breakpoints');
  if (given) {
    return given.map((b) => {
      const condition = b.optionalString('condition');
      const hitCondition = b.optionalString('hitCondition');
      const logMessage = b.optionalString('logMessage');
      return { line: b.integer('line'), ...(condition !== undefined ? { condition } : {}), ...(hitCondition !== undefined ? { hitCondition } : {}), ...(logMessage !== undefined ? { logMessage } : {}) };
    });
  }
  return args.has('lines') ? args.integers('lines').map((line) => ({ line })) : [];
}

export function functionBreakpoints(args: RequestArguments): DebugProtocol.FunctionBreakpoint[] {
  return args.objects('breakpoints').map((b) => {
    const condition = b.optionalString('condition');
    const hitCondition = b.optionalString('hitCondition');
    return { name: b.string('name'), ...(condition !== undefined ? { condition } : {}), ...(hitCondition !== undefined ? { hitCondition } : {}) };
  });
}

/** setDataBreakpoints: the dataIds to watch (access types, conditions and hit counts are not supported). */
export function dataBreakpointIds(args: RequestArguments): string[] {
  return args.objects('breakpoints').map((b) => b.string('dataId'));
}

export function exceptionBreakpointArguments(args: RequestArguments): DebugProtocol.SetExceptionBreakpointsArguments {
  const filterOptions = args.optionalObjects('filterOptions')?.map((o) => {
    const condition = o.optionalString('condition');
    return { filterId: o.string('filterId'), ...(condition !== undefined ? { condition } : {}) };
  });
  return { filters: args.strings('filters'), ...(filterOptions ? { filterOptions } : {}) };
}
