import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { StalledResponseBody } from '../../debug-adapter/protocol';
import { Dap, errorOf, scenarioFile } from './helpers';
import { v3Pri, v3Stall } from './v3Scenarios';

describe('iommu/stalled and iommu/resume on SMMUv3', () => {
  let dap: Dap;
  beforeEach(async () => {
    dap = await Dap.start();
  });
  afterEach(async () => {
    await dap.stop();
  });

  async function status(threadId = 1): Promise<string | undefined> {
    const top = await dap.topFrame(threadId);
    return (await dap.values((await dap.scope(top.id, 'Transaction')).variablesReference))['status'];
  }

  test('a stalled transaction: its STAG in hex, no context bank, its fault in words', async () => {
    const scenario = scenarioFile(v3Stall);
    await dap.launchAndStop({ scenario });
    assert.deepEqual(await dap.custom('iommu/stalled'), {
      transactions: [
        {
          id: 0,
          engine: 'm.dma',
          threadId: 1,
          access: 'read',
          iova: '0x20000000',
          sid: 16,
          label: 'bad',
          stall: 'fault',
          stag: '0x0',
          prgi: null,
          fault: 'translation fault at level 2: L2[256] is invalid',
          smmu: 's',
          contextBank: null,
          age: 30,
          unanswerable: null,
          path: scenario,
          line: 8,
        },
      ],
    });
  });

  test('retry by STAG: CMD_RESUME alone (no CMD_SYNC after it); the read faults again and stalls with the next STAG', async () => {
    await dap.launchAndStop({ scenario: scenarioFile(v3Stall) });
    const resumed = await dap.answer(0, 'retry');
    assert.deepEqual(resumed, { resumed: [0], written: `CMD_RESUME sid 0x10 stag 0x0 retry: #0 retried` });
    await dap.client.continueRequest({ threadId: 1 });
    const again = await dap.stopped();
    assert.equal(again.description, 'Paused on translation fault');
    const stalled = await dap.custom<StalledResponseBody>('iommu/stalled');
    assert.deepEqual(stalled.transactions.map((t) => [t.id, t.stall, t.stag, t.prgi]), [[0, 'fault', '0x1', null]]);
  });

  test('terminate completes the read RAZ/WI and abort aborts it, whatever CD.A says', async () => {
    await dap.launchAndStop({ scenario: scenarioFile(v3Stall) });
    const terminated = await dap.answer(0, 'terminate');
    assert.deepEqual(terminated, { resumed: [0], written: `CMD_RESUME sid 0x10 stag 0x0 terminate: #0 terminated (RAZ/WI)` });
    assert.equal(await status(), 'raz');
    await dap.stop();
    dap = await Dap.start();
    await dap.launchAndStop({ scenario: scenarioFile(v3Stall) });
    const aborted = await dap.answer(0, 'abort');
    assert.deepEqual(aborted, { resumed: [0], written: `CMD_RESUME sid 0x10 stag 0x0 abort: #0 aborted` });
    assert.equal(await status(), 'aborted');
  });

  test('a stall takes retry, terminate or abort: a page response is refused', async () => {
    await dap.launchAndStop({ scenario: scenarioFile(v3Stall) });
    assert.equal(
      (await errorOf(dap.custom('iommu/resume', { transaction: 0, action: 'success' }))).message,
      'transaction #0 is stalled by a fault: answer retry, terminate or abort (CMD_RESUME), not success',
    );
    assert.equal((await dap.custom<StalledResponseBody>('iommu/stalled')).transactions.length, 1, 'nothing was written');
  });

  test('a transaction waiting on a page request group: its PRG index, no STAG; the fault that sent the request', async () => {
    await dap.launchAndStop({ scenario: scenarioFile(v3Pri) }, { exceptionFilters: ['page-request'] });
    const stalled = await dap.custom<StalledResponseBody>('iommu/stalled');
    assert.deepEqual(
      stalled.transactions.map((t) => [t.id, t.stall, t.stag, t.prgi, t.contextBank, t.sid, t.fault]),
      [[0, 'page-request', null, '0x0', null, 256, 'translation fault at level 0: L0[0] is invalid; ATS translation failed: page request in group 0x0']],
    );
  });

  test('success answers the group with CMD_PRI_RESP: the device retries, and a second miss fails the access', async () => {
    await dap.launchAndStop({ scenario: scenarioFile(v3Pri) }, { exceptionFilters: ['page-request'] });
    const resumed = await dap.answer(0, 'success');
    assert.deepEqual(resumed, { resumed: [0], written: `CMD_PRI_RESP sid 0x100 ssid 5 prgi 0x0 success: #0 retry their translation` });
    assert.deepEqual((await dap.custom<StalledResponseBody>('iommu/stalled')).transactions, []);
    await dap.client.nextRequest({ threadId: 1 });
    await dap.stopped();
    assert.equal(await status(), 'aborted');
  });

  test('invalid and failure make the access fail at once', async () => {
    for (const action of ['invalid', 'failure']) {
      await dap.launchAndStop({ scenario: scenarioFile(v3Pri) }, { exceptionFilters: ['page-request'] });
      const resumed = await dap.answer(0, action);
      assert.deepEqual(resumed, { resumed: [0], written: `CMD_PRI_RESP sid 0x100 ssid 5 prgi 0x0 ${action}: #0 fail` });
      assert.equal(await status(), 'aborted');
      await dap.stop();
      dap = await Dap.start();
    }
  });

  test('a page request group takes success, invalid or failure: a stall answer is refused', async () => {
    await dap.launchAndStop({ scenario: scenarioFile(v3Pri) }, { exceptionFilters: ['page-request'] });
    for (const action of ['retry', 'terminate', 'abort']) {
      assert.equal(
        (await errorOf(dap.custom('iommu/resume', { transaction: 0, action }))).message,
        `transaction #0 waits for the response to page request group 0x0: answer success, invalid or failure (CMD_PRI_RESP), not ${action}`,
      );
    }
  });
});
