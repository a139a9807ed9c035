import { TextDocumentContentChangeEvent, TextDocumentsConfiguration } from 'vscode-languageserver';
import { Position, TextDocument } from 'vscode-languageserver-textdocument';

/** A position brought inside the document, as LSP clamps one: past a line's end to its end, past the last line to the end of the text. */
function inside(document: TextDocument, position: Position): Position {
  return document.positionAt(document.offsetAt(position));
}

/**
 * How the server's copy of a document takes a change: as `TextDocument.update`, but with
 * each range first brought inside the text it applies to. The library takes a range past
 * the end into its line table as it is, and every later change then lands in the wrong
 * place: the server would be analysing a text the editor does not show (a fuzzer finding).
 */
export function updateDocument(document: TextDocument, changes: TextDocumentContentChangeEvent[], version: number): TextDocument {
  for (const change of changes) {
    const clamped = 'range' in change ? { text: change.text, range: { start: inside(document, change.range.start), end: inside(document, change.range.end) } } : change;
    TextDocument.update(document, [clamped], version);
  }
  return document;
}

export const documentsConfiguration: TextDocumentsConfiguration<TextDocument> = { create: TextDocument.create, update: updateDocument };
