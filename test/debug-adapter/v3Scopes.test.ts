import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { Dap, example } from './helpers';

describe('Transaction, Fault and Stalled scopes on SMMUv3: the STAG, the page request group, how the fault was reported', () => {
  let dap: Dap;
  beforeEach(async () => {
    dap = await Dap.start();
  });
  afterEach(async () => {
    await dap.stop();
  });

  async function scope(name: string, threadId = 1): Promise<Record<string, string>> {
    return dap.values((await dap.scope((await dap.topFrame(threadId)).id, name)).variablesReference);
  }

  test('a stall: its STAG in the Transaction scope; the Fault scope names the stall record', async () => {
    await dap.launchAndStop({ scenario: example('smmuv3-stalls-out-of-order') });
    const transaction = await scope('Transaction');
    assert.deepEqual([transaction['status'], transaction['stag'], transaction['prgi']], ['stalled (by its fault, STAG 0x0)', '0x0', undefined]);
    const fault = await scope('Fault');
    assert.deepEqual([fault['event'], fault['registers'], fault['stalled']], ['F_TRANSLATION stall record, STAG 0x0', undefined, 'true']);
    assert.deepEqual(await scope('Stalled'), { '#0 gpu.cp': 'read 0x7000000 (first) — stalled by its fault, STAG 0x0, 30 cycles' });
  });

  test('a page request: the group it waits on; no event record', async () => {
    await dap.launchAndStop({ scenario: example('sva-pri-page-requests') }, { exceptionFilters: ['page-request'] });
    const transaction = await scope('Transaction');
    assert.deepEqual([transaction['status'], transaction['prgi'], transaction['stag'], transaction['ssid']], ['stalled (for the response to page request group 0x0)', '0x0', undefined, '5']);
    assert.equal((await scope('Fault'))['event'], 'ATS translation failed: a PRI page request in group 0x0, no event record');
    assert.deepEqual(await scope('Stalled'), {
      '#0 nic.rx': 'read 0x40000000 (rx) — waiting for the response to page request group 0x0, 11 cycles',
      '#1 nic.tx': 'read 0x40100000 (tx) — waiting for the response to page request group 0x1, 10 cycles',
      '#2 nic.rx': 'read 0x40001000 (rx) — waiting for the response to page request group 0x0, 10 cycles',
    });
  });

  test('a fault that terminated at once: its record, if CD.R asked for one', async () => {
    await dap.launchAndStop({ scenario: example('smmuv3-eventq-overflow') });
    assert.equal((await scope('Fault'))['event'], 'F_TRANSLATION record (CD.R=1), not stalled');
  });

  test('after the answer the stall is gone: the Fault scope says it was answered', async () => {
    await dap.launchAndStop({ scenario: example('smmuv3-stalls-out-of-order') });
    await dap.custom('iommu/resume', { transaction: 0, action: 'terminate' });
    const fault = await scope('Fault');
    assert.deepEqual([fault['event'], fault['response']], ['F_TRANSLATION stall record (answered)', 'terminate']);
  });
});
