import {
  DidChangeTextDocumentNotification,
  DidOpenTextDocumentNotification,
  PublishDiagnosticsNotification,
  PublishDiagnosticsParams,
} from 'vscode-languageserver-protocol/node';
import { initialize, inProcessServer, LspPeer } from '../helpers/lspClient';

export const scenarioUri = 'file:///work/test.iommu';

/** A server in this process with one `.iommu` document open; diagnostics are collected as they come. */
export class OpenScenario {
  private readonly published: PublishDiagnosticsParams[] = [];
  private readonly waiters: ((params: PublishDiagnosticsParams) => void)[] = [];
  private version = 1;

  private constructor(
    readonly peer: LspPeer,
    public text: string,
    readonly uri: string,
  ) {
    peer.connection.onNotification(PublishDiagnosticsNotification.type, (params) => {
      this.published.push(params);
      for (const waiter of this.waiters.splice(0)) waiter(params);
    });
  }

  /** `languageId` and `uri` open another kind of document (a kernel log: `log`, `file:///work/dmesg.log`). */
  static async open(text: string, languageId = 'iommu-scenario', uri = scenarioUri): Promise<OpenScenario> {
    const peer = inProcessServer();
    const scenario = new OpenScenario(peer, text, uri);
    await initialize(peer);
    const published = scenario.nextDiagnostics();
    await peer.connection.sendNotification(DidOpenTextDocumentNotification.type, {
      textDocument: { uri, languageId, version: 1, text },
    });
    await published;
    return scenario;
  }

  get connection() {
    return this.peer.connection;
  }

  /** The diagnostics the server published last. */
  get diagnostics() {
    return this.published.at(-1)?.diagnostics ?? [];
  }

  private nextDiagnostics(): Promise<PublishDiagnosticsParams> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Replaces the whole text, as an editor does on a full change; resolves with the new diagnostics. */
  async change(text: string): Promise<PublishDiagnosticsParams> {
    this.text = text;
    const published = this.nextDiagnostics();
    await this.connection.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri: this.uri, version: ++this.version },
      contentChanges: [{ text }],
    });
    return published;
  }

  /** The LSP position of the `occurrence`-th appearance of `needle`, plus `delta` characters. */
  position(needle: string, delta = 0, occurrence = 0): { line: number; character: number } {
    const offset = this.offset(needle, occurrence) + delta;
    const before = this.text.slice(0, offset).split('\n');
    return { line: before.length - 1, character: (before.at(-1) ?? '').length };
  }

  /** The LSP range of the `occurrence`-th appearance of `needle`. */
  range(needle: string, occurrence = 0) {
    return { start: this.position(needle, 0, occurrence), end: this.position(needle, needle.length, occurrence) };
  }

  /** The text an LSP range covers. */
  textAt(range: { start: { line: number; character: number }; end: { line: number; character: number } }): string {
    const offsetOf = (p: { line: number; character: number }): number =>
      this.text.split('\n').slice(0, p.line).reduce((sum, line) => sum + line.length + 1, 0) + p.character;
    return this.text.slice(offsetOf(range.start), offsetOf(range.end));
  }

  offset(needle: string, occurrence = 0): number {
    let at = -1;
    for (let i = 0; i <= occurrence; i++) {
      at = this.text.indexOf(needle, at + 1);
      if (at < 0) throw new Error(`'${needle}' (#${occurrence}) is not in the scenario`);
    }
    return at;
  }

  close(): void {
    this.peer.dispose();
  }
}
