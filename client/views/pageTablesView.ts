import * as vscode from 'vscode';
import { DomainSummary, DomainTableSummary, PageTableEntry } from '../../debug-adapter/protocol';
import { revealLineOnClick } from '../editor/revealLine';
import { RunSource } from '../session/iommuSessions';
import { scenarioPath } from '../session/scenarioPath';
import { SessionTree } from './sessionTree';

export const pageTablesViewId = 'iommu.pageTables';

/** `owner`: which table of a `ttbr1 on` domain an entry belongs to (absent: the domain's only table). */
export type PageTableNode =
  | { kind: 'domain'; domain: DomainSummary }
  | { kind: 'table'; domain: string; table: DomainTableSummary }
  | { kind: 'entry'; domain: string; owner: string | undefined; level: number; entry: PageTableEntry };

const entryIcons: Record<PageTableEntry['type'], string> = {
  table: 'list-tree',
  block: 'symbol-namespace',
  page: 'file-binary',
  invalid: 'circle-slash',
  reserved: 'warning',
};

/**
 * Each domain's page table as io-pgtable-arm wrote it: domain → tables → valid entries,
 * fetched one table at a time as the user opens it. A leaf reveals the `map` that made it.
 */
export class PageTablesView extends SessionTree<PageTableNode> {
  protected readonly noneWhenEnded = 'No domain';

  protected async roots(source: RunSource): Promise<PageTableNode[]> {
    const body = await this.sessions.ask(source, 'iommu/domains', {});
    return body.domains.map((domain) => ({ kind: 'domain', domain }));
  }

  protected override async children(source: RunSource, node: PageTableNode): Promise<PageTableNode[]> {
    if (node.kind === 'domain' && node.domain.tables) {
      // A `ttbr1 on` domain: one node per table, named by its owner.
      return node.domain.tables.map((table) => ({ kind: 'table', domain: node.domain.name, table }));
    }
    if (node.kind === 'domain' || node.kind === 'table') {
      const domain = node.kind === 'domain' ? node.domain.name : node.domain;
      const owner = node.kind === 'table' ? node.table.owner : undefined;
      const body = await this.sessions.ask(source, 'iommu/pageTable', { domain, ...(owner ? { owner } : {}) });
      return body.entries.map((entry) => ({ kind: 'entry', domain, owner, level: body.level, entry }));
    }
    const next = node.entry.next;
    if (!next) return [];
    const owner = node.owner;
    const body = await this.sessions.ask(source, 'iommu/pageTable', { domain: node.domain, ...(owner ? { owner } : {}), table: next.table, level: next.level, iovaBase: next.iovaBase });
    return body.entries.map((entry) => ({ kind: 'entry', domain: node.domain, owner, level: body.level, entry }));
  }

  protected item(node: PageTableNode): vscode.TreeItem {
    if (node.kind === 'domain') {
      const d = node.domain;
      const item = new vscode.TreeItem(d.name, vscode.TreeItemCollapsibleState.Collapsed);
      item.id = `domain-${d.name}`;
      item.description = `${d.smmu}${d.contextBank === null ? '' : ` cb${d.contextBank}`} · ${domainShape(d)} · ${d.granule} granule`;
      item.iconPath = new vscode.ThemeIcon('symbol-structure');
      item.contextValue = 'iommu.domain';
      return item;
    }
    if (node.kind === 'table') {
      const t = node.table;
      const item = new vscode.TreeItem(t.owner, vscode.TreeItemCollapsibleState.Collapsed);
      item.id = `table-${node.domain}-${t.owner}`;
      item.description = `TTBR${t.ttbr}${t.live ? ' (live)' : ''} · root at ${t.root}`;
      item.iconPath = new vscode.ThemeIcon('list-tree');
      return item;
    }
    const e = node.entry;
    const item = new vscode.TreeItem(`L${node.level}[${e.index}]`, e.next ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
    // Stable across stops, so what the user opened stays open when the view refreshes.
    item.id = `pte-${node.domain}-${node.owner === undefined ? '' : `${node.owner}-`}${node.level}-${e.descriptorAddress}`;
    item.description = `${e.iova} · ${e.text}`;
    item.tooltip = new vscode.MarkdownString(
      [`**L${node.level}[${e.index}]** of \`${node.domain}\`, translating from \`${e.iova}\``, `\`${e.value}\` at ${descriptorAt(e)}`, e.text, e.mapLine ? `Made by the \`map\` on line ${e.mapLine}.` : ''].filter(Boolean).join('\n\n'),
    );
    item.iconPath = new vscode.ThemeIcon(entryIcons[e.type]);
    item.contextValue = `iommu.pte.${e.type}`;
    const source = this.sessions.source();
    const path = source?.kind === 'live' ? scenarioPath(source.session) : source?.run.ended.path;
    if (e.mapLine !== undefined && path !== undefined) item.command = revealLineOnClick(path, e.mapLine);
    return item;
  }
}

/** A domain's root and sizes in its stage's terms: a stage-2 table maps IPAs; a nested one's tables are at IPAs. */
function domainShape(d: DomainSummary): string {
  if (d.stage === 2) return `stage 2 · L${d.rootLevel} root at ${d.root} · ${d.ias}-bit IPA → ${d.oas}-bit PA`;
  if (d.stage === 'nested') return `nested in ${d.nestedIn ?? '?'} · L${d.rootLevel} root at IPA ${d.root} (PA ${d.rootPa ?? 'unmapped'}) · ${d.ias}-bit IOVA → ${d.oas}-bit IPA`;
  return `L${d.rootLevel} root at ${d.root} · ${d.ias}-bit IOVA → ${d.oas}-bit PA`;
}

/** Where a descriptor is: its PA, or a nested table's IPA and the PA stage 2 gives it. */
function descriptorAt(e: PageTableEntry): string {
  if (e.descriptorPa === undefined) return `\`${e.descriptorAddress}\``;
  return `IPA \`${e.descriptorAddress}\` (${e.descriptorPa === null ? 'not mapped at stage 2' : `PA \`${e.descriptorPa}\``})`;
}
