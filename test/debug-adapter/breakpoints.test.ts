import assert from 'node:assert/strict';
import * as path from 'node:path';
import { DebugProtocol } from '@vscode/debugprotocol';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { Dap, example, scenarioFile } from './helpers';

/** Line numbers are those of the array (1-based). */
const lines = [
  'smmu s { version v2 }', // 1
  'domain d {', // 2
  '  fault stall', // 3
  '  hupcf on', // 4
  '  map 0x1000_0000 -> 0x8000_0000 size 2M rw', // 5
  '}', // 6
  'master m { stream 0x1; domain d; can-stall }', // 7
  'engine m.dma {', // 8
  '  read 0x1000_0000 64 as first', // 9
  '  // the loop', // 10
  '  repeat 4 { read 0x1000_0000 + i*0x1000 64 as loop }', // 11
  '  write 0x2000_0000 4 as bad', // 12
  '}', // 13
  'handler h on d {', // 14
  '  context workqueue', // 15
  '  log "fault {kind} at {iova}"', // 16
  '  if write {', // 17
  '    map page -> 0x9000_0000 rw', // 18
  '    retry', // 19
  '  } else {', // 20
  '    terminate', // 21
  '  }', // 22
  '}', // 23
  'expect bad completed', // 24
  'kernel 6.12', // 25: the worker answers its stall (resume_translation), as before 6.16
];
const text = lines.join('\n');
const nothingRuns = 'nothing runs on this line: breakpoints stop before a transaction is issued or a handler statement runs';

describe('breakpoints', () => {
  let dap: Dap;
  let scenario: string;
  beforeEach(async () => {
    dap = await Dap.start();
    scenario = scenarioFile(text, 'breakpoints');
  });
  afterEach(async () => {
    await dap.stop();
  });

  /** Continues and returns the next stop's top frame as `name @ line`, with the stop. */
  async function continueToStop(threadId = 1): Promise<{ stop: DebugProtocol.StoppedEvent['body']; top: string }> {
    await dap.client.continueRequest({ threadId });
    const stop = await dap.stopped();
    const top = await dap.topFrame(stop.threadId ?? 0);
    return { stop, top: `${top.name} @ ${top.line}` };
  }

  test('verified on transaction and handler statement lines, moved to the next executable line, refused elsewhere', async () => {
    const requested = [1, 8, 9, 10, 11, 12, 13, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 99];
    const { breakpoints } = await dap.launch({ scenario }, { breakpoints: requested.map((line) => ({ line })) });
    assert.deepEqual(
      breakpoints.map((b) => ({ verified: b.verified, line: b.line, message: b.message })),
      [
        { verified: false, line: 1, message: nothingRuns },
        { verified: true, line: 9, message: undefined }, // engine header → its first transaction
        { verified: true, line: 9, message: undefined },
        { verified: true, line: 11, message: undefined }, // comment → the repeat's transaction
        { verified: true, line: 11, message: undefined },
        { verified: true, line: 12, message: undefined },
        { verified: false, line: 13, message: nothingRuns }, // the engine's closing brace
        { verified: true, line: 16, message: undefined }, // `context workqueue` → the first statement
        { verified: true, line: 16, message: undefined },
        { verified: true, line: 17, message: undefined }, // an `if` is a step of its own
        { verified: true, line: 18, message: undefined },
        { verified: true, line: 19, message: undefined },
        { verified: true, line: 21, message: undefined }, // `} else {` → terminate
        { verified: true, line: 21, message: undefined },
        { verified: false, line: 22, message: nothingRuns },
        { verified: false, line: 23, message: nothingRuns },
        { verified: false, line: 24, message: nothingRuns }, // an expect runs nothing
        { verified: false, line: 99, message: nothingRuns },
      ],
    );
    assert.equal(new Set(breakpoints.map((b) => b.id)).size, requested.length, 'every breakpoint has its own id');
    const verified = breakpoints.find((b) => b.verified);
    assert.deepEqual(verified?.source, { name: path.basename(scenario), path: scenario, sourceReference: 0 });
  });

  test('breakpointLocations: the executable lines of a range', async () => {
    await dap.launch({ scenario });
    const response = await dap.client.customRequest('breakpointLocations', { source: { path: scenario }, line: 1, endLine: 24 });
    const body = response.body as DebugProtocol.BreakpointLocationsResponse['body'];
    assert.deepEqual(
      body.breakpoints.map((b) => b.line),
      [9, 11, 12, 16, 17, 18, 19, 21],
    );
    const one = await dap.client.customRequest('breakpointLocations', { source: { path: scenario }, line: 10 });
    assert.deepEqual(one.body, { breakpoints: [] });
  });

  test('breakpoints in another file are unverified, with the reason', async () => {
    await dap.launch({ scenario });
    const other = example('a530-stall-hupcf');
    const response = await dap.client.setBreakpointsRequest({ source: { path: other }, breakpoints: [{ line: 21 }] });
    assert.deepEqual(response.body.breakpoints, [{ verified: false, line: 21, message: 'this file is not the scenario being debugged' }]);
  });

  test('a line breakpoint stops before the transaction is issued', async () => {
    const [breakpoint] = (await dap.launch({ scenario }, { breakpoints: [{ line: 9 }] })).breakpoints;
    await dap.client.configurationDoneRequest();
    const stop = await dap.stopped();
    assert.deepEqual(stop, { reason: 'breakpoint', threadId: 1, description: 'Paused on breakpoint', allThreadsStopped: true, hitBreakpointIds: [breakpoint?.id] });
    assert.deepEqual(await dap.stack(1), ['read 0x1000_0000 64 as first — next @ 9', 'engine m.dma @ 8']);
    const top = await dap.topFrame(1);
    assert.deepEqual(
      (await dap.scopes(top.id)).map((s) => s.name),
      ['Registers (s cb0)', 'Stalled (0)', 'Page table (d)'],
    );
  });

  test('condition `i == 2` on a repeat line: stops once, at the third iteration', async () => {
    const stop = await dap.launchAndStop({ scenario }, { breakpoints: [{ line: 11, condition: 'i == 2' }] });
    assert.equal(stop.reason, 'breakpoint');
    assert.deepEqual(await dap.stack(1), ['read 0x1000_0000 + i*0x1000 64 as loop — next @ 11', 'repeat 4 (i = 2) @ 11', 'engine m.dma @ 8']);
    const next = await continueToStop();
    assert.equal(next.stop.reason, 'exception', 'the breakpoint does not stop again');
    assert.equal(next.top, 'write 0x2000_0000 4 as bad — #5 stalled @ 12');
  });

  test('a condition of 100,000 terms: checked and evaluated without running out of stack', async () => {
    // i + 0 + 0 + … == 2: as deep as it is long.
    const condition = `i${' + 0'.repeat(100_000)} == 2`;
    const stop = await dap.launchAndStop({ scenario }, { breakpoints: [{ line: 11, condition }] });
    assert.equal(stop.reason, 'breakpoint');
    assert.deepEqual(await dap.stack(1), ['read 0x1000_0000 + i*0x1000 64 as loop — next @ 11', 'repeat 4 (i = 2) @ 11', 'engine m.dma @ 8']);
  });

  test('hit count `3`: stops at the third hit only', async () => {
    await dap.launchAndStop({ scenario }, { breakpoints: [{ line: 11, hitCondition: '3' }] });
    assert.equal((await dap.stack(1))[1], 'repeat 4 (i = 2) @ 11');
    const next = await continueToStop();
    assert.equal(next.stop.reason, 'exception');
  });

  test('hit count `>= 2`: stops at every hit from the second on', async () => {
    await dap.launchAndStop({ scenario }, { breakpoints: [{ line: 11, hitCondition: '>= 2' }] });
    const iterations = [(await dap.stack(1))[1]];
    for (;;) {
      const { stop } = await continueToStop();
      if (stop.reason !== 'breakpoint') break;
      iterations.push((await dap.stack(1))[1]);
    }
    assert.deepEqual(iterations, ['repeat 4 (i = 1) @ 11', 'repeat 4 (i = 2) @ 11', 'repeat 4 (i = 3) @ 11']);
  });

  test('a condition on a fault field at a handler line: stops in the handler of the second fault only', async () => {
    const svm = example('svm-map-and-retry');
    const stop = await dap.launchAndStop({ scenario: svm }, { breakpoints: [{ line: 32, condition: 'iova == 0x0300_1000' }], exceptionFilters: [] });
    assert.equal(stop.reason, 'breakpoint');
    assert.equal(stop.threadId, await dap.threadId('iopf/0'));
    const top = await dap.topFrame(stop.threadId ?? 0);
    assert.equal(`${top.name} @ ${top.line}`, 'log "mapped {iova} on demand" @ 32');
    assert.equal((await dap.evaluate('iova', 'watch', top.id)).result, '0x3001000');
    assert.equal(dap.output('stdout'), 'mapped 0x3000000 on demand\n', 'the first run of the handler passed the line');
    await dap.client.continueRequest({ threadId: 1 });
    assert.equal(await dap.exitCode(), 0);
    assert.equal(dap.all('stopped').length, 1);
  });

  test('conditions and hit counts that cannot be understood are refused with the reason', async () => {
    const { breakpoints } = await dap.launch({ scenario }, { breakpoints: [{ line: 11, condition: 'i ==' }, { line: 12, hitCondition: 'often' }, { line: 9, condition: '  ' }] });
    assert.deepEqual(
      breakpoints.map((b) => ({ verified: b.verified, line: b.line, message: b.message })),
      [
        { verified: false, line: 11, message: "condition 'i ==': expected an expression after '=='" },
        { verified: false, line: 12, message: "hit count 'often' is not understood: write a number, or one of ==, >=, >, <=, <, % before it" },
        { verified: true, line: 9, message: undefined }, // a blank condition is no condition
      ],
    );
  });

  test('a condition that cannot be evaluated stops, and says why on stderr', async () => {
    const stop = await dap.launchAndStop({ scenario }, { breakpoints: [{ line: 11, condition: '1 / (i - i) == 1' }] });
    assert.equal(stop.reason, 'breakpoint');
    assert.equal((await dap.stack(1))[1], 'repeat 4 (i = 0) @ 11');
    assert.equal(dap.output('stderr'), 'breakpoint condition: division by zero\n');
  });

  test('a condition naming nothing the line knows is refused, as the checker refuses it in a handler', async () => {
    const { breakpoints } = await dap.launch({ scenario }, { breakpoints: [{ line: 16, condition: 'bogus == 1' }] });
    assert.deepEqual([breakpoints[0]?.verified, breakpoints[0]?.line, breakpoints[0]?.message], [false, 16, "condition 'bogus == 1': 'bogus' means nothing on a handler line"]);
  });

  test('`i` means something on an engine line inside a repeat only', async () => {
    const { breakpoints } = await dap.launch({ scenario }, { breakpoints: [{ line: 9, condition: 'i == 0' }, { line: 11, condition: 'i == 2 && read' }] });
    assert.deepEqual(
      breakpoints.map((b) => [b.verified, b.message]),
      [
        [false, "condition 'i == 0': 'i' means nothing on an engine line"],
        [true, undefined],
      ],
    );
  });

  test('a logpoint whose hole names nothing is refused; a function breakpoint condition sees the fault', async () => {
    const launched = await dap.launch(
      { scenario },
      { breakpoints: [{ line: 18, logMessage: 'mapping {iova} for {nobody}' }], functionBreakpoints: [{ name: 'h', condition: 'level == 2 && write' }, { name: 'h', condition: 'i == 1' }] },
    );
    assert.deepEqual(launched.breakpoints.map((b) => [b.verified, b.message]), [[false, "log message 'mapping {iova} for {nobody}': 'nobody' means nothing on a handler line"]]);
    assert.deepEqual(
      launched.functionBreakpoints.map((b) => [b.verified, b.message]),
      [
        [true, undefined],
        [false, "condition 'i == 1': 'i' means nothing on a handler line"],
      ],
    );
  });

  test('breakpoints replaced while stopped: an empty set clears them', async () => {
    await dap.launchAndStop({ scenario }, { breakpoints: [{ line: 11 }], exceptionFilters: [] });
    const cleared = await dap.client.setBreakpointsRequest({ source: { path: scenario }, breakpoints: [] });
    assert.deepEqual(cleared.body.breakpoints, []);
    await dap.client.continueRequest({ threadId: 1 });
    assert.equal(await dap.exitCode(), 0);
    assert.equal(dap.all('stopped').length, 1);
  });

  test('function breakpoint on a handler name: stops before its first statement', async () => {
    const launched = await dap.launch({ scenario }, { functionBreakpoints: [{ name: 'h' }], exceptionFilters: [] });
    assert.deepEqual(launched.functionBreakpoints.map((b) => b.verified), [true]);
    await dap.client.configurationDoneRequest();
    const stop = await dap.stopped();
    assert.deepEqual(stop, {
      reason: 'function breakpoint',
      threadId: await dap.threadId('iopf/0'),
      description: 'Paused on function breakpoint h',
      allThreadsStopped: true,
      hitBreakpointIds: [launched.functionBreakpoints[0]?.id],
    });
    assert.deepEqual(await dap.stack(stop.threadId ?? 0), ['log "fault {kind} at {iova}" @ 16', 'h() @ 14', 'process_one_work @ workqueue.c:8', 'worker_thread @ workqueue.c:5']);
  });

  test('function breakpoint on a kernel path name: qcom_adreno_smmu_resume_translation (Linux 6.12), after the handler answered', async () => {
    const launched = await dap.launch({ scenario }, { functionBreakpoints: [{ name: 'qcom_adreno_smmu_resume_translation' }], exceptionFilters: [] });
    await dap.client.configurationDoneRequest();
    const stop = await dap.stopped();
    assert.equal(stop.reason, 'function breakpoint');
    assert.equal(stop.description, 'Paused on function breakpoint qcom_adreno_smmu_resume_translation');
    assert.deepEqual(stop.hitBreakpointIds, [launched.functionBreakpoints[0]?.id]);
    assert.equal(stop.threadId, await dap.threadId('iopf/0'));
    assert.deepEqual(await dap.stack(stop.threadId ?? 0), ['qcom_adreno_smmu_resume_translation @ arm-smmu-qcom.c:5', 'process_one_work @ workqueue.c:8', 'worker_thread @ workqueue.c:5']);
    assert.equal(dap.output('stdout'), 'fault translation at 0x20000000\n');
  });

  test('function breakpoint on report_iommu_fault: the hard IRQ, inside arm_smmu_context_fault', async () => {
    await dap.launch({ scenario }, { functionBreakpoints: [{ name: 'report_iommu_fault' }], exceptionFilters: [] });
    await dap.client.configurationDoneRequest();
    const stop = await dap.stopped();
    assert.equal(stop.description, 'Paused on function breakpoint report_iommu_fault');
    assert.equal(stop.threadId, await dap.threadId('irq'));
    assert.deepEqual(await dap.stack(stop.threadId ?? 0), ['report_iommu_fault @ iommu.c:5', 'arm_smmu_context_fault @ arm-smmu.c:5', 'handle_irq_event @ handle.c:5', 'gic_handle_irq @ irq-gic-v3.c:5']);
  });

  test('function breakpoint with a hit count: the handler of the second fault', async () => {
    await dap.launch({ scenario: example('svm-map-and-retry') }, { functionBreakpoints: [{ name: 'svm_fault', hitCondition: '2' }], exceptionFilters: [] });
    await dap.client.configurationDoneRequest();
    const stop = await dap.stopped();
    const top = await dap.topFrame(stop.threadId ?? 0);
    assert.equal((await dap.evaluate('iova', 'repl', top.id)).result, '0x3001000');
  });

  test('an unknown function name is refused, naming what can be', async () => {
    const launched = await dap.launch({ scenario }, { functionBreakpoints: [{ name: 'h' }, { name: 'arm_smmu_tlb_sync' }] });
    assert.deepEqual(
      launched.functionBreakpoints.map((b) => ({ verified: b.verified, message: b.message })),
      [
        { verified: true, message: undefined },
        {
          verified: false,
          message:
            "'arm_smmu_tlb_sync' is neither a handler of this scenario nor a kernel function of the fault path (irq_default_primary_handler, arm_smmu_context_fault, report_iommu_fault, queue_work, arm_smmu_cb_write(FSR), arm_smmu_cb_write(RESUME), arm_smmu_print_context_fault_info, qcom_adreno_smmu_resume_translation, a6xx_fault_handler, adreno_fault_handler, arm_smmu_global_fault, arm_smmu_gr0_write(sGFSR), arm_smmu_evtq_thread, arm_smmu_priq_thread, iopf_handle_group, iopf_handler, iommu_sva_handle_iopf, iopf_complete_group, iopf_group_response)",
        },
      ],
    );
  });
});
