import assert from 'node:assert/strict';
import { DebugProtocol } from '@vscode/debugprotocol';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { Dap, example, scenarioFile } from './helpers';

/** Four ATS reads, each its own page request group, into a two-entry PRI queue with no handler. */
const smallPriq = [
  'smmu s { version v3; ssid-bits 8; priq 2 }',
  'domain dev { map 0x0 -> 0x8000_0000 size 1M rw }',
  'domain mm { }',
  'master nic { stream 0x100; domain dev; pri; pasid 5 -> mm }',
  'engine nic.rx { outstanding 4; repeat 4 { read 0x4000_0000 + i*0x1000 64 pasid 5 as rx } }',
].join('\n');

const FIRST_DROP = 'Event queue full: F_TRANSLATION sid 0x1 read 0x1018000 discarded; PROD.OVFLG toggled: the queue is in overflow until the driver acknowledges it; 1 record lost so far';
const SECOND_DROP = 'Event queue full: F_TRANSLATION sid 0x1 read 0x101a000 discarded; the queue was already in overflow: PROD.OVFLG stays; 2 records lost so far';

describe('exception filters on SMMUv3 queues: overflow, page-request', () => {
  let dap: Dap;
  beforeEach(async () => {
    dap = await Dap.start();
  });
  afterEach(async () => {
    await dap.stop();
  });

  /** The text of every stop of the session, continuing after each until the run ends. */
  async function allStops(): Promise<string[]> {
    for (let count = 1; ; count++) {
      const outcome = await Promise.race([
        dap.waitFor('stopped', () => dap.all('stopped').length >= count).then(
          () => 'stopped',
          () => 'timeout',
        ),
        dap.waitFor('terminated', () => true).then(
          () => 'ended',
          () => 'timeout',
        ),
      ]);
      if (outcome !== 'stopped') break;
      await dap.client.continueRequest({ threadId: 1 });
    }
    return dap.all<DebugProtocol.StoppedEvent>('stopped').map((e) => e.body.text ?? e.body.description ?? '');
  }

  test('overflow: stops when the event queue discards a record, on the transaction it was about; the widget says why', async () => {
    const stop = await dap.launchAndStop({ scenario: example('smmuv3-eventq-overflow') }, { exceptionFilters: ['overflow'] });
    assert.deepEqual(stop, { reason: 'exception', threadId: 1, text: FIRST_DROP, description: 'Paused on event queue overflow', allThreadsStopped: true });
    assert.deepEqual((await dap.client.exceptionInfoRequest({ threadId: 1 })).body, {
      exceptionId: 'Event queue overflow',
      description: FIRST_DROP,
      breakMode: 'always',
      details: { message: FIRST_DROP, typeName: 'overflow' },
    });
    assert.deepEqual(await dap.stack(1), ['read 0x0100_0000 + i*0x2000 64 as chunk — #12 aborted @ 21', 'repeat 16 (i = 12) @ 21', 'engine dma.copy @ 19']);
  });

  test('every discarded record stops: the second one finds the queue already in overflow', async () => {
    await dap.launch({ scenario: example('smmuv3-eventq-overflow') }, { exceptionFilters: ['overflow'] });
    await dap.client.configurationDoneRequest();
    assert.deepEqual(await allStops(), [FIRST_DROP, SECOND_DROP]);
  });

  test('a discarded record takes the stop from the translation fault that made it', async () => {
    await dap.launch({ scenario: example('smmuv3-eventq-overflow') }, { exceptionFilters: ['translation', 'overflow'] });
    await dap.client.configurationDoneRequest();
    const stops = await allStops();
    assert.deepEqual(stops.slice(3), [
      'Translation fault at level 3: L3[22] is invalid; F_TRANSLATION record (CD.R=1), not stalled',
      FIRST_DROP,
      SECOND_DROP,
      'Translation fault at level 3: L3[28] is invalid; F_TRANSLATION record (CD.R=1), not stalled',
      'Translation fault at level 3: L3[30] is invalid; F_TRANSLATION record (CD.R=1), not stalled',
    ]);
  });

  test('an overflow condition uses the discarded fault\'s fields', async () => {
    await dap.launch({ scenario: example('smmuv3-eventq-overflow') }, { filterOptions: [{ filterId: 'overflow', condition: 'iova == 0x101a000' }] });
    await dap.client.configurationDoneRequest();
    assert.deepEqual(await allStops(), [SECOND_DROP]);
  });

  test('page-request: stops as each request reaches the PRI queue, on the transaction that asked', async () => {
    const stop = await dap.launchAndStop({ scenario: example('sva-pri-page-requests') }, { exceptionFilters: ['page-request'] });
    const first = 'Page request PPR sid 0x100 ssid 5 prgi 0x0 0x40000000 → PRIQ[0]; more requests of group 0x0 follow; #0, #2 wait for the response';
    assert.deepEqual(stop, { reason: 'exception', threadId: 1, text: first, description: 'Paused on PRI page request', allThreadsStopped: true });
    const info = (await dap.client.exceptionInfoRequest({ threadId: 1 })).body;
    assert.deepEqual([info.exceptionId, info.details?.typeName], ['PRI page request', 'page-request']);
    assert.equal((await dap.topFrame(1)).name, 'read 0x4000_0000 + i*0x1000 64 pasid 5 as rx — #0 stalled');
    const stops = await allStops();
    assert.deepEqual(stops.slice(1), [
      'Page request PPR sid 0x100 ssid 5 prgi 0x1 0x40100000 → PRIQ[1]; more requests of group 0x1 follow; #1, #3 wait for the response',
      'Page request PPR sid 0x100 ssid 5 prgi 0x1 0x40101000 last → PRIQ[2]; the last of group 0x1: the driver answers the group with CMD_PRI_RESP; #1, #3 wait for the response',
      'Page request PPR sid 0x100 ssid 5 prgi 0x0 0x40001000 → PRIQ[3]; more requests of group 0x0 follow; #0, #2, #4 wait for the response',
      'Page request PPR sid 0x100 ssid 5 prgi 0x0 0x40002000 → PRIQ[4]; more requests of group 0x0 follow; #0, #2, #4, #5 wait for the response',
      'Page request PPR sid 0x100 ssid 5 prgi 0x0 0x40003000 last → PRIQ[5]; the last of group 0x0: the driver answers the group with CMD_PRI_RESP; #0, #2, #4, #5 wait for the response',
    ]);
  });

  test('a page-request condition on the group: prgi', async () => {
    await dap.launch({ scenario: example('sva-pri-page-requests') }, { filterOptions: [{ filterId: 'page-request', condition: 'prgi == 1' }] });
    await dap.client.configurationDoneRequest();
    const stops = await allStops();
    assert.deepEqual(stops.map((s) => /prgi (0x\d)/.exec(s)?.[1]), ['0x1', '0x1']);
  });

  test('a page request the full PRI queue discards stops too: a Last gets the SMMU\'s own Success', async () => {
    await dap.launch({ scenario: scenarioFile(smallPriq) }, { exceptionFilters: ['page-request'] });
    await dap.client.configurationDoneRequest();
    const stops = await allStops();
    assert.deepEqual(stops.slice(0, 4), [
      'Page request PPR sid 0x100 ssid 5 prgi 0x0 0x40000000 last → PRIQ[0]; the last of group 0x0: the driver answers the group with CMD_PRI_RESP; #0 waits for the response',
      'Page request PPR sid 0x100 ssid 5 prgi 0x1 0x40001000 last → PRIQ[1]; the last of group 0x1: the driver answers the group with CMD_PRI_RESP; #1 waits for the response',
      'Page request PPR sid 0x100 ssid 5 prgi 0x2 0x40002000 last discarded: PRI queue overflow; it carried Last: the SMMU answers Success itself and the device asks again',
      'Page request PPR sid 0x100 ssid 5 prgi 0x3 0x40003000 last discarded: PRI queue overflow; it carried Last: the SMMU answers Success itself and the device asks again',
    ]);
  });
});
