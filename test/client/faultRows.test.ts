import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FaultSummary } from '../../debug-adapter/protocol';
import { faultAnswer, faultClick } from '../../client/views/faultRows';

const fault: FaultSummary = {
  id: 3,
  cycle: 104_090,
  kind: 'translation',
  iova: '0x7002000',
  sid: 0,
  level: 2,
  stalled: false,
  response: null,
  engine: 'gpu.cp',
  reason: 'L2[56] is invalid',
  path: '/w/long-run.iommu',
  line: 16,
};

test('a fault row\'s click opens its line and takes the open timeline to its cycle', () => {
  assert.deepEqual(faultClick(fault), { command: 'iommu.goToFault', title: 'Go to Fault', arguments: ['/w/long-run.iommu', 16, 104_090] });
});

test('a fault\'s answer in words', () => {
  assert.equal(faultAnswer(fault), 'terminated at once (no stall)');
  assert.equal(faultAnswer({ ...fault, stalled: true }), 'stalled, not answered yet');
  assert.equal(faultAnswer({ ...fault, stalled: true, response: 'retry' }), 'retry');
});
