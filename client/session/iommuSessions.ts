import * as vscode from 'vscode';
import { CustomRequest, CustomRequestTypes, customEvents, RunEndedEventBody } from '../../debug-adapter/protocol';
import { debugType } from '../configurationProvider';
import { KeptRun, keptAnswer } from './keptRun';

/** What happened to a session, as the views need to know it. */
export type SessionChangeKind = 'stopped' | 'continued' | 'changed' | 'ended';

export interface SessionChange {
  session: vscode.DebugSession;
  kind: SessionChangeKind;
  /** A stop's thread, as its `stopped` event names it. */
  threadId?: number;
}

/**
 * Where the views read a run from: the active session (answered by the adapter), or, once
 * it has ended, the last state its adapter sent (`iommu/ended`), read-only.
 */
export type RunSource = { kind: 'live'; session: vscode.DebugSession; stopped: boolean } | { kind: 'kept'; run: KeptRun };

/** Requests after whose response VS Code considers the debuggee running. */
const resuming = new Set(['continue', 'next', 'stepIn', 'stepOut', 'stepBack', 'reverseContinue', 'restart']);

interface DapMessage {
  type?: string;
  event?: string;
  command?: string;
  success?: boolean;
  body?: unknown;
}

/**
 * The IOMMU debug sessions, watched through a debug adapter tracker: which one is active,
 * whether it is stopped, and a change event the views refresh on. The views reach the
 * adapter only by DAP (`request`).
 */
export class IommuSessions implements vscode.DebugAdapterTrackerFactory, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<SessionChange>();
  readonly onDidChange = this.emitter.event;
  private readonly stopped = new Set<string>();
  /** Sessions that ended: a late message from them changes nothing. */
  private readonly ended = new Set<string>();
  private readonly subscriptions: vscode.Disposable[] = [];
  /** The last IOMMU run that ended, until another session starts. */
  private kept: KeptRun | undefined;

  constructor() {
    this.subscriptions.push(
      vscode.debug.registerDebugAdapterTrackerFactory(debugType, this),
      vscode.debug.onDidChangeActiveDebugSession((session) => {
        if (session?.type === debugType) this.fire(session, 'changed');
        void this.updateContext();
      }),
    );
    void this.updateContext();
  }

  createDebugAdapterTracker(session: vscode.DebugSession): vscode.DebugAdapterTracker {
    // A new session replaces the run kept from the last one.
    this.kept = undefined;
    this.fire(session, 'changed');
    return {
      onDidSendMessage: (message: DapMessage) => this.observe(session, message),
      onExit: () => this.end(session),
    };
  }

  private observe(session: vscode.DebugSession, message: DapMessage): void {
    if (message.type === 'event') {
      switch (message.event) {
        case 'stopped':
          this.stopped.add(session.id);
          this.fire(session, 'stopped', (message.body as { threadId?: number } | undefined)?.threadId);
          return;
        case 'continued':
          this.stopped.delete(session.id);
          this.fire(session, 'continued');
          return;
        case 'invalidated':
        case 'memory':
          this.fire(session, 'changed');
          return;
        case 'terminated':
          this.end(session);
          return;
        case customEvents.ended:
          // The adapter's own event, sent before `terminated`: its body is RunEndedEventBody (protocol.ts).
          this.kept = { session: session.id, noDebug: session.configuration.noDebug === true, ended: message.body as RunEndedEventBody };
          return;
        default:
          return;
      }
    }
    if (message.type === 'response' && message.success && message.command && resuming.has(message.command)) {
      this.stopped.delete(session.id);
      this.fire(session, 'continued');
    }
  }

  private end(session: vscode.DebugSession): void {
    if (this.ended.has(session.id)) return;
    this.ended.add(session.id);
    this.stopped.delete(session.id);
    this.fire(session, 'ended');
  }

  private fire(session: vscode.DebugSession, kind: SessionChangeKind, threadId?: number): void {
    this.emitter.fire({ session, kind, threadId });
    void this.updateContext();
  }

  /** `iommu.debugging`, `iommu.stopped` and `iommu.runEnded`: what the views' welcome text and the commands depend on. */
  private async updateContext(): Promise<void> {
    const session = this.active;
    await vscode.commands.executeCommand('setContext', 'iommu.debugging', session !== undefined);
    await vscode.commands.executeCommand('setContext', 'iommu.stopped', session !== undefined && this.isStopped(session));
    await vscode.commands.executeCommand('setContext', 'iommu.runEnded', this.kept !== undefined);
  }

  /** The last run that ended, kept until another session starts. */
  get lastRun(): KeptRun | undefined {
    return this.kept;
  }

  /** What the views show: the active session, else the last run that ended, else nothing. */
  source(): RunSource | undefined {
    const session = this.active;
    if (session) return { kind: 'live', session, stopped: this.isStopped(session) };
    return this.kept && { kind: 'kept', run: this.kept };
  }

  /** A custom request answered by the live adapter, or from the kept run's last state. */
  async ask<K extends CustomRequest>(source: RunSource, command: K, args: CustomRequestTypes[K]['args']): Promise<CustomRequestTypes[K]['body']> {
    return source.kind === 'live' ? this.request(source.session, command, args) : keptAnswer(source.run, command, args);
  }

  /** The active debug session when it is an IOMMU one that has not ended. */
  get active(): vscode.DebugSession | undefined {
    const session = vscode.debug.activeDebugSession;
    return session?.type === debugType && !this.ended.has(session.id) ? session : undefined;
  }

  isStopped(session: vscode.DebugSession): boolean {
    return this.stopped.has(session.id);
  }

  /** The active session, stopped; or the reason there is none, for a message to the user. */
  stoppedSession(): vscode.DebugSession | string {
    const session = this.active;
    if (!session) return 'Start debugging a scenario first (F5 on a .iommu file).';
    if (!this.isStopped(session)) return 'The scenario is running: pause it first.';
    return session;
  }

  /** A custom request of the IOMMU adapter, typed by its command. */
  request<K extends CustomRequest>(session: vscode.DebugSession, command: K, args: CustomRequestTypes[K]['args']): Promise<CustomRequestTypes[K]['body']> {
    return Promise.resolve(session.customRequest(command, args)) as Promise<CustomRequestTypes[K]['body']>;
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    this.emitter.dispose();
  }
}
