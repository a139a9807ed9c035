import { DomainDeclaration, MasterDeclaration, Word } from '../ast';
import { Attacher, AttachRequest, attachInOrder, MasterStall, masterStall, StallModel } from '../../scenario/attach';
import { ContainerDomain } from '../../scenario/vfio';
import { CheckContext, versionOf } from './context';
import { knownSmmuKind } from '../../smmu/kinds';

interface Asking {
  master: MasterDeclaration;
  setting: Word;
  domain: DomainDeclaration;
}

/** Linux's master->stall_enabled for a master whose SMMU is known: its `can-stall` and, on an SMMUv3, the SMMU's STALL_MODEL. */
export function masterStallOf(master: MasterDeclaration, context: Pick<CheckContext, 'smmuOf' | 'settings'>): MasterStall | undefined {
  const smmu = context.smmuOf.get(master);
  if (!smmu) return undefined;
  const smmuSettings = smmu.declaration ? context.settings.get(smmu.declaration) : undefined;
  const stallModel = knownSmmuKind(versionOf(context, smmu))?.stallModel ? (smmuSettings?.word('stall-model') as StallModel | undefined) : undefined;
  return masterStall(master.name?.text ?? '?', context.settings.get(master)?.flag('can-stall') ?? false, smmu.name, stallModel);
}

/** What iommu_attach_device is asked, for a master whose domain resolved. */
export function attachRequest(master: MasterDeclaration, domain: DomainDeclaration, context: Pick<CheckContext, 'smmuOf' | 'settings'>): AttachRequest<DomainDeclaration> | undefined {
  const masterSmmu = context.smmuOf.get(master);
  const domainSmmu = context.smmuOf.get(domain);
  const stall = masterStallOf(master, context);
  if (!masterSmmu || !domainSmmu || !stall) return undefined;
  const smmuSettings = masterSmmu.declaration ? context.settings.get(masterSmmu.declaration) : undefined;
  return {
    master: master.name?.text ?? '?',
    masterSmmu: masterSmmu.name,
    domain,
    domainName: domain.name?.text ?? '?',
    domainSmmu: domainSmmu.name,
    domainStalls: context.settings.get(domain)?.word('fault') === 'stall',
    masterStall: stall,
    contextBanks: knownSmmuKind(versionOf(context, masterSmmu))?.contextBanks ? Number(smmuSettings?.number('context-banks') ?? 0n) : undefined,
  };
}

/**
 * Attaches at start, as the emulator will: reports refused attaches (the master then
 * stays unattached, its transactions fault) and SMMUv2 context banks running out.
 * Returns the attaches made, which the vfio containers attach after.
 */
export function checkAttachments(masters: readonly MasterDeclaration[], context: CheckContext): Attacher<DomainDeclaration | ContainerDomain> {
  const attacher = new Attacher<DomainDeclaration | ContainerDomain>();
  const asking: Asking[] = [];
  for (const master of masters) {
    const setting = context.settings.get(master)?.name('domain');
    const domain = setting ? context.symbols.resolve('domain', setting, context.sink)?.declaration : undefined;
    if (setting && domain) asking.push({ master, setting, domain });
  }
  const requests = asking.flatMap((a) => {
    const request = attachRequest(a.master, a.domain, context);
    return request ? [{ asking: a, request }] : [];
  });
  attachInOrder(requests.map((r) => r.request), attacher).forEach((outcome, i) => {
    const at = requests[i]?.asking.setting.range;
    if (outcome.attached || !at) return;
    if (outcome.why === 'refused') {
      context.sink.warning('attach-fails', at, `iommu_attach_device fails: ${outcome.reason}. The master stays unattached and its transactions fault (a VFIO container would put it in a domain of its own).`);
    } else {
      context.sink.warning('context-banks-exhausted', at, `iommu_attach_device fails: ${outcome.reason}`);
    }
  });
  return attacher;
}
