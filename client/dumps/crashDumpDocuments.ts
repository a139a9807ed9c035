import * as vscode from 'vscode';
import { IommuSessions, RunSource } from '../session/iommuSessions';

export const crashDumpScheme = 'iommu-dump';
export const openCrashDumpCommand = 'iommu.openCrashDump';

/** The id of the session a run source's dumps belong to. */
function sessionOf(source: RunSource): string {
  return source.kind === 'live' ? source.session.id : source.run.session;
}

/** `iommu-dump:/crash-dump-0.txt?session=…&id=0`: one dump of one session. */
export function dumpUri(session: string, id: number): vscode.Uri {
  return vscode.Uri.from({ scheme: crashDumpScheme, path: `/crash-dump-${id}.txt`, query: new URLSearchParams({ session, id: String(id) }).toString() });
}

/**
 * Crash dumps as read-only documents, of the active session or of the last run that
 * ended (its dumps came with its `iommu/ended`). A dump never changes once taken, so its
 * text is kept and the document still opens after the run is replaced.
 */
export class CrashDumpDocuments implements vscode.TextDocumentContentProvider {
  private readonly texts = new Map<string, string>();

  constructor(private readonly sessions: IommuSessions) {}

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const known = this.texts.get(uri.toString());
    if (known !== undefined) return known;
    const query = new URLSearchParams(uri.query);
    const source = this.sessions.source();
    const id = Number(query.get('id'));
    if (!source || sessionOf(source) !== query.get('session')) return `The run that took crash dump #${id} is no longer kept: another session has started since.`;
    const body = await this.sessions.ask(source, 'iommu/dump', { id });
    const text = body.text ?? `There is no crash dump #${id}.`;
    this.texts.set(uri.toString(), text);
    return text;
  }

  /** Opens a dump of the active session, or of the last run; without an id, asks which one. */
  async open(id?: number): Promise<void> {
    const source = this.sessions.source();
    if (!source) {
      void vscode.window.showErrorMessage('Start debugging a scenario first (F5 on a .iommu file).');
      return;
    }
    const chosen = id ?? (await this.pick(source));
    if (chosen === undefined) return;
    const document = await vscode.workspace.openTextDocument(dumpUri(sessionOf(source), chosen));
    await vscode.window.showTextDocument(document, { preview: false });
  }

  private async pick(source: RunSource): Promise<number | undefined> {
    const { dumps } = await this.sessions.ask(source, 'iommu/dump', {});
    if (dumps.length === 0) {
      void vscode.window.showInformationMessage('No crash dump yet: a handler takes one with `dump`.');
      return undefined;
    }
    const items = dumps.map((d) => ({ label: `Crash dump #${d.id}`, description: `${d.handler} on ${d.thread} at cycle ${d.cycle}`, id: d.id }));
    const picked = items.length === 1 ? items[0] : await vscode.window.showQuickPick(items, { title: 'Open Crash Dump' });
    return picked?.id;
  }
}
