import * as vscode from 'vscode';
import type { TimelineResponseBody } from '../../debug-adapter/protocol';
import { revealLine } from '../editor/revealLine';
import { IommuSessions, SessionChange } from '../session/iommuSessions';
import { goToFaultCommand } from '../views/faultRows';
import { createNonce, timelineHtml } from './html';
import type { HostToWebview } from './messages';
import { parseWebviewMessage } from './webviewMessage';
import { whatToShow } from './whatToShow';

export const showTimelineCommand = 'iommu.showTimeline';

/** The last timeline drawn, kept while its session runs and after it ends. */
interface Drawing {
  session: string;
  timeline: TimelineResponseBody;
  ended: boolean;
}

/** The one "IOMMU Timeline" panel: it follows the active IOMMU session while it is open. */
class TimelinePanel {
  private readonly panel: vscode.WebviewPanel;
  private readonly subscriptions: vscode.Disposable[] = [];
  private drawing: Drawing | undefined;
  /** Bumped on every refresh: a slow answer to an older one must not overwrite a newer state. */
  private generation = 0;

  constructor(
    extensionUri: vscode.Uri,
    private readonly sessions: IommuSessions,
    onClosed: () => void,
  ) {
    const bundle = vscode.Uri.joinPath(extensionUri, 'dist', 'webview');
    const media = vscode.Uri.joinPath(extensionUri, 'media');
    this.panel = vscode.window.createWebviewPanel(
      'iommu.timeline',
      'IOMMU Timeline',
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      { enableScripts: true, localResourceRoots: [bundle, media] },
    );
    const webview = this.panel.webview;
    webview.html = timelineHtml({
      cspSource: webview.cspSource,
      nonce: createNonce(),
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(bundle, 'timeline.js')).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(media, 'timeline.css')).toString(),
    });
    this.subscriptions.push(
      webview.onDidReceiveMessage((message: unknown) => this.receive(message)),
      this.sessions.onDidChange((change) => this.sessionChanged(change)),
      this.panel.onDidDispose(() => {
        for (const s of this.subscriptions) s.dispose();
        onClosed();
      }),
    );
  }

  reveal(): void {
    this.panel.reveal(undefined, true);
  }

  dispose(): void {
    this.panel.dispose();
  }

  private post(message: HostToWebview): void {
    void this.panel.webview.postMessage(message);
  }

  private receive(value: unknown): void {
    const message = parseWebviewMessage(value);
    if (message?.type === 'ready') {
      // A webview hidden and shown again starts over: give it the drawing back at once.
      if (this.drawing) this.post({ type: 'timeline', timeline: this.drawing.timeline, cause: 'stop' });
      void this.refresh();
    } else if (message?.type === 'window') {
      void this.fetchWindow(message.from, message.to);
    } else if (message?.type === 'reveal' && this.drawing) {
      revealLine(this.drawing.timeline.path, message.line, this.panel.viewColumn ?? vscode.ViewColumn.Beside).then(undefined, (error: unknown) => {
        void vscode.window.showErrorMessage(`IOMMU: cannot open ${this.drawing?.timeline.path}: ${error instanceof Error ? error.message : String(error)}`);
      });
    }
  }

  private sessionChanged(change: SessionChange): void {
    if (change.kind === 'ended' && change.session.id === this.drawing?.session) this.drawing.ended = true;
    void this.refresh();
  }

  private async refresh(): Promise<void> {
    const generation = ++this.generation;
    const active = this.sessions.active;
    const kept = this.sessions.lastRun;
    if (!active && kept && this.drawing?.timeline !== kept.ended.timeline) {
      // The run's last cycle, which its adapter sent as the run ended: not the last stop's.
      this.drawing = { session: kept.session, timeline: kept.ended.timeline, ended: true };
      this.post({ type: 'timeline', timeline: kept.ended.timeline, cause: 'stop' });
    }
    const next = whatToShow(active && { session: active, stopped: this.sessions.isStopped(active) }, this.drawing?.ended ?? false);
    if ('state' in next) {
      this.post({ type: 'session', state: next.state });
      return;
    }
    const { session } = next.fetch;
    try {
      const timeline = await this.sessions.request(session, 'iommu/timeline', {});
      if (generation !== this.generation) return;
      this.drawing = { session: session.id, timeline, ended: false };
      this.post({ type: 'timeline', timeline, cause: 'stop' });
    } catch (error) {
      if (generation !== this.generation) return;
      this.post({ type: 'error', message: `Cannot read the timeline: ${error instanceof Error ? error.message : String(error)}` });
    }
  }

  /** The spans of cycles `from`…`to`, from the stopped session drawn; a kept run sent all it had, and a running one answers nothing. */
  private async fetchWindow(from: number, to: number): Promise<void> {
    const active = this.sessions.active;
    if (!active || active.id !== this.drawing?.session || !this.sessions.isStopped(active)) return;
    const generation = this.generation;
    try {
      const timeline = await this.sessions.request(active, 'iommu/timeline', { from, to });
      // A stop since the question: its own drawing wins.
      if (generation !== this.generation) return;
      this.drawing = { session: active.id, timeline, ended: false };
      this.post({ type: 'timeline', timeline, cause: 'window' });
    } catch (error) {
      if (generation !== this.generation) return;
      this.post({ type: 'error', message: `Cannot read cycles ${from}–${to} of the timeline: ${error instanceof Error ? error.message : String(error)}` });
    }
  }

  /** A fault chosen elsewhere (the Faults view): the webview goes to its cycle. */
  goToFault(cycle: number): void {
    this.post({ type: 'goToFault', cycle });
  }
}

/**
 * `iommu.showTimeline`: opens the timeline panel beside the editor, or brings it back; and
 * the Faults view's click (`goToFaultCommand`), which opens the fault's line and moves an
 * open timeline to the fault. Call once from `activate`.
 */
export function registerTimeline(context: vscode.ExtensionContext, sessions: IommuSessions): void {
  let panel: TimelinePanel | undefined;
  context.subscriptions.push(
    vscode.commands.registerCommand(showTimelineCommand, () => {
      if (panel) panel.reveal();
      else panel = new TimelinePanel(context.extensionUri, sessions, () => (panel = undefined));
    }),
    vscode.commands.registerCommand(goToFaultCommand, async (path: string, line: number, cycle: number) => {
      panel?.goToFault(cycle);
      await revealLine(path, line);
    }),
    { dispose: () => panel?.dispose() },
  );
}
