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
  contextFaultDecode: {
    topic: 'SMMUv2 unhandled context fault lines',
    since: '6.11',
    commit: 'd525b0af0c3b ("iommu/arm-smmu: Pretty-print context fault related regs")',
    before: 'one line, "Unhandled context fault: fsr=… iova=… fsynr=… cbfrsynra=… cb=…", when no handler is set (-ENOSYS)',
    after: 'that line, then the FSR and FSYNR0 decode lines of arm_smmu_print_context_fault_info, when no handler is set (-ENOSYS)',
  },
  adrenoFaultHandlerSplit: {
    topic: "drm/msm's GPU fault handler",
    since: '6.4',
    commit: '"drm/msm/adreno: split a6xx fault handler into generic and a6xx parts" (Dmitry Baryshkov; hash not pinned; 6.1 has the a6xx one, 6.6 the generic one)',
    before: 'a6xx_fault_handler (a6xx_gpu.c) prints the `*** gpu fault:` line',
    after: 'adreno_fault_handler (adreno_gpu.c) prints the same `*** gpu fault:` line',
  },
  resumeInContextFault: {
    topic: 'SMMUv2 RESUME of a stalled context fault',
    since: '6.16',
    commit: '3053a2c5086d ("iommu/arm-smmu: Move handing of RESUME to the context fault handler")',
    before:
      "arm_smmu_context_fault never writes RESUME: only qcom's Adreno resume_translation (qcom_adreno_smmu_resume_translation) answers a stall, with the handler's response, from whichever context the handler runs in; a handler that does not answer leaves the transaction stalled",
    after:
      'arm_smmu_context_fault writes FSR back, then RESUME from report_iommu_fault\'s return: -EAGAIN (retry) retries, anything else terminates; a workqueue handler answers too late',
  },
  adrenoThreadedIrq: {
    topic: "qcom Adreno SMMU's context fault IRQ",
    since: '6.16',
    commit: '1650620774fa ("iommu/arm-smmu-qcom: Enable threaded IRQ for Adreno SMMUv2/MMU500")',
    before: "a hard IRQ: drm/msm's fault handler prints and hands the crash dump to its fault worker, which resumes the stall (resume_translation)",
    after: "threaded (context_fault_needs_threaded_irq): drm/msm's fault handler runs in the IRQ thread and may sleep",
  },
  msmStallCooldown: {
    topic: "drm/msm's stall-on-fault after a GPU fault",
    since: '6.16',
    commit:
      'b13044092c1e ("drm/msm: Temporarily disable stall-on-fault after a page fault"), with 0c5fea1eb0dc ("drm/msm: Don\'t use a worker to capture fault devcoredump") and dedf404be8cf ("drm/msm: Delete resume_translation()")',
    before: 'stall stays on; the crash state is captured in fault_worker, which then resumes the stall with resume_translation(terminate)',
    after: 'adreno_fault_handler turns stall off (set_stall) for 500 ms, captures the crash state in the IRQ thread and returns 0: RESUME terminates',
  },
  smmuV3StallAttachMessage: {
    topic: 'SMMUv3 attach refused for a stall mismatch',
    since: '6.2',
    commit: 'f4a147735793 ("iommu: Use EINVAL for incompatible device/domain in ->attach_dev")',
    before: 'arm_smmu_attach_dev prints "cannot attach to stall-enabled domain" / "stall-disabled" (dev_err on the master) and fails -EINVAL',
    after: 'arm_smmu_attach_dev fails -EINVAL without a line',
  },
  smmuV3CdStallPerMaster: {
    topic: 'SMMUv3 CD.S',
    since: '6.10',
    commit: 'Jason Gunthorpe\'s CD rework, "Arm SMMU updates for 6.10" (most likely e9d1e4ff74b9 "iommu/arm-smmu-v3: Move the CD generation for S1 domains into a function"; which patch dropped smmu_domain->stall_enabled is not pinned)',
    before: 'per domain: a domain takes stall_enabled from the first master attached to it, and a master whose stall_enabled differs is refused (-EINVAL)',
    after: 'per master: CD.S = master->stall_enabled, whatever the domain; no master is refused for it',
  },
  smmuV3IopfAtAttach: {
    topic: 'SMMUv3 IOPF for a master with more than one StreamID',
    since: '6.16',
    commit: '"iommu/arm-smmu-v3: Put iopf enablement in the domain attach path" (Jason Gunthorpe; hash not pinned)',
    before: 'arm_smmu_master_iopf_supported refuses it (num_streams != 1): IOMMU_DEV_FEAT_IOPF cannot be enabled, stalls are not routed to iopf',
    after: 'arm_smmu_enable_iopf refuses it (num_streams != 1): an IOPF-capable domain cannot be attached (-EOPNOTSUPP)',
  },
  iopfErrorResponse: {
    topic: 'a stall no iopf handler takes',
    since: '6.11',
    commit: 'the io-pgfault rework that made iommu_report_device_fault return int again with find_fault_handler and iopf_error_response (hash not pinned: 6.10.0 lacks it, 6.11.11 has it)',
    before: 'iommu_report_device_fault fails and arm_smmu_handle_evt answers "Nobody cared, abort the access": IOMMU_PAGE_RESP_FAILURE (5.15, 6.1, 6.6; 6.7–6.10, not modelled, sent nothing)',
    after: 'iommu_report_device_fault answers through iopf_error_response: IOMMU_PAGE_RESP_INVALID',
  },
  smmuV3DecodedEvents: {
    topic: 'SMMUv3 event log lines',
    since: '6.14',
    commit: '43ca55f5555b ("iommu/arm-smmu-v3: Introduce struct arm_smmu_event") and d814b70b9b90 ("iommu/arm-smmu-v3: Log better event records")',
    before: 'arm_smmu_evtq_thread dumps the record raw at KERN_INFO: "event 0x%02x received:" and each dword',
    after: 'arm_smmu_dump_event: the raw dump at KERN_ERR, then "event: %s client: %s sid: %#x ssid: %#x …" and the access line',
  },
  iopfHandlerRenamed: {
    topic: 'the iopf work function that runs a fault group (debugger frame)',
    since: '6.2',
    commit: '"iommu: Prepare IOMMU domain for IOPF" (Lu Baolu, the SVA domain series; hash not pinned: 6.1.166 has iopf_handle_group, 6.6.63 iopf_handler, both in io-pgfault.c)',
    before: 'iopf_handle_group (io-pgfault.c) runs the handler on each fault, then iopf_complete_group answers',
    after: "iopf_handler (io-pgfault.c) runs the domain's handler on each fault, then iopf_complete_group answers",
  },
  iopfDomainHandler: {
    topic: 'who runs and answers a fault group (debugger frames)',
    since: '6.8',
    commit: '"iommu: Separate SVA and IOPF" (Lu Baolu, the "Prepare to deliver page faults to user space" series; hash not pinned, most likely v6.8: 6.6.63 still has iopf_handler, 6.10.0 and 6.12.19 have iommu_sva_handle_iopf)',
    before: 'the group runs in io-pgfault.c and iopf_complete_group answers it',
    after: "iommu_report_device_fault hands the group to the domain's iopf_handler, which queues iommu_sva_handle_iopf (iommu-sva.c) on the iopf queue; iopf_group_response answers it",
  },
  iommufdFaultQueue: {
    topic: "iommufd's fault queue (`vm … fault-queue on`)",
    since: '6.11',
    commit: '07838f7fd529 ("iommufd: Add iommufd fault object")',
    before: 'no IOMMU_FAULT_QUEUE_ALLOC: a user-owned domain has no fault object, and its stalls are the host\'s to answer',
    after:
      'IOMMU_FAULT_QUEUE_ALLOC (0x8e) gives the VMM a fault fd: iommufd_fault_iopf_handler queues each iopf group, read() gives struct iommu_hwpt_pgfault with a cookie from the response xarray (lowest free, from 1), write() of struct iommu_hwpt_page_response calls iopf_group_response',
  },
  stage2ConcatMandatory: {
    topic: "a stage-2 table's concatenated start level",
    since: '6.14',
    commit: '("iommu/io-pgtable-arm: Fix stage-2 concatenation with 16K", Mostafa Saleh; arm_lpae_concat_mandatory, in 6.14 and not in 6.13)',
    before: 'arm_64_lpae_alloc_pgtable_s2 concatenates whenever the walk would start at level 0 with at most 16 entries (a 4K, 40-bit IPA space starts at level 1 with two tables)',
    after: 'it concatenates only where the architecture requires it (arm_lpae_concat_mandatory: 4K from level 0 with a 40- or 42-bit PA, 16K with 48 bits or from level 1 with a 40-bit PA)',
  },
  smmuV3Nesting: {
    topic: 'SMMUv3 nested translation for a guest (`nested`, `vm`)',
    since: '6.13',
    commit: '1e8be08d1c91 ("iommu/arm-smmu-v3: Support IOMMU_DOMAIN_NESTED"), with "iommu/arm-smmu-v3: Support IOMMU_VIOMMU_ALLOC" (iommufd 6.13 merge window pull)',
    before: 'arm-smmu-v3 allocates no IOMMU_DOMAIN_NESTED: a guest cannot own stage 1 (no STE.Config 0b111 from iommufd)',
    after: 'a nested domain on a vIOMMU: the guest\'s STE fields (CD table, S1 settings, S1STALLD) over the VMM\'s stage-2 domain, STE.Config 0b111',
  },
  iommufdVeventq: {
    topic: 'non-recoverable guest events through a vEVENTQ',
    since: '6.15',
    commit: 'e36ba5ab808e ("iommufd: Add IOMMUFD_OBJ_VEVENTQ and IOMMUFD_CMD_VEVENTQ_ALLOC") and e7d3fa3d29d5 ("iommu/arm-smmu-v3: Report events that belong to devices attached to vIOMMU")',
    before: 'arm_smmu_handle_event handles only stalled translation faults: a guest device\'s other events are printed by the host',
    after:
      'IOMMU_VEVENTQ_ALLOC (0x93): a non-stalled stage-1 event (C_BAD_STE, F_STREAM_DISABLED, C_BAD_SUBSTREAMID, C_BAD_CD, the four translation faults) goes to the vIOMMU\'s vEVENTQ with the vSID in place of the StreamID; a full queue ends in a LOST_EVENTS header',
  },
} as const satisfies Record<string, KernelBehaviour>;

export type KernelBehaviourName = keyof typeof kernelBehaviours;

/** Each modelled kernel's behaviours in their new form, worked out once: the fault path asks on every event. */
const changesOf = new Map<KernelVersion, ReadonlySet<KernelBehaviourName>>(
  modelledKernels.map((kernel) => [kernel, new Set((Object.keys(kernelBehaviours) as KernelBehaviourName[]).filter((name) => changedBy(kernel, name)))]),
);

function changedBy(kernel: string, name: KernelBehaviourName): boolean {
  return compare(releaseOf(kernel), releaseOf(kernelBehaviours[name].since)) >= 0;
}

/** Whether `kernel` has a behaviour's new form. */
export function hasChange(kernel: KernelVersion, name: KernelBehaviourName): boolean {
  return changesOf.get(kernel)?.has(name) ?? changedBy(kernel, name);
}

/** What `kernel` does for each behaviour, in words, as hover lists it. */
export function behavioursOf(kernel: KernelVersion): string[] {
  return (Object.keys(kernelBehaviours) as KernelBehaviourName[]).map((name) => {
    const b: KernelBehaviour = kernelBehaviours[name];
    return hasChange(kernel, name) ? `${b.topic}: ${b.after} (since ${b.since}, ${b.commit})` : `${b.topic}: ${b.before} (until ${b.since}, ${b.commit})`;
  });
}
