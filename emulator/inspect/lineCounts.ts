import { Machine } from '../machine/machine';

/** What the transactions one line of the scenario issued have become so far. */
export interface LineCount {
  /** 1-based line of the written transaction. */
  line: number;
  issued: number;
  completed: number;
  aborted: number;
  raz: number;
  /** Held by a fault (their own, one ahead, or a page request) now. */
  stalled: number;
  /** Issued and neither ended nor stalled: being translated. */
  translating: number;
  /** How the latest to end ended, and its PA. */
  last: { status: 'completed' | 'aborted' | 'raz'; pa: bigint | undefined } | undefined;
}

/**
 * Every written transaction's counts, from the tallies the machine keeps as transactions
 * issue and end (not from the journal, which keeps only the newest records of a long run).
 */
export function lineCounts(machine: Machine): LineCount[] {
  const stalled = new Map<string, number>();
  for (const t of machine.state.transactions.values()) {
    if (t.status !== 'stalled') continue;
    const key = `${t.engine}:${t.op}`;
    stalled.set(key, (stalled.get(key) ?? 0) + 1);
  }
  const byLine = new Map<number, LineCount>();
  machine.state.engines.forEach((engine, e) => {
    engine.ops.forEach((tally, op) => {
      const node = machine.model.engines[e]?.program[op];
      if (!tally || node?.op !== 'transaction') return;
      const line = machine.model.lines.lineOf(node.node.range.start);
      const count = byLine.get(line) ?? { line, issued: 0, completed: 0, aborted: 0, raz: 0, stalled: 0, translating: 0, last: undefined };
      const held = stalled.get(`${e}:${op}`) ?? 0;
      count.issued += tally.issued;
      count.completed += tally.completed;
      count.aborted += tally.aborted;
      count.raz += tally.raz;
      count.stalled += held;
      count.translating += tally.issued - tally.completed - tally.aborted - tally.raz - held;
      if (tally.lastStatus) count.last = { status: tally.lastStatus, pa: tally.lastPa };
      byLine.set(line, count);
    });
  });
  return [...byLine.values()].sort((a, b) => a.line - b.line);
}
