import { Machine } from '../machine/machine';
import { selectTtbr } from '../pgtable/ttbrSelect';

/**
 * The page tables of a domain as the debugger and the language server show them: its
 * default TTBR0 table, with `ttbr1 on` its TTBR1 table and its pagetables, each with its
 * owner (`gpu_dom (TTBR0 default)`, `gpu_dom (TTBR1)`, `proc7 (pagetable, ASID 2)`) and
 * whether the context bank's TTBR0/TTBR1 holds it now.
 */
export interface DomainTable {
  /** Index into the run's tables (what the adapter's table views take). */
  table: number;
  label: string;
  root: number;
  ttbr: 0 | 1;
  /** TTBR1, or the table TTBR0 holds now. */
  live: boolean;
  /** 1, 2 (a stage-2 domain's IPA → PA table), or nested: a guest's stage 1, its table addresses IPAs. */
  stage: 1 | 2 | 'nested';
}

export function domainTables(machine: Machine, domain: number): DomainTable[] {
  const rt = machine.runtime;
  return rt.tableOwners.flatMap((owner, table) => {
    const pgtable = rt.tables[table];
    if (owner.domain !== domain || !pgtable) return [];
    const live = owner.ttbr === 1 || rt.state.liveTtbr0[domain] === table;
    return [{ table, label: owner.label, root: pgtable.root, ttbr: owner.ttbr, live, stage: tableStage(machine, table) }];
  });
}

export function tableStage(machine: Machine, table: number): DomainTable['stage'] {
  const rt = machine.runtime;
  if (rt.tables[table]?.stage === 2) return 2;
  return rt.guests[rt.tableOwners[table]?.domain ?? -1] ? 'nested' : 1;
}

/**
 * Where a table's descriptor at `address` is in physical memory: itself, but for a nested
 * domain's stage 1, whose table addresses are IPAs — the PA the VM's stage 2 gives it now,
 * undefined where stage 2 maps none (the SMMU's fetch of it would fault at stage 2).
 */
export function descriptorPa(machine: Machine, table: number, address: bigint): bigint | undefined {
  const rt = machine.runtime;
  const guest = rt.guests[rt.tableOwners[table]?.domain ?? -1];
  return guest ? guest.view.translate(address) : address;
}

/** The table a walk of `iova` in `domain` uses now, and the address it indexes (the low ias bits for TTBR1). */
export function liveTableFor(machine: Machine, domain: number, iova: bigint): { table: number; walkIova: bigint } {
  const model = machine.model.domains[domain];
  if (!model?.ttbr1) return { table: domain, walkIova: iova };
  const selection = selectTtbr(iova, model.ias, true);
  const table = selection.ttbr === 1 ? (machine.runtime.ttbr1Of[domain] ?? domain) : (machine.runtime.state.liveTtbr0[domain] ?? domain);
  return { table, walkIova: selection.walkIova };
}
