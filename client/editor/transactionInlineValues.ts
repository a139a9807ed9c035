import * as vscode from 'vscode';
import { IommuSessions } from '../session/iommuSessions';
import { runsDocument } from '../session/scenarioPath';
import { lineSummary } from './lineSummary';

/** Beside each transaction line the session has run: what its transactions became (counted by the machine, however long the run). */
export class TransactionInlineValues implements vscode.InlineValuesProvider {
  constructor(private readonly sessions: IommuSessions) {}

  async provideInlineValues(document: vscode.TextDocument, viewPort: vscode.Range): Promise<vscode.InlineValue[]> {
    const session = this.sessions.active;
    if (!session || !this.sessions.isStopped(session) || !runsDocument(session, document)) return [];
    const { lines } = await this.sessions.request(session, 'iommu/lines', {});
    const values: vscode.InlineValue[] = [];
    for (const counted of lines) {
      const at = counted.line - 1;
      if (at < viewPort.start.line || at > viewPort.end.line || at >= document.lineCount) continue;
      const text = lineSummary(counted);
      if (text) values.push(new vscode.InlineValueText(document.lineAt(at).range, text));
    }
    return values;
  }
}
