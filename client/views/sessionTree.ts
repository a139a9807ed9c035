import * as vscode from 'vscode';
import { endedAt } from '../session/keptRun';
import { IommuSessions, RunSource } from '../session/iommuSessions';

/** The one row of a view whose kept run has nothing to show: it says so, instead of the "Debug a scenario" welcome. */
export class EndedNote {
  constructor(readonly text: string) {}
}

/**
 * A tree fed by the active IOMMU session while it is stopped, refetched on every stop and
 * change the tracker sees; once the session has ended, by the state its run ended in,
 * read-only. While the scenario runs, or with no run at all, it is empty and the view's
 * welcome text says why.
 */
export abstract class SessionTree<T extends object> implements vscode.TreeDataProvider<T | EndedNote>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<T | EndedNote | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscription: vscode.Disposable;
  /** What the view says when the kept run has no row for it: `No transaction was stalled`. */
  protected abstract readonly noneWhenEnded: string;

  constructor(protected readonly sessions: IommuSessions) {
    this.subscription = sessions.onDidChange(() => this.refresh());
  }

  refresh(): void {
    this.changed.fire(undefined);
  }

  async getChildren(element?: T | EndedNote): Promise<(T | EndedNote)[]> {
    if (element instanceof EndedNote) return [];
    const source = this.sessions.source();
    if (!source || (source.kind === 'live' && !source.stopped)) return [];
    try {
      if (element !== undefined) return await this.children(source, element);
      const roots = await this.roots(source);
      return roots.length === 0 && source.kind === 'kept' ? [new EndedNote(`${this.noneWhenEnded} when the run ${endedAt(source.run)}.`)] : roots;
    } catch (error) {
      // A request refused (the session ended under us): nothing to show, and no error popup per row.
      console.warn(`IOMMU view: ${error instanceof Error ? error.message : String(error)}`);
      return [];
    }
  }

  /** Whether the rows are a kept run's: no action may be offered on them. */
  protected get readOnly(): boolean {
    return this.sessions.source()?.kind === 'kept';
  }

  protected abstract roots(source: RunSource): Promise<T[]>;

  protected children(_source: RunSource, _element: T): Promise<T[]> {
    return Promise.resolve([]);
  }

  getTreeItem(element: T | EndedNote): vscode.TreeItem {
    if (!(element instanceof EndedNote)) return this.item(element);
    const item = new vscode.TreeItem(element.text, vscode.TreeItemCollapsibleState.None);
    item.iconPath = new vscode.ThemeIcon('history');
    return item;
  }

  protected abstract item(element: T): vscode.TreeItem;

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}
