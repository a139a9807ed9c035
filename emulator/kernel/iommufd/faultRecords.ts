import { describeStruct, decodeStruct, encodeStruct, StructLayout } from './uapiLayout';
import { IOMMUFD_PAGE_RESP, IOMMU_PGFAULT_FLAGS, IOMMU_PGFAULT_PERM } from './uapi';

/**
 * The records of the iommufd fault file (include/uapi/linux/iommufd.h): what read(2) gives the
 * VMM for each fault of a group, what write(2) takes back, and IOMMU_FAULT_QUEUE_ALLOC's
 * argument.
 */

/** struct iommu_hwpt_pgfault: 40 bytes. */
export type HwptPgfault = {
  flags: number;
  dev_id: number;
  pasid: number;
  grpid: number;
  perm: number;
  addr: bigint;
  length: number;
  cookie: number;
};

/**
 * The word at offset 20 is `__reserved` since e721f619e3ec ("iommufd: Fix struct
 * iommu_hwpt_pgfault init and padding", v6.14, in the 6.12 stable tree too): before it the
 * same 4 bytes were implicit padding before the 8-aligned `addr`, so the offsets on a 64-bit
 * host are the same in every release that has the fault queue.
 */
export const HWPT_PGFAULT: StructLayout<HwptPgfault> = {
  name: 'struct iommu_hwpt_pgfault',
  size: 40,
  fields: [
    { name: 'flags', offset: 0, kind: 'u32', bits: [[IOMMU_PGFAULT_FLAGS.PASID_VALID, 'PASID_VALID'], [IOMMU_PGFAULT_FLAGS.LAST_PAGE, 'LAST_PAGE']] },
    { name: 'dev_id', offset: 4, kind: 'u32' },
    { name: 'pasid', offset: 8, kind: 'u32' },
    { name: 'grpid', offset: 12, kind: 'u32' },
    {
      name: 'perm',
      offset: 16,
      kind: 'u32',
      bits: [[IOMMU_PGFAULT_PERM.READ, 'R'], [IOMMU_PGFAULT_PERM.WRITE, 'W'], [IOMMU_PGFAULT_PERM.EXEC, 'EXEC'], [IOMMU_PGFAULT_PERM.PRIV, 'PRIV']],
    },
    { name: 'addr', offset: 24, kind: 'u64' },
    { name: 'length', offset: 32, kind: 'u32' },
    { name: 'cookie', offset: 36, kind: 'u32' },
  ],
  reserved: [20],
};

/** struct iommu_hwpt_page_response: 8 bytes. */
export type HwptPageResponse = {
  cookie: number;
  code: number;
};

export const HWPT_PAGE_RESPONSE: StructLayout<HwptPageResponse> = {
  name: 'struct iommu_hwpt_page_response',
  size: 8,
  fields: [
    { name: 'cookie', offset: 0, kind: 'u32' },
    { name: 'code', offset: 4, kind: 'u32', values: [[IOMMUFD_PAGE_RESP.SUCCESS, 'IOMMUFD_PAGE_RESP_SUCCESS'], [IOMMUFD_PAGE_RESP.INVALID, 'IOMMUFD_PAGE_RESP_INVALID']] },
  ],
  reserved: [],
};

/** struct iommu_fault_alloc (IOMMU_FAULT_QUEUE_ALLOC): 16 bytes; flags must be 0 (-EOPNOTSUPP). */
export type FaultAlloc = {
  size: number;
  flags: number;
  out_fault_id: number;
  out_fault_fd: number;
};

export const FAULT_ALLOC: StructLayout<FaultAlloc> = {
  name: 'struct iommu_fault_alloc',
  size: 16,
  fields: [
    { name: 'size', offset: 0, kind: 'u32' },
    { name: 'flags', offset: 4, kind: 'u32' },
    { name: 'out_fault_id', offset: 8, kind: 'u32' },
    { name: 'out_fault_fd', offset: 12, kind: 'u32' },
  ],
  reserved: [],
};

export const encodePgfault = (v: HwptPgfault): Uint8Array => encodeStruct(HWPT_PGFAULT, v);
export const decodePgfault = (b: Uint8Array): HwptPgfault => decodeStruct(HWPT_PGFAULT, b);
export const describePgfault = (b: Uint8Array): string[] => describeStruct(HWPT_PGFAULT, b);

export const encodePageResponse = (v: HwptPageResponse): Uint8Array => encodeStruct(HWPT_PAGE_RESPONSE, v);
export const decodePageResponse = (b: Uint8Array): HwptPageResponse => decodeStruct(HWPT_PAGE_RESPONSE, b);
export const describePageResponse = (b: Uint8Array): string[] => describeStruct(HWPT_PAGE_RESPONSE, b);

export const encodeFaultAlloc = (v: FaultAlloc): Uint8Array => encodeStruct(FAULT_ALLOC, v);
export const decodeFaultAlloc = (b: Uint8Array): FaultAlloc => decodeStruct(FAULT_ALLOC, b);
export const describeFaultAlloc = (b: Uint8Array): string[] => describeStruct(FAULT_ALLOC, b);
