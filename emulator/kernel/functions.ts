import { forwardingPath } from './iommufd/forwardingPath';

/**
 * The Linux functions the fault path's frames name: the file each lives in, and what it
 * does in this model. The debugger draws a kernel frame with its file, and opens a page of
 * that file listing its functions (it is not the kernel's source, which the model does not
 * run line by line).
 */
export interface KernelFunction {
  /** As the call stack names it: `arm_smmu_context_fault`, `arm_smmu_cb_write(FSR)`. */
  name: string;
  /** Its file in the kernel tree. */
  file: string;
  /** What it does here, in a few sentences. */
  does: string;
}

/** A hop of the forwarding path as a function's file and what it does. */
function hop(name: string): { file: string; does: string } {
  const found = forwardingPath.find((h) => h.hop === name);
  return { file: found?.file ?? '?', does: `${found?.thread ?? ''}: passes ${found?.passes ?? ''}` };
}

export const kernelFunctions = [
  {
    name: 'gic_handle_irq',
    file: 'drivers/irqchip/irq-gic-v3.c',
    does: 'The GIC takes the SMMU context interrupt on the CPU and calls the handler registered for its line.',
  },
  {
    name: 'handle_irq_event',
    file: 'kernel/irq/handle.c',
    does: "Runs the line's primary handler in hard-IRQ context: arm_smmu_context_fault, or, for a threaded IRQ, irq_default_primary_handler.",
  },
  {
    name: 'irq_default_primary_handler',
    file: 'kernel/irq/manage.c',
    does: 'The primary handler of a threaded IRQ (context_fault_needs_threaded_irq): returns IRQ_WAKE_THREAD, and the irq/N-arm-smmu thread runs the fault path.',
  },
  {
    name: 'irq_thread',
    file: 'kernel/irq/manage.c',
    does: "The IRQ thread's loop: woken by IRQ_WAKE_THREAD (or by the SMMUv3 queue interrupts), it calls irq_thread_fn.",
  },
  {
    name: 'irq_thread_fn',
    file: 'kernel/irq/manage.c',
    does: "Calls the line's thread function: arm_smmu_context_fault on an SMMUv2, arm_smmu_evtq_thread or arm_smmu_priq_thread on an SMMUv3.",
  },
  {
    name: 'worker_thread',
    file: 'kernel/workqueue.c',
    does: "A kworker's loop: it takes the next work item queued on its pool's workqueue.",
  },
  {
    name: 'process_one_work',
    file: 'kernel/workqueue.c',
    does: 'Runs one work item: the fault handler queued by queue_work, or the iopf group of a page request or an SMMUv3 stall.',
  },
  {
    name: 'queue_work',
    file: 'include/linux/workqueue.h',
    does: "Queues the domain's fault handler on its workqueue (queue_work_on, kernel/workqueue.c). Before 6.16 the work item answers the stall later, through resume_translation; from 6.16 the handler's return (0) makes arm_smmu_context_fault terminate the stall when the IRQ returns, before the work runs.",
  },
  {
    name: 'arm_smmu_context_fault',
    file: 'drivers/iommu/arm/arm-smmu/arm-smmu.c',
    does: 'Reads the context bank\'s FSR, FSYNR0, FAR and CBFRSYNRA; with no fault bit set it returns IRQ_NONE. Otherwise it calls report_iommu_fault and, when there is no handler, logs "Unhandled context fault" with the registers.',
  },
  {
    name: 'arm_smmu_cb_write(FSR)',
    file: 'drivers/iommu/arm/arm-smmu/arm-smmu.h',
    does: "Writes FSR back with the bits it read: they are write-one-to-clear, so the fault is acknowledged and the bank can record the next.",
  },
  {
    name: 'arm_smmu_cb_write(RESUME)',
    file: 'drivers/iommu/arm/arm-smmu/arm-smmu.h',
    does: "Linux 6.16 and later (3053a2c5086d): when the fault stalled (FSR.SS), arm_smmu_context_fault answers it after writing FSR back: RESUME.TnR=0 (retry) when the handler returned -EAGAIN, TnR=1 (terminate) otherwise. Before 6.16 it never wrote RESUME.",
  },
  {
    name: 'arm_smmu_print_context_fault_info',
    file: 'drivers/iommu/arm/arm-smmu/arm-smmu.c',
    does: 'Linux 6.11 and later, when report_iommu_fault returned -ENOSYS: prints "Unhandled context fault" with the registers, then FSR and FSYNR0 decoded field by field (d525b0af0c3b). Before 6.11 arm_smmu_context_fault printed only the first line, itself.',
  },
  {
    name: 'qcom_adreno_smmu_resume_translation',
    file: 'drivers/iommu/arm/arm-smmu/arm-smmu-qcom.c',
    does: "Linux 5.14 to 6.15: drm/msm's resume_translation callback (adreno_smmu_priv) writes the context bank's RESUME: TERMINATE, or 0 to retry. arm_smmu_context_fault itself never wrote RESUME then, so this was the only answer to a stall; a handler that never called it left the transaction stalled. Gone in 6.16, when arm_smmu_context_fault writes RESUME from the handler's return (3053a2c5086d).",
  },
  {
    name: 'a6xx_fault_handler',
    file: 'drivers/gpu/drm/msm/adreno/a6xx_gpu.c',
    does: 'drm/msm\'s GPU fault handler up to 6.3: prints "*** gpu fault: ttbr0=… iova=… dir=… type=… source=… (…)" with the fault info qcom\'s get_fault_info read, and hands the crash dump to fault_worker, which resumes the stall afterwards.',
  },
  {
    name: 'adreno_fault_handler',
    file: 'drivers/gpu/drm/msm/adreno/adreno_gpu.c',
    does: 'drm/msm\'s GPU fault handler from 6.4 (split out of a6xx_fault_handler): prints "*** gpu fault: …". From 6.16 it also turns stall-on-fault off for 500 ms (set_stall, stall_reenable_time; b13044092c1e), captures the crash state in the IRQ thread and returns 0, so arm_smmu_context_fault terminates the stall.',
  },
  {
    name: 'kthread_worker_fn',
    file: 'kernel/kthread.c',
    does: "drm/msm's GPU kthread worker loop: runs the work queued on it, here fault_worker.",
  },
  {
    name: 'fault_worker',
    file: 'drivers/gpu/drm/msm/msm_gpu.c',
    does: 'Linux 5.14 to 6.15: captures the crash state (devcoredump) of a GPU fault, then answers the stall through resume_translation (always terminate in msm).',
  },
  {
    name: 'arm_smmu_global_fault',
    file: 'drivers/iommu/arm/arm-smmu/arm-smmu.c',
    does: 'The global fault interrupt: reads sGFSR and sGFSYNR0-2 and prints "Blocked unknown Stream ID 0x…; boot with "arm-smmu.disable_bypass=0" …" for an unidentified stream (USF, StreamID from sGFSYNR1), else "Unexpected global fault, this could be serious", then the GFSR line. The same in every modelled release.',
  },
  {
    name: 'arm_smmu_gr0_write(sGFSR)',
    file: 'drivers/iommu/arm/arm-smmu/arm-smmu.h',
    does: 'Writes sGFSR back with the bits arm_smmu_global_fault read: write-one-to-clear, so the global fault is acknowledged.',
  },
  {
    name: 'report_iommu_fault',
    file: 'drivers/iommu/iommu.c',
    does: "Calls the domain's fault handler (iommu_set_fault_handler) with the IOVA and the fault flags; with none set it returns -ENOSYS.",
  },
  {
    name: 'arm_smmu_evtq_thread',
    file: 'drivers/iommu/arm/arm-smmu-v3/arm-smmu-v3.c',
    does: 'Drains the event queue an entry a step: decodes each record, reports a stall (F_TRANSLATION with Stall=1) to io-pgfault as a fault group named by its STAG, and logs the others; on an overflow it logs "EVTQ overflow detected -- events lost".',
  },
  {
    name: 'arm_smmu_priq_thread',
    file: 'drivers/iommu/arm/arm-smmu-v3/arm-smmu-v3.c',
    does: 'Drains the PRI queue an entry a step: each page request joins its group (PRG index), and the request with Last=1 hands the group to io-pgfault.',
  },
  {
    name: 'iopf_handle_group',
    file: 'drivers/iommu/io-pgfault.c',
    does: "Linux 5.14 to 6.1: the iopf work item of a complete fault group: runs the domain's handler on each fault (the scenario's handler, on the iopf workqueue), then iopf_complete_group answers the group.",
  },
  {
    name: 'iopf_handler',
    file: 'drivers/iommu/io-pgfault.c',
    does: "Linux 6.2 to 6.7: the same work item, renamed when faults went to the domain's handler: runs the scenario's handler for the group on the iopf workqueue, then iopf_complete_group answers it.",
  },
  {
    name: 'iommu_sva_handle_iopf',
    file: 'drivers/iommu/iommu-sva.c',
    does: "Linux 6.8 on: iommu_report_device_fault hands a complete group to the domain's iopf_handler, which queues this work on the iopf queue: it runs the scenario's handler for the group, then iopf_group_response answers it.",
  },
  {
    name: 'iopf_complete_group',
    file: 'drivers/iommu/io-pgfault.c',
    does: "Linux 5.14 to 6.7: answers the group through iommu_page_response and the driver's page_response: CMD_RESUME with the STAG for a stall, CMD_PRI_RESP with the PRG index for a page request group.",
  },
  {
    name: 'iopf_group_response',
    file: 'drivers/iommu/io-pgfault.c',
    does: "Linux 6.8 on: answers the group through the driver's page_response: CMD_RESUME with the STAG for a stall, CMD_PRI_RESP with the PRG index for a page request group.",
  },
  // A guest's device (kernel/vm/): the VMM's hops, their files and what they pass, from the forwarding path's one table.
  { name: 'iommufd_fault_fops_read', ...hop('vmm-read') },
  { name: 'smmuv3_record_event', ...hop('vmm-inject') },
  {
    name: 'iommufd_veventq_fops_read',
    file: 'drivers/iommu/iommufd/eventq.c',
    does: "The VMM's read(2) of its vEVENTQ: a struct iommufd_vevent_header per event (LOST_EVENTS where events were lost) and the event's 4 dwords, which the VMM injects into the guest's event queue.",
  },
  { name: 'smmuv3_cmdq_consume', ...hop('vmm-trap') },
  { name: 'iommufd_fault_fops_write', ...hop('vmm-write') },
] as const satisfies readonly KernelFunction[];

/** A function the model places: what an activity's `callers` may name. */
export type KernelFunctionName = (typeof kernelFunctions)[number]['name'];

/** The function a kernel frame names, if the model knows it. */
export function kernelFunction(name: string): KernelFunction | undefined {
  return kernelFunctions.find((f: KernelFunction) => f.name === name);
}
