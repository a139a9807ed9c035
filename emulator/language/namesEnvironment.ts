import { Environment, Value } from './evaluate';
import { counterNames, CounterName } from './schema';

/**
 * The one way an expression's names are looked up, wherever it is evaluated (a handler, a
 * breakpoint condition, the Debug Console): the context's own fields first, then the run's
 * counters, and any other name stands for itself, to be compared (`engine == gpu.cp`,
 * `kind == translation`).
 */
export function namesEnvironment(fields: Readonly<Record<string, () => Value>>, counters: Readonly<Record<CounterName, number>>): Environment {
  return {
    lookup(name) {
      const field = Object.hasOwn(fields, name) ? fields[name] : undefined;
      if (field) return field();
      return counterValue(counters, name) ?? name;
    },
  };
}

/** A counter's value, when `name` is a counter. */
export function counterValue(counters: Readonly<Record<CounterName, number>>, name: string): Value | undefined {
  return (counterNames as readonly string[]).includes(name) ? BigInt(counters[name as CounterName]) : undefined;
}
