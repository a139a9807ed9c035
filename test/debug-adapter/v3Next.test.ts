import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { Dap, scenarioFile } from './helpers';

/** CD.S=0: the first read faults and aborts at once (its record goes to the event queue); the second translates. */
const terminating = [
  'smmu s { version v3 }',
  'domain d {',
  '  fault terminate',
  '  record on',
  '  report abort',
  '  map 0x1000_0000 -> 0x8000_0000 size 2M rw',
  '}',
  'master m { stream 0x1; domain d }',
  'engine m.dma {',
  '  outstanding 1',
  '  read 0x2000_0000 64 as bad',
  '  read 0x1000_0000 64 as good',
  '}',
].join('\n');

describe('next after an SMMUv3 fault that did not stall', () => {
  let dap: Dap;
  beforeEach(async () => {
    dap = await Dap.start();
  });
  afterEach(async () => {
    await dap.stop();
  });

  test('no fault path runs for it: next issues the engine\'s next transaction', async () => {
    const stop = await dap.launchAndStop({ scenario: scenarioFile(terminating) });
    assert.equal(stop.text, 'Translation fault at level 2: L2[256] is invalid; F_TRANSLATION record (CD.R=1), not stalled');
    assert.deepEqual(await dap.stack(1), ['read 0x2000_0000 64 as bad — #0 aborted @ 11', 'engine m.dma @ 9']);
    await dap.client.nextRequest({ threadId: 1 });
    assert.equal((await dap.stopped()).description, 'Paused after step');
    assert.deepEqual(await dap.stack(1), ['read 0x1000_0000 64 as good — #1 completed @ 12', 'engine m.dma @ 9']);
  });
});
