import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lineSummary } from '../../client/editor/lineSummary';
import { LineCountView } from '../../debug-adapter/protocol';

function counted(fields: Partial<LineCountView>): LineCountView {
  return { line: 1, issued: 0, completed: 0, aborted: 0, raz: 0, stalled: 0, translating: 0, last: null, ...fields };
}

test('one transaction: how it ended and where, or that it is stalled or still in flight', () => {
  assert.equal(lineSummary(counted({ issued: 1, completed: 1, last: { status: 'completed', pa: '0x80000000' } })), 'completed → 0x80000000');
  assert.equal(lineSummary(counted({ issued: 1, aborted: 1, last: { status: 'aborted', pa: null } })), 'aborted');
  assert.equal(lineSummary(counted({ issued: 1, stalled: 1 })), 'stalled');
  assert.equal(lineSummary(counted({ issued: 1, translating: 1 })), 'in flight');
  assert.equal(lineSummary(counted({})), undefined);
});

test('a repeat counts every transaction the machine issued, however long the run, then the last to end', () => {
  assert.equal(
    lineSummary(counted({ issued: 1_365_219, completed: 1_365_218, translating: 1, last: { status: 'completed', pa: '0x80002040' } })),
    '×1,365,219: 1,365,218 completed, 1 in flight; last completed → 0x80002040',
  );
  assert.equal(lineSummary(counted({ issued: 5, completed: 1, raz: 4, last: { status: 'raz', pa: null } })), '×5: 1 completed, 4 raz; last raz');
  assert.equal(lineSummary(counted({ issued: 4, completed: 3, stalled: 1, last: { status: 'completed', pa: '0x80002000' } })), '×4: 3 completed, 1 stalled; last completed → 0x80002000');
});
