/**
 * Which Linux: the releases the model runs, and the behaviours of the fault path that
 * differ between them, each with the release and the commit that changed it
 * (docs/kernel-model.md is this table in words).
 */

/** The releases the model runs, oldest first: Android GKI's and upstream's. */
export const modelledKernels = ['5.15', '6.1', '6.6', '6.12', '7.1'] as const;
export type KernelVersion = (typeof modelledKernels)[number];

/** What a scenario without a `kernel` line runs. */
export const newestKernel: KernelVersion = '7.1';

/** A release as MAJOR.MINOR, compared as numbers (6.12 is newer than 6.6). */
export interface Release {
  major: number;
  minor: number;
}

function releaseOf(text: string): Release {
  const [major, minor] = text.split('.').map(Number);
  return { major: major ?? 0, minor: minor ?? 0 };
}

function compare(a: Release, b: Release): number {
  return a.major !== b.major ? a.major - b.major : a.minor - b.minor;
}

/** The modelled kernel a written release runs as: the newest not newer than it; undefined when it is older than all of them. */
export function modelledKernelFor(written: Release): KernelVersion | undefined {
  return [...modelledKernels].reverse().find((k) => compare(releaseOf(k), written) <= 0);
}

/** A behaviour of the fault path that changed at a release. */
export interface KernelBehaviour {
  /** What it is about, as hover lists it. */
  topic: string;
  /** The first release with the new behaviour. */
  since: string;
  /** The commit that changed it: hash and subject. */
  commit: string;
  /** What kernels before `since` do. */
  before: string;
  /** What `since` and later do. */
  after: string;
}

export const kernelBehaviours = {
  partialBlockUnmap: {
    topic: 'unmapping part of a block',
    since: '6.13',
    commit: '33729a5fc0ca ("iommu/io-pgtable-arm: Remove split on unmap behavior")',
    before: 'the block is split into next-level leaves and the part is unmapped (split_blk_unmap)',
    after: 'refused: io-pgtable-arm warns "Unmap of a partial large IOPTE is not allowed" and unmaps nothing',
  },
  flushQueueInDmaIommu: {
    topic: "dma-iommu's lazy flush queue (`dma lazy`)",
    since: '5.17',
    commit: 'f7f07484542f ("iommu/iova: Move flush queue code to iommu-dma")',
    before: 'kept by iova.c: queue_iova, then fq_flush_timeout → iova_domain_flush → flush_iotlb_all (drivers/iommu/iova.c)',
    after: 'kept by dma-iommu.c: queue_iova, then fq_flush_timeout → fq_flush_iotlb → flush_iotlb_all (drivers/iommu/dma-iommu.c)',
  },
} as const satisfies Record<string, KernelBehaviour>;

export type KernelBehaviourName = keyof typeof kernelBehaviours;

/** Whether `kernel` has a behaviour's new form. */
export function hasChange(kernel: KernelVersion, name: KernelBehaviourName): boolean {
  return compare(releaseOf(kernel), releaseOf(kernelBehaviours[name].since)) >= 0;
}

/** What `kernel` does for each behaviour, in words, as hover lists it. */
export function behavioursOf(kernel: KernelVersion): string[] {
  return (Object.keys(kernelBehaviours) as KernelBehaviourName[]).map((name) => {
    const b: KernelBehaviour = kernelBehaviours[name];
    return hasChange(kernel, name) ? `${b.topic}: ${b.after} (since ${b.since}, ${b.commit})` : `${b.topic}: ${b.before} (until ${b.since}, ${b.commit})`;
  });
}
