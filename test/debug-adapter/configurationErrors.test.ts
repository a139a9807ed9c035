import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { Dap, scenarioFile } from './helpers';

/** A PASID the master does not bind (C_BAD_CD on SMMUv3); a master with no domain (SMMUv2: S2CR.TYPE fault). */
const unboundPasid = [
  'smmu s { version v3; ssid-bits 4 }',
  'domain d { map 0x0 -> 0x8000_0000 size 1M rw }',
  'domain other { map 0x0 -> 0x9000_0000 size 1M rw }',
  'master m { stream 0x10; domain d; pasid 1 -> other }',
  'engine m.dma { read 0x1000 64 pasid 2 as bad }',
].join('\n');

const unattachedStream = [
  'smmu s { version v2 }',
  'master m { stream 0x10 }',
  'engine m.dma { read 0x1000 64 as stray }',
].join('\n');

describe('the configuration filter: the SMMU refuses what software set up', () => {
  let dap: Dap;
  beforeEach(async () => {
    dap = await Dap.start();
  });
  afterEach(async () => {
    await dap.stop();
  });

  test('on by default: a C_BAD_CD stops, and the exception says which CD and why', async () => {
    const stop = await dap.launchAndStop({ scenario: scenarioFile(unboundPasid) });
    const text = 'C_BAD_CD (configuration error): CD 2 of StreamID 0x10 is not valid (V=0)';
    assert.deepEqual(stop, { reason: 'exception', threadId: 1, description: 'Paused on configuration error', text, allThreadsStopped: true });
    const info = await dap.client.exceptionInfoRequest({ threadId: 1 });
    assert.deepEqual(info.body, { exceptionId: 'Configuration error', description: text, breakMode: 'always', details: { message: text, typeName: 'bad-cd' } });
  });

  test('an SMMUv2 global fault (the stream has no domain: S2CR.TYPE fault) stops under the same filter', async () => {
    const stop = await dap.launchAndStop({ scenario: scenarioFile(unattachedStream) });
    assert.equal(stop.description, 'Paused on configuration error');
    assert.equal(stop.text, 'Unattached-stream (global fault): StreamID 0x10 has no domain attached: S2CR.TYPE is fault');
  });

  test('off: the run goes on to the end', async () => {
    assert.equal(await dap.launchToEnd({ scenario: scenarioFile(unboundPasid) }, { exceptionFilters: ['translation'] }), 0);
    assert.equal(dap.all('stopped').length, 0);
  });
});
