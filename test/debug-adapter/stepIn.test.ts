import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { Dap, example, lineOf, scenarioFile } from './helpers';

/** A stalling bank whose handler runs in `context` (irq | thread); the second read faults. */
function contextScenario(context: 'irq' | 'thread'): string {
  return [
    'smmu smmu0 { version v2 }',
    'domain d {',
    '  fault stall',
    '  hupcf on',
    '  map 0x1000_0000 -> 0x8000_0000 size 2M rw',
    '}',
    'master m { stream 0x1; domain d; can-stall }',
    'engine m.dma {',
    '  read 0x1000_0000 64 as good',
    '  read 0x2000_0000 64 as bad',
    '}',
    'handler h on d {',
    `  context ${context}`,
    `  log "${context} fault at {iova}"`,
    '  terminate',
    '}',
  ].join('\n');
}

describe('stepIn on a faulting transaction', () => {
  let dap: Dap;
  beforeEach(async () => {
    dap = await Dap.start();
  });
  afterEach(async () => {
    await dap.stop();
  });

  test('workqueue handler: lands on its first statement on iopf/0, kernel frames below in their own files', async () => {
    const fault = await dap.launchAndStop({ scenario: example('a530-stall-hupcf') });
    assert.equal(fault.threadId, 1);
    await dap.client.stepInRequest({ threadId: 1 });
    const stop = await dap.stopped();
    assert.deepEqual(stop, { reason: 'step', threadId: 5, description: 'Stepped into the fault handler', allThreadsStopped: true });
    assert.deepEqual(await dap.threads(), [
      { id: 1, name: 'gpu.cp' },
      { id: 2, name: 'gpu.tp' },
      { id: 5, name: 'iopf/0' },
    ]);
    const frames = await dap.frames(5);
    assert.deepEqual(
      frames.map((f) => ({ name: f.name, line: f.line, source: f.source?.path, hint: f.presentationHint })),
      [
        { name: 'log "stalled {kind} fault at {iova}, sid {sid}"', line: 33, source: example('a530-stall-hupcf'), hint: undefined },
        { name: 'gpu_fault()', line: 31, source: example('a530-stall-hupcf'), hint: undefined },
        { name: 'process_one_work', line: 8, source: 'kernel/workqueue.c', hint: 'subtle' },
        { name: 'worker_thread', line: 5, source: 'kernel/workqueue.c', hint: 'subtle' },
      ],
    );
    // Both kernel frames are in one file, drawn as the kernel's: its origin folds them, and its page opens at their lines.
    const kernel = frames.slice(2).map((f) => f.source);
    assert.deepEqual(kernel[0], { name: 'workqueue.c', path: 'kernel/workqueue.c', sourceReference: kernel[0]?.sourceReference, origin: 'Linux kernel', presentationHint: 'deemphasize' });
    assert.deepEqual(kernel[1], kernel[0]);
    const page = await dap.client.sourceRequest({ sourceReference: kernel[0]?.sourceReference ?? 0, source: kernel[0] });
    const lines = page.body.content.split('\n');
    assert.equal(lines[0], '// kernel/workqueue.c');
    assert.equal(lines[4], 'worker_thread()');
    assert.equal(lines[7], 'process_one_work()');
    assert.equal(lines[8], '    // Runs one work item: the fault handler queued by queue_work, or the iopf group of a');
    assert.equal(dap.output('stdout'), '', 'the log statement has not run yet');
  });

  test('the handler frame is about its fault: Fault first, FSR already written back by the hard IRQ', async () => {
    await dap.launchAndStop({ scenario: example('a530-stall-hupcf') });
    await dap.client.stepInRequest({ threadId: 1 });
    const stop = await dap.stopped();
    const top = await dap.topFrame(stop.threadId ?? 0);
    const scopes = await dap.scopes(top.id);
    assert.deepEqual(
      scopes.map((s) => s.name),
      ['Fault', 'Transaction', 'Registers (kgsl cb0)', 'Stalled (1)', 'Page table (gpu_dom)'],
    );
    const fault = await dap.values((await dap.scope(top.id, 'Fault')).variablesReference);
    assert.equal(fault['kind'], 'translation');
    assert.equal(fault['iova'], '0x7000000');
    assert.equal(fault['response'], 'none yet');
    const registers = await dap.values((await dap.scope(top.id, 'Registers')).variablesReference);
    assert.equal(registers['FSR'], '0x40000400');
    const transaction = await dap.values((await dap.scope(top.id, 'Transaction')).variablesReference);
    assert.equal(transaction['status'], 'stalled (by its fault)');
    assert.equal(transaction['label'], 'bad');
  });

  test('context thread: the handler runs on irq/<smmu> inside report_iommu_fault and arm_smmu_context_fault', async () => {
    const text = contextScenario('thread');
    await dap.launchAndStop({ scenario: scenarioFile(text) });
    await dap.client.stepInRequest({ threadId: 1 });
    const stop = await dap.stopped();
    assert.equal(stop.description, 'Stepped into the fault handler');
    assert.equal(stop.reason, 'step');
    assert.equal(stop.threadId, await dap.threadId('irq/smmu0'));
    const frames = await dap.frames(stop.threadId ?? 0);
    assert.deepEqual(
      frames.map((f) => [f.name, f.line, f.presentationHint]),
      [
        ['log "thread fault at {iova}"', lineOf(text, 'log "thread'), undefined],
        ['h()', lineOf(text, 'handler h on d'), undefined],
        ['report_iommu_fault', 5, 'subtle'],
        ['arm_smmu_context_fault', 5, 'subtle'],
        ['irq_thread_fn', 13, 'subtle'],
        ['irq_thread', 9, 'subtle'],
      ],
    );
    const page = await dap.client.stackTraceRequest({ threadId: stop.threadId ?? 0, startFrame: 2, levels: 2 });
    assert.deepEqual(
      page.body.stackFrames.map((f) => f.name),
      ['report_iommu_fault', 'arm_smmu_context_fault'],
    );
    assert.equal(page.body.totalFrames, 6);
  });

  test('context irq: the handler runs on the irq thread, called from the GIC', async () => {
    const text = contextScenario('irq');
    await dap.launchAndStop({ scenario: scenarioFile(text) });
    await dap.client.stepInRequest({ threadId: 1 });
    const stop = await dap.stopped();
    assert.equal(stop.description, 'Stepped into the fault handler');
    assert.equal(stop.threadId, await dap.threadId('irq'));
    assert.deepEqual(await dap.stack(stop.threadId ?? 0), [
      `log "irq fault at {iova}" @ ${lineOf(text, 'log "irq')}`,
      `h() @ ${lineOf(text, 'handler h on d')}`,
      'report_iommu_fault @ iommu.c:5',
      'arm_smmu_context_fault @ arm-smmu.c:5',
      'handle_irq_event @ handle.c:5',
      'gic_handle_irq @ irq-gic-v3.c:5',
    ]);
  });

  test('a fault that terminated the transaction (no stall): stepIn still lands in the handler', async () => {
    // a530-fault-no-stall: `bad` is read as zeros at once; its fault runs gpu_fault on irq/kgsl.
    const fault = await dap.launchAndStop({ scenario: example('a530-fault-no-stall') });
    assert.equal(fault.description, 'Paused on translation fault');
    await dap.client.stepInRequest({ threadId: 1 });
    const stop = await dap.stopped();
    assert.equal(stop.description, 'Stepped into the fault handler');
    assert.equal(stop.threadId, await dap.threadId('irq/kgsl'));
    assert.deepEqual(await dap.stack(stop.threadId ?? 0), [
      'log "fault at {iova}" @ 31',
      'gpu_fault() @ 29',
      'report_iommu_fault @ iommu.c:5',
      'arm_smmu_context_fault @ arm-smmu.c:5',
      'irq_thread_fn @ manage.c:13',
      'irq_thread @ manage.c:9',
    ]);
  });

  test('next over the handler statements, one at a time, then out of the work item', async () => {
    await dap.launchAndStop({ scenario: example('svm-map-and-retry') });
    await dap.client.stepInRequest({ threadId: 1 });
    const first = await dap.stopped();
    const worker = first.threadId ?? 0;
    assert.equal(worker, await dap.threadId('iopf/0'));
    const steps: string[] = [];
    steps.push(`${first.description}: ${(await dap.stack(worker))[0]} | ${JSON.stringify(dap.output('stdout'))}`);
    for (let n = 0; n < 5; n++) {
      await dap.client.nextRequest({ threadId: worker });
      const stop = await dap.stopped();
      assert.equal(stop.reason, 'step');
      assert.equal(stop.threadId, worker);
      steps.push(`${stop.description}: ${(await dap.stack(worker))[0]} | ${JSON.stringify(dap.output('stdout'))}`);
    }
    assert.deepEqual(steps, [
      'Stepped into the fault handler: if write && iova >= 0x0300_0000 && iova < 0x0400_0000 { @ 30 | ""',
      'Paused after step: map page -> 0x8800_0000 + (iova - 0x0300_0000) rw @ 31 | ""',
      'Paused after step: log "mapped {iova} on demand" @ 32 | ""',
      'Paused after step: retry @ 33 | "mapped 0x3000000 on demand\\n"',
      'Paused after step: qcom_adreno_smmu_resume_translation @ arm-smmu-qcom.c:5 | "mapped 0x3000000 on demand\\n"',
      'Paused after step: process_one_work @ workqueue.c:8 | "mapped 0x3000000 on demand\\n"',
    ]);
    await dap.client.nextRequest({ threadId: worker });
    const back = await dap.stopped();
    assert.equal(back.description, 'Paused after the handler returned');
    assert.equal(back.threadId, 1);
    assert.deepEqual(
      (await dap.threads()).map((t) => t.name),
      ['gpu.cp'],
    );
  });

  test('after the handler returned, the engine shows the transaction that faulted, not its next one', async () => {
    await dap.launchAndStop({ scenario: example('svm-map-and-retry') });
    await dap.client.stepInRequest({ threadId: 1 });
    let stop = await dap.stopped();
    const worker = stop.threadId ?? 0;
    for (let n = 0; n < 8 && stop.description !== 'Paused after the handler returned'; n++) {
      await dap.client.nextRequest({ threadId: worker });
      stop = await dap.stopped();
    }
    assert.equal(stop.description, 'Paused after the handler returned');
    // fill (#0) was answered retry and is being translated again; fill2 has not been issued (outstanding 1).
    assert.deepEqual(await dap.stack(1), ['write 0x0300_0000 4 value 0xcafe as fill — #0 pending @ 23', 'engine gpu.cp @ 21']);
  });

  test('stepIn on a transaction that does not fault is a next: it stops when the transaction completes', async () => {
    const text = contextScenario('thread');
    const entry = await dap.launchAndStop({ scenario: scenarioFile(text), stopOnEntry: true });
    assert.equal(entry.description, 'Paused on entry');
    assert.deepEqual(await dap.stack(1), [`read 0x1000_0000 64 as good — next @ ${lineOf(text, 'as good')}`, 'engine m.dma @ 8']);
    await dap.client.stepInRequest({ threadId: 1 });
    const stop = await dap.stopped();
    assert.deepEqual(stop, { reason: 'step', threadId: 1, description: 'Paused after step', allThreadsStopped: true });
    assert.deepEqual(await dap.stack(1), [`read 0x1000_0000 64 as good — #0 completed @ ${lineOf(text, 'as good')}`, 'engine m.dma @ 8']);
  });
});
