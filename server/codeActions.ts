import { CodeAction, CodeActionKind, CodeActionParams } from 'vscode-languageserver';
import { Analysis } from './analysis';
import { fixOf } from './quickFixData';

/**
 * Quick fixes: one for each of the request's diagnostics that carries a fix (a misspelt
 * name or keyword, a master missing `can-stall`, a misaligned map, a sleep in irq
 * context), each tied to its diagnostic.
 */
export function codeActions(analysis: Analysis, params: CodeActionParams): CodeAction[] {
  const only = params.context.only;
  if (only && !only.some((kind) => kind === CodeActionKind.QuickFix || CodeActionKind.QuickFix.startsWith(`${kind}.`))) return [];
  return params.context.diagnostics.flatMap((diagnostic): CodeAction[] => {
    const fix = diagnostic.source === 'iommu' ? fixOf(diagnostic.data) : undefined;
    if (!fix) return [];
    return [{ title: fix.title, kind: CodeActionKind.QuickFix, diagnostics: [diagnostic], isPreferred: true, edit: { changes: { [analysis.uri]: fix.edits } } }];
  });
}
