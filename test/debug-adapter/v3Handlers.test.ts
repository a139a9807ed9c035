import assert from 'node:assert/strict';
import { DebugProtocol } from '@vscode/debugprotocol';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { Dap, example } from './helpers';

describe('SMMUv3 fault paths: queue threads, iopf workers, stepping into handlers', () => {
  let dap: Dap;
  beforeEach(async () => {
    dap = await Dap.start();
  });
  afterEach(async () => {
    await dap.stop();
  });

  test('the PRI queue\'s IRQ thread starts and exits, then a worker per page request group', async () => {
    assert.equal(await dap.launchToEnd({ scenario: example('sva-pri-page-requests'), stopOnFault: false }), 0);
    // 1 nic.rx, 2 nic.tx, 3 irq, 4 irq/smmu0, 5 iopf/0, 6 iopf/1, 7 irq/smmu0-priq.
    assert.deepEqual(
      dap.all<DebugProtocol.ThreadEvent>('thread').map((e) => `${e.body.reason} ${e.body.threadId}`),
      ['started 7', 'exited 7', 'started 5', 'started 6', 'exited 5', 'exited 6', 'exited 2', 'exited 1'],
    );
  });

  test('a function breakpoint on arm_smmu_priq_thread: the threaded IRQ handler\'s frames', async () => {
    const stop = await dap.launchAndStop({ scenario: example('sva-pri-page-requests') }, { functionBreakpoints: [{ name: 'arm_smmu_priq_thread' }], exceptionFilters: [] });
    assert.deepEqual(stop, { reason: 'function breakpoint', threadId: 7, description: 'Paused on function breakpoint arm_smmu_priq_thread', allThreadsStopped: true, hitBreakpointIds: [1] });
    assert.deepEqual(await dap.threads(), [
      { id: 1, name: 'nic.rx' },
      { id: 2, name: 'nic.tx' },
      { id: 7, name: 'irq/smmu0-priq' },
    ]);
    assert.deepEqual(await dap.stack(7), ['arm_smmu_priq_thread @ arm-smmu-v3.c:10', 'irq_thread_fn @ manage.c:13', 'irq_thread @ manage.c:9']);
  });

  test('step into a stalled transaction: the handler\'s first statement on iopf/0, iommu_sva_handle_iopf below it', async () => {
    await dap.launchAndStop({ scenario: example('smmuv3-stalls-out-of-order') });
    await dap.client.setExceptionBreakpointsRequest({ filters: [] });
    await dap.client.stepInRequest({ threadId: 1 });
    const stop = await dap.stopped();
    assert.deepEqual(stop, { reason: 'step', threadId: 5, description: 'Stepped into the fault handler', allThreadsStopped: true });
    const frames = await dap.frames(5);
    assert.deepEqual(
      frames.map((f) => [f.name, f.line, f.source?.path ?? null, f.presentationHint ?? null]),
      [
        ['log "stall stag {stag} at {iova}, sid {sid}"', 22, example('smmuv3-stalls-out-of-order'), null],
        ['gpu_fault()', 20, example('smmuv3-stalls-out-of-order'), null],
        ['iommu_sva_handle_iopf', 5, 'drivers/iommu/iommu-sva.c', 'subtle'],
        ['process_one_work', 8, 'kernel/workqueue.c', 'subtle'],
        ['worker_thread', 5, 'kernel/workqueue.c', 'subtle'],
      ],
    );
    assert.deepEqual(
      (await dap.scopes(frames[0]?.id ?? 0)).map((s) => s.name),
      ['Fault', 'Transaction', 'Registers (smmu0 sid 0x10)', 'Stalled (2)', 'Page table (gpu_dom)', 'Queues (0 pending)'],
    );
  });

  test('the Debug Console in a v3 handler: stag, prgi and pasid of the group it answers', async () => {
    await dap.launchAndStop({ scenario: example('smmuv3-stalls-out-of-order') }, { functionBreakpoints: [{ name: 'gpu_fault' }], exceptionFilters: [] });
    const results = async (threadId: number): Promise<string[]> => {
      const frameId = (await dap.topFrame(threadId)).id;
      return Promise.all(['stag', 'prgi', 'pasid', 'sid', 'iova'].map(async (e) => (await dap.evaluate(e, 'repl', frameId)).result));
    };
    assert.deepEqual(await results(5), ['0', '0', '0', '0x10', '0x7000000']);
    await dap.client.continueRequest({ threadId: 5 });
    const second = await dap.stopped();
    assert.equal(second.threadId, 6);
    assert.deepEqual(await results(6), ['1', '0', '0', '0x10', '0x7100000']);
  });

  test('a PRI group\'s handler: its PRG index and PASID; an SMMUv2 register name is refused', async () => {
    const stop = await dap.launchAndStop({ scenario: example('sva-pri-page-requests') }, { functionBreakpoints: [{ name: 'sva_fault' }], exceptionFilters: [] });
    assert.equal(stop.threadId, 5);
    assert.deepEqual(await dap.stack(5), [
      'log "page request group {prgi}, pasid {pasid}, from {iova}" @ 27',
      'sva_fault() @ 25',
      'iommu_sva_handle_iopf @ iommu-sva.c:5',
      'process_one_work @ workqueue.c:8',
      'worker_thread @ workqueue.c:5',
    ]);
    const frameId = (await dap.topFrame(5)).id;
    const values: Record<string, string> = {};
    for (const e of ['prgi', 'pasid', 'stag', 'iova']) values[e] = (await dap.evaluate(e, 'repl', frameId)).result;
    assert.deepEqual(values, { prgi: '1', pasid: '5', stag: '0', iova: '0x40100000' });
    await assert.rejects(dap.evaluate('FSR', 'repl', frameId), { message: 'FSR is a context-bank register: an SMMUv3 has none (its STE and CD are in the Registers scope)' });
  });

  test('the Debug Console reads STEs and CDs: STE[sid], STE[sid][n], CD[ssid]', async () => {
    await dap.launchAndStop({ scenario: example('smmuv3-stalls-out-of-order') });
    const frameId = (await dap.topFrame(1)).id;
    const results: string[] = [];
    for (const e of ['STE[0x10]', 'STE[0x10][1]', 'CD[0]', 'CD[0][1]']) results.push((await dap.evaluate(e, 'repl', frameId)).result);
    assert.deepEqual(results, ['0x4000600b', '0x2', '0x1f202c0003510', '0x40000000']);
    await assert.rejects(dap.evaluate('STE[0x11]', 'repl', frameId), { message: 'StreamID 0x11 has no STE on this SMMU' });
    await assert.rejects(dap.evaluate('STE[0x10][8]', 'repl', frameId), { message: 'STE has dwords 0 to 7, not 8' });
  });

  test('step out of a v3 handler: until its CMD_RESUME resumes the stalled transaction', async () => {
    await dap.launchAndStop({ scenario: example('smmuv3-stalls-out-of-order') }, { functionBreakpoints: [{ name: 'gpu_fault' }], exceptionFilters: [] });
    await dap.client.setFunctionBreakpointsRequest({ breakpoints: [] });
    await dap.client.stepOutRequest({ threadId: 5 });
    const stop = await dap.stopped();
    assert.deepEqual(stop, { reason: 'step', threadId: 1, description: 'Paused after the resume', allThreadsStopped: true });
    // The other worker answered #1 first (CMD_RESUME terminate): that command did not end the step.
    assert.deepEqual(await dap.stack(1), ['read 0x0700_0000 64 as first — #0 pending @ 17', 'engine gpu.cp @ 17']);
    assert.deepEqual(await dap.stack(2), ['read 0x0710_0000 64 as second — #1 raz @ 18', 'engine gpu.tp @ 18']);
  });
});
