import * as vscode from 'vscode';
import { TimelineSpan } from '../../debug-adapter/protocol';
import { IommuSessions } from '../session/iommuSessions';
import { runsDocument } from '../session/scenarioPath';
import { lineSummary } from './lineSummary';

/** Beside each transaction line the session has run: its status and PA. */
export class TransactionInlineValues implements vscode.InlineValuesProvider {
  constructor(private readonly sessions: IommuSessions) {}

  async provideInlineValues(document: vscode.TextDocument, viewPort: vscode.Range): Promise<vscode.InlineValue[]> {
    const session = this.sessions.active;
    if (!session || !this.sessions.isStopped(session) || !runsDocument(session, document)) return [];
    const timeline = await this.sessions.request(session, 'iommu/timeline', {});
    const byLine = new Map<number, TimelineSpan[]>();
    for (const span of timeline.spans) {
      if (span.kind !== 'transaction' && span.kind !== 'stall') continue;
      const spans = byLine.get(span.line);
      if (spans) spans.push(span);
      else byLine.set(span.line, [span]);
    }
    const values: vscode.InlineValue[] = [];
    for (const [line, spans] of byLine) {
      const at = line - 1;
      if (at < viewPort.start.line || at > viewPort.end.line || at >= document.lineCount) continue;
      const text = lineSummary(spans);
      if (text) values.push(new vscode.InlineValueText(document.lineAt(at).range, text));
    }
    return values;
  }
}
