import * as vscode from 'vscode';

/**
 * Opens a scenario at a 1-based line, selected and centred: where a view row or a timeline
 * span points. With `besides`, not in that column (a panel there would be hidden by it).
 */
export async function revealLine(path: string, line: number, besides?: vscode.ViewColumn): Promise<void> {
  const document = await vscode.workspace.openTextDocument(vscode.Uri.file(path));
  const range = document.lineAt(Math.max(0, Math.min(line, document.lineCount) - 1)).range;
  let viewColumn: vscode.ViewColumn | undefined;
  if (besides !== undefined) {
    const showing = vscode.window.visibleTextEditors.find((editor) => editor.document === document && editor.viewColumn !== besides);
    viewColumn = showing?.viewColumn ?? (besides === vscode.ViewColumn.One ? vscode.ViewColumn.Two : vscode.ViewColumn.One);
  }
  const editor = await vscode.window.showTextDocument(document, { viewColumn, selection: range, preserveFocus: false });
  editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
}

export const revealLineCommand = 'iommu.revealLine';

/** The command a tree row runs when clicked. */
export function revealLineOnClick(path: string, line: number): vscode.Command {
  return { command: revealLineCommand, title: 'Go to Line', arguments: [path, line] };
}
