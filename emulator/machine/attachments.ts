import { AttachRequest, attachInOrder, masterStall } from '../scenario/attach';
import { ScenarioModel } from '../scenario/model';
import { contextBankLimitOf, stallModelOf } from '../smmu/smmus';

/** Where each master landed at start, and why not when it did not. */
export interface Attachment {
  master: number;
  /** The domain it asked for. */
  domain: number;
  attached: boolean;
  reason: string | undefined;
}

/**
 * The masters that ask for a domain at start, in the order the checker attached them:
 * those with their own `domain` line in declaration order (drivers probing), then each vfio
 * container's placed masters in its order (userspace setting up the container).
 */
function attachOrder(model: ScenarioModel, placed: ReadonlySet<number>): number[] {
  const own = model.masters.flatMap((master, index) => (master.domain === undefined || placed.has(index) ? [] : [index]));
  const containers = model.vfio.flatMap((container) => container.placements.flatMap((p) => (p.domain === undefined ? [] : [p.master])));
  return [...own, ...containers];
}

/** Every master with a domain attached in the checker's order; and per SMMU, the domain of each context bank. */
export function attachMasters(model: ScenarioModel): { attachments: Attachment[]; banks: number[][] } {
  const placed = new Set(model.vfio.flatMap((container) => container.placements.map((p) => p.master)));
  const asking = attachOrder(model, placed).flatMap((index) => {
    const master = model.masters[index];
    return master?.domain === undefined ? [] : [{ master, index, domain: master.domain }];
  });
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
      masterStall: masterStall(master.name, master.canStall, smmu?.name ?? '?', stallModelOf(smmu)),
      contextBanks: contextBankLimitOf(smmu),
      smmuV3Kernel: smmu?.version === 'v3' ? model.kernel : undefined,
    };
  });
  const banks: number[][] = model.smmus.map(() => []);
  const attachments = attachInOrder(requests).map((outcome, i): Attachment => {
    const { master, index, domain } = asking[i] as (typeof asking)[number];
    // The same rules in the same order as the checker's: a container's master lands where it was placed.
    if (!outcome.attached && placed.has(index)) throw new Error(`vfio placed master '${master.name}' in a domain that refuses it: ${outcome.reason}`);
    const smmuBanks = banks[master.smmu];
    if (outcome.attached && smmuBanks && !smmuBanks.includes(domain)) smmuBanks.push(domain);
    return { master: index, domain, attached: outcome.attached, reason: outcome.attached ? undefined : outcome.reason };
  });
  return { attachments, banks };
}
