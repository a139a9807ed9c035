import * as vscode from 'vscode';
import { IommuSessions } from '../session/iommuSessions';

export const crashDumpScheme = 'iommu-dump';
export const openCrashDumpCommand = 'iommu.openCrashDump';

/** `iommu-dump:/crash-dump-0.txt?session=…&id=0`: one dump of one session. */
function dumpUri(session: vscode.DebugSession, id: number): vscode.Uri {
  return vscode.Uri.from({ scheme: crashDumpScheme, path: `/crash-dump-${id}.txt`, query: new URLSearchParams({ session: session.id, id: String(id) }).toString() });
}

/**
 * Crash dumps as read-only documents. A dump never changes once taken, so its text is kept
 * and the document still opens after the session has ended.
 */
export class CrashDumpDocuments implements vscode.TextDocumentContentProvider {
  private readonly texts = new Map<string, string>();

  constructor(private readonly sessions: IommuSessions) {}

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const known = this.texts.get(uri.toString());
    if (known !== undefined) return known;
    const query = new URLSearchParams(uri.query);
    const session = this.sessions.active;
    const id = Number(query.get('id'));
    if (!session || session.id !== query.get('session')) return `The debug session that took crash dump #${id} has ended.`;
    const body = await this.sessions.request(session, 'iommu/dump', { id });
    const text = body.text ?? `There is no crash dump #${id}.`;
    this.texts.set(uri.toString(), text);
    return text;
  }

  /** Opens a dump of the active session; without an id, asks which one. */
  async open(id?: number): Promise<void> {
    const session = this.sessions.active;
    if (!session) {
      void vscode.window.showErrorMessage('Start debugging a scenario first (F5 on a .iommu file).');
      return;
    }
    const chosen = id ?? (await this.pick(session));
    if (chosen === undefined) return;
    const document = await vscode.workspace.openTextDocument(dumpUri(session, chosen));
    await vscode.window.showTextDocument(document, { preview: false });
  }

  private async pick(session: vscode.DebugSession): Promise<number | undefined> {
    const { dumps } = await this.sessions.request(session, 'iommu/dump', {});
    if (dumps.length === 0) {
      void vscode.window.showInformationMessage('No crash dump yet: a handler takes one with `dump`.');
      return undefined;
    }
    const items = dumps.map((d) => ({ label: `Crash dump #${d.id}`, description: `${d.handler} on ${d.thread} at cycle ${d.cycle}`, id: d.id }));
    const picked = items.length === 1 ? items[0] : await vscode.window.showQuickPick(items, { title: 'Open Crash Dump' });
    return picked?.id;
  }
}
