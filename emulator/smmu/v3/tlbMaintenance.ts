import { Runtime } from '../../machine/runtime';
import { Command } from './commands';
import { submitCommands } from './cmdq';
import { v3State } from './eventq';

/**
 * arm-smmu-v3.c's stage-1 TLB maintenance: commands written into the command queue and
 * consumed by the SMMU (each shows as a `command` event), always closed by a CMD_SYNC.
 * The SMMU modelled has no range invalidation (SMMU_IDR3.RIL = 0), so
 * __arm_smmu_tlb_inv_range writes one CMD_TLBI_NH_VA per `granule` of the range, with
 * NUM, SCALE, TG and TTL 0.
 */

const SYNC: Command = { op: 'CMD_SYNC', cs: 'none' };

/** The ASID arm-smmu-v3 gave `domain`'s context descriptors (smmu_domain->cd.asid). */
function asidOf(rt: Runtime, smmu: number, domain: number): number | undefined {
  return v3State(rt, smmu).streams.flatMap((s) => s.cds).find((cd) => cd.domain === domain)?.asid;
}

/** arm_smmu_tlb_inv_range_domain: CMD_TLBI_NH_VA per granule of [iova, iova + size), then CMD_SYNC. */
export function invalidateRangeV3(rt: Runtime, smmu: number, domain: number, iova: bigint, size: bigint, granule: bigint, leaf: boolean): void {
  const asid = asidOf(rt, smmu, domain);
  if (asid === undefined || size <= 0n) return;
  const commands: Command[] = [];
  for (let address = iova; address < iova + size; address += granule) commands.push({ op: 'CMD_TLBI_NH_VA', asid, address, leaf });
  submitCommands(rt, smmu, [...commands, SYNC]);
}

/** flush_iotlb_all (arm_smmu_tlb_inv_context): CMD_TLBI_NH_ASID, then CMD_SYNC. */
export function flushIotlbAllV3(rt: Runtime, smmu: number, domain: number): void {
  const asid = asidOf(rt, smmu, domain);
  if (asid !== undefined) submitCommands(rt, smmu, [{ op: 'CMD_TLBI_NH_ASID', asid }, SYNC]);
}
