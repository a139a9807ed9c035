import { ExpectDeclaration, ResponseKind } from '../language/ast';
import { constantValue } from '../language/evaluate';
import { CounterName, TransactionStatus, transactionStatuses } from '../language/schema';
import { Counters, FaultRecord, LabelTally, TransactionState } from './state';
import { UnfinishedEngine } from './unfinished';

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
  /** Labelled transactions and every one that did not complete, in issue order: those the journal still keeps, and the live ones. */
  transactions: TransactionState[];
  /** The faults the journal still keeps. */
  faults: FaultResult[];
  expects: ExpectResult[];
  counters: Counters;
  cycles: number;
  /** Engines whose programs are not done: hung on what nothing will answer, or (at `--until`, at a budget) still at work. */
  unfinished: UnfinishedEngine[];
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

/** Distinct PAs a tally names; beyond them, "N others". */
export const PA_KINDS_KEPT = 8;

export function emptyTally(): LabelTally {
  return { statuses: {}, pas: [], otherPas: 0 };
}

function paKey(transaction: TransactionState): string {
  return transaction.pa === undefined ? 'none' : `0x${transaction.pa.toString(16)}`;
}

/** Counts one transaction of a label: when it ends, or (live at the end) when the result is read. */
export function tallyTransaction(tally: LabelTally, transaction: TransactionState): void {
  tally.statuses[transaction.status] = (tally.statuses[transaction.status] ?? 0) + 1;
  const pa = paKey(transaction);
  const kept = tally.pas.find((entry) => entry.pa === pa);
  if (kept) kept.count++;
  else if (tally.pas.length < PA_KINDS_KEPT) tally.pas.push({ pa, count: 1 });
  else tally.otherPas++;
}

/** "completed" for one transaction; "3 completed, 1 aborted" for more. */
function summarize(entries: readonly [string, number][], others: number): string {
  const total = entries.reduce((sum, [, count]) => sum + count, others);
  const parts = entries.map(([value, count]) => (total === 1 ? value : `${count} ${value}`));
  if (others > 0) parts.push(`${others} others`);
  return parts.join(', ');
}

/** Evaluates one `expect` against the tallies of the labels and the counters of a run. */
export function evaluateExpect(expect: ExpectDeclaration, text: string, line: number, tallies: Readonly<Record<string, LabelTally>>, counters: Counters): ExpectResult {
  const check = expect.check;
  const result = (ok: boolean, detail: string): ExpectResult => ({ line, text, ok, detail });
  if (!check) return result(false, 'incomplete expectation');
  if (check.kind === 'counter') {
    const actual = BigInt(counters[check.counter.text as CounterName] ?? 0);
    const expected = check.value ? constantValue(check.value) : undefined;
    if (typeof expected !== 'bigint' || !check.operator) return result(false, 'incomplete expectation');
    return result(compare(check.operator, actual, expected), `${check.counter.text} = ${actual}`);
  }
  const label = check.label.text;
  const tally = tallies[label];
  if (!tally || Object.keys(tally.statuses).length === 0) return result(false, `no transaction labelled '${label}' was issued`);
  if (check.kind === 'status') {
    const status = check.status?.text as TransactionStatus | undefined;
    const statuses = Object.keys(tally.statuses);
    // In the schema's order, whichever ended first.
    const counts = transactionStatuses.flatMap((s): [string, number][] => (tally.statuses[s] ? [[s, tally.statuses[s]]] : []));
    return result(statuses.length === 1 && statuses[0] === status, `${label}: ${summarize(counts, 0)}`);
  }
  const pa = check.pa ? constantValue(check.pa) : undefined;
  const ok = typeof pa === 'bigint' && tally.otherPas === 0 && tally.pas.length === 1 && tally.pas[0]?.pa === `0x${pa.toString(16)}`;
  return result(ok, `${label}: pa ${summarize(tally.pas.map((entry) => [entry.pa, entry.count]), tally.otherPas)}`);
}

/** One line of what a run ends with; `failed` marks an expect that did not hold. */
export interface SummaryLine {
  text: string;
  failed: boolean;
}

/**
 * What a run ends with, as the CLI's trace and the debugger's console print it: the
 * counters that are not zero, each engine not done, each expect with what was found.
 */
export function resultSummary(result: RunResult): SummaryLine[] {
  const counters = Object.entries(result.counters)
    .filter(([, value]) => value !== 0)
    .map(([name, value]) => `${name} ${value}`)
    .join(', ');
  return [
    { text: `ended at cycle ${result.cycles}: ${counters || 'nothing happened'}`, failed: false },
    ...result.unfinished.map((u) => ({ text: u.summary, failed: false })),
    ...result.expects.map((e) => ({ text: `line ${e.line}: expect ${e.text}: ${e.ok ? 'ok' : 'FAILED'} (${e.detail})`, failed: !e.ok })),
  ];
}
