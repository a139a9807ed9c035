import * as vscode from 'vscode';
import { dumpUri } from '../dumps/crashDumpDocuments';
import { IommuSessions, SessionChange } from '../session/iommuSessions';
import { runReport } from './runReport';

export const runReportScheme = 'iommu-report';
export const showRunReportCommand = 'iommu.showRunReport';

/** `iommu-report:/a530-fault-no-stall run report.md?session=…`: the report of one session's run. */
function reportUri(session: string, scenario: string): vscode.Uri {
  const name = scenario.split(/[\\/]/).pop() ?? 'scenario';
  return vscode.Uri.from({ scheme: runReportScheme, path: `/${name.replace(/\.iommu$/, '')} run report.md`, query: new URLSearchParams({ session }).toString() });
}

/**
 * The run report as a read-only markdown document, written from the last run that ended.
 * It opens by itself when a Run (without debugging) ends; after a debug session,
 * `IOMMU: Show Run Report` opens it.
 */
export class RunReportDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly subscription: vscode.Disposable;

  constructor(private readonly sessions: IommuSessions) {
    this.subscription = sessions.onDidChange((change) => this.sessionChanged(change));
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    const run = this.sessions.lastRun;
    if (!run || run.session !== new URLSearchParams(uri.query).get('session')) return 'The run this report was written for is no longer kept: another session has started since.\n';
    return runReport(run, {
      line: (file, line) => vscode.Uri.file(file).with({ fragment: `L${line}` }).toString(),
      dump: (id) => dumpUri(run.session, id).toString(),
    });
  }

  private sessionChanged(change: SessionChange): void {
    const run = this.sessions.lastRun;
    if (change.kind !== 'ended' || run?.session !== change.session.id || !run.noDebug) return;
    this.show().then(undefined, (error: unknown) => {
      void vscode.window.showErrorMessage(`IOMMU: cannot open the run report: ${error instanceof Error ? error.message : String(error)}`);
    });
  }

  /** Opens the last run's report, or says why there is none. */
  async show(): Promise<void> {
    const run = this.sessions.lastRun;
    if (!run) {
      void vscode.window.showInformationMessage(this.sessions.active ? 'The run has not ended yet: its report is written when it ends.' : 'Run a scenario first (Ctrl+F5 on a .iommu file): its report opens when it ends.');
      return;
    }
    const document = await vscode.workspace.openTextDocument(reportUri(run.session, run.ended.path));
    await vscode.window.showTextDocument(document, { preview: false });
  }

  dispose(): void {
    this.subscription.dispose();
  }
}
