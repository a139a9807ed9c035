import * as vscode from 'vscode';
import { IommuSessions } from '../session/iommuSessions';

/**
 * A tree fed by the active IOMMU session while it is stopped, refetched on every stop and
 * change the tracker sees. While the scenario runs, or with no session, it is empty and
 * the view's welcome text says why.
 */
export abstract class SessionTree<T> implements vscode.TreeDataProvider<T>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<T | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscription: vscode.Disposable;

  constructor(protected readonly sessions: IommuSessions) {
    this.subscription = sessions.onDidChange(() => this.refresh());
  }

  refresh(): void {
    this.changed.fire(undefined);
  }

  async getChildren(element?: T): Promise<T[]> {
    const session = this.sessions.active;
    if (!session || !this.sessions.isStopped(session)) return [];
    try {
      return await (element === undefined ? this.roots(session) : this.children(session, element));
    } catch (error) {
      // A request refused (the session ended under us): nothing to show, and no error popup per row.
      console.warn(`IOMMU view: ${error instanceof Error ? error.message : String(error)}`);
      return [];
    }
  }

  protected abstract roots(session: vscode.DebugSession): Promise<T[]>;

  protected children(_session: vscode.DebugSession, _element: T): Promise<T[]> {
    return Promise.resolve([]);
  }

  abstract getTreeItem(element: T): vscode.TreeItem;

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}
