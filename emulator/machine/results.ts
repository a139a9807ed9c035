import { ExpectDeclaration, ResponseKind } from '../language/ast';
import { constantValue } from '../language/evaluate';
import { CounterName, TransactionStatus } from '../language/schema';
import { Counters, FaultRecord, TransactionState } from './state';

export interface ExpectResult {
  /** 1-based line of the `expect`. */
  line: number;
  /** The expectation as written, without `expect`. */
  text: string;
  ok: boolean;
  /** What was found, in words. */
  detail: string;
}

export interface FaultResult extends FaultRecord {
  response: ResponseKind | undefined;
}

/** What a run produced, at its end (or wherever it was stopped). */
export interface RunResult {
  /** Labelled transactions and every one that did not complete, in issue order. */
  transactions: TransactionState[];
  faults: FaultResult[];
  expects: ExpectResult[];
  counters: Counters;
  cycles: number;
}

function compare(operator: string, actual: bigint, expected: bigint): boolean {
  switch (operator) {
    case '==':
      return actual === expected;
    case '!=':
      return actual !== expected;
    case '<':
      return actual < expected;
    case '<=':
      return actual <= expected;
    case '>':
      return actual > expected;
    case '>=':
      return actual >= expected;
    default:
      return false;
  }
}

function summarize(transactions: readonly TransactionState[], what: (t: TransactionState) => string): string {
  const counts = new Map<string, number>();
  for (const t of transactions) counts.set(what(t), (counts.get(what(t)) ?? 0) + 1);
  return [...counts].map(([value, count]) => (transactions.length === 1 ? value : `${count} ${value}`)).join(', ');
}

/** Evaluates one `expect` against the transactions and counters of a run. */
export function evaluateExpect(expect: ExpectDeclaration, text: string, line: number, transactions: readonly TransactionState[], counters: Counters): ExpectResult {
  const check = expect.check;
  const result = (ok: boolean, detail: string): ExpectResult => ({ line, text, ok, detail });
  if (!check) return result(false, 'incomplete expectation');
  if (check.kind === 'counter') {
    const actual = BigInt(counters[check.counter.text as CounterName] ?? 0);
    const expected = check.value ? constantValue(check.value) : undefined;
    if (typeof expected !== 'bigint' || !check.operator) return result(false, 'incomplete expectation');
    return result(compare(check.operator, actual, expected), `${check.counter.text} = ${actual}`);
  }
  const labelled = transactions.filter((t) => t.label === check.label.text);
  if (labelled.length === 0) return result(false, `no transaction labelled '${check.label.text}' was issued`);
  if (check.kind === 'status') {
    const status = check.status?.text as TransactionStatus | undefined;
    return result(
      labelled.every((t) => t.status === status),
      `${check.label.text}: ${summarize(labelled, (t) => t.status)}`,
    );
  }
  const pa = check.pa ? constantValue(check.pa) : undefined;
  return result(
    typeof pa === 'bigint' && labelled.every((t) => t.pa === pa),
    `${check.label.text}: pa ${summarize(labelled, (t) => (t.pa === undefined ? 'none' : `0x${t.pa.toString(16)}`))}`,
  );
}
