import { DomainDeclaration, MasterDeclaration } from '../ast';
import { attachRefusal, contextBanksExhausted } from '../../scenario/attach';
import { CheckContext, versionOf } from './context';

/** Why iommu_attach_device refuses; the emulator attaches with the same rules, so warning and run agree. */
function refusal(master: MasterDeclaration, domain: DomainDeclaration, context: CheckContext): string | undefined {
  const masterSmmu = context.smmuOf.get(master);
  const domainSmmu = context.smmuOf.get(domain);
  if (!masterSmmu || !domainSmmu) return undefined;
  return attachRefusal({
    master: master.name?.text ?? '?',
    domain: domain.name?.text ?? '?',
    masterSmmu: masterSmmu.name,
    domainSmmu: domainSmmu.name,
    domainStalls: context.settings.get(domain)?.word('fault') === 'stall',
    masterCanStall: context.settings.get(master)?.flag('can-stall') ?? false,
  });
}

/**
 * Attaches at start, as the emulator will: reports refused attaches (the master then
 * stays unattached, its transactions fault) and SMMUv2 context banks running out.
 */
export function checkAttachments(masters: readonly MasterDeclaration[], context: CheckContext): void {
  const banksInUse = new Map<string, Set<DomainDeclaration>>();
  for (const master of masters) {
    const setting = context.settings.get(master)?.name('domain');
    if (!setting) continue;
    const domain = context.symbols.resolve('domain', setting, context.sink)?.declaration;
    if (!domain) continue;
    const reason = refusal(master, domain, context);
    if (reason) {
      context.sink.warning('attach-fails', setting.range, `iommu_attach_device fails: ${reason}. The master stays unattached and its transactions fault (a VFIO container would put it in a domain of its own).`);
      continue;
    }
    const smmu = context.smmuOf.get(master);
    if (!smmu || versionOf(context, smmu) !== 'v2' || !smmu.declaration) continue;
    const inUse = banksInUse.get(smmu.name) ?? new Set<DomainDeclaration>();
    inUse.add(domain);
    banksInUse.set(smmu.name, inUse);
    const banks = context.settings.get(smmu.declaration)?.number('context-banks') ?? 0n;
    if (BigInt(inUse.size) > banks) {
      context.sink.warning('context-banks-exhausted', setting.range, `iommu_attach_device fails: ${contextBanksExhausted(smmu.name, Number(banks), inUse.size)}`);
      inUse.delete(domain);
    }
  }
}
