// Shared by the integration suites that run inside VS Code's extension host (index.ts loads them).
import type { DebugProtocol } from '@vscode/debugprotocol';
import * as vscode from 'vscode';

export const extensionId = 'iommu-tools.iommu-debugger';
export const languageId = 'iommu-scenario';
export const debugType = 'iommu';

/** How long a wait for VS Code, the language server or the debug adapter may take before the test fails. */
export const TIMEOUT = 20_000;

/** The workspace folder the runner opened: a copy of the repository's examples/. */
export function workspaceFolder(): vscode.WorkspaceFolder {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('no workspace folder: the runner must open a copy of examples/');
  return folder;
}

/** A file of the workspace folder (`a530-stall-hupcf.iommu`, …). */
export function workspaceFile(name: string): vscode.Uri {
  return vscode.Uri.joinPath(workspaceFolder().uri, name);
}

/** Opens a file of the workspace in an editor and makes it the active one. */
export async function showFile(name: string): Promise<vscode.TextEditor> {
  const document = await vscode.workspace.openTextDocument(workspaceFile(name));
  return vscode.window.showTextDocument(document);
}

export async function closeAllEditors(): Promise<void> {
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}

/** Polls `probe` until it returns something other than undefined; fails after `timeout` ms naming `what`. */
export async function waitUntil<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeout = TIMEOUT): Promise<T> {
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Resolves with the first value `event` fires that `accept` takes; fails after `timeout` ms naming `what`. */
export function nextEvent<T>(event: vscode.Event<T>, what: string, accept: (value: T) => boolean = () => true, timeout = TIMEOUT): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      listener.dispose();
      reject(new Error(`timed out after ${timeout} ms waiting for ${what}`));
    }, timeout);
    const listener = event((value) => {
      if (!accept(value)) return;
      clearTimeout(timer);
      listener.dispose();
      resolve(value);
    });
  });
}

// ---------------------------------------------------------------------------------------
// The DAP traffic of iommu sessions, seen the way any extension sees it: a tracker.

/** `event 'stopped'`, `response 'exceptionInfo'`: what a message is, in the words of a failure message. */
function kindOf(message: DebugProtocol.ProtocolMessage): string {
  if (message.type === 'event') return `event '${(message as DebugProtocol.Event).event}'`;
  if (message.type === 'response') return `response '${(message as DebugProtocol.Response).command}'`;
  return message.type;
}

interface Waiter {
  kind: string;
  resolve: (message: DebugProtocol.ProtocolMessage) => void;
}

/** What one session's adapter sent, in order; messages are taken one by one, per kind. */
class SessionLog {
  readonly messages: DebugProtocol.ProtocolMessage[] = [];
  private readonly taken = new Set<DebugProtocol.ProtocolMessage>();
  private readonly waiters: Waiter[] = [];

  constructor(readonly session: vscode.DebugSession) {}

  add(message: DebugProtocol.ProtocolMessage): void {
    this.messages.push(message);
    const waiter = this.waiters.find((w) => w.kind === kindOf(message));
    if (waiter) {
      this.waiters.splice(this.waiters.indexOf(waiter), 1);
      this.taken.add(message);
      waiter.resolve(message);
    }
  }

  /** The first message of this kind not taken yet, now or when it comes. */
  take(kind: string, timeout: number): Promise<DebugProtocol.ProtocolMessage> {
    const ready = this.messages.find((m) => kindOf(m) === kind && !this.taken.has(m));
    if (ready) {
      this.taken.add(ready);
      return Promise.resolve(ready);
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        kind,
        resolve: (message) => {
          clearTimeout(timer);
          resolve(message);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        const events = this.messages.filter((m) => m.type === 'event').map((m) => (m as DebugProtocol.Event).event);
        reject(new Error(`timed out after ${timeout} ms waiting for the ${kind} of debug session '${this.session.name}'; its events so far: ${events.join(', ') || 'none'}`));
      }, timeout);
      this.waiters.push(waiter);
    });
  }
}

/**
 * Records every DAP message the adapters of `iommu` sessions send (events and responses),
 * through `vscode.debug.registerDebugAdapterTrackerFactory`, as any extension sees them.
 */
export class DapRecorder implements vscode.Disposable {
  private readonly logs = new Map<string, SessionLog>();
  private readonly registration: vscode.Disposable;

  constructor() {
    this.registration = vscode.debug.registerDebugAdapterTrackerFactory(debugType, {
      createDebugAdapterTracker: (session) => {
        const log = this.logOf(session);
        return { onDidSendMessage: (message: DebugProtocol.ProtocolMessage) => log.add(message) };
      },
    });
  }

  private logOf(session: vscode.DebugSession): SessionLog {
    let log = this.logs.get(session.id);
    if (!log) {
      log = new SessionLog(session);
      this.logs.set(session.id, log);
    }
    return log;
  }

  /** Waits for the next `name` event of `session` that no earlier call took. */
  async next<T extends DebugProtocol.Event>(session: vscode.DebugSession, name: string, timeout = TIMEOUT): Promise<T> {
    return (await this.logOf(session).take(`event '${name}'`, timeout)) as T;
  }

  /** Waits for the next response of `session` to a `command` request (VS Code's own requests included). */
  async response<T extends DebugProtocol.Response>(session: vscode.DebugSession, command: string, timeout = TIMEOUT): Promise<T> {
    return (await this.logOf(session).take(`response '${command}'`, timeout)) as T;
  }

  /** Every event of `session` so far. */
  events(session: vscode.DebugSession): DebugProtocol.Event[] {
    return this.logOf(session).messages.filter((m): m is DebugProtocol.Event => m.type === 'event');
  }

  /** `[category, text]` of every output event of `session` so far. */
  outputs(session: vscode.DebugSession): [string, string][] {
    return this.events(session)
      .filter((e): e is DebugProtocol.OutputEvent => e.event === 'output')
      .map((e) => [e.body.category ?? 'console', e.body.output]);
  }

  dispose(): void {
    this.registration.dispose();
  }
}

/** Runs `start` (which starts a debug session) and returns the `iommu` session it started. */
export async function startSession(start: () => Thenable<boolean>): Promise<vscode.DebugSession> {
  const started = nextEvent(vscode.debug.onDidStartDebugSession, `an '${debugType}' debug session to start`, (s) => s.type === debugType);
  const ok = await start();
  if (!ok) throw new Error('the debug session did not start (startDebugging answered false)');
  return started;
}

/** Resolves when `session` terminates: call it before what ends the session. */
export function terminated(session: vscode.DebugSession, timeout = TIMEOUT): Promise<vscode.DebugSession> {
  return nextEvent(vscode.debug.onDidTerminateDebugSession, `debug session '${session.name}' to terminate`, (s) => s.id === session.id, timeout);
}

/** Stops every debug session still running and waits until they have gone. */
export async function stopAllSessions(): Promise<void> {
  const session = vscode.debug.activeDebugSession;
  if (!session) return;
  const gone = terminated(session).catch(() => undefined);
  await vscode.debug.stopDebugging();
  await gone;
}
