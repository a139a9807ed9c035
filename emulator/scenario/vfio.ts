import type { KernelVersion } from '../kernel/versions';
import { AttachOutcome, Attacher, MasterStall } from './attach';

/**
 * Where a VFIO container's masters land, as vfio_iommu_type1_attach_group decides it: each
 * group tries the container's domains in the order they were made; when every one refuses
 * it, the container allocates a new domain, maps it the same, and attaches it there. The
 * checker decides it once; elaboration, the trace and the language server read the answer.
 */

/** A master a container lists, as the attach rules need to see it. */
export interface ContainerMember {
  name: string;
  smmu: string;
  /** Linux's master->stall_enabled (attach.ts `masterStall`). */
  stall: MasterStall;
  /** SMMUv2: the context banks of the master's SMMU; undefined on SMMUv3. */
  contextBanks: number | undefined;
  /** SMMUv3: the Linux release whose attach rules apply (attach.ts); undefined on SMMUv2. */
  smmuV3Kernel: KernelVersion | undefined;
}

export interface ContainerRequest {
  name: string;
  /** The SMMU of the container's first domain. */
  smmu: string;
  /** `fault stall` in the container. */
  stall: boolean;
  members: readonly ContainerMember[];
}

/** A domain the container made: its first (named as the container), then `NAME#2`, `NAME#3` … */
export interface ContainerDomain {
  name: string;
  smmu: string;
  stall: boolean;
}

export type PlacementOutcome = 'attached' | 'new-domain' | 'unattached';

export interface ContainerPlacement {
  /** Index into the request's members. */
  member: number;
  /** Index into the container's domains; undefined when the master attached nowhere. */
  domain: number | undefined;
  outcome: PlacementOutcome;
  /** Why it did not join an existing domain ('' when it did). */
  why: string;
  /** The whole story in one phrase: "attached to pt", "new domain pt#2: …", "unattached: …". */
  reason: string;
}

export interface ContainerResult {
  domains: ContainerDomain[];
  placements: ContainerPlacement[];
}

function attachTo<K>(attacher: Attacher<K | ContainerDomain>, member: ContainerMember, domain: ContainerDomain): AttachOutcome {
  return attacher.attach({
    master: member.name,
    masterSmmu: member.smmu,
    domain,
    domainName: domain.name,
    domainSmmu: domain.smmu,
    domainStalls: domain.stall,
    masterStall: member.stall,
    contextBanks: member.contextBanks,
    smmuV3Kernel: member.smmuV3Kernel,
  });
}

/**
 * What the new domain's stall setting is, said when the container stalls: a stall domain
 * was refused because the master does not stall, so a copy that stalls would be refused too.
 */
function stallNote(container: ContainerRequest, member: ContainerMember, domain: ContainerDomain, refusedForStall: boolean): string {
  if (!container.stall) return '';
  // The copy stalls exactly when the master does (placeContainer).
  const stall = member.stall;
  if (stall.stalls) return `; ${domain.name} stalls on faults, as the container asks`;
  return refusedForStall ? `; ${domain.name} does not stall` : `; ${domain.name} does not stall: ${stall.why}`;
}

/**
 * Places the container's masters in order, after every attach already made through
 * `attacher` (masters with their own `domain` line, earlier containers): the attacher
 * carries the SMMUv2 context banks in use, so a new domain is refused when none is left.
 */
export function placeContainer<K>(container: ContainerRequest, attacher: Attacher<K | ContainerDomain>): ContainerResult {
  const domains: ContainerDomain[] = [{ name: container.name, smmu: container.smmu, stall: container.stall }];
  const placements = container.members.map((member, index): ContainerPlacement => {
    let first: Extract<AttachOutcome, { attached: false }> | undefined;
    for (const [at, domain] of domains.entries()) {
      const outcome = attachTo(attacher, member, domain);
      if (outcome.attached) return { member: index, domain: at, outcome: 'attached', why: '', reason: `attached to ${domain.name}` };
      first ??= outcome;
    }
    // The container's first domain always answers first: its refusal is the one to explain.
    const refused = first?.reason ?? '';
    if (first?.why === 'no-context-bank') {
      const why = `${refused}; a new domain would need a context bank too`;
      return { member: index, domain: undefined, outcome: 'unattached', why, reason: `unattached: ${why}` };
    }
    const name = `${container.name}#${domains.length + 1}`;
    const fresh: ContainerDomain = { name, smmu: member.smmu, stall: container.stall && member.stall.stalls };
    const outcome = attachTo(attacher, member, fresh);
    if (!outcome.attached) {
      const why = `${refused}, and a new domain cannot be attached either: ${outcome.reason}`;
      return { member: index, domain: undefined, outcome: 'unattached', why, reason: `unattached: ${why}` };
    }
    domains.push(fresh);
    const where = fresh.smmu === container.smmu ? '' : ` on smmu '${fresh.smmu}'`;
    const refusedForStall = member.smmu === container.smmu;
    const why = `${refused}${stallNote(container, member, fresh, refusedForStall)}`;
    return { member: index, domain: domains.length - 1, outcome: 'new-domain', why, reason: `new domain ${name}${where}: ${why}` };
  });
  return { domains, placements };
}
