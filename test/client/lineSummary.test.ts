import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lineSummary } from '../../client/editor/lineSummary';
import { TimelineSpan } from '../../debug-adapter/protocol';

function span(kind: TimelineSpan['kind'], start: number, end: number | null, status: string | null = null, pa: string | null = null): TimelineSpan {
  return { lane: 0, kind, start, end, label: '', status, line: 21, pa };
}

test('one transaction: its status and PA, or that it is stalled or in flight', () => {
  assert.equal(lineSummary([span('transaction', 0, 40, 'completed', '0x80000000')]), 'completed → 0x80000000');
  assert.equal(lineSummary([span('transaction', 1, 70, 'aborted')]), 'aborted');
  assert.equal(lineSummary([span('transaction', 1, null), span('stall', 31, null)]), 'stalled');
  assert.equal(lineSummary([span('transaction', 1, null)]), 'in flight');
});

test('a line that issued many (a repeat): how many, and the last one', () => {
  const spans = [span('transaction', 50, 90, 'completed', '0x80002000'), span('transaction', 60, 100, 'completed', '0x80002040'), span('transaction', 70, null)];
  assert.equal(lineSummary(spans), '×3, last in flight');
  assert.equal(lineSummary(spans.slice(0, 2)), '×2, last completed → 0x80002040');
});

test('a stall that ended does not make the line stalled; no transaction, no summary', () => {
  assert.equal(lineSummary([span('transaction', 1, 200, 'raz'), span('stall', 31, 200)]), 'raz');
  assert.equal(lineSummary([span('fault', 31, 31)]), undefined);
  assert.equal(lineSummary([]), undefined);
});
