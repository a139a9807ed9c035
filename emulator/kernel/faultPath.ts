import { guestRespond, runGuestEvtqStep } from './vm/guestKernel';
import { isVmmStep, runVmmStep, VmmStep } from './vm/vmm';
import { Runtime } from '../machine/runtime';
import { ActivityState, ContextFaultInfo, IopfResponseStep, IopfWorkStep, isIopfWorkStep, KernelStep } from '../machine/state';
import { SmmuImpl } from '../scenario/model';
import { BankState } from '../smmu/v2/v2State';
import { FSR_FAULT_BITS, FSR_SS } from '../smmu/v2/registers';
import { writeBackFsr, writeBackResume } from '../smmu/v2/answer';
import { bankState } from '../smmu/v2/smmuV2';
import { hex } from '../util/u64';
import { runHandlerOp } from './handlerRun';
import { advance, currentStep, finishActivity, irqHandlerThread, irqThread, newActivity, startOn } from './threads';
import { queueWork, releaseWorker } from './workqueues';
import { describeGroup, respondToGroup } from './iopf';
import { runQueueThreadStep } from './queueThreads';
import { printk, smmuPrintk } from './printk';
import { contextFaultSteps, handlerContextOn, workItemSteps } from './contextFaultSteps';
import { contextFaultRegisters, fsrDecodeLine, fsynr0DecodeLine, gpuFaultLine, unhandledContextFaultLine } from './contextFaultLines';
import { runGlobalFaultStep } from './globalFault';
import { cyclesPerMillisecond, msmStallCooldown } from './kernelTime';
import { hasChange } from './versions';

/** A context interrupt reaches the CPU: the hard-IRQ thread runs the fault path (after what it is running). */
export function takeContextIrq(rt: Runtime, smmu: number, cbndx: number): void {
  const bank = bankState(rt, smmu, cbndx);
  const handlerIndex = rt.model.handlers.findIndex((h) => h.domain === bank.domain);
  const handler = rt.model.handlers[handlerIndex];
  const context = handler ? handlerContextOn(rt.model.kernel, implOf(rt, smmu), handler.context) : undefined;
  const activity = newActivity(rt, {
    thread: irqThread(rt).id,
    smmu,
    bank: cbndx,
    steps: context === 'thread' ? ['irq_default_primary_handler'] : contextFaultSteps(rt.model.kernel, implOf(rt, smmu), context),
    handler: handler ? handlerIndex : undefined,
    domain: bank.domain,
    group: undefined,
    fault: undefined,
    cfi: undefined,
    callers: ['gic_handle_irq', 'handle_irq_event'],
  });
  if (rt.observed) rt.emit({ kind: 'irq', time: rt.state.now, smmu, bank: cbndx });
  startOn(rt, irqThread(rt), activity);
}

function implOf(rt: Runtime, smmu: number): SmmuImpl {
  return rt.model.smmus[smmu]?.impl ?? 'arm';
}

/** The registers arm_smmu_context_fault read; a step after that read has them. */
function readRegisters(activity: ActivityState): ContextFaultInfo {
  if (!activity.cfi) throw new Error(`activity ${activity.id} runs past arm_smmu_context_fault without its registers`);
  return activity.cfi;
}



type QueueOrIopfStep = 'arm_smmu_evtq_thread' | 'arm_smmu_priq_thread' | IopfWorkStep | IopfResponseStep;

function isQueueOrIopfStep(step: KernelStep): step is QueueOrIopfStep {
  return step === 'arm_smmu_evtq_thread' || step === 'arm_smmu_priq_thread' || isIopfWorkStep(step) || step === 'iopf_complete_group' || step === 'iopf_group_response';
}

/** The queue threads (arm-smmu-v3.c) drain their queue a step an entry; iopf workers (io-pgfault.c) run the handler and answer the group. */
type ContextFaultStep = Exclude<KernelStep, 'handler' | QueueOrIopfStep | VmmStep | 'arm_smmu_global_fault' | 'arm_smmu_gr0_write(sGFSR)'>;

function runQueueOrIopfStep(rt: Runtime, activity: ActivityState, step: QueueOrIopfStep): { detail: string; more: boolean } {
  // A guest kernel's driver runs the same functions over its virtual SMMU (kernel/vm/guestKernel.ts).
  const vm = activity.vm;
  switch (step) {
    case 'arm_smmu_evtq_thread':
      return vm === undefined ? runQueueThreadStep(rt, activity, 'evtq') : runGuestEvtqStep(rt, activity, vm);
    case 'arm_smmu_priq_thread':
      return runQueueThreadStep(rt, activity, 'priq');
    case 'iopf_handle_group':
    case 'iopf_handler':
    case 'iommu_sva_handle_iopf':
      return { detail: activity.group ? describeGroup(activity.group) : 'no group', more: false };
    case 'iopf_complete_group':
    case 'iopf_group_response':
      return { detail: vm === undefined ? respondToGroup(rt, activity) : guestRespond(rt, activity, vm), more: false };
  }
}

/** The SMMUv2 steps work on the bank that raised the context interrupt; an SMMUv3 activity has none to give. */
function contextBank(activity: ActivityState): number {
  if (activity.bank === undefined) throw new Error(`activity ${activity.id} runs an SMMUv2 step without a context bank`);
  return activity.bank;
}

/** Runs one kernel step; returns what it did, in words. */
function runKernelStep(rt: Runtime, activity: ActivityState, step: ContextFaultStep): string {
  const cbndx = contextBank(activity);
  const bank = bankState(rt, activity.smmu, cbndx);
  const handler = activity.handler === undefined ? undefined : rt.model.handlers[activity.handler];
  const kernel = rt.model.kernel;
  const impl = implOf(rt, activity.smmu);
  switch (step) {
    case 'irq_default_primary_handler': {
      const threaded = newActivity(rt, {
        thread: irqHandlerThread(rt, activity.smmu).id,
        smmu: activity.smmu,
        bank: cbndx,
        steps: contextFaultSteps(kernel, impl, 'thread'),
        handler: activity.handler,
        domain: activity.domain,
        group: undefined,
        fault: undefined,
        cfi: undefined,
        callers: ['irq_thread', 'irq_thread_fn'],
      });
      startOn(rt, irqHandlerThread(rt, activity.smmu), threaded);
      return 'IRQ_WAKE_THREAD';
    }
    case 'arm_smmu_context_fault':
      activity.cfi = { fsr: bank.fsr, fsynr0: bank.fsynr0, far: bank.far, cbfrsynra: bank.cbfrsynra };
      activity.fault = bank.latchedFault;
      if ((bank.fsr & (FSR_FAULT_BITS | FSR_SS)) === 0) {
        activity.step = activity.steps.length - 1; // nothing to report: IRQ_NONE
        return 'FSR holds no fault: IRQ_NONE';
      }
      return contextFaultRegisters(readRegisters(activity), cbndx);
    case 'report_iommu_fault':
      if (handler) return `calls ${handler.name}`;
      // Before 6.11 arm_smmu_context_fault prints its one line itself; from 6.11 arm_smmu_print_context_fault_info prints it and the decode lines.
      if (!hasChange(kernel, 'contextFaultDecode')) smmuPrintk(rt, activity.thread, activity.smmu, 'err', unhandledContextFaultLine(readRegisters(activity), cbndx));
      return 'no fault handler: -ENOSYS';
    case 'arm_smmu_print_context_fault_info': {
      const cfi = readRegisters(activity);
      for (const line of [unhandledContextFaultLine(cfi, cbndx), fsrDecodeLine(cfi), fsynr0DecodeLine(cfi)]) smmuPrintk(rt, activity.thread, activity.smmu, 'err', line);
      return 'the registers, decoded';
    }
    case 'a6xx_fault_handler':
    case 'adreno_fault_handler':
      return msmFaultHandler(rt, activity, bank);
    case 'queue_work': {
      const queue = handler ? rt.model.workqueues[handler.workqueue] : undefined;
      if (!handler || !queue) return 'no workqueue';
      const work = newActivity(rt, {
        thread: 0,
        smmu: activity.smmu,
        bank: cbndx,
        steps: workItemSteps(kernel),
        handler: activity.handler,
        domain: activity.domain,
        group: undefined,
        fault: activity.fault,
        cfi: activity.cfi,
        callers: impl === 'qcom-adreno' ? ['kthread_worker_fn', 'fault_worker'] : ['worker_thread', 'process_one_work'],
      });
      queueWork(rt, handler.workqueue, work);
      const later = hasChange(kernel, 'resumeInContextFault')
        ? `the handler returns 0, not -EAGAIN: on Linux ${kernel} arm_smmu_context_fault terminates the stall before the work runs`
        : 'the work answers the stall later, through resume_translation';
      return `${handler.name} queued on ${queue.name}; ${later}`;
    }
    case 'arm_smmu_cb_write(FSR)': {
      const written = writeBackFsr(rt, activity.smmu, cbndx, readRegisters(activity).fsr);
      return `${written}, now ${hex(bank.fsr >>> 0)}`;
    }
    case 'arm_smmu_cb_write(RESUME)': {
      if ((readRegisters(activity).fsr & FSR_SS) === 0) return 'the fault did not stall: no RESUME';
      // report_iommu_fault's return: -EAGAIN (a `retry`) retries, anything else terminates.
      return writeBackResume(rt, activity.smmu, cbndx, activity.response ?? 'terminate').written;
    }
    case 'qcom_adreno_smmu_resume_translation': {
      if (activity.response === undefined) return `${handler?.name ?? 'the handler'} did not answer: nothing writes RESUME, the transaction stays stalled`;
      const { written, ignored } = writeBackResume(rt, activity.smmu, cbndx, activity.response);
      return ignored ? `${written}, ignored: ${ignored}` : written;
    }
  }
}

/**
 * drm/msm's fault handler (a6xx_fault_handler / adreno_fault_handler): the `*** gpu fault:`
 * line, and from 6.16 stall-on-fault off for 500 ms (set_stall, stall_reenable_time). msm
 * turns it back on at the first submit or retire after that time
 * (adreno_check_and_reenable_stall); the model turns it on when the 500 ms have passed.
 */
function msmFaultHandler(rt: Runtime, activity: ActivityState, bank: BankState): string {
  printk(rt, activity.thread, 'warn', gpuFaultLine(readRegisters(activity), bank.ttbr0));
  if (!hasChange(rt.model.kernel, 'msmStallCooldown')) return 'the gpu fault line; the crash state is left to fault_worker';
  const domain = rt.model.domains[bank.domain];
  if (!domain?.stall) return "the gpu fault line; the domain's stall is off already";
  const cycles = msmStallCooldown * cyclesPerMillisecond;
  rt.smmus[activity.smmu]?.stallOff(bank.cbndx, cycles);
  return `the gpu fault line; set_stall(false) until cycle ${rt.state.now + cycles} (stall_reenable_time: 500 ms)`;
}

/** A work item on 6.16 and later answered after its stall was already terminated: its answer reaches no register. */
function noteLateAnswer(rt: Runtime, activity: ActivityState): void {
  if (!rt.observed || activity.bank === undefined || activity.response === undefined || !hasChange(rt.model.kernel, 'resumeInContextFault')) return;
  const name = activity.handler === undefined ? 'the handler' : rt.model.handlers[activity.handler]?.name;
  rt.emit({
    kind: 'note',
    time: rt.state.now,
    thread: activity.thread,
    text: `${name}'s '${activity.response}' does nothing: on Linux ${rt.model.kernel} RESUME is written when arm_smmu_context_fault returns (3053a2c5086d), so the stall was already terminated`,
  });
}

/** The `step` action: the activity's thread runs its next step. */
export function runActivityStep(rt: Runtime, activity: ActivityState): void {
  const step = currentStep(activity);
  if (step === undefined) {
    const thread = finishActivity(rt, activity);
    if (thread.kind === 'worker') {
      noteLateAnswer(rt, activity);
      releaseWorker(rt, activity);
    }
    return;
  }
  if (step === 'handler') {
    runHandlerOp(rt, activity);
    return;
  }
  if (isVmmStep(step)) {
    const detail = runVmmStep(rt, activity, activity.vm ?? -1, step);
    if (rt.observed) rt.emit({ kind: 'kernel-step', time: rt.state.now, thread: activity.thread, activity: activity.id, step, detail });
    advance(rt, activity, rt.model.timing.statement);
    return;
  }
  if (isQueueOrIopfStep(step)) {
    const { detail, more } = runQueueOrIopfStep(rt, activity, step);
    if (rt.observed) rt.emit({ kind: 'kernel-step', time: rt.state.now, thread: activity.thread, activity: activity.id, step, detail });
    if (more) rt.schedule(rt.model.timing.statement, { kind: 'step', activity: activity.id });
    else advance(rt, activity, rt.model.timing.statement);
    return;
  }
  const detail = step === 'arm_smmu_global_fault' || step === 'arm_smmu_gr0_write(sGFSR)' ? runGlobalFaultStep(rt, activity, step) : runKernelStep(rt, activity, step);
  if (rt.observed) rt.emit({ kind: 'kernel-step', time: rt.state.now, thread: activity.thread, activity: activity.id, step, detail });
  advance(rt, activity, rt.model.timing.statement);
}
