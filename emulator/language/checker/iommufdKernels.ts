import { hasChange, KernelBehaviourName, kernelBehaviours, KernelVersion } from '../../kernel/versions';

/**
 * What a `vm` and a nested domain need of the kernel: the behaviours of kernel/versions.ts
 * that bring them (the releases and commits are there), and the names the checker gives them.
 */
const needs = {
  faultQueue: { behaviour: 'iommufdFaultQueue', what: 'IOMMU_FAULT_QUEUE_ALLOC' },
  nesting: { behaviour: 'smmuV3Nesting', what: 'arm-smmu-v3 nested domains (IOMMU_DOMAIN_NESTED, STE.Config=0b111)' },
  veventq: { behaviour: 'iommufdVeventq', what: 'IOMMU_VEVENTQ_ALLOC' },
} as const satisfies Record<string, { behaviour: KernelBehaviourName; what: string }>;

export type IommufdFeature = keyof typeof needs;

/** Whether the modelled `kernel` has `feature` (a `kernel 6.14` line runs as 6.12, which has no nesting). */
export function kernelHas(kernel: KernelVersion, feature: IommufdFeature): boolean {
  return hasChange(kernel, needs[feature].behaviour);
}

/** "Linux 6.6 has no … : it came in 6.11, commit": why a word the kernel lacks is an error. */
export function missingFeature(kernel: KernelVersion, feature: IommufdFeature): string {
  const { behaviour, what } = needs[feature];
  const release = kernelBehaviours[behaviour];
  return `Linux ${kernel} has no ${what}: it came in ${release.since}, ${release.commit}`;
}
