import { Location, Position } from 'vscode-languageserver';
import { Analysis } from './analysis';
import { labelOccurrences, nameAt } from './symbolsAt';

/** Go to definition: a name's declaration; a label's `as NAME` (every transaction that carries it). */
export function definition(analysis: Analysis, position: Position): Location[] | null {
  const at = nameAt(analysis, analysis.offsetAt(position));
  if (!at) return null;
  const ranges = at.kind === 'label' ? labelOccurrences(analysis, at.name).definitions : at.entry.nameRange ? [at.entry.nameRange] : [];
  return ranges.length > 0 ? ranges.map((range) => ({ uri: analysis.uri, range: analysis.lspRange(range) })) : null;
}
