import { granuleOfBytes } from '../pgtable/granule';
import { CheckResult } from '../language/checker/check';
import { DomainModel, MasterModel, VfioModel } from './model';
import { SettingsReader } from './settingsReader';

/** What the rest of elaboration built, which the containers add to. */
export interface ElaboratedSoFar {
  smmuIndex: ReadonlyMap<string, number>;
  /** The declared domains; the containers' domains are appended. */
  domains: DomainModel[];
  masterIndex: ReadonlyMap<string, number>;
  /** A placed master's `domain` is set to where it landed. */
  masters: MasterModel[];
}

/**
 * The containers as the checker placed them, turned into domains and indexes. Each domain a
 * container made has the container's settings and maps, with a domain's default address
 * sizes; only its SMMU and whether it stalls differ between them.
 */
export function elaborateContainers(checked: Pick<CheckResult, 'containers' | 'mapsOf'>, reader: SettingsReader, so: ElaboratedSoFar): VfioModel[] {
  const domainDefaults = reader.of(undefined, 'domain');
  return checked.containers.map((container): VfioModel => {
    const s = reader.of(container.declaration, 'vfio');
    const first = so.domains.length;
    for (const domain of container.domains) {
      so.domains.push({
        name: domain.name,
        smmu: so.smmuIndex.get(domain.smmu) ?? 0,
        ias: reader.number(domainDefaults, 'ias'),
        oas: reader.number(domainDefaults, 'oas'),
        granule: granuleOfBytes(reader.number(domainDefaults, 'granule')),
        stall: domain.stall,
        hupcf: s.word('hupcf') === 'on',
        abortOnTerminate: s.word('report') === 'abort',
        record: s.word('record') === 'on',
        // VFIO's domains are IOMMU_DOMAIN_UNMANAGED: vfio_iommu_type1 unmaps with iommu_unmap, never a flush queue.
        dma: { lazy: false, queueSize: reader.number(domainDefaults, 'flush-queue'), timeout: reader.number(domainDefaults, 'flush-timeout') },
        maps: checked.mapsOf.get(container.declaration) ?? [],
        ttbr1: false,
        ttbr1Maps: [],
        stage: 1,
        vmid: undefined,
        nested: undefined,
        cdAt: undefined,
        tablesAt: undefined,
        vm: undefined,
      });
    }
    const placements = container.placements.map((p) => {
      const master = so.masterIndex.get(p.master.name?.text ?? '') ?? 0;
      const domain = p.domain === undefined ? undefined : first + p.domain;
      const model = so.masters[master];
      if (model) model.domain = domain;
      return { master, domain, outcome: p.outcome, why: p.why, reason: p.reason };
    });
    return { name: container.declaration.name?.text ?? '', domains: container.domains.map((_, i) => first + i), placements };
  });
}
