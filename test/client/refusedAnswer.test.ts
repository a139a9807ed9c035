import assert from 'node:assert/strict';
import { test } from 'node:test';
import { refusedAnswerMessage } from '../../client/commands/refusedAnswer';

test('a refused Success says which answer was not sent and why, in the emulator words', () => {
  const reason = new Error('page request group 0x1 is not complete: the device has not sent its last request (Last=1) yet; answer it once it has');
  assert.equal(
    refusedAnswerMessage(0, 'success', reason),
    'IOMMU: success not sent to #0: page request group 0x1 is not complete: the device has not sent its last request (Last=1) yet; answer it once it has',
  );
});

test('a refused retry reads the same way', () => {
  assert.equal(refusedAnswerMessage(5, 'retry', new Error('transaction #5 is not stalled')), 'IOMMU: retry not sent to #5: transaction #5 is not stalled');
});
