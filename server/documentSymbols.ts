import { DocumentSymbol, SymbolKind } from 'vscode-languageserver';
import {
  Declaration,
  DomainDeclaration,
  EngineDeclaration,
  EngineItem,
  ExpectDeclaration,
  HandlerDeclaration,
  HandlerStatement,
  IfStatement,
  MapStatement,
  MasterDeclaration,
  Name,
  SmmuDeclaration,
  Transaction,
  VfioDeclaration,
  WorkqueueDeclaration,
} from '../emulator/language/ast';
import { BlockSettings } from '../emulator/language/checker/settings';
import { versionOf } from '../emulator/language/checker/context';
import { EngineBlock, transactionCount, walkEngineItems } from '../emulator/language/engineItems';
import { constantValue } from '../emulator/language/evaluate';
import { BlockKind, existsOn, settingSpec } from '../emulator/language/schema';
import { Range } from '../emulator/language/source';
import { Analysis } from './analysis';
import { smmuKindNamed } from '../emulator/inspect/smmuKinds';
import { modelledKernelFor } from '../emulator/inspect/kernelVersions';

/**
 * The outline: one symbol per declaration, in file order.
 *
 * | what | SymbolKind | detail |
 * |---|---|---|
 * | `scenario "…"` | File (named by its title) | `scenario` |
 * | `timing` | Object | the settings written (`walk-level 20, dump 100`) |
 * | `smmu` | Module | `v2, 8 context banks` / `v3, stall-model no-stall` |
 * | `domain` | Namespace (an address space) | `fault stall, hupcf on, 3 maps` |
 * | `master` | Class | `stream 0x0, domain gpu_dom, can-stall` |
 * | `engine` | Method | `stream 0x0, 12 transactions` |
 * | `workqueue` | Event | `2 workers, unbound` |
 * | `handler` | Function | `on gpu_dom, context workqueue` |
 * | `vfio` | Package | `masters nic0 nic1, fault stall, 1 map` |
 * | consecutive `expect`s | Interface `expect` (`3 checks`), each check a Boolean child |
 *
 * Children: a domain's, a container's and a handler's `map`s (Field: `map IOVA -> PA size S`,
 * detail the permissions), an engine's `submit` (Struct) and `repeat` (Array) blocks and
 * labelled transactions (Variable, named by the label), a handler's `if` and `else`
 * branches (Operator). `range` is the whole declaration or statement, `selectionRange` its
 * name (the keyword when the name is missing).
 */
export function documentSymbols(analysis: Analysis): DocumentSymbol[] {
  return new Outline(analysis).build();
}

const unnamed = '(no name)';

function plural(count: bigint | number | undefined, noun: string): string {
  if (count === undefined) return `? ${noun}s`;
  return `${count} ${noun}${count === 1n || count === 1 ? '' : 's'}`;
}

/** Source text on one line: runs of white space as one space. */
function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

class Outline {
  private readonly check;

  constructor(private readonly analysis: Analysis) {
    this.check = analysis.compiled.check;
  }

  build(): DocumentSymbol[] {
    const symbols: DocumentSymbol[] = [];
    let expects: ExpectDeclaration[] = [];
    const flushExpects = (): void => {
      if (expects.length > 0) symbols.push(this.expectGroup(expects));
      expects = [];
    };
    for (const declaration of this.analysis.compiled.file.declarations) {
      if (declaration.kind === 'expect') {
        expects.push(declaration);
        continue;
      }
      flushExpects();
      symbols.push(this.declaration(declaration));
    }
    flushExpects();
    return symbols;
  }

  private symbol(name: string, kind: SymbolKind, detail: string, range: Range, selection: Range, children: DocumentSymbol[] = []): DocumentSymbol {
    return { name, detail, kind, range: this.analysis.lspRange(range), selectionRange: this.analysis.lspRange(selection), children };
  }

  private text(range: Range): string {
    return oneLine(this.analysis.textOf(range));
  }

  /** The keyword a node starts with: what is selected when it has no name. */
  private keyword(node: { range: Range }, keyword: string): Range {
    return { start: node.range.start, end: Math.min(node.range.end, node.range.start + keyword.length) };
  }

  /** Where the token before the one at `offset` starts (`offset` when there is none). */
  private tokenBefore(offset: number): number {
    const tokens = this.analysis.compiled.tokens;
    let low = 0;
    let high = tokens.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if ((tokens[middle]?.range.start ?? Infinity) < offset) low = middle + 1;
      else high = middle;
    }
    return tokens[low - 1]?.range.start ?? offset;
  }

  private settingsOf(declaration: Declaration & { settings: unknown }, block: BlockKind): BlockSettings | undefined {
    const settings = this.check.settings.get(declaration);
    return settings?.block === block ? settings : undefined;
  }

  private named(declaration: Declaration & { name: Name | undefined }, kind: SymbolKind, detail: string, children: DocumentSymbol[] = []): DocumentSymbol {
    const selection = declaration.name?.range ?? this.keyword(declaration, declaration.kind);
    return this.symbol(declaration.name?.text ?? unnamed, kind, detail, declaration.range, selection, children);
  }

  private declaration(declaration: Exclude<Declaration, ExpectDeclaration>): DocumentSymbol {
    switch (declaration.kind) {
      case 'scenario': {
        const title = declaration.title;
        const name = title && title.value.trim() !== '' ? oneLine(title.value) : 'scenario';
        return this.symbol(name, SymbolKind.File, 'scenario', declaration.range, title?.range ?? this.keyword(declaration, 'scenario'));
      }
      case 'kernel': {
        const written = declaration.version;
        const name = written ? `kernel ${written.major}.${written.minor}` : 'kernel';
        const runs = written ? modelledKernelFor(written) : undefined;
        return this.symbol(name, SymbolKind.Constant, runs ? `runs as Linux ${runs}` : '', declaration.range, written?.range ?? this.keyword(declaration, 'kernel'));
      }
      case 'timing': {
        const written = declaration.settings.map((s) => this.text(s.range));
        return this.symbol('timing', SymbolKind.Object, written.length > 0 ? written.join(', ') : 'defaults', declaration.range, this.keyword(declaration, 'timing'));
      }
      case 'smmu':
        return this.named(declaration, SymbolKind.Module, this.smmuDetail(declaration));
      case 'domain':
        return this.named(declaration, SymbolKind.Namespace, this.domainDetail(declaration), declaration.maps.map((m) => this.map(m)));
      case 'master':
        return this.named(declaration, SymbolKind.Class, this.masterDetail(declaration));
      case 'engine':
        return this.engine(declaration);
      case 'workqueue':
        return this.named(declaration, SymbolKind.Event, this.workqueueDetail(declaration));
      case 'handler':
        return this.named(declaration, SymbolKind.Function, this.handlerDetail(declaration), this.handlerChildren(declaration.body));
      case 'pagetable':
        return this.named(declaration, SymbolKind.Namespace, `on ${declaration.domain?.text ?? '?'}, ${plural(declaration.maps.length, 'map')}`, declaration.maps.map((m) => this.map(m)));
      case 'vfio':
        return this.named(declaration, SymbolKind.Package, this.vfioDetail(declaration), declaration.maps.map((m) => this.map(m)));
      case 'vm':
        return this.named(declaration, SymbolKind.Module, declaration.settings.map((s) => this.text(s.range)).join(', '));
    }
  }

  // ----------------------------------------------------------------------------- details

  private smmuDetail(smmu: SmmuDeclaration): string {
    const settings = this.settingsOf(smmu, 'smmu');
    if (!settings) return '';
    const version = settings.word('version');
    const kind = smmuKindNamed(version);
    const parts = [version];
    if (kind.contextBanks) {
      parts.push(plural(settings.number('context-banks'), 'context bank'));
      if (settings.word('unmatched') !== 'fault') parts.push(`unmatched ${settings.word('unmatched')}`);
    } else if (kind.stallModel && settings.word('stall-model') !== 'stall') {
      parts.push(`stall-model ${settings.word('stall-model')}`);
    }
    return parts.join(', ');
  }

  /** The fault settings a domain or container ends up with, defaults included. */
  private faultDetail(declaration: DomainDeclaration | VfioDeclaration, settings: BlockSettings | undefined): string[] {
    if (!settings) return [];
    const version = versionOf(this.check, this.check.smmuOf.get(declaration));
    // A setting shows where its SMMU has it (hupcf: SMMUv2's SCTLR; record: SMMUv3's CD.R).
    const has = (key: string): boolean => {
      const spec = settingSpec(declaration.kind, key);
      return spec !== undefined && existsOn(spec, version);
    };
    const parts = [`fault ${settings.word('fault')}`];
    if (has('hupcf')) parts.push(`hupcf ${settings.word('hupcf')}`);
    if (settings.word('report') !== 'abort') parts.push(`report ${settings.word('report')}`);
    if (has('record') && settings.word('record') !== 'on') parts.push(`record ${settings.word('record')}`);
    return parts;
  }

  private domainDetail(domain: DomainDeclaration): string {
    const settings = this.settingsOf(domain, 'domain');
    const nested = this.check.nestings.get(domain)?.stage2.name?.text;
    const stage = settings?.number('stage') === 2n ? ['stage 2'] : nested ? [`nested on ${nested}`] : [];
    return [...stage, ...this.faultDetail(domain, settings), plural(domain.maps.length, 'map')].join(', ');
  }

  private vfioDetail(vfio: VfioDeclaration): string {
    const masters = vfio.masters.flatMap((list) => list.masters.map((m) => m.text));
    const parts = masters.length > 0 ? [`masters ${masters.join(' ')}`] : [];
    return [...parts, ...this.faultDetail(vfio, this.settingsOf(vfio, 'vfio')), plural(vfio.maps.length, 'map')].join(', ');
  }

  private masterDetail(master: MasterDeclaration): string {
    const parts = master.streams.map((s) => this.text(s.range));
    const settings = this.settingsOf(master, 'master');
    const domain = settings?.name('domain');
    if (domain) parts.push(`domain ${domain.text}`);
    if (settings?.flag('can-stall')) parts.push('can-stall');
    if (settings?.flag('pri')) parts.push('pri');
    parts.push(...master.pasids.map((p) => this.text(p.range)));
    return parts.join(', ');
  }

  private workqueueDetail(workqueue: WorkqueueDeclaration): string {
    const settings = this.settingsOf(workqueue, 'workqueue');
    return settings ? `${plural(settings.number('workers'), 'worker')}, ${settings.word('order')}` : '';
  }

  private handlerDetail(handler: HandlerDeclaration): string {
    const parts = handler.domain ? [`on ${handler.domain.text}`] : [];
    const settings = this.settingsOf(handler, 'handler');
    if (settings) {
      parts.push(`context ${settings.word('context')}`);
      const queue = settings.name('queue');
      if (queue) parts.push(`queue ${queue.text}`);
    }
    return parts.join(', ');
  }

  // ----------------------------------------------------------------------------- maps

  /** `map IOVA -> PA size S` as written; the permissions (and `pages`) are its detail. */
  private map(map: MapStatement): DocumentSymbol {
    let cut = map.range.end;
    for (const perm of map.perms) cut = Math.min(cut, perm.range.start);
    // `pages` is the token before its size.
    if (map.pages) cut = Math.min(cut, this.tokenBefore(map.pages.range.start));
    const name = this.text({ start: map.range.start, end: cut });
    const detail = [...map.perms.map((p) => p.text), ...(map.pages ? [`pages ${map.pages.text}`] : [])].join(' ');
    return this.symbol(name, SymbolKind.Field, detail, map.range, this.keyword(map, 'map'));
  }

  // ----------------------------------------------------------------------------- engines

  private engine(engine: EngineDeclaration): DocumentSymbol {
    const name = engine.name ? `${engine.name.master.text}.${engine.name.engine.text}` : unnamed;
    const parts: string[] = [];
    const stream = this.engineStream(engine);
    if (stream) parts.push(`stream ${stream}`);
    parts.push(plural(transactionCount(engine.body), 'transaction'));
    const selection = engine.name?.range ?? this.keyword(engine, 'engine');
    return this.symbol(name, SymbolKind.Method, parts.join(', '), engine.range, selection, this.engineChildren(engine.body));
  }

  /** Its own `stream`, else its master's first. */
  private engineStream(engine: EngineDeclaration): string | undefined {
    const own = engine.streams[0]?.id?.text;
    if (own !== undefined || !engine.name) return own;
    const master = this.check.symbols.get('master', engine.name.master.text)?.declaration;
    return master ? master.streams[0]?.id?.text : undefined;
  }

  /** Labelled transactions, and each `repeat` and `submit` with the labelled transactions inside it. */
  private engineChildren(items: readonly EngineItem[]): DocumentSymbol[] {
    // The children of the engine, then of each block being walked, innermost last.
    const levels: DocumentSymbol[][] = [[]];
    const inner = (): DocumentSymbol[] => levels[levels.length - 1] ?? [];
    for (const step of walkEngineItems(items)) {
      if (step.kind === 'end') {
        const children = levels.pop() ?? [];
        inner().push(this.block(step.block, children));
      } else if (step.item.kind === 'transaction') {
        if (step.item.label) inner().push(this.transaction(step.item, step.item.label));
      } else if (step.item.kind !== 'wait') {
        levels.push([]);
      }
    }
    return inner();
  }

  private block(block: EngineBlock, children: DocumentSymbol[]): DocumentSymbol {
    if (block.kind === 'submit') {
      const name = block.id ? `submit ${this.text(block.id.range)}` : 'submit';
      return this.symbol(name, SymbolKind.Struct, plural(transactionCount(block.body), 'transaction'), block.range, this.keyword(block, 'submit'), children);
    }
    const count = block.count ? constantValue(block.count) : undefined;
    const total = typeof count === 'bigint' ? multiply(count, transactionCount(block.body)) : undefined;
    const name = block.count ? `repeat ${this.text(block.count.range)}` : 'repeat';
    return this.symbol(name, SymbolKind.Array, plural(total, 'transaction'), block.range, this.keyword(block, 'repeat'), children);
  }

  /** Named by its label; the detail is the transaction without `as NAME`. */
  private transaction(transaction: Transaction, label: Name): DocumentSymbol {
    const asStart = this.tokenBefore(label.range.start);
    const before = this.text({ start: transaction.range.start, end: asStart });
    const after = this.text({ start: label.range.end, end: transaction.range.end });
    return this.symbol(label.text, SymbolKind.Variable, after ? `${before} ${after}` : before, transaction.range, label.range);
  }

  // ----------------------------------------------------------------------------- handlers

  private handlerChildren(statements: readonly HandlerStatement[]): DocumentSymbol[] {
    const children: DocumentSymbol[] = [];
    for (const statement of statements) {
      if (statement.kind === 'map') children.push(this.map(statement));
      else if (statement.kind === 'if') children.push(this.branch(statement));
    }
    return children;
  }

  private branch(node: IfStatement): DocumentSymbol {
    const name = node.condition ? `if ${this.text(node.condition.range)}` : 'if';
    const selection = { start: node.range.start, end: node.condition?.range.end ?? Math.min(node.range.end, node.range.start + 2) };
    const children = this.handlerChildren(node.then);
    if (node.elseRange && node.otherwise) {
      const range = { start: node.elseRange.start, end: Math.max(node.elseRange.end, node.range.end) };
      children.push(this.symbol('else', SymbolKind.Operator, '', range, node.elseRange, this.handlerChildren(node.otherwise)));
    }
    return this.symbol(name, SymbolKind.Operator, '', node.range, selection, children);
  }

  // ----------------------------------------------------------------------------- expects

  private expectGroup(expects: readonly ExpectDeclaration[]): DocumentSymbol {
    const first = expects[0];
    const last = expects[expects.length - 1];
    if (!first || !last) throw new Error('an empty group of expects');
    const children = expects.map((expect) => {
      const rest = this.text({ start: expect.range.start + 'expect'.length, end: expect.range.end });
      const check = expect.check;
      const selection = check ? (check.kind === 'counter' ? check.counter.range : check.label.range) : this.keyword(expect, 'expect');
      return this.symbol(rest || 'expect', SymbolKind.Boolean, '', expect.range, selection);
    });
    const range = { start: first.range.start, end: last.range.end };
    return this.symbol('expect', SymbolKind.Interface, plural(expects.length, 'check'), range, this.keyword(first, 'expect'), children);
  }
}

function multiply(a: bigint, b: bigint | undefined): bigint | undefined {
  return b === undefined ? undefined : a * b;
}

