import { decodePageResponse, encodePgfault, HWPT_PAGE_RESPONSE, HWPT_PGFAULT } from './faultRecords';
import { ERRNO, IOMMUFD_PAGE_RESP, PageResponseCode } from './uapi';

/**
 * iommufd's fault object (IOMMUFD_OBJ_FAULT; drivers/iommu/iommufd/fault.c in 6.11–6.14,
 * eventq.c from 6.15): the groups iommufd_fault_iopf_handler queued and no one has read
 * (`deliver`), and the groups read but not answered, by cookie (`response`, an xarray).
 * Plain data: the machine's snapshots clone it.
 *
 * The cookie is given at read time, in both 6.12 and 7.1: iommufd_fault_fops_read takes the
 * first group off `deliver` and xa_alloc()s it into `response` — an XA_FLAGS_ALLOC1 xarray
 * with xa_limit_32b, so the cookie is the lowest free index from 1 up: the first group read
 * gets 1, and a cookie answered is free for the next group read.
 */

/** struct iommu_fault_page_request as iopf passes it (include/linux/iommu.h). */
export interface FaultPageRequest {
  flags: number; // IOMMU_FAULT_PAGE_REQUEST_PASID_VALID 1, _LAST_PAGE 2 (= the uapi's)
  pasid: number;
  grpid: number;
  perm: number; // IOMMU_FAULT_PERM_READ 1, _WRITE 2, _EXEC 4, _PRIV 8
  addr: bigint;
}

/** struct iopf_group as iommufd sees it: its faults (the last has LAST_PAGE), the device's iommufd object ID, and the cookie once read. */
export interface IopfGroup {
  devId: number;
  faults: FaultPageRequest[];
  /** 0 until a read gives it one (xarray index 0 is never allocated: XA_FLAGS_ALLOC1). */
  cookie: number;
}

export interface FaultObject {
  deliver: IopfGroup[];
  /** The xarray `response`: the groups read and not answered, kept in cookie order. */
  response: IopfGroup[];
}

export function newFaultObject(): FaultObject {
  return { deliver: [], response: [] };
}

/** iommufd_fault_iopf_handler: the group goes to the tail of `deliver` and readers wake (the fault fd polls readable). */
export function iommufdFaultIopfHandler(fault: FaultObject, group: IopfGroup): void {
  fault.deliver.push(group);
}

/** xa_alloc with XA_FLAGS_ALLOC1 and xa_limit_32b: the lowest index ≥ 1 not in use. */
function allocateCookie(fault: FaultObject): number {
  let cookie = 1;
  for (const group of fault.response) {
    if (group.cookie !== cookie) break;
    cookie++;
  }
  return cookie;
}

function insertByCookie(fault: FaultObject, group: IopfGroup): void {
  const at = fault.response.findIndex((g) => g.cookie > group.cookie);
  fault.response.splice(at < 0 ? fault.response.length : at, 0, group);
}

/** What a read(2) or write(2) returns: bytes done, or -errno when nothing was done (`done == 0 ? rc : done`). */
export interface FileResult {
  result: number;
}

/**
 * read(2) of `count` bytes on the fault fd (iommufd_fault_fops_read): -ESPIPE unless `count`
 * is a whole number of records; then whole groups, oldest first, each given its cookie and
 * moved to `response`, one struct iommu_hwpt_pgfault per fault (length 0, dev_id the
 * device's object ID). A group that does not fit stays first on `deliver`.
 */
export function readFaultFile(fault: FaultObject, count: number): FileResult & { bytes: Uint8Array; groups: IopfGroup[] } {
  const size = HWPT_PGFAULT.size;
  if (count % size !== 0) return { result: -ERRNO.ESPIPE, bytes: new Uint8Array(0), groups: [] };
  const records: Uint8Array[] = [];
  const groups: IopfGroup[] = [];
  let done = 0;
  while (fault.deliver.length > 0) {
    const group = fault.deliver[0];
    if (done >= count || group.faults.length * size > count - done) break;
    fault.deliver.shift();
    group.cookie = allocateCookie(fault);
    insertByCookie(fault, group);
    for (const f of group.faults) {
      records.push(encodePgfault({ flags: f.flags, dev_id: group.devId, pasid: f.pasid, grpid: f.grpid, perm: f.perm, addr: f.addr, length: 0, cookie: group.cookie }));
      done += size;
    }
    groups.push(group);
  }
  const bytes = new Uint8Array(done);
  records.forEach((r, i) => bytes.set(r, i * size));
  return { result: done, bytes, groups };
}

/** A group answered through the fault fd: iopf_group_response(group, code) follows. */
export interface AnsweredGroup {
  group: IopfGroup;
  code: PageResponseCode;
}

/**
 * write(2) of struct iommu_hwpt_page_response records (iommufd_fault_fops_write): -ESPIPE
 * unless whole records; each must carry SUCCESS or INVALID and a cookie in `response`
 * (xa_erase), else -EINVAL and the write stops there — the records before it stay answered
 * and the write returns their bytes.
 */
export function writeFaultFile(fault: FaultObject, bytes: Uint8Array): FileResult & { answered: AnsweredGroup[] } {
  const size = HWPT_PAGE_RESPONSE.size;
  if (bytes.length % size !== 0) return { result: -ERRNO.ESPIPE, answered: [] };
  const answered: AnsweredGroup[] = [];
  let done = 0;
  let rc = 0;
  while (bytes.length > done) {
    const response = decodePageResponse(bytes.subarray(done, done + size));
    if (response.code !== IOMMUFD_PAGE_RESP.SUCCESS && response.code !== IOMMUFD_PAGE_RESP.INVALID) {
      rc = -ERRNO.EINVAL;
      break;
    }
    const at = fault.response.findIndex((g) => g.cookie === response.cookie);
    if (at < 0) {
      rc = -ERRNO.EINVAL;
      break;
    }
    const [group] = fault.response.splice(at, 1);
    answered.push({ group, code: response.code });
    done += size;
  }
  return { result: done === 0 ? rc : done, answered };
}

/**
 * The fault object destroyed, or its device detached (iommufd_fault_destroy,
 * iommufd_auto_response_faults): every group still queued, then every group read and not
 * answered (in cookie order), gets IOMMU_PAGE_RESP_INVALID.
 */
export function answerAllInvalid(fault: FaultObject): AnsweredGroup[] {
  const groups = [...fault.deliver, ...fault.response];
  fault.deliver = [];
  fault.response = [];
  return groups.map((group) => ({ group, code: IOMMUFD_PAGE_RESP.INVALID }));
}

function groupText(group: IopfGroup): string {
  const last = group.faults[group.faults.length - 1];
  return `dev_id ${group.devId} grpid 0x${last.grpid.toString(16)} addr 0x${last.addr.toString(16)} (${group.faults.length} fault${group.faults.length === 1 ? '' : 's'})`;
}

/** The object for a debugger: `deliver[0]: dev_id 7 grpid 0x10 addr 0x1000 (1 fault)`, `response[cookie 1]: …`. */
export function describeFaultObject(fault: FaultObject): string[] {
  return [...fault.deliver.map((g, i) => `deliver[${i}]: ${groupText(g)}`), ...fault.response.map((g) => `response[cookie ${g.cookie}]: ${groupText(g)}`)];
}
