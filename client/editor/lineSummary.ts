import { TimelineSpan } from '../../debug-adapter/protocol';

/**
 * What became of the transactions one line issued, in a few words, for the inline value
 * beside it: `completed → 0x80000040`, `stalled`, `×4, last in flight`.
 */
export function lineSummary(spans: readonly TimelineSpan[]): string | undefined {
  const transactions = spans.filter((s) => s.kind === 'transaction');
  const last = transactions.at(-1);
  if (!last) return undefined;
  const stalled = spans.some((s) => s.kind === 'stall' && s.end === null);
  const state = last.end === null ? (stalled ? 'stalled' : 'in flight') : `${last.status ?? 'ended'}${last.pa ? ` → ${last.pa}` : ''}`;
  return transactions.length === 1 ? state : `×${transactions.length}, last ${state}`;
}
