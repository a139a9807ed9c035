import { KernelVersion } from '../../kernel/versions';

/**
 * The releases that brought what a `vm` and a nested domain need. Of the modelled kernels
 * (5.15, 6.1, 6.6, 6.12, 7.1), 6.12 has the fault queue and 7.1 all three.
 */
export const iommufdReleases = {
  faultQueue: {
    since: '6.11',
    what: 'IOMMU_FAULT_QUEUE_ALLOC',
    commit: 'Lu Baolu\'s series "IOMMUFD: Deliver IO page faults to user space", 34765cbc679c "iommufd: Associate fault object with iommufd_hw_pgtable"',
  },
  nesting: {
    since: '6.14',
    what: 'arm-smmu-v3 nested domains (IOMMU_HWPT_DATA_ARM_SMMUV3, STE.Config=0b111)',
    commit: 'Jason Gunthorpe\'s smmuv3_nesting series, 874b87c7539f "iommu/arm-smmu-v3: Implement IOMMU_HWPT_ALLOC_NEST_PARENT"',
  },
  veventq: {
    since: '6.15',
    what: 'IOMMU_VEVENTQ_ALLOC',
    commit: 'e36ba5ab808e "iommufd: Add IOMMUFD_OBJ_VEVENTQ and IOMMUFD_CMD_VEVENTQ_ALLOC"',
  },
} as const;

export type IommufdFeature = keyof typeof iommufdReleases;

/** Whether the modelled `kernel` (a `kernel 6.13` line runs as 6.12) has `feature`. */
export function kernelHas(kernel: KernelVersion, feature: IommufdFeature): boolean {
  const [km, kn] = kernel.split('.').map(Number);
  const [rm, rn] = iommufdReleases[feature].since.split('.').map(Number);
  return (km ?? 0) !== (rm ?? 0) ? (km ?? 0) > (rm ?? 0) : (kn ?? 0) >= (rn ?? 0);
}

/** "on Linux 6.6 … came in 6.11 (commit)": why a word the kernel lacks is an error. */
export function missingFeature(kernel: KernelVersion, feature: IommufdFeature): string {
  const release = iommufdReleases[feature];
  return `Linux ${kernel} has no ${release.what}: it came in ${release.since} (${release.commit})`;
}
