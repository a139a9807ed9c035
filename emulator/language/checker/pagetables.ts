import { DomainDeclaration, PagetableDeclaration } from '../ast';
import { onAdrenoSmmu } from './adreno';
import { CheckContext, versionOf } from './context';
import { CheckedMap, checkMaps } from './maps';
import { BlockSettings } from './settings';
import { isStage2 } from './stage2';
import { GRANULE_4K, granuleOfBytes } from '../../pgtable/granule';

/** A `pagetable` whose domain resolved: the per-process TTBR0 table the machine builds. */
export interface CheckedPagetable {
  declaration: PagetableDeclaration;
  domain: DomainDeclaration;
  /** The ASID the CP writes with it (TTBR0[63:48]): `asid N`, else the next of 1, 2, … in file order. */
  asid: number;
  maps: CheckedMap[];
}

/**
 * Checks one `pagetable NAME on DOMAIN`: drm/msm makes per-process tables only where
 * qcom's Adreno SMMU gave the GPU set_ttbr0_cfg, which needs the domain's own table in
 * TTBR1 (adreno_smmu_priv; msm_iommu_pagetable_create fails with -ENODEV otherwise).
 * Its maps are TTBR0 maps: they live below 2^ias.
 */
export function checkPagetable(table: PagetableDeclaration, settings: BlockSettings, fallbackAsid: number, context: CheckContext): CheckedPagetable | undefined {
  const entry = table.domain ? context.symbols.resolve('domain', table.domain, context.sink) : undefined;
  const domain = entry?.declaration;
  const at = table.domain?.range ?? table.range;
  const owner = `pagetable '${table.name?.text ?? '?'}'`;
  if (!domain) return undefined;
  const domainSettings = context.settings.get(domain);
  const smmu = context.smmuOf.get(domain);
  // A pagetable is a TTBR0 table of its domain's context bank: the bank's TCR (TG0) gives it the domain's granule.
  const granule = domainSettings ? granuleOfBytes(Number(domainSettings.number('granule'))) : GRANULE_4K;
  const maps = checkMaps(table.maps, owner, domainSettings?.number('ias') ?? 48n, domainSettings?.number('oas') ?? 40n, granule, context, 'pagetable');
  if (isStage2(domainSettings)) {
    context.sink.error('stage1-pagetable', at, `${owner} is a per-process stage-1 table, and domain '${domain.name?.text}' is stage 2: its table translates a VM's IPAs, which no process switches`);
    return undefined;
  }
  if (versionOf(context, smmu) === 'v3') {
    context.sink.error(
      'pagetable-version',
      at,
      `${owner} is on domain '${domain.name?.text}' of smmu '${smmu?.name}', an SMMUv3: per-process TTBR0 tables are Adreno's (arm-smmu's set_ttbr0_cfg on an SMMUv2); arm-smmu-v3 has no TTBR1 quirk`,
    );
    return undefined;
  }
  if (domainSettings?.word('ttbr1') !== 'on') {
    context.sink.error(
      'pagetable-no-ttbr1',
      at,
      `${owner} is on domain '${domain.name?.text}', which has no 'ttbr1 on': per-process TTBR0 tables need the domain's globals in TTBR1 (msm_iommu_pagetable_create needs adreno_smmu_priv's set_ttbr0_cfg, which qcom gives a TTBR1 domain)`,
    );
    return undefined;
  }
  if (smmu && !onAdrenoSmmu(domain, context)) {
    context.sink.error(
      'pagetable-impl',
      at,
      `${owner} is on domain '${domain.name?.text}' of smmu '${smmu.name}', which is not 'impl qcom-adreno': only qcom's Adreno SMMU gives drm/msm set_ttbr0_cfg for per-process tables`,
    );
    return undefined;
  }
  const asid = settings.writtenNumber('asid');
  return { declaration: table, domain, asid: asid === undefined ? fallbackAsid : Number(asid), maps };
}
