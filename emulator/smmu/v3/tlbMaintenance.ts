import { Runtime } from '../../machine/runtime';
import { Command } from './commands';
import { submitCommands } from './cmdq';
import { v3State } from './eventq';
import { v3Vmids } from './program';

/**
 * arm-smmu-v3.c's stage-1 TLB maintenance: commands written into the command queue and
 * consumed by the SMMU (each shows as a `command` event), always closed by a CMD_SYNC.
 * The SMMU modelled has no range invalidation (SMMU_IDR3.RIL = 0), so
 * __arm_smmu_tlb_inv_range writes one CMD_TLBI_NH_VA per `granule` of the range, with
 * NUM, SCALE, TG and TTL 0.
 */

const SYNC: Command = { op: 'CMD_SYNC', cs: 'none' };

/** A host stage-1 domain's translations carry VMID 0 (no stage 2, STE.S2VMID 0). */
const HOST_VMID = 0;

/**
 * The ASID `domain`'s context descriptors carry (smmu_domain->cd.asid; a guest's own for a
 * nested domain) and the VMID its translations are tagged with: 0 on the host, the stage-2
 * domain's for a nested one — whose invalidations the guest sends through its VMM
 * (IOMMU_HWPT_INVALIDATE), and the host issues with that VMID.
 */
function contextOf(rt: Runtime, smmu: number, domain: number): { asid: number; vmid: number } | undefined {
  const asid = v3State(rt, smmu).streams.flatMap((s) => s.cds).find((cd) => cd.domain === domain)?.asid;
  if (asid === undefined) return undefined;
  const stage2 = rt.model.domains[domain]?.nested;
  return { asid, vmid: stage2 === undefined ? HOST_VMID : (v3Vmids(rt.model, smmu).get(stage2) ?? HOST_VMID) };
}

/** arm_smmu_tlb_inv_range_domain: CMD_TLBI_NH_VA per granule of [iova, iova + size), then CMD_SYNC. */
export function invalidateRangeV3(rt: Runtime, smmu: number, domain: number, iova: bigint, size: bigint, granule: bigint, leaf: boolean): void {
  const context = contextOf(rt, smmu, domain);
  if (context === undefined || size <= 0n) return;
  const commands: Command[] = [];
  for (let address = iova; address < iova + size; address += granule) commands.push({ op: 'CMD_TLBI_NH_VA', ...context, address, leaf });
  submitCommands(rt, smmu, [...commands, SYNC]);
}

/** flush_iotlb_all (arm_smmu_tlb_inv_context): CMD_TLBI_NH_ASID, then CMD_SYNC. */
export function flushIotlbAllV3(rt: Runtime, smmu: number, domain: number): void {
  const context = contextOf(rt, smmu, domain);
  if (context !== undefined) submitCommands(rt, smmu, [{ op: 'CMD_TLBI_NH_ASID', ...context }, SYNC]);
}
