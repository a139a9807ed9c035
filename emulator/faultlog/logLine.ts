/**
 * One kernel line the reader understood, with the values it prints. The format strings are
 * the kernel's (drivers/iommu/arm/arm-smmu/arm-smmu.c, arm-smmu-v3/arm-smmu-v3.c,
 * qcom_iommu.c, drivers/gpu/drm/msm/adreno/adreno_gpu.c, include/trace/events/iommu.h);
 * docs/fault-logs.md lists them.
 */
export type LogLine =
  | { kind: 'context-fault'; driver: 'arm-smmu' | 'qcom-iommu' | 'xen-smmu'; device: string; fsr: number | null; iova: bigint; fsynr: number; cbfrsynra: number | null; cb: number | null }
  | { kind: 'fsr-decode'; device: string; fsr: number; flags: readonly string[]; sid: number | null }
  | { kind: 'fsynr0-decode'; device: string; fsynr: number; flags: readonly string[] }
  /** Qualcomm's downstream trees (msm-4.x): `FAR    = %016llx` and `SID=0x%x` on lines of their own. */
  | { kind: 'far-line'; device: string; far: bigint }
  | { kind: 'sid-line'; device: string; sid: number }
  | { kind: 'global-blocked'; device: string; sid: number }
  | { kind: 'global-unexpected'; device: string }
  | { kind: 'gfsr'; device: string; gfsr: number; gfsynr0: number; gfsynr1: number; gfsynr2: number }
  | { kind: 'v3-header'; device: string; id: number }
  | { kind: 'v3-dword'; device: string; value: bigint }
  | { kind: 'v3-event'; device: string; event: string; client: string; sid: number; ssid: number; iova: bigint | null; ipa: bigint | null }
  | { kind: 'v3-access'; device: string; priv: boolean; instruction: boolean; read: boolean; stage2: boolean; class: string; stall: boolean; stag: number }
  | { kind: 'overflow'; device: string; queue: 'EVTQ' | 'PRIQ' }
  | { kind: 'io-page-fault'; driver: string; device: string; iova: bigint; write: boolean }
  | { kind: 'gpu-fault'; ttbr0: bigint | null; iova: bigint; write: boolean; type: string | null; block: string | null };
