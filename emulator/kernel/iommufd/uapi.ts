/**
 * The numbers of include/uapi/linux/iommufd.h the fault-forwarding path uses, as the kernel
 * defines them (read from the 7.1-era header; the values never changed once added).
 */

/** IOMMUFD_TYPE: the ioctl "magic", ';'. */
export const IOMMUFD_TYPE = 0x3b;

/** The IOMMUFD_CMD_* numbers (the anonymous enum from IOMMUFD_CMD_BASE = 0x80). */
export const IOMMUFD_CMD = {
  HWPT_ALLOC: 0x89,
  FAULT_QUEUE_ALLOC: 0x8e,
  VIOMMU_ALLOC: 0x90,
  VDEVICE_ALLOC: 0x91,
  VEVENTQ_ALLOC: 0x93,
} as const;

/**
 * The ioctl request: iommufd defines every one with _IO(IOMMUFD_TYPE, nr) — no direction and
 * no size in the number (the structure's `size` field carries it) — so it is (type << 8) | nr:
 * IOMMU_FAULT_QUEUE_ALLOC = 0x3b8e.
 */
export function iommufdIoctl(cmd: number): number {
  return (IOMMUFD_TYPE << 8) | cmd;
}

/** enum iommu_hwpt_pgfault_flags (= the kernel's IOMMU_FAULT_PAGE_REQUEST_* bits, copied as they are). */
export const IOMMU_PGFAULT_FLAGS = { PASID_VALID: 1 << 0, LAST_PAGE: 1 << 1 } as const;

/** enum iommu_hwpt_pgfault_perm (= IOMMU_FAULT_PERM_*, copied as they are). */
export const IOMMU_PGFAULT_PERM = { READ: 1 << 0, WRITE: 1 << 1, EXEC: 1 << 2, PRIV: 1 << 3 } as const;

/**
 * enum iommufd_page_response_code. The fault fd refuses anything else with -EINVAL
 * (iommufd_fault_fops_write), and the two equal IOMMU_PAGE_RESP_SUCCESS/INVALID, which
 * iopf_group_response passes on unchanged (static_assert in the kernel).
 */
export const IOMMUFD_PAGE_RESP = { SUCCESS: 0, INVALID: 1 } as const;
export type PageResponseCode = (typeof IOMMUFD_PAGE_RESP)[keyof typeof IOMMUFD_PAGE_RESP];

/** enum iommu_veventq_flag. */
export const IOMMU_VEVENTQ_FLAG_LOST_EVENTS = 1 << 0;

/** enum iommu_veventq_type. */
export const IOMMU_VEVENTQ_TYPE = { DEFAULT: 0, ARM_SMMUV3: 1, TEGRA241_CMDQV: 2 } as const;

/** The errnos the fault and vEVENTQ files return (include/uapi/asm-generic/errno-base.h, errno.h). */
export const ERRNO = { EFAULT: 14, EEXIST: 17, EINVAL: 22, ESPIPE: 29, EOPNOTSUPP: 95 } as const;
