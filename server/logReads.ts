import { TextDocument } from 'vscode-languageserver-textdocument';
import { ReadFault, readFaults } from '../emulator/inspect/faultLogs';

/**
 * The reports of each open log document, read once per document version: a hover or a
 * CodeLens request asks for them again at every mouse move, and a long dmesg is worth
 * reading once.
 */
export class LogReads {
  private readonly byUri = new Map<string, { version: number; faults: readonly ReadFault[] }>();

  of(document: TextDocument): readonly ReadFault[] {
    const cached = this.byUri.get(document.uri);
    if (cached && cached.version === document.version) return cached.faults;
    const faults = readFaults(document.getText());
    this.byUri.set(document.uri, { version: document.version, faults });
    return faults;
  }

  forget(uri: string): void {
    this.byUri.delete(uri);
  }
}
