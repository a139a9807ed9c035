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

/**
 * `master.engine` names two things. Its master half (up to the dot) is a reference to the
 * master of its own when there is one (the checker records it, and it is found first); on
 * the master half of an engine whose master is not declared, the cursor is on no name.
 */
function withinEngineName(analysis: Analysis, at: NameAt, offset: number): NameAt | undefined {
  if (at.kind !== 'symbol' || at.entry.kind !== 'engine') return at;
  const dot = analysis.textOf(at.range).lastIndexOf('.');
  return dot >= 0 && offset <= at.range.start + dot ? undefined : at;
}

/**
 * The declared name or label at an offset, if the cursor is on one. A name that refers to
 * nothing (an unknown master in `engine n.t`) is no name: not the declaration around it.
 */
export function nameAt(analysis: Analysis, offset: number): NameAt | undefined {
  const symbols = analysis.compiled.check.symbols;
  const references = symbols.references.filter((r) => contains(r.range, offset));
  const reference = references.find((r) => r.target);
  if (reference?.target) return withinEngineName(analysis, { kind: 'symbol', entry: reference.target, range: reference.range }, offset);
  if (references.length > 0) return undefined;
  for (const kind of ['smmu', 'domain', 'master', 'engine', 'workqueue', 'handler', 'vfio', 'vm'] as const) {
    const entry = symbols.declared(kind).find((e) => contains(e.nameRange, offset));
    if (entry) return withinEngineName(analysis, { kind: 'symbol', entry, range: entry.nameRange }, offset);
  }
  return labelAt(analysis, offset);
}

/** Every place a declared thing is named: its declaration first, then each reference. */
export function symbolOccurrences(analysis: Analysis, entry: SymbolEntry): { declaration: Range | undefined; references: Range[] } {
  const references = analysis.compiled.check.symbols.references.filter((r) => r.target === entry).map((r) => r.range);
  return { declaration: entry.nameRange, references };
}
