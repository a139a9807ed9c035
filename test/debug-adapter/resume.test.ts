import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { StalledResponseBody } from '../../debug-adapter/protocol';
import { Dap, errorOf, example, lineOf, scenarioFile } from './helpers';

describe('iommu/resume and iommu/stalled', () => {
  let dap: Dap;
  beforeEach(async () => {
    dap = await Dap.start();
  });
  afterEach(async () => {
    await dap.stop();
  });

  /** The Transaction scope of an engine's top frame, as it is now. */
  async function transactionOf(threadId = 1): Promise<Record<string, string>> {
    const top = await dap.topFrame(threadId);
    return dap.values((await dap.scope(top.id, 'Transaction')).variablesReference);
  }

  /** `next` on gpu.cp until the transaction the last stop is about ends: its Transaction scope. */
  async function finish(threadId = 1): Promise<Record<string, string>> {
    await dap.client.nextRequest({ threadId });
    const stop = await dap.stopped();
    assert.equal(stop.description, 'Paused after step');
    const top = await dap.topFrame(threadId);
    return dap.values((await dap.scope(top.id, 'Transaction')).variablesReference);
  }

  test('fix the invalid descriptor of the walk, retry: the transaction completes with the PA it now maps to', async () => {
    await dap.launchAndStop({ scenario: example('a530-stall-hupcf') });
    const { container } = await dap.lookup(1, 'Fault', 'walk', 'L2[56]');
    const set = await dap.client.setVariableRequest({ variablesReference: container, name: 'L2[56]', value: '0x0000000090000f45' });
    assert.deepEqual(set.body, { value: '0x0000000090000f45  block 2M → 0x90000000 rw, AttrIndx 1 (cached), SH inner, AF, nG' });
    const invalidatedBefore = dap.all('invalidated').length;
    const resumed = await dap.answer(1, 'retry');
    assert.deepEqual(resumed, { resumed: [1], written: 'FSR ← 0x2; RESUME ← retry (TnR=0)' });
    assert.equal(dap.all('invalidated').length, invalidatedBefore + 1, 'the resume invalidates the variables (sent before its response)');
    assert.deepEqual((await dap.custom<StalledResponseBody>('iommu/stalled')).transactions, []);
    const transaction = await finish();
    assert.equal(transaction['status'], 'completed');
    assert.equal(transaction['pa'], '0x90000000');
    assert.deepEqual(await dap.stack(1), ['read 0x0700_0000 64 as bad — #1 completed @ 21', 'submit 7 @ 19', 'engine gpu.cp @ 18']);
    await dap.client.continueRequest({ threadId: 1 });
    assert.equal(await dap.exitCode(), 1, 'the scenario expected bad to abort');
    assert.match(dap.output('stderr'), /^line 38: expect bad aborted: FAILED \(bad: completed\)$/m);
  });

  test('terminate: the stalled read aborts (CFRE=1)', async () => {
    await dap.launchAndStop({ scenario: example('a530-stall-hupcf') });
    const resumed = await dap.answer(1, 'terminate');
    assert.deepEqual(resumed, { resumed: [1], written: 'FSR ← 0x2; RESUME ← terminate (TnR=1)' });
    await dap.next('invalidated');
    const transaction = await transactionOf();
    assert.equal(transaction['status'], 'aborted');
    assert.equal(transaction['pa'], 'none');
    assert.equal(transaction['ended'], 'cycle 31');
    assert.deepEqual(await dap.stack(1), ['read 0x0700_0000 64 as bad — #1 aborted @ 21', 'submit 7 @ 19', 'engine gpu.cp @ 18']);
  });

  test('abort on SMMUv2 is RESUME terminate', async () => {
    await dap.launchAndStop({ scenario: example('a530-stall-hupcf') });
    const resumed = await dap.answer(1, 'abort');
    assert.deepEqual(resumed, { resumed: [1], written: 'FSR ← 0x2; RESUME ← abort (TnR=1)' });
    assert.equal((await transactionOf())['status'], 'aborted');
  });

  test('terminate with `report raz` (CFRE=0): the read is read as zeros', async () => {
    const text = [
      'smmu s { version v2 }',
      'domain d {',
      '  fault stall',
      '  report raz',
      '  map 0x1000_0000 -> 0x8000_0000 size 2M rw',
      '}',
      'master m { stream 0x1; domain d; can-stall }',
      'engine m.dma { read 0x2000_0000 64 as bad }',
      'expect bad raz',
    ].join('\n');
    await dap.launchAndStop({ scenario: scenarioFile(text) });
    await dap.answer(0, 'terminate');
    const transaction = await transactionOf();
    assert.equal(transaction['status'], 'raz');
    assert.equal(transaction['data'], '0x0');
    await dap.client.continueRequest({ threadId: 1 });
    assert.equal(await dap.exitCode(), 0);
  });

  test('resume of a transaction that is not stalled is an error, and the session goes on', async () => {
    await dap.launchAndStop({ scenario: example('a530-stall-hupcf') });
    // #0 is still being translated; #99 was never issued.
    assert.equal((await errorOf(dap.custom('iommu/resume', { transaction: 0, action: 'retry' }))).message, 'transaction #0 is not stalled');
    assert.equal((await errorOf(dap.custom('iommu/resume', { transaction: 99, action: 'terminate' }))).message, 'transaction #99 is not stalled');
    assert.equal(
      (await errorOf(dap.custom('iommu/resume', { transaction: 1, action: 'later' }))).message,
      "'later' is not an answer: retry, terminate or abort (a stall), success, invalid or failure (a page request group)",
    );
    assert.equal((await errorOf(dap.custom('iommu/resume', { transaction: 1, action: 'success' }))).message, 'transaction #1 is stalled by a fault: answer retry, terminate or abort (RESUME), not success');
    assert.deepEqual(await dap.stack(1), ['read 0x0700_0000 64 as bad — #1 stalled @ 21', 'submit 7 @ 19', 'engine gpu.cp @ 18']);
    await dap.client.continueRequest({ threadId: 1 });
    assert.equal(await dap.exitCode(), 0);
  });

  test('resume of one already resumed is an error', async () => {
    await dap.launchAndStop({ scenario: example('a530-stall-hupcf') });
    await dap.answer(1, 'retry');
    assert.equal((await errorOf(dap.custom('iommu/resume', { transaction: 1, action: 'retry' }))).message, 'transaction #1 is not stalled');
  });

  test('iommu/stalled lists the stalled transaction with its fault and where it is written', async () => {
    await dap.launchAndStop({ scenario: example('a530-stall-hupcf') });
    assert.deepEqual(await dap.custom<StalledResponseBody>('iommu/stalled'), {
      transactions: [
        {
          id: 1,
          engine: 'gpu.cp',
          threadId: 1,
          access: 'read',
          iova: '0x7000000',
          sid: 0,
          label: 'bad',
          stall: 'fault',
          stag: null,
          prgi: null,
          fault: 'translation fault at level 2: L2[56] is invalid',
          smmu: 'kgsl',
          contextBank: 0,
          age: 30,
          unanswerable: null,
          path: example('a530-stall-hupcf'),
          line: 21,
        },
      ],
    });
  });

  test('HUPCF off: the reads behind the fault are listed too; resuming one of them is refused; resuming the fault frees them all', async () => {
    const scenario = example('a530-stall-no-hupcf');
    // A breakpoint on the handler's `sleep 100` (before cycle 59): the first texture read (cycle 50) waits behind the fault.
    await dap.launchAndStop({ scenario }, { breakpoints: [{ line: 30 }], exceptionFilters: [] });
    const stalled = await dap.custom<StalledResponseBody>('iommu/stalled');
    assert.deepEqual(
      stalled.transactions.map((t) => [t.id, t.engine, t.threadId, t.iova, t.label, t.stall, t.fault, t.age, t.line]),
      [
        [1, 'gpu.cp', 1, '0x7000000', 'bad', 'fault', 'translation fault at level 2: L2[56] is invalid', 57, 18],
        [2, 'gpu.tp', 2, '0x1002000', 'tex', 'behind', null, 8, 24],
      ],
    );
    const behind = 'transaction #2 is not stalled by a fault of its own: it waits behind the one ahead of it (HUPCF=0); resume that one';
    // The view offers no answer on the read behind the fault: the list says why, in the words a request would be refused with.
    assert.deepEqual(stalled.transactions.map((t) => t.unanswerable), [null, behind]);
    const refused = await errorOf(dap.custom('iommu/resume', { transaction: 2, action: 'retry' }));
    assert.equal(refused.message, behind);
    const resumed = await dap.answer(1, 'terminate');
    assert.deepEqual(resumed, { resumed: [1], written: 'RESUME ← terminate (TnR=1)' });
    assert.deepEqual((await dap.custom<StalledResponseBody>('iommu/stalled')).transactions, []);
    const top = await dap.topFrame(await dap.threadId('iopf/0'));
    assert.equal((await dap.scope(top.id, 'Stalled')).name, 'Stalled (0)');
  });

  test('the Stalled scope and iommu/faults agree with iommu/stalled', async () => {
    const text = [
      'smmu s { version v2 }',
      'domain d {',
      '  fault stall',
      '  map 0x1000_0000 -> 0x8000_0000 size 2M rw',
      '}',
      'master m { stream 0x7; domain d; can-stall }',
      'engine m.dma { write 0x2000_0040 4 value 1 as bad }',
    ].join('\n');
    const scenario = scenarioFile(text);
    await dap.launchAndStop({ scenario });
    const faults = await dap.custom<{ faults: unknown[] }>('iommu/faults');
    assert.deepEqual(faults.faults, [
      {
        id: 0,
        cycle: 30,
        kind: 'translation',
        iova: '0x20000040',
        sid: 7,
        level: 2,
        stalled: true,
        response: null,
        engine: 'm.dma',
        reason: 'L2[256] is invalid',
        path: scenario,
        line: lineOf(text, 'as bad'),
      },
    ]);
    const top = await dap.topFrame(1);
    const stalledScope = await dap.scope(top.id, 'Stalled');
    assert.equal(stalledScope.name, 'Stalled (1)');
    assert.deepEqual(await dap.values(stalledScope.variablesReference), { '#0 m.dma': 'write 0x20000040 (bad) — stalled by its fault, 30 cycles' });
    await dap.answer(0, 'terminate');
    const after = await dap.custom<{ faults: { response: string | null }[] }>('iommu/faults');
    assert.equal(after.faults[0]?.response, 'terminate');
  });
});
