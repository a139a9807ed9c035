import { hasChange, KernelVersion } from '../versions';

/**
 * The path of a recoverable stage-1 fault of a device a guest owns (translation-regimes.md,
 * "A guest owns the device"): each hop the function that runs it, its file, the thread it
 * runs on, and the structure it hands on. The machine makes each hop a step, the debugger a
 * frame; both read the names here.
 *
 * Files are the newest modelled release's (7.1); `iommufdFile` gives the fault object's
 * file per release (fault.c until eventq.c took it, v6.15). The VMM hops are the model's
 * VMM: the functions are QEMU's that write a guest event record and consume the guest's
 * command queue, though upstream QEMU forwards no stalls (IDR0.STALL_MODEL = 0b01; vmm.ts).
 * The guest's iopf work function is its release's (iopf.ts, iopfWorkStep).
 */

export type HopSide = 'host' | 'vmm' | 'guest';

export interface ForwardingHop {
  /** Stable key for the machine and the tests. */
  hop: string;
  side: HopSide;
  /** The function as a call stack names it. */
  function: string;
  file: string;
  /** Where it runs: the thread, by the role it has (the machine names the real thread). */
  thread: string;
  /** What it hands to the next hop, in its real layout. */
  passes: string;
}

const ARM_SMMU_V3 = 'drivers/iommu/arm/arm-smmu-v3/arm-smmu-v3.c';
const IO_PGFAULT = 'drivers/iommu/io-pgfault.c';

/** The fault object's source file on `kernel`: fault.c from 6.11, renamed eventq.c (with the vEVENTQ) in 6.15. */
export function iommufdFile(kernel: KernelVersion): string {
  return hasChange(kernel, 'iommufdVeventq') ? 'drivers/iommu/iommufd/eventq.c' : 'drivers/iommu/iommufd/fault.c';
}

export const forwardingPath: readonly ForwardingHop[] = [
  {
    hop: 'host-evtq',
    side: 'host',
    function: 'arm_smmu_evtq_thread',
    file: ARM_SMMU_V3,
    thread: "host: the SMMU's event queue IRQ thread",
    passes: 'the stall event record (32 bytes, IHI 0070 §7.3.13) → arm_smmu_handle_event → struct iopf_fault (iommu_fault_page_request: LAST_PAGE, grpid = STAG, perm, addr)',
  },
  {
    hop: 'host-report',
    side: 'host',
    function: 'iommu_report_device_fault',
    file: IO_PGFAULT,
    thread: "host: the SMMU's event queue IRQ thread",
    passes: "struct iopf_group (one fault, LAST_PAGE) → the nested domain's iopf_handler",
  },
  {
    hop: 'host-iommufd-queue',
    side: 'host',
    function: 'iommufd_fault_iopf_handler',
    file: 'drivers/iommu/iommufd/eventq.c',
    thread: "host: the SMMU's event queue IRQ thread",
    passes: 'the group on the fault object\'s deliver list; the fault fd polls readable',
  },
  {
    hop: 'vmm-read',
    side: 'vmm',
    function: 'iommufd_fault_fops_read',
    file: 'drivers/iommu/iommufd/eventq.c',
    thread: "VMM: its fault-fd thread, in read(2)",
    passes: 'struct iommu_hwpt_pgfault (40 bytes) per fault, cookie from the response xarray',
  },
  {
    hop: 'vmm-inject',
    side: 'vmm',
    function: 'smmuv3_record_event',
    file: 'hw/arm/smmuv3.c (QEMU)',
    thread: "VMM: its fault-fd thread",
    passes: "an F_TRANSLATION stall record (vSID, STAG = grpid) written at the guest's EVENTQ_PROD, in guest memory at IPAs; the guest's event queue interrupt",
  },
  {
    hop: 'guest-evtq',
    side: 'guest',
    function: 'arm_smmu_evtq_thread',
    file: ARM_SMMU_V3,
    thread: "guest: the virtual SMMU's event queue IRQ thread",
    passes: 'the injected record → arm_smmu_handle_event → struct iopf_fault',
  },
  {
    hop: 'guest-report',
    side: 'guest',
    function: 'iommu_report_device_fault',
    file: IO_PGFAULT,
    thread: "guest: the virtual SMMU's event queue IRQ thread",
    passes: "struct iopf_group → the guest domain's iopf_handler, which queues it on the iopf workqueue",
  },
  {
    hop: 'guest-handler',
    side: 'guest',
    function: 'iommu_sva_handle_iopf',
    file: 'drivers/iommu/iommu-sva.c',
    thread: 'guest: an iopf workqueue kworker',
    passes: "the fault to the guest's handler (the scenario's `handler … on` the guest domain), which maps and answers",
  },
  {
    hop: 'guest-resume',
    side: 'guest',
    function: 'arm_smmu_page_response',
    file: ARM_SMMU_V3,
    thread: 'guest: the iopf workqueue kworker (iopf_group_response)',
    passes: "CMD_RESUME (16 bytes, §4.7.1: vSID, STAG, Retry or Abort) at the guest's CMDQ_PROD; the PROD write traps to the VMM",
  },
  {
    hop: 'vmm-trap',
    side: 'vmm',
    function: 'smmuv3_cmdq_consume',
    file: 'hw/arm/smmuv3.c (QEMU)',
    thread: 'VMM: the vCPU thread whose CMDQ_PROD write trapped',
    passes: 'the command fetched at CMDQ_CONS; a CMD_RESUME matching an injected stall becomes {cookie, code}: Retry → SUCCESS, Terminate or Abort → INVALID',
  },
  {
    hop: 'vmm-write',
    side: 'vmm',
    function: 'iommufd_fault_fops_write',
    file: 'drivers/iommu/iommufd/eventq.c',
    thread: 'VMM: the same vCPU thread, in write(2) on the fault fd',
    passes: 'struct iommu_hwpt_page_response (8 bytes: cookie, SUCCESS or INVALID)',
  },
  {
    hop: 'host-group-response',
    side: 'host',
    function: 'iopf_group_response',
    file: IO_PGFAULT,
    thread: "VMM's write(2), in the host kernel",
    passes: 'struct iommu_page_response {pasid, grpid, code} → the SMMU driver',
  },
  {
    hop: 'host-resume',
    side: 'host',
    function: 'arm_smmu_page_response',
    file: ARM_SMMU_V3,
    thread: "VMM's write(2), in the host kernel",
    passes: "CMD_RESUME on the host's command queue (StreamID, STAG = grpid; SUCCESS → Retry, INVALID → Abort): the device retries through both stages",
  },
];

/** The path as `kernel` runs it: the fault object's hops in its release's file. */
export function forwardingPathOn(kernel: KernelVersion): ForwardingHop[] {
  const file = iommufdFile(kernel);
  return forwardingPath.map((h) => (h.file === 'drivers/iommu/iommufd/eventq.c' ? { ...h, file } : h));
}
