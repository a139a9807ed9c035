import type { SmmuVersion } from '../language/schema';

/**
 * What each kind of SMMU is, as a static check of a scenario needs it without a machine —
 * its features, as Linux's drivers keep them in `smmu->features`. The checker asks a
 * feature, never the version.
 */
export interface SmmuKind {
  /** How people name it: SMMUv2, SMMUv3. */
  name: string;
  /** The widest StreamID, and what it must fit, in words. */
  streamIdMax: bigint;
  streamIdField: string;
  /** Stream matching registers with a mask (SMR.MASK); an SMMUv3 has an STE per StreamID. */
  streamMasks: boolean;
  /** Context banks: SCTLR (CFCFG, HUPCF, CFRE), FSR/FAR, and a limited number of them. */
  contextBanks: boolean;
  /**
   * Faults reach handlers through the IOMMU core's iopf workqueue (iommu_report_device_fault),
   * whatever a handler's `context` says. Otherwise the context fault IRQ runs the handler in
   * the context it names (irq, thread, or a workqueue it queues to).
   */
  faultsToIopfWorkqueue: boolean;
  /** IDR0.STALL_MODEL: what the SMMU allows CD.S to be. */
  stallModel: boolean;
  /** Context descriptors, whose IPS field encodes the output address size (32, 36, 40, 42, 44, 48 bits). */
  contextDescriptors: boolean;
}

export const smmuKinds: Readonly<Record<SmmuVersion, SmmuKind>> = {
  v2: {
    name: 'SMMUv2',
    streamIdMax: 0xffffn,
    streamIdField: 'the 16-bit SMR.ID field',
    streamMasks: true,
    contextBanks: true,
    faultsToIopfWorkqueue: false,
    stallModel: false,
    contextDescriptors: false,
  },
  v3: {
    name: 'SMMUv3',
    streamIdMax: 0xffff_ffffn,
    streamIdField: '32 bits',
    streamMasks: false,
    contextBanks: false,
    faultsToIopfWorkqueue: true,
    stallModel: true,
    contextDescriptors: true,
  },
};

/** The kind of an SMMU whose version is written, or the default (`version v2`) where it is not known. */
export function smmuKind(version: SmmuVersion | undefined): SmmuKind {
  return smmuKinds[version ?? 'v2'];
}

/** The kind of an SMMU whose version is known; undefined when it is not (already reported). */
export function knownSmmuKind(version: SmmuVersion | undefined): SmmuKind | undefined {
  return version === undefined ? undefined : smmuKinds[version];
}

/** The kind a `version` setting names as written (a word the checker has already refused counts as the default). */
export function smmuKindNamed(version: string | undefined): SmmuKind {
  return version === 'v3' || version === 'v2' ? smmuKinds[version] : smmuKind(undefined);
}
