import { hasChange } from '../kernel/versions';
import { CheckedMap } from '../language/checker/maps';
import { PhysicalMemory } from '../memory/physicalMemory';
import { IoPgtable, rootTableBytes } from '../pgtable/ioPgtable';
import { PAGE_SIZE } from '../util/u64';
import { TableAllocator } from '../pgtable/tableAllocator';
import { GuestPhysicalView } from './guestMemory';
import { selectTtbr, Ttbr, TTBR0, TTBR1 } from '../pgtable/ttbrSelect';
import { DomainModel, ScenarioModel } from '../scenario/model';

/**
 * The page tables of a run. A domain owns its default TTBR0 table, with `ttbr1 on` a
 * TTBR1 table, and the `pagetable`s declared on it (per-process TTBR0 tables). They sit in
 * one list, indexed so that a domain's default table has the domain's own index (what
 * SMMUv3, handlers and views without TTBR1 have always used): the defaults, then the
 * pagetables in declaration order, then the TTBR1 tables.
 */

export type TableRole = 'default' | 'ttbr1' | 'pagetable';

export interface TableOwner {
  domain: number;
  role: TableRole;
  /** Which TTBR it is written to. */
  ttbr: Ttbr;
  /** Index into ScenarioModel.pagetables, for a pagetable. */
  pagetable: number | undefined;
  /** A pagetable's ASID (the default table's is its context bank's, decided at attach). */
  asid: number | undefined;
  /**
   * Which TLB tags its translations use, beside the context bank: 0 for the bank's own ASID,
   * else 1 + the index of its ASID among the distinct pagetable ASIDs — so two pagetables
   * with one ASID share entries, as a reused ASID does on hardware.
   */
  tlbSlot: number;
  /** How the debugger and the trace name it: `gpu_dom (TTBR0 default)`, `gpu_dom (TTBR1)`, `proc7 (pagetable, ASID 2)`. */
  label: string;
}

export interface AddressSpaces {
  tables: IoPgtable[];
  owners: TableOwner[];
  /** Per domain: its TTBR1 table's index, if it has one. */
  ttbr1Of: (number | undefined)[];
  /** Per domain: a nested domain's guest — its memory seen through stage 2 and the allocator its tables come from (IPAs). */
  guests: (Guest | undefined)[];
  /** Per `vm`: its guest's memory, through its stage 2. */
  vmViews: GuestPhysicalView[];
}

/** The guest kernel that owns a nested domain's stage 1: its view of memory (IPAs) and its page-table pages. */
export interface Guest {
  view: GuestPhysicalView;
  allocator: TableAllocator;
}

/** SMMUv3.1 and later have FEAT_XNX (XN[1:0] at stage 2); an SMMUv2's stage 2 has XN alone. */
export function stage2Xnx(model: ScenarioModel, domain: DomainModel): boolean {
  return model.smmus[domain.smmu]?.version === 'v3';
}

/** The table index of `model.pagetables[pagetable]`: after every domain's default table. */
export function pagetableTable(model: ScenarioModel, pagetable: number): number {
  return model.domains.length + pagetable;
}

export function tableLabel(model: ScenarioModel, owner: Omit<TableOwner, 'label' | 'tlbSlot'>): string {
  const domain = model.domains[owner.domain]?.name ?? '?';
  if (owner.role === 'default') return `${domain} (TTBR0 default)`;
  if (owner.role === 'ttbr1') return `${domain} (TTBR1)`;
  return `${model.pagetables[owner.pagetable ?? -1]?.name ?? '?'} (pagetable, ASID ${owner.asid})`;
}

function owner(model: ScenarioModel, facts: Omit<TableOwner, 'label' | 'tlbSlot'>): TableOwner {
  const asids = [...new Set(model.pagetables.map((p) => p.asid))];
  return { ...facts, tlbSlot: facts.asid === undefined ? 0 : asids.indexOf(facts.asid) + 1, label: tableLabel(model, facts) };
}

/**
 * Builds every table as io-pgtable-arm would (the TTBR1 one over the low ias bits of its
 * IOVAs; a stage-2 domain's as ARM_64_LPAE_S2). A nested domain's stage 1 is the guest's:
 * built after its stage 2, at IPAs from `tables at` up, written through stage 2.
 */
export function buildAddressSpaces(model: ScenarioModel, memory: PhysicalMemory, allocator: TableAllocator): AddressSpaces {
  const splitsBlocks = !hasChange(model.kernel, 'partialBlockUnmap');
  const concatenation = hasChange(model.kernel, 'stage2ConcatMandatory') ? 'mandatory' : 'level0';
  const fill = (name: string, table: IoPgtable, ias: number, maps: readonly CheckedMap[]): IoPgtable => {
    for (const map of maps) {
      const iova = selectTtbr(map.iova, ias, true).walkIova;
      const result = table.map(iova, map.pa, map.size, map.prot, map.maxLeaf);
      if (!result.ok) throw new Error(`${name}: ${result.error.message}`);
    }
    return table;
  };
  // Every table of a domain is walked under the domain's context bank (its TCR): the domain's ias, oas and granule.
  const build = (name: string, domain: DomainModel, maps: readonly CheckedMap[], pgd: bigint | undefined): IoPgtable => {
    const { ias, oas, granule, stage } = domain;
    const table = new IoPgtable(memory, allocator, { ias, oas, granule, splitsBlocks, stage, concatenation, ...(pgd === undefined ? {} : { pgd: Number(pgd) }) });
    return fill(name, table, ias, maps);
  };
  const guests: (Guest | undefined)[] = model.domains.map(() => undefined);
  const buildGuest = (index: number, domain: DomainModel, stage2: IoPgtable): IoPgtable => {
    const { ias, oas, granule } = domain;
    const tablesAt = Number(domain.tablesAt ?? 0n);
    const view = new GuestPhysicalView(memory, stage2.stage2Config(stage2Xnx(model, domain)));
    // The guest's further tables follow its top-level table, around its buffers and its CD table.
    const reserved = domain.maps.map((map) => ({ start: Number(map.pa), size: Number(map.size) }));
    if (domain.cdAt !== undefined) reserved.push({ start: Number(domain.cdAt), size: PAGE_SIZE });
    const guestAllocator = new TableAllocator(view, { base: tablesAt + rootTableBytes(ias, granule), reserved });
    guests[index] = { view, allocator: guestAllocator };
    return fill(`domain ${domain.name}`, new IoPgtable(view, guestAllocator, { ias, oas, granule, splitsBlocks, pgd: tablesAt }), ias, domain.maps);
  };
  const tables: IoPgtable[] = [];
  model.domains.forEach((domain, index) => {
    if (domain.nested === undefined) tables[index] = build(`domain ${domain.name}`, domain, domain.maps, domain.pgd);
  });
  model.domains.forEach((domain, index) => {
    const stage2 = domain.nested === undefined ? undefined : tables[domain.nested];
    if (stage2) tables[index] = buildGuest(index, domain, stage2);
  });
  const owners = model.domains.map((_, index) => owner(model, { domain: index, role: 'default', ttbr: TTBR0, pagetable: undefined, asid: undefined }));
  model.pagetables.forEach((pagetable, index) => {
    const domain = model.domains[pagetable.domain];
    if (!domain) return;
    tables.push(build(`pagetable ${pagetable.name}`, domain, pagetable.maps, undefined));
    owners.push(owner(model, { domain: pagetable.domain, role: 'pagetable', ttbr: TTBR0, pagetable: index, asid: pagetable.asid }));
  });
  const ttbr1Of = model.domains.map((domain, index) => {
    if (!domain.ttbr1) return undefined;
    tables.push(build(`domain ${domain.name} (TTBR1)`, domain, domain.ttbr1Maps, undefined));
    owners.push(owner(model, { domain: index, role: 'ttbr1', ttbr: TTBR1, pagetable: undefined, asid: undefined }));
    return tables.length - 1;
  });
  const vmViews = model.vms.map((vm) => {
    const stage2 = tables[vm.stage2];
    const domain = model.domains[vm.stage2];
    if (!stage2 || !domain) throw new Error(`vm ${vm.name} has no stage-2 domain`);
    return new GuestPhysicalView(memory, stage2.stage2Config(stage2Xnx(model, domain)));
  });
  return { tables, owners, ttbr1Of, guests, vmViews };
}
