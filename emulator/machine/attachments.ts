import { AttachRequest, attachInOrder } from '../scenario/attach';
import { ScenarioModel } from '../scenario/model';

/** Where each master landed at start, and why not when it did not. */
export interface Attachment {
  master: number;
  /** The domain it asked for. */
  domain: number;
  attached: boolean;
  reason: string | undefined;
}

/** Every master with a `domain`, attached in declaration order; and per SMMU, the domain of each context bank. */
export function attachMasters(model: ScenarioModel): { attachments: Attachment[]; banks: number[][] } {
  const asking = model.masters.flatMap((master, index) => (master.domain === undefined ? [] : [{ master, index, domain: master.domain }]));
  const requests = asking.map(({ master, domain }): AttachRequest<number> => {
    const smmu = model.smmus[master.smmu];
    const target = model.domains[domain];
    return {
      master: master.name,
      masterSmmu: smmu?.name ?? '?',
      domain,
      domainName: target?.name ?? '?',
      domainSmmu: model.smmus[target?.smmu ?? -1]?.name ?? '?',
      domainStalls: target?.stall ?? false,
      masterCanStall: master.canStall,
      contextBanks: smmu?.version === 'v2' ? smmu.contextBanks : undefined,
    };
  });
  const banks: number[][] = model.smmus.map(() => []);
  const attachments = attachInOrder(requests).map((outcome, i): Attachment => {
    const { master, index, domain } = asking[i] as (typeof asking)[number];
    const smmuBanks = banks[master.smmu];
    if (outcome.attached && smmuBanks && !smmuBanks.includes(domain)) smmuBanks.push(domain);
    return { master: index, domain, attached: outcome.attached, reason: outcome.attached ? undefined : outcome.reason };
  });
  return { attachments, banks };
}
