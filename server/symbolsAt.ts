import { SymbolEntry } from '../emulator/language/checker/symbols';
import { contains, Range } from '../emulator/language/source';
import { Analysis } from './analysis';

/** A name under the cursor: a declared thing (where declared or referenced), or a transaction label. */
export type NameAt =
  | { kind: 'symbol'; entry: SymbolEntry; range: Range }
  | { kind: 'label'; name: string; range: Range };

/** Where a label is written: after `as` in transactions, and in `expect NAME …`. */
export function labelOccurrences(analysis: Analysis, name: string): { definitions: Range[]; uses: Range[] } {
  const definitions = (analysis.compiled.check.labels.get(name) ?? []).flatMap((t) => (t.label ? [t.label.range] : []));
  const uses = analysis.compiled.file.declarations.flatMap((d) =>
    d.kind === 'expect' && d.check && d.check.kind !== 'counter' && d.check.label.text === name ? [d.check.label.range] : [],
  );
  return { definitions, uses };
}

function labelAt(analysis: Analysis, offset: number): NameAt | undefined {
  for (const [name, transactions] of analysis.compiled.check.labels) {
    const at = transactions.find((t) => t.label && contains(t.label.range, offset));
    if (at?.label) return { kind: 'label', name, range: at.label.range };
  }
  for (const d of analysis.compiled.file.declarations) {
    if (d.kind === 'expect' && d.check && d.check.kind !== 'counter' && contains(d.check.label.range, offset) && analysis.compiled.check.labels.has(d.check.label.text)) {
      return { kind: 'label', name: d.check.label.text, range: d.check.label.range };
    }
  }
  return undefined;
}

/** The declared name or label at an offset, if the cursor is on one. */
export function nameAt(analysis: Analysis, offset: number): NameAt | undefined {
  const symbols = analysis.compiled.check.symbols;
  const reference = symbols.references.find((r) => r.target && contains(r.range, offset));
  if (reference?.target) return { kind: 'symbol', entry: reference.target, range: reference.range };
  for (const kind of ['smmu', 'domain', 'master', 'engine', 'workqueue', 'handler', 'vfio'] as const) {
    const entry = symbols.declared(kind).find((e) => contains(e.nameRange, offset));
    if (entry) return { kind: 'symbol', entry, range: entry.nameRange };
  }
  return labelAt(analysis, offset);
}

/** Every place a declared thing is named: its declaration first, then each reference. */
export function symbolOccurrences(analysis: Analysis, entry: SymbolEntry): { declaration: Range | undefined; references: Range[] } {
  const references = analysis.compiled.check.symbols.references.filter((r) => r.target === entry).map((r) => r.range);
  return { declaration: entry.nameRange, references };
}
