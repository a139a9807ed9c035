import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { StalledResponseBody } from '../../debug-adapter/protocol';
import { Dap, errorOf, example } from './helpers';

describe('iommu/resume: Success to a page request group the device has not finished', () => {
  let dap: Dap;
  beforeEach(async () => {
    dap = await Dap.start();
  });
  afterEach(async () => {
    await dap.stop();
  });

  test('is refused in words: which group, and that its last request (Last=1) has not come', async () => {
    // sva-pri-page-requests: paused at the first page request, group 0x0 has sent one request and holds the next.
    await dap.launchAndStop({ scenario: example('sva-pri-page-requests') }, { exceptionFilters: ['page-request'] });
    const { transactions } = await dap.custom<StalledResponseBody>('iommu/stalled', {});
    const waiting = transactions.find((t) => t.stall === 'page-request');
    assert.ok(waiting, JSON.stringify(transactions));
    const notComplete = 'page request group 0x0 is not complete: the device has not sent its last request (Last=1) yet; answer it once it has';
    // The Stalled view reads the same refusal before anyone asks: the row offers no Success it would refuse.
    assert.equal(waiting.unanswerable, notComplete);
    assert.equal((await errorOf(dap.custom('iommu/resume', { transaction: waiting.id, action: 'success' }))).message, notComplete);
  });
});
