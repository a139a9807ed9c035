import { ErrorCodes, Position, Range, ResponseError, TextEdit, WorkspaceEdit } from 'vscode-languageserver';
import { SymbolEntry } from '../emulator/language/checker/symbols';
import { Range as SourceRange } from '../emulator/language/source';
import { Analysis } from './analysis';
import { labelOccurrences, nameAt, NameAt, symbolOccurrences } from './symbolsAt';

/** An identifier the lexer reads back as one word: `-` only before a letter or `_`. */
const validName = /^[A-Za-z_](?:[A-Za-z0-9_]|-(?=[A-Za-z_]))*$/;

function refuse(message: string): ResponseError<void> {
  return new ResponseError(ErrorCodes.InvalidParams, message);
}

/** The part of a name occurrence that a rename replaces: for an engine, its engine half. */
function renamedRange(analysis: Analysis, at: NameAt): SourceRange {
  if (at.kind === 'symbol' && at.entry.kind === 'engine') {
    const text = analysis.textOf(at.range);
    const dot = text.lastIndexOf('.');
    return { start: at.range.start + dot + 1, end: at.range.end };
  }
  return at.range;
}

function whyNot(at: NameAt): string | undefined {
  if (at.kind === 'symbol' && !at.entry.declaration) return `'${at.entry.name}' is the IOMMU core's built-in workqueue: it cannot be renamed`;
  return undefined;
}

/** Where rename starts: the name under the cursor, or why it cannot be renamed. */
export function prepareRename(analysis: Analysis, position: Position): Range | ResponseError<void> | null {
  const at = nameAt(analysis, analysis.offsetAt(position));
  if (!at) return null;
  const refusal = whyNot(at);
  return refusal ? refuse(refusal) : analysis.lspRange(renamedRange(analysis, at));
}

function symbolEdits(analysis: Analysis, entry: SymbolEntry, newName: string): TextEdit[] {
  const { declaration, references } = symbolOccurrences(analysis, entry);
  const edit = (range: SourceRange, text: string): TextEdit => ({ range: analysis.lspRange(range), newText: text });
  if (entry.kind === 'engine') {
    // `master.engine` everywhere: only the engine half changes.
    return [...(declaration ? [declaration] : []), ...references].map((range) => {
      const text = analysis.textOf(range);
      return edit(range, `${text.slice(0, text.lastIndexOf('.'))}.${newName}`);
    });
  }
  // A master's references include the master half of every `master.engine` (the checker records it).
  return [...(declaration ? [declaration] : []), ...references].map((range) => edit(range, newName));
}

/** Why `newName` would collide with another declaration of the same kind. */
function clash(analysis: Analysis, entry: SymbolEntry, newName: string): string | undefined {
  const full = entry.kind === 'engine' ? `${entry.name.slice(0, entry.name.lastIndexOf('.'))}.${newName}` : newName;
  const other = analysis.compiled.check.symbols.get(entry.kind, full);
  return other && other !== entry ? `there is already a ${entry.kind} '${full}'` : undefined;
}

/** Rename a declared name or a label everywhere; refuses a name the language cannot read back. */
export function rename(analysis: Analysis, position: Position, newName: string): WorkspaceEdit | ResponseError<void> | null {
  const at = nameAt(analysis, analysis.offsetAt(position));
  if (!at) return null;
  const refusal = whyNot(at);
  if (refusal) return refuse(refusal);
  if (!validName.test(newName)) {
    return refuse(`'${newName}' is not a valid name: a letter or '_', then letters, digits, '_', or '-' before a letter`);
  }
  const taken = at.kind === 'symbol' ? clash(analysis, at.entry, newName) : undefined;
  if (taken) return refuse(taken);
  const edits =
    at.kind === 'label'
      ? [...labelOccurrences(analysis, at.name).definitions, ...labelOccurrences(analysis, at.name).uses].map((range) => ({ range: analysis.lspRange(range), newText: newName }))
      : symbolEdits(analysis, at.entry, newName);
  return { changes: { [analysis.uri]: edits } };
}
