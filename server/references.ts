import { Location, Position } from 'vscode-languageserver';
import { Range } from '../emulator/language/source';
import { Analysis } from './analysis';
import { labelOccurrences, nameAt, symbolOccurrences } from './symbolsAt';

/** Find references: every place the name under the cursor is used, in document order. */
export function references(analysis: Analysis, position: Position, includeDeclaration: boolean): Location[] {
  const at = nameAt(analysis, analysis.offsetAt(position));
  if (!at) return [];
  let ranges: Range[];
  if (at.kind === 'label') {
    const { definitions, uses } = labelOccurrences(analysis, at.name);
    ranges = [...(includeDeclaration ? definitions : []), ...uses];
  } else {
    const { declaration, references: uses } = symbolOccurrences(analysis, at.entry);
    ranges = [...(includeDeclaration && declaration ? [declaration] : []), ...uses];
  }
  return ranges.sort((a, b) => a.start - b.start).map((range) => ({ uri: analysis.uri, range: analysis.lspRange(range) }));
}
