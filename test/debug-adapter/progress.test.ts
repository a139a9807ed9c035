import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { DebugProtocol } from '@vscode/debugprotocol';
import { Dap, scenarioFile } from './helpers';

/** Long enough that it runs for seconds in the adapter's slices: 3,000,000 reads that all hit the TLB. */
const longRun = `smmu s { version v2 }
domain d { map 0x0 -> 0x8000_0000 size 1M rw }
master m { stream 0x1; domain d }
engine m.e { repeat 3000000 { read 0x0 64 } }
`;

describe('a long run shows its progress, and cancelling it pauses the run', () => {
  let dap: Dap;
  beforeEach(async () => {
    dap = await Dap.start();
  });
  afterEach(async () => {
    await dap.stop();
  });

  test('progressStart (cancellable) with cycle and transactions, then cancel: a pause, and progressEnd', async () => {
    await dap.launch({ scenario: scenarioFile(longRun, 'long') }, { client: { supportsProgressReporting: true } });
    await dap.client.configurationDoneRequest();
    const start = await dap.next<DebugProtocol.ProgressStartEvent>('progressStart', 10_000);
    assert.match(start.body.title, /^Running long(-\d+)?\.iommu$/);
    assert.equal(start.body.cancellable, true);
    assert.match(start.body.message ?? '', /^cycle [\d,]+ · [\d,]+ transactions$/);
    const ended = dap.next<DebugProtocol.ProgressEndEvent>('progressEnd');
    const stopped = dap.next<DebugProtocol.StoppedEvent>('stopped');
    await dap.client.customRequest('cancel', { progressId: start.body.progressId });
    assert.equal((await stopped).body.reason, 'pause');
    assert.equal((await ended).body.progressId, start.body.progressId);
  });

  test('a client that does not show progress gets none', async () => {
    await dap.launch({ scenario: scenarioFile(longRun, 'quiet') });
    await dap.client.configurationDoneRequest();
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await dap.client.pauseRequest({ threadId: 1 });
    await dap.next('stopped');
    assert.equal(dap.all('progressStart').length, 0);
  });
});
