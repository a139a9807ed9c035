import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { Dap, example, scenarioFile } from './helpers';

const loop = [
  'smmu s { version v2 }',
  'domain d { map 0x1000_0000 -> 0x8000_0000 size 2M rw }',
  'master m { stream 0x1; domain d }',
  'engine m.dma {',
  '  outstanding 1',
  '  repeat 3 { read 0x1000_0000 + i*0x1000 64 as r }',
  '}',
].join('\n');

describe('next on an engine', () => {
  let dap: Dap;
  beforeEach(async () => {
    dap = await Dap.start();
  });
  afterEach(async () => {
    await dap.stop();
  });

  async function next(threadId: number): Promise<string[]> {
    await dap.client.nextRequest({ threadId });
    const stop = await dap.stopped();
    assert.equal(stop.reason, 'step');
    assert.equal(stop.description, 'Paused after step');
    return dap.stack(threadId);
  }

  test('from entry: issues the transaction and stops when it completes', async () => {
    const entry = await dap.launchAndStop({ scenario: scenarioFile(loop), stopOnEntry: true });
    assert.deepEqual(entry, { reason: 'entry', threadId: 1, description: 'Paused on entry', allThreadsStopped: true });
    assert.deepEqual(await dap.stack(1), ['read 0x1000_0000 + i*0x1000 64 as r — next @ 6', 'repeat 3 (i = 0) @ 6', 'engine m.dma @ 4']);
    assert.deepEqual(await next(1), ['read 0x1000_0000 + i*0x1000 64 as r — #0 completed @ 6', 'repeat 3 (i = 0) @ 6', 'engine m.dma @ 4']);
    const top = await dap.topFrame(1);
    const variables = await dap.variables((await dap.scope(top.id, 'Transaction')).variablesReference);
    const transaction = Object.fromEntries(variables.map((v) => [v.name, v.value]));
    assert.equal(transaction['pa'], '0x80000000');
    assert.equal(variables.find((v) => v.name === 'pa')?.memoryReference, '0x80000000', 'a physical address carries a memoryReference');
    assert.equal(transaction['i'], '0');
    assert.equal(transaction['ended'], 'cycle 30');
  });

  test('through the iterations of a repeat, one transaction a step', async () => {
    await dap.launchAndStop({ scenario: scenarioFile(loop), stopOnEntry: true });
    const frames = [];
    for (let n = 0; n < 3; n++) frames.push((await next(1)).slice(0, 2).join(' | '));
    assert.deepEqual(frames, [
      'read 0x1000_0000 + i*0x1000 64 as r — #0 completed @ 6 | repeat 3 (i = 0) @ 6',
      'read 0x1000_0000 + i*0x1000 64 as r — #1 completed @ 6 | repeat 3 (i = 1) @ 6',
      'read 0x1000_0000 + i*0x1000 64 as r — #2 completed @ 6 | repeat 3 (i = 2) @ 6',
    ]);
  });

  test('a fault on the way interrupts the step: the exception stop comes first', async () => {
    await dap.launchAndStop({ scenario: example('a530-stall-hupcf'), stopOnEntry: true });
    await dap.client.nextRequest({ threadId: 1 });
    const stop = await dap.stopped();
    assert.equal(stop.reason, 'exception');
    assert.equal(stop.description, 'Paused on translation fault');
    assert.deepEqual(await dap.stack(1), ['read 0x0700_0000 64 as bad — #1 stalled @ 21', 'submit 7 @ 19', 'engine gpu.cp @ 18']);
  });

  test('next on a stalled transaction runs until it ends: the handler answers, the transaction aborts', async () => {
    await dap.launchAndStop({ scenario: example('a530-stall-hupcf') });
    assert.deepEqual(await next(1), ['read 0x0700_0000 64 as bad — #1 aborted @ 21', 'submit 7 @ 19', 'engine gpu.cp @ 18']);
    assert.equal(dap.output('stdout'), 'stalled translation fault at 0x7000000, sid 0x0\n');
    assert.deepEqual(await dap.custom('iommu/dump'), { dumps: [{ id: 0, cycle: 59, handler: 'gpu_fault', thread: 'iopf/0' }] });
  });

  test('next on an engine whose faulting transaction has already ended still stops', async () => {
    // a530-fault-no-stall: `bad` is read as zeros at the fault; gpu.cp has nothing more to issue.
    await dap.launchAndStop({ scenario: example('a530-fault-no-stall') });
    await dap.client.nextRequest({ threadId: 1 });
    const stop = await dap.stopped();
    assert.equal(stop.reason, 'step');
  });
});
