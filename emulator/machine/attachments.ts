import { attachRefusal, contextBanksExhausted } from '../scenario/attach';
import { ScenarioModel } from '../scenario/model';

/** Where each master landed at start, and why not when it did not. */
export interface Attachment {
  master: number;
  /** The domain it asked for. */
  domain: number;
  attached: boolean;
  reason: string | undefined;
}

/**
 * iommu_attach_device for every master with a `domain`, in declaration order. On SMMUv2 a
 * domain takes a context bank on its first attach; masters attached to one domain share it.
 */
export function attachMasters(model: ScenarioModel): { attachments: Attachment[]; banks: number[][] } {
  const banks: number[][] = model.smmus.map(() => []);
  const attachments: Attachment[] = [];
  model.masters.forEach((master, index) => {
    if (master.domain === undefined) return;
    const domain = model.domains[master.domain];
    const masterSmmu = model.smmus[master.smmu];
    if (!domain || !masterSmmu) return;
    let reason = attachRefusal({
      master: master.name,
      domain: domain.name,
      masterSmmu: masterSmmu.name,
      domainSmmu: model.smmus[domain.smmu]?.name ?? '?',
      domainStalls: domain.stall,
      masterCanStall: master.canStall,
    });
    const smmuBanks = banks[master.smmu] ?? [];
    if (!reason && !smmuBanks.includes(master.domain)) {
      // Only SMMUv2 has context banks to run out of; an SMMUv3 has a CD per domain.
      if (masterSmmu.version === 'v2' && smmuBanks.length >= masterSmmu.contextBanks) {
        reason = contextBanksExhausted(masterSmmu.name, masterSmmu.contextBanks, smmuBanks.length + 1);
      } else smmuBanks.push(master.domain);
    }
    attachments.push({ master: index, domain: master.domain, attached: reason === undefined, reason });
  });
  return { attachments, banks };
}
