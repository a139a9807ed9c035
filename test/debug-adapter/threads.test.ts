import assert from 'node:assert/strict';
import { DebugProtocol } from '@vscode/debugprotocol';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { Dap, example, scenarioFile, settle } from './helpers';

/** A million reads: long enough to pause (line 4 is the repeat). */
const longRun = [
  'smmu s { version v2 }',
  'domain d { map 0x1000_0000 -> 0x8000_0000 size 2M rw }',
  'master m { stream 0x1; domain d }',
  'engine m.dma { repeat 1000000 { read 0x1000_0000 + (i % 512) * 0x1000 64 } }',
].join('\n');

/** `reason id` of every thread event so far. */
function threadEvents(dap: Dap): string[] {
  return dap.all<DebugProtocol.ThreadEvent>('thread').map((e) => `${e.body.reason} ${e.body.threadId}`);
}

/** The `i` a paused engine frame shows: `repeat 1000000 (i = 51799) @ 4`. */
function iteration(frame: string | undefined): number {
  const match = /^repeat 1000000 \(i = (\d+)\) @ 4$/.exec(frame ?? '');
  assert.ok(match, `not a repeat frame: ${frame}`);
  return Number(match[1]);
}

describe('threads, pause, restart, terminate', () => {
  let dap: Dap;
  beforeEach(async () => {
    dap = await Dap.start();
  });
  afterEach(async () => {
    await dap.stop();
  });

  test('thread events as kernel threads start and exit, engines exit when done', async () => {
    assert.equal(await dap.launchToEnd({ scenario: example('a530-fault-no-stall'), stopOnFault: false }), 0);
    // 1 gpu.cp, 2 gpu.tp, 3 irq, 4 irq/kgsl: the hard IRQ wakes the threaded handler and leaves.
    assert.deepEqual(threadEvents(dap), ['started 3', 'started 4', 'exited 3', 'exited 1', 'exited 2', 'exited 4']);
  });

  test('a workqueue handler: the hard IRQ and a worker per fault, each starting and exiting', async () => {
    assert.equal(await dap.launchToEnd({ scenario: example('svm-map-and-retry'), stopOnFault: false }), 0);
    // 1 gpu.cp, 2 irq, 3 irq/apps_smmu, 4 iopf/0, 5 iopf/1.
    assert.deepEqual(threadEvents(dap), [
      ...['started 2', 'exited 2', 'started 4', 'exited 4'],
      ...['started 2', 'exited 2', 'started 4', 'exited 4'],
      ...['started 2', 'exited 2', 'started 4', 'exited 1', 'exited 4'],
    ]);
  });

  test('the threads request lists the live threads by name', async () => {
    const entry = await dap.launchAndStop({ scenario: example('a530-fault-no-stall'), stopOnEntry: true });
    assert.equal(entry.threadId, 1);
    assert.deepEqual(await dap.threads(), [
      { id: 1, name: 'gpu.cp' },
      { id: 2, name: 'gpu.tp' },
    ]);
    // A breakpoint on the handler's `dump` (cycle 39): the hard IRQ has left, irq/kgsl runs the handler.
    await dap.client.setBreakpointsRequest({ source: { path: example('a530-fault-no-stall') }, breakpoints: [{ line: 32 }] });
    await dap.client.setExceptionBreakpointsRequest({ filters: [] });
    await dap.client.continueRequest({ threadId: 1 });
    const stop = await dap.stopped();
    assert.equal(stop.reason, 'breakpoint');
    assert.equal(stop.threadId, 4);
    assert.deepEqual(await dap.threads(), [
      { id: 1, name: 'gpu.cp' },
      { id: 2, name: 'gpu.tp' },
      { id: 4, name: 'irq/kgsl' },
    ]);
    assert.deepEqual(threadEvents(dap), ['started 3', 'started 4', 'exited 3']);
  });

  test('pause of a long run stops with reason pause, on the engine, at the repeat; continue and pause again', async () => {
    await dap.launch({ scenario: scenarioFile(longRun) });
    await dap.client.configurationDoneRequest();
    await settle(100);
    await dap.client.pauseRequest({ threadId: 1 });
    const paused = await dap.stopped(1000);
    assert.deepEqual(paused, { reason: 'pause', threadId: 1, description: 'Paused', allThreadsStopped: true });
    const stack = await dap.stack(1);
    assert.equal(stack.length, 3);
    assert.match(stack[0] ?? '', /^read 0x1000_0000 \+ \(i % 512\) \* 0x1000 64 — (next|#\d+ \w+) @ 4$/);
    assert.equal(stack[2], 'engine m.dma @ 4');
    const first = iteration(stack[1]);
    assert.ok(first > 0, 'it ran for a while');
    await dap.client.continueRequest({ threadId: 1 });
    await settle(50);
    await dap.client.pauseRequest({ threadId: 1 });
    assert.equal((await dap.stopped(1000)).reason, 'pause');
    assert.ok(iteration((await dap.stack(1))[1]) > first, 'it went on from where it was');
    assert.equal(dap.all('exited').length, 0);
  });

  test('restart while stopped: the run starts over and stops at the same breakpoint, with the same id', async () => {
    const scenario = example('a530-stall-hupcf');
    await dap.launch({ scenario });
    // Set twice, as an editor does while the user edits: the breakpoint the client knows has the second id.
    await dap.client.setBreakpointsRequest({ source: { path: scenario }, breakpoints: [{ line: 20 }] });
    const [breakpoint] = (await dap.client.setBreakpointsRequest({ source: { path: scenario }, breakpoints: [{ line: 20 }] })).body.breakpoints;
    await dap.client.configurationDoneRequest();
    const first = await dap.stopped();
    assert.deepEqual(first.hitBreakpointIds, [breakpoint?.id]);
    await dap.client.continueRequest({ threadId: 1 });
    assert.equal((await dap.stopped()).reason, 'exception');
    await dap.client.restartRequest({});
    const again = await dap.stopped();
    assert.equal(again.reason, 'breakpoint');
    assert.deepEqual(await dap.stack(1), ['read 0x0100_0000 64 — next @ 20', 'submit 7 @ 19', 'engine gpu.cp @ 18']);
    assert.deepEqual(again.hitBreakpointIds, [breakpoint?.id], 'hitBreakpointIds name a breakpoint the client knows');
  });

  test('restart while stopped keeps the exception filters', async () => {
    await dap.launchAndStop({ scenario: example('a530-fault-no-stall') }, { exceptionFilters: ['terminate'] });
    await dap.client.restartRequest({});
    const again = await dap.stopped();
    assert.equal(again.description, 'Paused on terminated transaction');
    assert.deepEqual(await dap.stack(1), ['read 0x0700_0000 64 as bad — #1 raz @ 20', 'engine gpu.cp @ 18']);
  });

  test('restart while running: no stale stop from the old run, and the new run can be paused', async () => {
    await dap.launch({ scenario: scenarioFile(longRun) });
    await dap.client.configurationDoneRequest();
    await settle(100);
    await dap.client.restartRequest({});
    await settle(200);
    assert.deepEqual(
      dap.all<DebugProtocol.StoppedEvent>('stopped').map((e) => e.body.reason),
      [],
      'the new run is running: a stopped event now would leave the client stuck',
    );
    await dap.client.pauseRequest({ threadId: 1 });
    assert.equal((await dap.stopped(1000)).reason, 'pause');
  });

  test('terminate while stopped: the last state (iommu/ended), terminated, and nothing after it', async () => {
    await dap.launchAndStop({ scenario: example('a530-stall-hupcf') });
    await dap.client.terminateRequest({});
    await dap.next('terminated');
    await settle(100);
    assert.deepEqual(
      dap.events.map((e) => e.event),
      ['initialized', 'stopped', 'iommu/ended', 'terminated'],
    );
  });

  test('terminate while running: terminated, and no stopped event after it', async () => {
    await dap.launch({ scenario: scenarioFile(longRun) });
    await dap.client.configurationDoneRequest();
    await settle(100);
    await dap.client.terminateRequest({});
    await dap.next('terminated');
    await settle(200);
    const after = dap.events.slice(dap.events.findIndex((e) => e.event === 'terminated') + 1).map((e) => e.event);
    assert.deepEqual(after, []);
  });
});
