import * as vscode from 'vscode';

/** The scenario file a session runs: its launch configuration's `scenario`, resolved by VS Code. */
export function scenarioPath(session: vscode.DebugSession): string {
  const scenario: unknown = session.configuration['scenario'];
  return typeof scenario === 'string' ? scenario : '';
}

/** Whether a document is the scenario the session runs. */
export function runsDocument(session: vscode.DebugSession, document: vscode.TextDocument): boolean {
  return document.uri.scheme === 'file' && document.uri.fsPath === vscode.Uri.file(scenarioPath(session)).fsPath;
}
