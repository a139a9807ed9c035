import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { TimelineResponseBody } from '../../debug-adapter/protocol';
import { Dap, scenarioFile } from './helpers';

/** 10,000 reads, then one that faults far into the run. */
const longThenFault = `smmu s { version v2 }
domain d { fault stall; map 0x0 -> 0x8000_0000 size 1M rw }
master m { stream 0x1; domain d; can-stall }
engine m.e {
  repeat 10000 { read 0x0 64 }
  read 0x70_0000 64 as late
}
`;

describe('iommu/timeline on a long run: the newest spans, around the current cycle', () => {
  let dap: Dap;
  beforeEach(async () => {
    dap = await Dap.start();
  });
  afterEach(async () => {
    await dap.stop();
  });

  test('stopped on a fault after 10,000 reads: the fault and the transactions just before it are drawn, the earliest are not', async () => {
    await dap.launchAndStop({ scenario: scenarioFile(longThenFault, 'window') });
    const body = await dap.custom<TimelineResponseBody>('iommu/timeline', {});
    const transactions = body.spans.filter((s) => s.kind === 'transaction');
    assert.equal(transactions.length, 4000);
    assert.equal(body.dropped, 10001 - 4000);
    const fault = body.spans.find((s) => s.kind === 'fault');
    assert.ok(fault, 'the fault is drawn');
    assert.equal(fault.line, 6);
    // The faulting read is the newest transaction, still open (stalled); the window ends there.
    const newest = transactions.at(-1);
    assert.equal(newest?.label, 'read 0x700000 (late)');
    assert.equal(newest?.end, null);
    assert.ok(transactions.every((s) => s.start <= fault.start), 'every drawn transaction began by the fault');
    assert.ok((transactions[0]?.start ?? 0) > 0, 'the first transactions of the run are no longer drawn');
  });
});
