import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { Dap, example, lineOf, scenarioFile } from './helpers';

describe('stepOut of a fault handler', () => {
  let dap: Dap;
  beforeEach(async () => {
    dap = await Dap.start();
  });
  afterEach(async () => {
    await dap.stop();
  });

  /** Stops at the scenario's first fault and steps into its handler; the worker's thread id. */
  async function intoHandler(scenario: string): Promise<number> {
    await dap.launchAndStop({ scenario });
    await dap.client.stepInRequest({ threadId: 1 });
    const stop = await dap.stopped();
    assert.equal(stop.description, 'Stepped into the fault handler');
    return stop.threadId ?? 0;
  }

  test('terminate: runs the rest of the handler, stops after the RESUME with the transaction aborted', async () => {
    const worker = await intoHandler(example('a530-stall-hupcf'));
    await dap.client.stepOutRequest({ threadId: worker });
    const stop = await dap.stopped();
    assert.equal(stop.reason, 'step');
    assert.equal(stop.description, 'Paused after the resume');
    assert.deepEqual(await dap.stack(1), ['read 0x0700_0000 64 as bad — #1 aborted @ 21', 'submit 7 @ 19', 'engine gpu.cp @ 18']);
    const top = await dap.topFrame(1);
    const transaction = await dap.values((await dap.scope(top.id, 'Transaction')).variablesReference);
    assert.equal(transaction['status'], 'aborted');
    assert.equal(transaction['ended'], 'cycle 110');
    const fault = await dap.values((await dap.scope(top.id, 'Fault')).variablesReference);
    assert.equal(fault['response'], 'terminate');
    assert.deepEqual(
      (await dap.scopes(top.id)).map((s) => s.name),
      ['Transaction', 'Fault', 'Registers (kgsl cb0)', 'Stalled (0)', 'Page table (gpu_dom)'],
    );
    assert.equal(dap.output('stdout'), 'stalled translation fault at 0x7000000, sid 0x0\n', 'the rest of the handler ran');
  });

  test('the thread the stepOut stops on is one the threads request lists', async () => {
    // The resume ends gpu.cp's last transaction, and with it the engine's thread.
    const worker = await intoHandler(example('a530-stall-hupcf'));
    await dap.client.stepOutRequest({ threadId: worker });
    const stop = await dap.stopped();
    const threads = await dap.threads();
    assert.ok(
      threads.some((t) => t.id === stop.threadId),
      `stopped on thread ${stop.threadId}, but the threads are ${threads.map((t) => `${t.id} ${t.name}`).join(', ')}`,
    );
  });

  test('retry: stops after the RESUME with the transaction translating again, then it completes', async () => {
    const worker = await intoHandler(example('svm-map-and-retry'));
    await dap.client.stepOutRequest({ threadId: worker });
    const stop = await dap.stopped();
    assert.deepEqual(stop, { reason: 'step', threadId: 1, description: 'Paused after the resume', allThreadsStopped: true });
    assert.deepEqual(await dap.stack(1), ['write 0x0300_0000 4 value 0xcafe as fill — #0 pending @ 23', 'engine gpu.cp @ 21']);
    const top = await dap.topFrame(1);
    assert.equal((await dap.values((await dap.scope(top.id, 'Transaction')).variablesReference))['status'], 'pending');
    const fault = await dap.values((await dap.scope(top.id, 'Fault')).variablesReference);
    assert.equal(fault['response'], 'retry');
    assert.equal(fault['walk'], 'translates now');
    assert.equal((await dap.scope(top.id, 'Stalled')).name, 'Stalled (0)');
    // `next` on the engine: the retried write completes, through the page the handler mapped.
    await dap.client.nextRequest({ threadId: 1 });
    const done = await dap.stopped();
    assert.equal(done.description, 'Paused after step');
    assert.deepEqual(await dap.stack(1), ['write 0x0300_0000 4 value 0xcafe as fill — #0 completed @ 23', 'engine gpu.cp @ 21']);
    const after = await dap.topFrame(1);
    const completed = await dap.values((await dap.scope(after.id, 'Transaction')).variablesReference);
    assert.equal(completed['pa'], '0x88000000');
    assert.equal(completed['ended'], 'cycle 101');
  });

  test('context irq: stepOut stops after the kernel writes RESUME', async () => {
    const text = [
      'smmu smmu0 { version v2 }',
      'domain d {',
      '  fault stall',
      '  map 0x1000_0000 -> 0x8000_0000 size 2M rw',
      '}',
      'master m { stream 0x1; domain d; can-stall }',
      'engine m.dma {',
      '  read 0x2000_0000 64 as bad',
      '  wait 200',
      '  read 0x1000_0000 64 as later',
      '}',
      'handler h on d {',
      '  context irq',
      '  log "irq fault at {iova}"',
      '  abort',
      '}',
    ].join('\n');
    const worker = await intoHandler(scenarioFile(text));
    assert.equal(worker, await dap.threadId('irq'));
    await dap.client.stepOutRequest({ threadId: worker });
    const stop = await dap.stopped();
    assert.equal(stop.description, 'Paused after the resume');
    assert.equal(stop.threadId, 1);
    assert.deepEqual(await dap.stack(1), [`read 0x2000_0000 64 as bad — #0 aborted @ ${lineOf(text, 'as bad')}`, 'engine m.dma @ 7']);
    const top = await dap.topFrame(1);
    const fault = await dap.values((await dap.scope(top.id, 'Fault')).variablesReference);
    assert.equal(fault['response'], 'abort');
    assert.equal(dap.output('stdout'), 'irq fault at 0x20000000\n');
  });

  test('a handler that returns without a response: stops back on the engine, the transaction still stalled', async () => {
    const text = [
      'smmu smmu0 { version v2 }',
      'domain d {',
      '  fault stall',
      '  map 0x1000_0000 -> 0x8000_0000 size 2M rw',
      '}',
      'master m { stream 0x1; domain d; can-stall }',
      'engine m.dma { read 0x2000_0000 64 as bad }',
      'handler h on d {',
      '  log "looked at {iova}"',
      '}',
      'kernel 6.12', // a worker that does not answer leaves the stall before 6.16
    ].join('\n');
    const worker = await intoHandler(scenarioFile(text));
    assert.deepEqual(await dap.stack(worker), [`log "looked at {iova}" @ ${lineOf(text, 'log "looked')}`, `h() @ ${lineOf(text, 'handler h')}`, 'process_one_work @ workqueue.c:8', 'worker_thread @ workqueue.c:5']);
    await dap.client.stepOutRequest({ threadId: worker });
    const stop = await dap.stopped();
    assert.deepEqual(stop, { reason: 'step', threadId: 1, description: 'Paused after the handler returned', allThreadsStopped: true });
    assert.deepEqual(await dap.stack(1), [`read 0x2000_0000 64 as bad — #0 stalled @ ${lineOf(text, 'as bad')}`, 'engine m.dma @ 7']);
    assert.deepEqual(
      (await dap.threads()).map((t) => t.name),
      ['m.dma'],
    );
    const stalled = await dap.custom<{ transactions: { id: number; label: string | null }[] }>('iommu/stalled');
    assert.deepEqual(
      stalled.transactions.map((t) => [t.id, t.label]),
      [[0, 'bad']],
    );
  });

  test('stepOut on an engine thread is a next', async () => {
    await dap.launchAndStop({ scenario: example('a530-stall-hupcf') });
    await dap.client.stepOutRequest({ threadId: 1 });
    const stop = await dap.stopped();
    assert.equal(stop.description, 'Paused after step');
    assert.deepEqual(await dap.stack(1), ['read 0x0700_0000 64 as bad — #1 aborted @ 21', 'submit 7 @ 19', 'engine gpu.cp @ 18']);
  });
});
