import { KernelStep } from '../machine/state';
import { HandlerContext, SmmuImpl } from '../scenario/model';
import { hasChange, KernelVersion } from './versions';

/*
 * The SMMUv2 context fault path of a release, as the steps its threads run
 * (drivers/iommu/arm/arm-smmu/arm-smmu.c, arm-smmu-qcom.c, drivers/gpu/drm/msm): which
 * functions run in the IRQ, which in a worker, and who writes RESUME.
 */

/**
 * Where a domain's handler runs. On Qualcomm's Adreno SMMU the handler is drm/msm's, and
 * the release decides: before 6.16 the hard IRQ hands the crash dump to msm's fault worker
 * (a workqueue handler), from 6.16 the IRQ is threaded and the handler runs in it.
 */
export function handlerContextOn(kernel: KernelVersion, impl: SmmuImpl, written: HandlerContext): HandlerContext {
  if (impl !== 'qcom-adreno') return written;
  return hasChange(kernel, 'adrenoThreadedIrq') ? 'thread' : 'workqueue';
}

/** drm/msm's fault handler: a6xx_fault_handler (a6xx_gpu.c) until the generic adreno_fault_handler (adreno_gpu.c) took it over. */
function msmSteps(kernel: KernelVersion, impl: SmmuImpl): KernelStep[] {
  if (impl !== 'qcom-adreno') return [];
  return [hasChange(kernel, 'adrenoFaultHandlerSplit') ? 'adreno_fault_handler' : 'a6xx_fault_handler'];
}

/**
 * What arm_smmu_context_fault runs, in the hard IRQ or the IRQ thread: read the registers,
 * report_iommu_fault (the handler, or queue_work for a workqueue one), write FSR back, and
 * from 6.16 RESUME from the return code. Before 6.16 nothing in it writes RESUME: the
 * handler's answer goes through resume_translation — before FSR is written back when the
 * handler runs in the IRQ.
 */
export function contextFaultSteps(kernel: KernelVersion, impl: SmmuImpl, context: HandlerContext | undefined): KernelStep[] {
  const resumes = hasChange(kernel, 'resumeInContextFault');
  const resume: KernelStep[] = resumes ? ['arm_smmu_cb_write(RESUME)'] : [];
  const start: KernelStep[] = ['arm_smmu_context_fault', 'report_iommu_fault'];
  switch (context) {
    case undefined: {
      const decode: KernelStep[] = hasChange(kernel, 'contextFaultDecode') ? ['arm_smmu_print_context_fault_info'] : [];
      return [...start, ...decode, 'arm_smmu_cb_write(FSR)', ...resume];
    }
    case 'workqueue':
      return [...start, ...msmSteps(kernel, impl), 'queue_work', 'arm_smmu_cb_write(FSR)', ...resume];
    case 'irq':
    case 'thread': {
      const answer: KernelStep[] = resumes ? [] : ['qcom_adreno_smmu_resume_translation'];
      return [...start, ...msmSteps(kernel, impl), 'handler', ...answer, 'arm_smmu_cb_write(FSR)', ...resume];
    }
  }
}

/** The work item of a workqueue handler: before 6.16 it answers through resume_translation; from 6.16 nothing it does reaches RESUME. */
export function workItemSteps(kernel: KernelVersion): KernelStep[] {
  return hasChange(kernel, 'resumeInContextFault') ? ['handler'] : ['handler', 'qcom_adreno_smmu_resume_translation'];
}
