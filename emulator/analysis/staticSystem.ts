import { DomainDeclaration, EngineDeclaration, MasterDeclaration, PagetableDeclaration, ScenarioFile } from '../language/ast';
import { attachRequest } from '../language/checker/attach';
import { CheckResult } from '../language/checker/check';
import { CheckedMap, selectsTtbr1 } from '../language/checker/maps';
import { selectTtbr } from '../pgtable/ttbrSelect';
import { engineStream } from '../language/checker/engines';
import { smrMatches } from '../language/checker/streams';
import { PhysicalMemory } from '../memory/physicalMemory';
import { Access } from '../pgtable/descriptor';
import { IoPgtable, rootTableBytes } from '../pgtable/ioPgtable';
import { Granule, granuleOfBytes } from '../pgtable/granule';
import { TableAllocator, tablePoolReserved } from '../pgtable/tableAllocator';
import { HotWalker, HotWalkResult, walk, WALK_OK, WalkResult } from '../pgtable/walker';
import { attachInOrder } from '../scenario/attach';
import { ContainerDomain } from '../scenario/vfio';
import { hex } from '../util/u64';

/** A domain before the run: a declared one, or one a vfio container made. */
export type StaticDomain = DomainDeclaration | ContainerDomain;

export function staticDomainName(domain: StaticDomain): string {
  return typeof domain.name === 'string' ? domain.name : (domain.name?.text ?? '?');
}

/** Where an engine's transactions go: stream → master → the domain attached at start. */
export type Route =
  | { kind: 'domain'; engine: EngineDeclaration; master: MasterDeclaration; domain: StaticDomain; sid: bigint }
  | { kind: 'unrouted'; reason: string };

/**
 * The system a scenario describes, as it stands before anything runs: page tables built
 * from the domains' maps exactly as the machine builds them, and the attaches. The
 * language server explains addresses with it; it works on a scenario that still has
 * errors, using what checked out.
 */
export class StaticSystem {
  private readonly memory = new PhysicalMemory();
  private readonly allocator: TableAllocator;
  private readonly tables = new Map<StaticDomain, IoPgtable>();
  /** A `ttbr1 on` domain's TTBR1 table, and each pagetable's: built after every domain's, as the machine builds them. */
  private readonly ttbr1Tables = new Map<DomainDeclaration, IoPgtable>();
  private readonly pagetableTables = new Map<PagetableDeclaration, IoPgtable>();
  private readonly walkers = new Map<StaticDomain, HotWalker>();
  private readonly scratch = new HotWalkResult();
  private attached: Map<MasterDeclaration, { domain: StaticDomain } | { reason: string }> | undefined;
  /** The maps of each domain a container made: the container's. */
  private readonly containerMaps = new Map<ContainerDomain, readonly CheckedMap[]>();

  constructor(
    private readonly file: ScenarioFile,
    private readonly check: CheckResult,
  ) {
    const pgds = [...check.pgdOf].map(([domain, pgd]) => ({ pgd, bytes: rootTableBytes(...this.sizes(domain)) }));
    const reserved = tablePoolReserved([...[...check.mapsOf.values()].flat(), ...check.pagetables.flatMap((p) => p.maps)], pgds);
    this.allocator = new TableAllocator(this.memory, { reserved });
    for (const container of check.containers) {
      for (const domain of container.domains) this.containerMaps.set(domain, check.mapsOf.get(container.declaration) ?? []);
    }
    // Tables are allocated in declaration order, then the containers' domains, as the machine allocates them: same PAs.
    for (const declaration of file.declarations) if (declaration.kind === 'domain') this.table(declaration);
    for (const domain of this.containerMaps.keys()) this.table(domain);
    for (const pagetable of check.pagetables) this.pagetableTables.set(pagetable.declaration, this.built(pagetable.domain, pagetable.maps));
    for (const declaration of file.declarations) {
      if (declaration.kind !== 'domain' || !this.hasTtbr1(declaration)) continue;
      this.ttbr1Tables.set(declaration, this.built(declaration, (check.mapsOf.get(declaration) ?? []).filter((m) => selectsTtbr1(m.iova))));
    }
  }

  private hasTtbr1(domain: StaticDomain): domain is DomainDeclaration {
    return 'kind' in domain && this.check.settings.get(domain)?.word('ttbr1') === 'on';
  }

  /** A table of `domain`'s sizes with `maps`, TTBR1 IOVAs walked by their low ias bits (io-pgtable's TTBR1 quirk). */
  private built(domain: DomainDeclaration, maps: readonly CheckedMap[]): IoPgtable {
    const settings = this.check.settings.get(domain);
    const [ias, granule] = this.sizes(domain);
    const table = new IoPgtable(this.memory, this.allocator, { ias, oas: Number(settings?.number('oas') ?? 40n), granule });
    for (const map of maps) table.map(selectTtbr(map.iova, ias, true).walkIova, map.pa, map.size, map.prot, map.maxLeaf);
    return table;
  }

  /**
   * Where an access of `domain` walks, before the run: TTBR1 for an address VA bit 55
   * selects (ttbr1 on), else `pagetable`'s table (the submit's) or the domain's own; and
   * the address the table indexes.
   */
  tableFor(domain: StaticDomain, iova: bigint, pagetable?: PagetableDeclaration): { table: IoPgtable; walkIova: bigint; owner: string | undefined } {
    if (!this.hasTtbr1(domain)) return { table: this.table(domain), walkIova: iova, owner: undefined };
    const name = staticDomainName(domain);
    const selection = selectTtbr(iova, this.table(domain).ias, true);
    const ttbr1 = this.ttbr1Tables.get(domain);
    if (selection.ttbr === 1 && ttbr1) return { table: ttbr1, walkIova: selection.walkIova, owner: `${name} (TTBR1)` };
    const own = pagetable ? this.pagetableTables.get(pagetable) : undefined;
    const asid = this.check.pagetables.find((p) => p.declaration === pagetable)?.asid;
    if (own && pagetable) return { table: own, walkIova: iova, owner: `${pagetable.name?.text ?? '?'} (pagetable, ASID ${asid})` };
    return { table: this.table(domain), walkIova: iova, owner: `${name} (TTBR0 default)` };
  }

  /** The domain's page table with every map that checked out. */
  table(domain: StaticDomain): IoPgtable {
    const existing = this.tables.get(domain);
    if (existing) return existing;
    // A container's domains have a domain's default sizes.
    const settings = 'kind' in domain ? this.check.settings.get(domain) : undefined;
    const pgd = 'kind' in domain ? this.check.pgdOf.get(domain) : undefined;
    const [ias, granule] = this.sizes(domain);
    const table = new IoPgtable(this.memory, this.allocator, {
      ias,
      granule,
      oas: Number(settings?.number('oas') ?? 40n),
      ...(pgd === undefined ? {} : { pgd: Number(pgd) }),
    });
    const declared = 'kind' in domain ? this.check.mapsOf.get(domain) : this.containerMaps.get(domain);
    // A TTBR1 domain's own table is its TTBR0 default: its TTBR1 maps go to the TTBR1 table.
    const maps = this.hasTtbr1(domain) ? declared?.filter((m) => !selectsTtbr1(m.iova)) : declared;
    for (const map of maps ?? []) {
      table.map(map.iova, map.pa, map.size, map.prot, map.maxLeaf);
    }
    this.tables.set(domain, table);
    return table;
  }

  /** A domain's ias and granule (a container's domains have a domain's defaults). */
  private sizes(domain: StaticDomain): [number, Granule] {
    const settings = 'kind' in domain ? this.check.settings.get(domain) : undefined;
    return [Number(settings?.number('ias') ?? 48n), granuleOfBytes(Number(settings?.number('granule') ?? 0x1000n))];
  }

  /** The describing walk of an IOVA in a domain (through `pagetable`, a submit's), as the SMMU would do it now. */
  walk(domain: StaticDomain, iova: bigint, access?: Access, pagetable?: PagetableDeclaration): WalkResult {
    const { table, walkIova } = this.tableFor(domain, iova, pagetable);
    return walk(this.memory, table.tableConfig(), walkIova, access);
  }

  /**
   * One access, cheaply: its PA, or the describing walk of the fault it takes. Most
   * accesses translate, and the emulator's allocation-free walker answers those.
   */
  translate(domain: StaticDomain, iova: bigint, access: Access): { pa: bigint } | { fault: WalkResult } {
    if (this.hasTtbr1(domain)) {
      // Two tables (and per-submit ones): the describing walk picks the table; rare enough to skip the hot walker.
      const walked = this.walk(domain, iova, access);
      return walked.outcome.kind === 'success' ? { pa: walked.outcome.pa } : { fault: walked };
    }
    const table = this.table(domain);
    let walker = this.walkers.get(domain);
    if (!walker) {
      // A few walks per domain: a walk cache of a few slots, not the emulator's thousands.
      walker = new HotWalker(this.memory, table.tableConfig(), 8);
      this.walkers.set(domain, walker);
    }
    if (iova < 1n << BigInt(table.ias)) {
      const code = (access.write ? 1 : 0) | (access.exec ? 2 : 0) | (access.priv ? 4 : 0);
      if (walker.walk(Number(iova >> 12n), code, this.scratch) === WALK_OK) {
        return { pa: (BigInt(this.scratch.outputPage) << 12n) | (iova & 0xfffn) };
      }
    }
    return { fault: this.walk(domain, iova, access) };
  }

  private attachments(): Map<MasterDeclaration, { domain: StaticDomain } | { reason: string }> {
    if (this.attached) return this.attached;
    const asking = this.file.declarations.flatMap((d): { master: MasterDeclaration; domain: DomainDeclaration }[] => {
      if (d.kind !== 'master') return [];
      const name = this.check.settings.get(d)?.name('domain');
      const domain = name ? this.check.symbols.get('domain', name.text)?.declaration : undefined;
      return domain ? [{ master: d, domain }] : [];
    });
    const requests = asking.flatMap((a) => {
      const request = attachRequest(a.master, a.domain, this.check);
      return request ? [{ asking: a, request }] : [];
    });
    this.attached = new Map();
    attachInOrder(requests.map((r) => r.request)).forEach((outcome, i) => {
      const asking = requests[i]?.asking;
      if (!asking) return;
      this.attached?.set(asking.master, outcome.attached ? { domain: asking.domain } : { reason: `iommu_attach_device failed: ${outcome.reason}` });
    });
    // The checker placed the containers' masters, after these.
    for (const container of this.check.containers) {
      for (const p of container.placements) {
        const domain = p.domain === undefined ? undefined : container.domains[p.domain];
        this.attached.set(p.master, domain ? { domain } : { reason: `vfio '${container.declaration.name?.text ?? '?'}' left it ${p.reason}` });
      }
    }
    return this.attached;
  }

  /** Where a master landed at start (the checker's attach rules, then its vfio placement), or why it landed nowhere; undefined when it asks for no domain. */
  attachment(master: MasterDeclaration): { domain: StaticDomain } | { reason: string } | undefined {
    return this.attachments().get(master);
  }

  /** The domain an engine's transactions translate in, or why they reach none. */
  route(engine: EngineDeclaration): Route {
    const masterName = engine.name?.master.text;
    const master = masterName ? this.check.symbols.get('master', masterName)?.declaration : undefined;
    if (!master) return { kind: 'unrouted', reason: `there is no master '${masterName ?? '?'}'` };
    const streams = this.check.streamsOf.get(master) ?? [];
    const sid = engineStream(engine, streams);
    if (sid === undefined) return { kind: 'unrouted', reason: `master '${masterName}' has no stream` };
    if (!streams.some((s) => smrMatches(s, sid))) return { kind: 'unrouted', reason: `stream ${hex(sid)} is not a stream of master '${masterName}'` };
    const attachment = this.attachment(master);
    if (!attachment) return { kind: 'unrouted', reason: `master '${masterName}' is attached to no domain: its streams fault` };
    if ('reason' in attachment) return { kind: 'unrouted', reason: attachment.reason };
    return { kind: 'domain', engine, master, domain: attachment.domain, sid };
  }
}
