import { Expression, StringPart } from './ast';
import { counterNames } from './schema';
import { Environment, evaluate, Value } from './evaluate';
import { hex } from '../util/u64';

/** Names whose values are counts, printed in decimal; addresses, IDs and registers print in hex. */
const decimalNames = new Set<string>(['level', 'i', 'ssid', 'pasid', 'stag', 'prgi', ...counterNames]);

export function formatValue(expression: Expression, value: Value): string {
  if (typeof value !== 'bigint') return String(value);
  return expression.kind === 'identifier' && decimalNames.has(expression.name) ? value.toString() : hex(value);
}

/** The text of a `log` string or a logpoint with its `{…}` holes filled in. */
export function interpolate(parts: readonly StringPart[], env: Environment): string {
  return parts
    .map((part) => {
      if (part.kind === 'text') return part.value;
      return part.expression ? formatValue(part.expression, evaluate(part.expression, env)) : '';
    })
    .join('');
}
