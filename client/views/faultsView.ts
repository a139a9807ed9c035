import * as vscode from 'vscode';
import { DumpSummary, FaultSummary } from '../../debug-adapter/protocol';
import { openCrashDumpCommand } from '../dumps/crashDumpDocuments';
import { RunSource } from '../session/iommuSessions';
import { faultAnswer, faultClick } from './faultRows';
import { SessionTree } from './sessionTree';

export const faultsViewId = 'iommu.faults';
/** Whether the Faults view lists a crash dump. */
const hasCrashDumpsContext = 'iommu.hasCrashDumps';

export type FaultsNode = { kind: 'fault'; fault: FaultSummary } | { kind: 'dump'; dump: DumpSummary };

/** Every fault so far, newest first, then the crash dumps the handlers took. */
export class FaultsView extends SessionTree<FaultsNode> {
  protected readonly noneWhenEnded = 'No fault';

  protected async roots(source: RunSource): Promise<FaultsNode[]> {
    const [faults, dumps] = await Promise.all([this.sessions.ask(source, 'iommu/faults', {}), this.sessions.ask(source, 'iommu/dump', {})]);
    // The view's title offers "Open Crash Dump" only when there is one to open.
    void vscode.commands.executeCommand('setContext', hasCrashDumpsContext, dumps.dumps.length > 0);
    return [...faults.faults.map((fault): FaultsNode => ({ kind: 'fault', fault })), ...dumps.dumps.map((dump): FaultsNode => ({ kind: 'dump', dump }))];
  }

  protected item(node: FaultsNode): vscode.TreeItem {
    if (node.kind === 'dump') {
      const d = node.dump;
      const item = new vscode.TreeItem(`Crash dump #${d.id}`, vscode.TreeItemCollapsibleState.None);
      item.id = `dump-${d.id}`;
      item.description = `${d.handler} on ${d.thread} · cycle ${d.cycle}`;
      item.iconPath = new vscode.ThemeIcon('output');
      item.command = { command: openCrashDumpCommand, title: 'Open Crash Dump', arguments: [d.id] };
      return item;
    }
    const f = node.fault;
    const item = new vscode.TreeItem(`#${f.id} ${f.kind} fault`, vscode.TreeItemCollapsibleState.None);
    item.id = `fault-${f.id}`;
    item.description = `${f.iova} · ${f.engine} · level ${f.level} · cycle ${f.cycle} · ${faultAnswer(f)}`;
    item.tooltip = new vscode.MarkdownString(
      [`**${f.kind} fault** at \`${f.iova}\` (level ${f.level}): ${f.reason}`, `From ${f.engine}, stream \`0x${f.sid.toString(16)}\`, at cycle ${f.cycle}, line ${f.line}.`, `Answer: ${faultAnswer(f)}.`].join('\n\n'),
    );
    item.iconPath = new vscode.ThemeIcon('error', new vscode.ThemeColor('charts.red'));
    item.contextValue = 'iommu.fault';
    item.command = faultClick(f);
    return item;
  }
}
