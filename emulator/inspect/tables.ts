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
}

export function domainTables(machine: Machine, domain: number): DomainTable[] {
  const rt = machine.runtime;
  return rt.tableOwners.flatMap((owner, table) => {
    const pgtable = rt.tables[table];
    if (owner.domain !== domain || !pgtable) return [];
    const live = owner.ttbr === 1 || rt.state.liveTtbr0[domain] === table;
    return [{ table, label: owner.label, root: pgtable.root, ttbr: owner.ttbr, live }];
  });
}

/** The table a walk of `iova` in `domain` uses now, and the address it indexes (the low ias bits for TTBR1). */
export function liveTableFor(machine: Machine, domain: number, iova: bigint): { table: number; walkIova: bigint } {
  const model = machine.model.domains[domain];
  if (!model?.ttbr1) return { table: domain, walkIova: iova };
  const selection = selectTtbr(iova, model.ias, true);
  const table = selection.ttbr === 1 ? (machine.runtime.ttbr1Of[domain] ?? domain) : (machine.runtime.state.liveTtbr0[domain] ?? domain);
  return { table, walkIova: selection.walkIova };
}
