import { v2StateOf } from '../smmu/smmuState';
import { hex64 } from '../util/u64';
import { Runtime } from './runtime';

/**
 * The CP's table switch around a `submit N pagetable NAME`, as drm/msm's a6xx_set_pagetable
 * has it do: wait for idle (CP_WAIT_FOR_IDLE), then CP_SMMU_TABLE_UPDATE writes the
 * context bank's TTBR0 with the process table and its ASID; after the submit the domain's
 * default goes back in the same way. From then on the domain's TTBR0 walks (and the TLB
 * tags, liveTable.ts) use the new table; `*** gpu fault: ttbr0=…` reads it back from the
 * bank (adreno_smmu_priv's get_fault_info).
 */
export interface TtbrSwitchRecord {
  time: number;
  engine: number;
  submit: bigint;
  smmu: number;
  bank: number;
  domain: number;
  /** The table TTBR0 now holds (an index into the run's tables). */
  table: number;
  /** The value written to TTBR0: BADDR | ASID << 48. */
  ttbr0: bigint;
  asid: number;
  /** Back to the domain's default after the submit (else the switch before it). */
  restore: boolean;
}

/** What the trace and the debugger say of a switch. */
export function ttbrSwitchText(rt: Pick<Runtime, 'tableOwners' | 'model'>, record: TtbrSwitchRecord): string {
  const owner = rt.tableOwners[record.table];
  // A pagetable's label names its ASID; the default table's is the bank's, written here.
  const label = owner?.role === 'pagetable' ? owner.label : `${rt.model.domains[record.domain]?.name ?? '?'} (TTBR0 default, ASID ${record.asid})`;
  const when = record.restore ? `after submit ${record.submit}` : `CP_SMMU_TABLE_UPDATE before submit ${record.submit}`;
  return `TTBR0 ← ${label} = ${hex64(record.ttbr0)} (${when})`;
}

/**
 * Engine `engine` switches its domain's TTBR0 to `table` (undefined: back to the default).
 * Returns false, changing nothing, while the engine has transactions in flight: the CP
 * waits for idle first.
 */
export function switchTtbr0(rt: Runtime, engine: number, table: number | undefined, submit: bigint): boolean {
  const engineState = rt.state.engines[engine];
  const model = rt.model.engines[engine];
  const master = model ? rt.model.masters[model.master] : undefined;
  if (!engineState || !master || master.domain === undefined) return true;
  if (engineState.inFlight > 0) {
    engineState.blocked = true;
    return false;
  }
  const domain = master.domain;
  const bank = v2StateOf(rt.state, master.smmu)?.banks.find((b) => b.domain === domain);
  const target = table ?? domain;
  const pgtable = rt.tables[target];
  if (!bank || !pgtable) return true;
  const asid = rt.tableOwners[target]?.asid ?? bank.cbndx;
  bank.ttbr0 = BigInt(pgtable.root) | (BigInt(asid) << 48n);
  rt.state.liveTtbr0[domain] = target;
  const record: TtbrSwitchRecord = { time: rt.state.now, engine, submit, smmu: master.smmu, bank: bank.cbndx, domain, table: target, ttbr0: bank.ttbr0, asid, restore: table === undefined };
  rt.journal.switches.push(record);
  if (rt.observed) rt.emit({ kind: 'ttbr-switch', time: rt.state.now, switched: record });
  return true;
}
