/** What decides whether iommu_attach_device succeeds; the checker and the machine both ask. */
export interface AttachFacts {
  master: string;
  domain: string;
  masterSmmu: string;
  domainSmmu: string;
  domainStalls: boolean;
  masterCanStall: boolean;
}

/** Why the attach fails, or undefined when it succeeds. */
export function attachRefusal(facts: AttachFacts): string | undefined {
  if (facts.masterSmmu !== facts.domainSmmu) {
    return `master '${facts.master}' is behind smmu '${facts.masterSmmu}' but domain '${facts.domain}' uses smmu '${facts.domainSmmu}'`;
  }
  if (facts.domainStalls && !facts.masterCanStall) {
    return `domain '${facts.domain}' stalls on faults but master '${facts.master}' is not 'can-stall'`;
  }
  return undefined;
}

export function contextBanksExhausted(smmu: string, banks: number, domainNumber: number): string {
  return `smmu '${smmu}' has ${banks} context bank${banks === 1 ? '' : 's'} and this would be domain number ${domainNumber}`;
}
