import { TextEdit } from 'vscode-languageserver';
import { QuickFix } from '../emulator/language/diagnostics';
import { Analysis } from './analysis';

/**
 * A diagnostic's `data` when the checker found a fix for it: the fix in LSP terms. The
 * client hands it back with the diagnostic in a code action request (LSP 3.16
 * `data` is preserved), so the action is the one published with that diagnostic.
 */
export interface QuickFixData {
  fix: { title: string; edits: TextEdit[] };
}

export function quickFixData(analysis: Analysis, fix: QuickFix): QuickFixData {
  return { fix: { title: fix.title, edits: fix.edits.map((e) => ({ range: analysis.lspRange(e.range), newText: e.newText })) } };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function isPosition(value: unknown): boolean {
  return isRecord(value) && Number.isInteger(value.line) && Number.isInteger(value.character);
}

function isTextEdit(value: unknown): value is TextEdit {
  return isRecord(value) && typeof value.newText === 'string' && isRecord(value.range) && isPosition(value.range.start) && isPosition(value.range.end);
}

/** The fix in a diagnostic's `data`, when the data is one this server wrote (it comes back from the client unchecked). */
export function fixOf(data: unknown): QuickFixData['fix'] | undefined {
  if (!isRecord(data) || !isRecord(data.fix)) return undefined;
  const { title, edits } = data.fix;
  if (typeof title !== 'string' || !Array.isArray(edits) || !edits.every(isTextEdit)) return undefined;
  return { title, edits };
}
