import type { DebugProtocol } from '@vscode/debugprotocol';
import assert from 'node:assert/strict';
import { setup, suite, suiteSetup, suiteTeardown, teardown, test } from 'mocha';
import * as vscode from 'vscode';
import { closeAllEditors, DapRecorder, debugType, startSession, stopAllSessions, terminated, workspaceFile, workspaceFolder } from './helpers';

const stallHupcf = 'a530-stall-hupcf.iommu';

/** The stalled transaction of a530-stall-hupcf.iommu, as `iommu/stalled` lists it `age` cycles after it stalled. */
function stalledRead(age: number): object {
  return {
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
    age,
    unanswerable: null,
    path: workspaceFile(stallHupcf).fsPath,
    line: 21,
  };
}

/** The Debug Console lines the scenario's end prints: its counters and every `expect`. */
const endOfRun = [
  'ended at cycle 120: transactions 6, faults 1, completed 5, aborted 1, dumps 1\n',
  'line 38: expect bad aborted: ok (bad: aborted)\n',
  'line 39: expect tex completed: ok (tex: 4 completed)\n',
  'line 40: expect completed == 5: ok (completed = 5)\n',
  'line 41: expect dumps == 1: ok (dumps = 1)\n',
];

suite('debugging a scenario', () => {
  let dap: DapRecorder;

  suiteSetup(() => {
    dap = new DapRecorder();
  });

  suiteTeardown(() => dap.dispose());

  setup(() => {
    vscode.debug.removeBreakpoints(vscode.debug.breakpoints);
  });

  teardown(async () => {
    vscode.debug.removeBreakpoints(vscode.debug.breakpoints);
    await stopAllSessions();
    await closeAllEditors();
  });

  function launch(): Promise<vscode.DebugSession> {
    return startSession(() =>
      vscode.debug.startDebugging(workspaceFolder(), { type: debugType, request: 'launch', name: 'x', scenario: workspaceFile(stallHupcf).fsPath }),
    );
  }

  test('it stops on the fault; the stall answered from the debugger before the driver’s handler ran: no dump, exit 1', async () => {
    const session = await launch();
    assert.equal(session.type, debugType);
    assert.equal(session.name, 'x');

    const stopped = await dap.next<DebugProtocol.StoppedEvent>(session, 'stopped');
    assert.deepEqual(stopped.body, {
      reason: 'exception',
      threadId: 1,
      text: 'Translation fault at level 2: L2[56] is invalid; FSR=0x40000402 TF|SS; FAR=0x7000000',
      description: 'Paused on translation fault',
      allThreadsStopped: true,
    });

    assert.deepEqual(await session.customRequest('iommu/stalled'), { transactions: [stalledRead(30)] });
    assert.deepEqual(await session.customRequest('iommu/resume', { transaction: 1, action: 'terminate' }), {
      resumed: [1],
      written: 'FSR ← 0x2; RESUME ← terminate (TnR=1)',
    });
    assert.deepEqual(await session.customRequest('iommu/stalled'), { transactions: [] });

    const ended = terminated(session);
    await session.customRequest('continue', { threadId: 1 });
    const exited = await dap.next<DebugProtocol.ExitedEvent>(session, 'exited');
    // FSR was cleared by the answer, so the IRQ found no fault and the workqueue handler never dumped.
    assert.equal(exited.body.exitCode, 1);
    assert.deepEqual(dap.outputs(session), [
      ['stdout', 'Answered terminate for #1: FSR ← 0x2; RESUME ← terminate (TnR=1)\n'],
      ['stdout', 'ended at cycle 120: transactions 6, faults 1, completed 5, aborted 1\n'],
      ['stdout', 'line 38: expect bad aborted: ok (bad: aborted)\n'],
      ['stdout', 'line 39: expect tex completed: ok (tex: 4 completed)\n'],
      ['stdout', 'line 40: expect completed == 5: ok (completed = 5)\n'],
      ['stderr', 'line 41: expect dumps == 1: FAILED (dumps = 0)\n'],
    ]);
    await ended;
  });

  test('a breakpoint in the handler after its dump; terminate from the debugger there: every expect holds, exit 0', async () => {
    const uri = workspaceFile(stallHupcf);
    // Line 35: the handler's own `terminate`, after `dump`.
    vscode.debug.addBreakpoints([new vscode.SourceBreakpoint(new vscode.Location(uri, new vscode.Position(34, 2)))]);
    const session = await launch();

    const fault = await dap.next<DebugProtocol.StoppedEvent>(session, 'stopped');
    assert.equal(fault.body.reason, 'exception');
    await session.customRequest('continue', { threadId: 1 });

    const breakpoint = await dap.next<DebugProtocol.StoppedEvent>(session, 'stopped');
    assert.deepEqual(
      [breakpoint.body.reason, breakpoint.body.description, breakpoint.body.hitBreakpointIds?.length],
      ['breakpoint', 'Paused on breakpoint', 1],
    );
    const threads = (await session.customRequest('threads')) as DebugProtocol.ThreadsResponse['body'];
    assert.deepEqual(threads.threads, [
      { id: 1, name: 'gpu.cp' },
      { id: 2, name: 'gpu.tp' },
      { id: 5, name: 'iopf/0' },
    ]);
    assert.equal(breakpoint.body.threadId, 5, 'the handler runs on the workqueue worker');

    assert.deepEqual(await session.customRequest('iommu/stalled'), { transactions: [stalledRead(99)] });
    assert.deepEqual(await session.customRequest('iommu/resume', { transaction: 1, action: 'terminate' }), {
      resumed: [1],
      written: 'RESUME ← terminate (TnR=1)',
    });

    const ended = terminated(session);
    await session.customRequest('continue', { threadId: 5 });
    const exited = await dap.next<DebugProtocol.ExitedEvent>(session, 'exited');
    assert.equal(exited.body.exitCode, 0);
    assert.deepEqual(dap.outputs(session), [
      ['stdout', 'stalled translation fault at 0x7000000, sid 0x0\n'],
      ['stdout', 'Answered terminate for #1: RESUME ← terminate (TnR=1)\n'],
      ...endOfRun.map((line): [string, string] => ['stdout', line]),
    ]);
    await ended;
  });

  test('continue from the fault: the driver’s handler dumps and terminates, every expect holds, exit 0', async () => {
    const session = await launch();
    await dap.next(session, 'stopped');
    const ended = terminated(session);
    await session.customRequest('continue', { threadId: 1 });
    assert.equal((await dap.next<DebugProtocol.ExitedEvent>(session, 'exited')).body.exitCode, 0);
    assert.deepEqual(dap.outputs(session), [
      ['stdout', 'stalled translation fault at 0x7000000, sid 0x0\n'],
      ...endOfRun.map((line): [string, string] => ['stdout', line]),
    ]);
    await ended;
  });
});
