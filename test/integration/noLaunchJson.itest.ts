import type { DebugProtocol } from '@vscode/debugprotocol';
import assert from 'node:assert/strict';
import { suite, teardown, test } from 'mocha';
import * as vscode from 'vscode';
import { closeAllEditors, DapRecorder, debugType, showFile, startSession, stopAllSessions, waitUntil, workspaceFile, workspaceFolder } from './helpers';

const scenario = 'a530-fault-no-stall.iommu';
const faultText = 'Translation fault at level 2: L2[56] is invalid; FSR=0x402 TF; FAR=0x7000000';

suite('F5 with no launch.json', () => {
  let dap: DapRecorder | undefined;

  teardown(async () => {
    await stopAllSessions();
    dap?.dispose();
    await closeAllEditors();
  });

  /** What the configuration provider made of the empty configuration, and the first stop. */
  async function check(session: vscode.DebugSession, recorder: DapRecorder): Promise<void> {
    assert.equal(session.type, debugType);
    assert.deepEqual(
      [session.configuration.type, session.configuration.request, session.configuration.name, session.configuration['scenario']],
      [debugType, 'launch', 'Debug scenario', workspaceFile(scenario).fsPath],
    );
    const stopped = await recorder.next<DebugProtocol.StoppedEvent>(session, 'stopped');
    assert.deepEqual([stopped.body.reason, stopped.body.text], ['exception', faultText]);
    // The editor shows the exception: VS Code asks the adapter what it was.
    const info = await recorder.response<DebugProtocol.ExceptionInfoResponse>(session, 'exceptionInfo');
    assert.deepEqual([info.success, info.body.exceptionId, info.body.description], [true, 'Translation fault', faultText]);
  }

  test('startDebugging with a configuration that names no type, on the open scenario, starts an iommu session', async () => {
    dap = new DapRecorder();
    const recorder = dap;
    await showFile(scenario);
    // What F5 passes when there is no launch.json: no type at all. (VS Code takes the type it
    // guesses from the editor only when `type` is missing: `{ type: '' }` starts nothing.)
    const session = await startSession(() => vscode.debug.startDebugging(workspaceFolder(), {} as vscode.DebugConfiguration));
    await check(session, recorder);
  });

  test('workbench.action.debug.start (F5) on the open scenario starts an iommu session', async () => {
    dap = new DapRecorder();
    const recorder = dap;
    await showFile(scenario);
    const session = await startSession(async () => {
      await vscode.commands.executeCommand('workbench.action.debug.start');
      return true;
    });
    await check(session, recorder);
  });

  test('F5 on a scenario with errors runs nothing and shows no dialog: each error goes to the Debug Console, a link to its line', async () => {
    const broken = workspaceFile('broken-for-f5.iommu');
    await vscode.workspace.fs.writeFile(broken, new TextEncoder().encode('smmu s { version v2 }\ndomain d { hupcf maybe }\n'));
    // The session lives only until its launch fails: its messages are recorded from its first.
    const sent: DebugProtocol.ProtocolMessage[] = [];
    const tracking = vscode.debug.registerDebugAdapterTrackerFactory(debugType, {
      createDebugAdapterTracker: () => ({ onDidSendMessage: (message: DebugProtocol.ProtocolMessage) => sent.push(message) }),
    });
    try {
      await showFile('broken-for-f5.iommu');
      const errors = await waitUntil('the language server\'s errors', () => {
        const found = vscode.languages.getDiagnostics(broken).filter((d) => d.severity === vscode.DiagnosticSeverity.Error);
        return found.length > 0 ? found : undefined;
      });
      assert.equal(errors[0]?.message, "'hupcf' must be on or off, not 'maybe'");
      const start = errors[0]?.range.start ?? new vscode.Position(0, 0);
      const started = await vscode.debug.startDebugging(workspaceFolder(), {} as vscode.DebugConfiguration);
      assert.equal(started, false);
      assert.equal(vscode.debug.activeDebugSession, undefined);
      const outputs = sent.filter((m): m is DebugProtocol.OutputEvent => m.type === 'event' && (m as DebugProtocol.Event).event === 'output');
      assert.deepEqual(
        outputs.map((e) => [e.body.category, e.body.output, e.body.source?.path, e.body.line, e.body.column]),
        [['stderr', `./broken-for-f5.iommu:${start.line + 1}:${start.character + 1}: error: 'hupcf' must be on or off, not 'maybe'\n`, broken.fsPath, start.line + 1, start.character + 1]],
      );
      const launch = sent.find((m): m is DebugProtocol.LaunchResponse => m.type === 'response' && (m as DebugProtocol.Response).command === 'launch');
      assert.deepEqual([launch?.success, launch?.message, (launch?.body as { error?: DebugProtocol.Message } | undefined)?.error?.showUser], [false, 'broken-for-f5.iommu has an error, so it cannot run', false]);
    } finally {
      tracking.dispose();
      await vscode.workspace.fs.delete(broken);
    }
  });
});
