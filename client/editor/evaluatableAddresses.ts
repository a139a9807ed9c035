import * as vscode from 'vscode';

/** An address literal of the scenario language: `0x0700_0000`, `4096`. */
const addressLiteral = /0[xX][0-9a-fA-F_]+|\b\d[\d_]*\b/;

/**
 * During a session, the number under the mouse is what the debug hover evaluates: the
 * adapter answers a literal in `hover` context with its live translation and walk.
 */
export class EvaluatableAddresses implements vscode.EvaluatableExpressionProvider {
  provideEvaluatableExpression(document: vscode.TextDocument, position: vscode.Position): vscode.EvaluatableExpression | undefined {
    const range = document.getWordRangeAtPosition(position, addressLiteral);
    return range ? new vscode.EvaluatableExpression(range, document.getText(range)) : undefined;
  }
}
