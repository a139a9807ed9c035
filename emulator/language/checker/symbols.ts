import {
  Declaration,
  DomainDeclaration,
  EngineDeclaration,
  HandlerDeclaration,
  MasterDeclaration,
  Name,
  PagetableDeclaration,
  ScenarioFile,
  SmmuDeclaration,
  VfioDeclaration,
  VmDeclaration,
  WorkqueueDeclaration,
} from '../ast';
import { DiagnosticSink } from '../diagnostics';
import { NameKind } from '../schema';
import { suggest } from '../suggestions';
import { LineIndex, Range } from '../source';

export type DeclarationOf<K extends NameKind> = {
  smmu: SmmuDeclaration;
  domain: DomainDeclaration;
  master: MasterDeclaration;
  engine: EngineDeclaration;
  workqueue: WorkqueueDeclaration;
  handler: HandlerDeclaration;
  pagetable: PagetableDeclaration;
  vfio: VfioDeclaration;
  vm: VmDeclaration;
}[K];

/** A declared name: what it is, where it is declared. Built-ins (the `iopf` workqueue) have no declaration. */
export interface SymbolEntry<K extends NameKind = NameKind> {
  kind: K;
  name: string;
  nameRange: Range | undefined;
  declaration: DeclarationOf<K> | undefined;
}

/** A place that names a declared thing (`domain gpu_dom` in a master, `on gpu_dom`, `gpu.cp` …). */
export interface Reference {
  kind: NameKind;
  name: string;
  range: Range;
  target: SymbolEntry | undefined;
}

/** The workqueue the IOMMU core provides: Linux's iopf queue, two workers, unbound. */
export const builtinWorkqueue = 'iopf';

export class SymbolTable {
  private readonly tables = new Map<NameKind, Map<string, SymbolEntry>>();
  readonly references: Reference[] = [];

  constructor() {
    for (const kind of ['smmu', 'domain', 'master', 'engine', 'workqueue', 'handler', 'pagetable', 'vfio', 'vm'] as const) {
      this.tables.set(kind, new Map());
    }
    this.table('workqueue').set(builtinWorkqueue, { kind: 'workqueue', name: builtinWorkqueue, nameRange: undefined, declaration: undefined });
  }

  private table(kind: NameKind): Map<string, SymbolEntry> {
    const table = this.tables.get(kind);
    if (!table) throw new Error(`no symbol table for ${kind}`);
    return table;
  }

  get<K extends NameKind>(kind: K, name: string): SymbolEntry<K> | undefined {
    return this.table(kind).get(name) as SymbolEntry<K> | undefined;
  }

  all<K extends NameKind>(kind: K): SymbolEntry<K>[] {
    return [...this.table(kind).values()] as SymbolEntry<K>[];
  }

  /** Declared (not built-in) entries of a kind, in file order. */
  declared<K extends NameKind>(kind: K): (SymbolEntry<K> & { declaration: DeclarationOf<K>; nameRange: Range })[] {
    return this.all(kind).filter(
      (e): e is SymbolEntry<K> & { declaration: DeclarationOf<K>; nameRange: Range } => e.declaration !== undefined && e.nameRange !== undefined,
    );
  }

  declare<K extends NameKind>(kind: K, name: string, nameRange: Range, declaration: DeclarationOf<K>, sink: DiagnosticSink, lines: LineIndex): void {
    const table = this.table(kind);
    const existing = table.get(name);
    if (existing?.nameRange) {
      sink.error('duplicate-name', nameRange, `duplicate ${kind} '${name}' (first declared on line ${lines.lineOf(existing.nameRange.start)})`, [
        { range: existing.nameRange, message: `first ${kind} '${name}'` },
      ]);
      return;
    }
    table.set(name, { kind, name, nameRange, declaration });
  }

  /** Records a reference and reports it when nothing of that kind has that name. */
  resolve<K extends NameKind>(kind: K, name: Name, sink: DiagnosticSink): SymbolEntry<K> | undefined {
    const target = this.get(kind, name.text);
    this.references.push({ kind, name: name.text, range: name.range, target });
    if (!target) {
      const known = this.all(kind).map((e) => e.name);
      const hint = known.length > 0 ? ` (${kind === 'engine' ? 'engines' : `${kind}s`}: ${known.join(', ')})` : ` (there is no ${kind})`;
      const meant = suggest(name.text, name.range, known);
      sink.error('unknown-name', name.range, `unknown ${kind} '${name.text}'${hint}${meant.hint}`, undefined, meant.fix);
    }
    return target;
  }
}

function declarationName(declaration: Declaration): { kind: NameKind; name: string; range: Range } | undefined {
  switch (declaration.kind) {
    case 'smmu':
    case 'domain':
    case 'master':
    case 'workqueue':
    case 'handler':
    case 'pagetable':
    case 'vfio':
    case 'vm':
      return declaration.name ? { kind: declaration.kind, name: declaration.name.text, range: declaration.name.range } : undefined;
    case 'engine':
      return declaration.name
        ? { kind: 'engine', name: `${declaration.name.master.text}.${declaration.name.engine.text}`, range: declaration.name.range }
        : undefined;
    default:
      return undefined;
  }
}

/** Pass one: every declared name, so that references may come before declarations. */
export function collectSymbols(file: ScenarioFile, sink: DiagnosticSink, lines: LineIndex): SymbolTable {
  const symbols = new SymbolTable();
  for (const declaration of file.declarations) {
    const named = declarationName(declaration);
    if (!named) continue;
    // Declaring `iopf` reconfigures the built-in queue: `declare` replaces an entry without a declaration.
    symbols.declare(named.kind, named.name, named.range, declaration as DeclarationOf<typeof named.kind>, sink, lines);
  }
  return symbols;
}
