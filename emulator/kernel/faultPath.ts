import { Runtime } from '../machine/runtime';
import { ActivityState, KernelStep } from '../machine/state';
import { FSR_FAULT_BITS, FSR_SS } from '../smmu/v2/registers';
import { writeBackFsr, writeBackResume } from '../smmu/v2/answer';
import { bankState } from '../smmu/v2/smmuV2';
import { hex } from '../util/u64';
import { runHandlerOp } from './handlerRun';
import { advance, currentStep, finishActivity, irqHandlerThread, irqThread, newActivity, startOn, threadById } from './threads';
import { queueWork, releaseWorker } from './workqueues';
import { describeGroup, respondToGroup } from './iopf';
import { runQueueThreadStep } from './queueThreads';
import { smmuPrintk } from './printk';

/** The steps of Linux's context-fault path for a domain's handler context (arm-smmu.c). */
function hardIrqSteps(context: 'irq' | 'thread' | 'workqueue' | undefined): KernelStep[] {
  switch (context) {
    case 'thread':
      return ['irq_default_primary_handler'];
    case 'workqueue':
      return ['arm_smmu_context_fault', 'report_iommu_fault', 'queue_work', 'arm_smmu_cb_write(FSR)'];
    case 'irq':
      return ['arm_smmu_context_fault', 'report_iommu_fault', 'handler', 'arm_smmu_cb_write(FSR)', 'arm_smmu_cb_write(RESUME)'];
    case undefined:
      return ['arm_smmu_context_fault', 'report_iommu_fault', 'arm_smmu_cb_write(FSR)', 'arm_smmu_cb_write(RESUME)'];
  }
}

/** A context interrupt reaches the CPU: the hard-IRQ thread runs the fault path (after what it is running). */
export function takeContextIrq(rt: Runtime, smmu: number, cbndx: number): void {
  const bank = bankState(rt, smmu, cbndx);
  const handlerIndex = rt.model.handlers.findIndex((h) => h.domain === bank.domain);
  const handler = rt.model.handlers[handlerIndex];
  const activity = newActivity(rt, {
    thread: irqThread(rt).id,
    smmu,
    bank: cbndx,
    steps: hardIrqSteps(handler?.context),
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

/** arm_smmu_context_fault's line: `fsr=0x%x, iova=0x%08lx, fsynr=0x%x, cbfrsynra=0x%x, cb=%d`. */
function unhandledFaultText(activity: ActivityState): string {
  const cfi = activity.cfi;
  if (!cfi) return '';
  return `fsr=0x${(cfi.fsr >>> 0).toString(16)}, iova=0x${cfi.far.toString(16).padStart(8, '0')}, fsynr=0x${cfi.fsynr0.toString(16)}, cbfrsynra=0x${cfi.cbfrsynra.toString(16)}, cb=${activity.bank}`;
}


type QueueOrIopfStep = 'arm_smmu_evtq_thread' | 'arm_smmu_priq_thread' | 'iopf_handler' | 'iopf_group_response';

function isQueueOrIopfStep(step: KernelStep): step is QueueOrIopfStep {
  return step === 'arm_smmu_evtq_thread' || step === 'arm_smmu_priq_thread' || step === 'iopf_handler' || step === 'iopf_group_response';
}

/** The queue threads (arm-smmu-v3.c) drain their queue a step an entry; iopf workers (io-pgfault.c) run the handler and answer the group. */
function runQueueOrIopfStep(rt: Runtime, activity: ActivityState, step: QueueOrIopfStep): { detail: string; more: boolean } {
  switch (step) {
    case 'arm_smmu_evtq_thread':
      return runQueueThreadStep(rt, activity, 'evtq');
    case 'arm_smmu_priq_thread':
      return runQueueThreadStep(rt, activity, 'priq');
    case 'iopf_handler':
      return { detail: activity.group ? describeGroup(activity.group) : 'no group', more: false };
    case 'iopf_group_response':
      return { detail: respondToGroup(rt, activity), more: false };
  }
}

/** The SMMUv2 steps work on the bank that raised the context interrupt; an SMMUv3 activity has none to give. */
function contextBank(activity: ActivityState): number {
  if (activity.bank === undefined) throw new Error(`activity ${activity.id} runs an SMMUv2 step without a context bank`);
  return activity.bank;
}

/** Runs one kernel step; returns what it did, in words. */
function runKernelStep(rt: Runtime, activity: ActivityState, step: Exclude<KernelStep, 'handler' | QueueOrIopfStep>): string {
  const cbndx = contextBank(activity);
  const bank = bankState(rt, activity.smmu, cbndx);
  const handler = activity.handler === undefined ? undefined : rt.model.handlers[activity.handler];
  switch (step) {
    case 'irq_default_primary_handler': {
      const threaded = newActivity(rt, {
        thread: irqHandlerThread(rt, activity.smmu).id,
        smmu: activity.smmu,
        bank: cbndx,
        steps: ['arm_smmu_context_fault', 'report_iommu_fault', 'handler', 'arm_smmu_cb_write(FSR)', 'arm_smmu_cb_write(RESUME)'],
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
      return unhandledFaultText(activity);
    case 'report_iommu_fault':
      if (!handler) {
        smmuPrintk(rt, activity.thread, activity.smmu, 'err', `Unhandled context fault: ${unhandledFaultText(activity)}`);
        return 'no fault handler: -ENOSYS';
      }
      return `calls ${handler.name}`;
    case 'queue_work': {
      const queue = handler ? rt.model.workqueues[handler.workqueue] : undefined;
      if (!handler || !queue) return 'no workqueue';
      const work = newActivity(rt, {
        thread: 0,
        smmu: activity.smmu,
        bank: cbndx,
        steps: ['handler', 'arm_smmu_cb_write(RESUME)'],
        handler: activity.handler,
        domain: activity.domain,
        group: undefined,
        fault: activity.fault,
        cfi: activity.cfi,
        callers: ['worker_thread', 'process_one_work'],
      });
      queueWork(rt, handler.workqueue, work);
      return `${handler.name} queued on ${queue.name}; the response comes later (-EAGAIN)`;
    }
    case 'arm_smmu_cb_write(FSR)': {
      const written = writeBackFsr(rt, activity.smmu, cbndx, activity.cfi?.fsr ?? 0);
      return `${written}, now ${hex(bank.fsr >>> 0)}`;
    }
    case 'arm_smmu_cb_write(RESUME)': {
      const deferred = threadById(rt, activity.thread).kind === 'worker';
      if (deferred && activity.response === undefined) return 'no response: the transaction stays stalled';
      if (((activity.cfi?.fsr ?? 0) & FSR_SS) === 0) return 'the fault did not stall: no RESUME';
      return writeBackResume(rt, activity.smmu, cbndx, activity.response ?? 'terminate').written;
    }
  }
}

/** The `step` action: the activity's thread runs its next step. */
export function runActivityStep(rt: Runtime, activity: ActivityState): void {
  const step = currentStep(activity);
  if (step === undefined) {
    const thread = finishActivity(rt, activity);
    if (thread.kind === 'worker') releaseWorker(rt, activity);
    return;
  }
  if (step === 'handler') {
    runHandlerOp(rt, activity);
    return;
  }
  if (isQueueOrIopfStep(step)) {
    const { detail, more } = runQueueOrIopfStep(rt, activity, step);
    if (rt.observed) rt.emit({ kind: 'kernel-step', time: rt.state.now, thread: activity.thread, activity: activity.id, step, detail });
    if (more) rt.schedule(rt.model.timing.statement, { kind: 'step', activity: activity.id });
    else advance(rt, activity, rt.model.timing.statement);
    return;
  }
  const detail = runKernelStep(rt, activity, step);
  if (rt.observed) rt.emit({ kind: 'kernel-step', time: rt.state.now, thread: activity.thread, activity: activity.id, step, detail });
  advance(rt, activity, rt.model.timing.statement);
}
