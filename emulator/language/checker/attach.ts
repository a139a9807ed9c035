import { DomainDeclaration, MasterDeclaration, Word } from '../ast';
import { Attacher, AttachRequest, attachInOrder, MasterStall, masterStall, StallModel, stallEnabled } from '../../scenario/attach';
import { QuickFix } from '../diagnostics';
import { SymbolEntry } from './symbols';
import { ContainerDomain } from '../../scenario/vfio';
import { CheckContext, versionOf } from './context';
import { knownSmmuKind } from '../../smmu/kinds';

interface Asking {
  master: MasterDeclaration;
  setting: Word;
  domain: DomainDeclaration;
}

/** The STALL_MODEL of a master's SMMU, where the SMMU has one (SMMUv3). */
function stallModelOf(smmu: SymbolEntry<'smmu'>, context: Pick<CheckContext, 'settings'>): StallModel | undefined {
  const smmuSettings = smmu.declaration ? context.settings.get(smmu.declaration) : undefined;
  return knownSmmuKind(versionOf(context, smmu))?.stallModel ? (smmuSettings?.word('stall-model') as StallModel | undefined) : undefined;
}

/** Linux's master->stall_enabled for a master whose SMMU is known: its `can-stall` and, on an SMMUv3, the SMMU's STALL_MODEL. */
export function masterStallOf(master: MasterDeclaration, context: Pick<CheckContext, 'smmuOf' | 'settings'>): MasterStall | undefined {
  const smmu = context.smmuOf.get(master);
  if (!smmu) return undefined;
  return masterStall(master.name?.text ?? '?', context.settings.get(master)?.flag('can-stall') ?? false, smmu.name, stallModelOf(smmu, context));
}

/**
 * A stall domain refused to a master that would stall with `can-stall` (its SMMU's
 * STALL_MODEL allows it): the fix writes `can-stall` after the master's `domain` line.
 */
function canStallFix(a: Asking, request: AttachRequest<DomainDeclaration>, context: CheckContext): QuickFix | undefined {
  const smmu = context.smmuOf.get(a.master);
  if (request.smmuV3Kernel !== undefined || request.masterSmmu !== request.domainSmmu || !request.domainStalls || request.masterStall.stalls || !smmu || !stallEnabled(true, stallModelOf(smmu, context))) return undefined;
  const at = a.setting.range.end;
  return { title: `Add 'can-stall' to master '${request.master}'`, edits: [{ range: { start: at, end: at }, newText: '; can-stall' }] };
}

/** What iommu_attach_device is asked, for a master whose domain resolved. */
export function attachRequest(master: MasterDeclaration, domain: DomainDeclaration, context: Pick<CheckContext, 'smmuOf' | 'settings' | 'kernel'>): AttachRequest<DomainDeclaration> | undefined {
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
    smmuV3Kernel: versionOf(context, masterSmmu) === 'v3' ? context.kernel : undefined,
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
    const asked = requests[i];
    if (asked && outcome.attached) context.ownAttached.add(asked.asking.master);
    if (outcome.attached || !asked) return;
    const at = asked.asking.setting.range;
    if (outcome.why === 'refused') {
      const message = `iommu_attach_device fails: ${outcome.reason}. The master stays unattached and its transactions fault (a VFIO container would put it in a domain of its own).`;
      context.sink.warning('attach-fails', at, message, undefined, canStallFix(asked.asking, asked.request, context));
    } else {
      context.sink.warning('context-banks-exhausted', at, `iommu_attach_device fails: ${outcome.reason}`);
    }
  });
  return attacher;
}
