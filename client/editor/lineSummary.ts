import { LineCountView } from '../../debug-adapter/protocol';

function count(n: number): string {
  return n.toLocaleString('en-US');
}

/**
 * What became of the transactions one line issued, in a few words, for the inline value
 * beside it: `completed → 0x80000040`, `stalled`, `×1,365,219: 1,365,218 completed, 1 in
 * flight; last completed → 0x80002040`.
 */
export function lineSummary(c: LineCountView): string | undefined {
  if (c.issued === 0) return undefined;
  const last = c.last ? `${c.last.status}${c.last.pa ? ` → ${c.last.pa}` : ''}` : undefined;
  if (c.issued === 1) return c.stalled > 0 ? 'stalled' : c.translating > 0 ? 'in flight' : last;
  const parts = [
    [c.completed, 'completed'],
    [c.aborted, 'aborted'],
    [c.raz, 'raz'],
    [c.stalled, 'stalled'],
    [c.translating, 'in flight'],
  ] as const;
  const counts = parts.filter(([n]) => n > 0).map(([n, what]) => `${count(n)} ${what}`);
  return `×${count(c.issued)}: ${counts.join(', ')}${last ? `; last ${last}` : ''}`;
}
