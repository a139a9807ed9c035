import { EVENT_FIELDS, EventName, EventRecord } from '../../smmu/v3/eventRecord';
import { writeBits } from '../../smmu/v3/ste';
import { hasChange, KernelVersion } from '../versions';
import { FaultPageRequest } from './faultObject';
import { IOMMU_PGFAULT_FLAGS, IOMMU_PGFAULT_PERM } from './uapi';

/**
 * Where the host's arm_smmu_handle_event (drivers/iommu/arm/arm-smmu-v3/arm-smmu-v3.c) sends an
 * event of a master a guest owns, and the record a guest's vEVENTQ gets
 * (arm_vmaster_report_event, arm-smmu-v3-iommufd.c).
 */

/** The events arm_smmu_handle_event takes at all; any other is -EOPNOTSUPP and printed by arm_smmu_evtq_thread. */
const HANDLED: readonly EventName[] = ['C_BAD_STE', 'F_STREAM_DISABLED', 'C_BAD_SUBSTREAMID', 'C_BAD_CD', 'F_TRANSLATION', 'F_ADDR_SIZE', 'F_ACCESS', 'F_PERMISSION'];
/** Before the vEVENTQ (6.15) only the four translation faults were handled, and only when stalled. */
const HANDLED_BEFORE_VEVENTQ: readonly EventName[] = ['F_TRANSLATION', 'F_ADDR_SIZE', 'F_ACCESS', 'F_PERMISSION'];

/**
 * - `iopf`: a stalled fault goes to iommu_report_device_fault (and, for a domain with a fault
 *   object, to the VMM), stage 1 or stage 2 alike;
 * - `veventq`: a non-stalled stage-1 event of a master attached to a vIOMMU (`vmaster`) goes
 *   to the vIOMMU's vEVENTQ (since 6.15);
 * - `host`: anything else is the host's — arm_smmu_evtq_thread prints it.
 */
export function hostEventRoute(kernel: KernelVersion, event: { id: EventName; stall: boolean; s2: boolean }, hasVmaster: boolean): 'iopf' | 'veventq' | 'host' {
  const veventq = hasChange(kernel, 'iommufdVeventq');
  if (!(veventq ? HANDLED : HANDLED_BEFORE_VEVENTQ).includes(event.id)) return 'host';
  if (event.stall) return 'iopf';
  return veventq && hasVmaster && !event.s2 ? 'veventq' : 'host';
}

/** arm_vmaster_report_event: the record with its StreamID replaced by the vSID the VMM gave the device (IOMMU_VDEVICE_ALLOC virt_id); the rest unchanged. */
export function vmasterEvent(dwords: readonly bigint[], vsid: number): bigint[] {
  const copy = [...dwords];
  const { lsb, width } = EVENT_FIELDS.SID;
  // writeBits ORs into a zeroed field: clear the StreamID first, as the kernel's evt[0] & ~EVTQ_0_SID does.
  copy[Math.floor(lsb / 64)] &= ~(((1n << BigInt(width)) - 1n) << BigInt(lsb % 64));
  writeBits(copy, EVENT_FIELDS.SID, vsid, 'vSID');
  return copy;
}

/**
 * The iommu_fault_page_request arm_smmu_handle_event builds for a stalled record: LAST_PAGE
 * (a stall is a group of one), grpid = STAG, perm R or W, EXEC for InD, PRIV for PnU, addr =
 * InputAddr, and PASID_VALID with pasid = SubstreamID when SSV. (The kernel's
 * IOMMU_FAULT_PAGE_REQUEST_* and IOMMU_FAULT_PERM_* bits are the uapi's.)
 */
export function pageRequestOfStall(record: Pick<EventRecord, 'rnw' | 'ind' | 'pnu' | 'ssv' | 'ssid' | 'stag' | 'inputAddr'>): FaultPageRequest {
  const perm = (record.rnw ? IOMMU_PGFAULT_PERM.READ : IOMMU_PGFAULT_PERM.WRITE) | (record.ind ? IOMMU_PGFAULT_PERM.EXEC : 0) | (record.pnu ? IOMMU_PGFAULT_PERM.PRIV : 0);
  const flags = IOMMU_PGFAULT_FLAGS.LAST_PAGE | (record.ssv ? IOMMU_PGFAULT_FLAGS.PASID_VALID : 0);
  return { flags, pasid: record.ssv ? record.ssid : 0, grpid: record.stag, perm, addr: record.inputAddr };
}
