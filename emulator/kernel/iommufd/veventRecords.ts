import { describeEvent, eventBytes, eventFromBytes } from '../../smmu/v3/eventRecord';
import { hex64 } from '../../util/u64';
import { describeStruct, decodeStruct, encodeStruct, StructLayout } from './uapiLayout';
import { IOMMU_VEVENTQ_FLAG_LOST_EVENTS, IOMMU_VEVENTQ_TYPE } from './uapi';

/**
 * The records of a vEVENTQ file (include/uapi/linux/iommufd.h): each vEVENT is a header and
 * the type's data; a LOST_EVENTS header has no data.
 */

/** struct iommufd_vevent_header: 8 bytes. `sequence` runs 0..INT_MAX and wraps to 0. */
export type VeventHeader = {
  flags: number;
  sequence: number;
};

export const VEVENT_HEADER: StructLayout<VeventHeader> = {
  name: 'struct iommufd_vevent_header',
  size: 8,
  fields: [
    { name: 'flags', offset: 0, kind: 'u32', bits: [[IOMMU_VEVENTQ_FLAG_LOST_EVENTS, 'LOST_EVENTS']] },
    { name: 'sequence', offset: 4, kind: 'u32' },
  ],
  reserved: [],
};

/** struct iommu_veventq_alloc (IOMMU_VEVENTQ_ALLOC): 32 bytes. */
export type VeventqAlloc = {
  size: number;
  flags: number;
  viommu_id: number;
  type: number;
  veventq_depth: number;
  out_veventq_id: number;
  out_veventq_fd: number;
};

export const VEVENTQ_ALLOC: StructLayout<VeventqAlloc> = {
  name: 'struct iommu_veventq_alloc',
  size: 32,
  fields: [
    { name: 'size', offset: 0, kind: 'u32' },
    { name: 'flags', offset: 4, kind: 'u32' },
    { name: 'viommu_id', offset: 8, kind: 'u32' },
    {
      name: 'type',
      offset: 12,
      kind: 'u32',
      values: [
        [IOMMU_VEVENTQ_TYPE.DEFAULT, 'IOMMU_VEVENTQ_TYPE_DEFAULT'],
        [IOMMU_VEVENTQ_TYPE.ARM_SMMUV3, 'IOMMU_VEVENTQ_TYPE_ARM_SMMUV3'],
        [IOMMU_VEVENTQ_TYPE.TEGRA241_CMDQV, 'IOMMU_VEVENTQ_TYPE_TEGRA241_CMDQV'],
      ],
    },
    { name: 'veventq_depth', offset: 16, kind: 'u32' },
    { name: 'out_veventq_id', offset: 20, kind: 'u32' },
    { name: 'out_veventq_fd', offset: 24, kind: 'u32' },
  ],
  reserved: [28],
};

export const encodeVeventHeader = (v: VeventHeader): Uint8Array => encodeStruct(VEVENT_HEADER, v);
export const decodeVeventHeader = (b: Uint8Array): VeventHeader => decodeStruct(VEVENT_HEADER, b);
export const describeVeventHeader = (b: Uint8Array): string[] => describeStruct(VEVENT_HEADER, b);

export const encodeVeventqAlloc = (v: VeventqAlloc): Uint8Array => encodeStruct(VEVENTQ_ALLOC, v);
export const decodeVeventqAlloc = (b: Uint8Array): VeventqAlloc => decodeStruct(VEVENTQ_ALLOC, b);
export const describeVeventqAlloc = (b: Uint8Array): string[] => describeStruct(VEVENTQ_ALLOC, b);

/**
 * struct iommu_vevent_arm_smmuv3: `__aligned_le64 evt[4]`, the 32-byte SMMUv3 event record
 * (IHI 0070 §7.3) as it sits in an event queue, with the StreamID replaced by the vSID
 * (arm_vmaster_report_event).
 */
export const VEVENT_ARM_SMMUV3_BYTES = 32;
export const encodeVeventArmSmmuv3 = (dwords: readonly bigint[]): Uint8Array => eventBytes(dwords);
export const decodeVeventArmSmmuv3 = (bytes: Uint8Array): bigint[] => eventFromBytes(bytes);

/** `evt[0] @0: 0x…` for each dword, then the record's fields as the event decoder names them. */
export function describeVeventArmSmmuv3(bytes: Uint8Array): string[] {
  const dwords = eventFromBytes(bytes);
  return [
    ...dwords.map((d, i) => `evt[${i}] @${8 * i}: ${hex64(d)}`),
    ...describeEvent(dwords).map((f) => `  ${f.name} [${f.bits}]: 0x${f.value.toString(16)} (${f.meaning})`),
  ];
}
