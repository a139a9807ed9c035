import { Runtime } from '../machine/runtime';
import { ActivityState } from '../machine/state';
import { v2StateOf } from '../smmu/smmuState';
import { SGFSR_USF } from '../smmu/v2/registers';
import { hex32 } from '../util/u64';
import { smmuPrintk } from './printk';
import { irqThread, newActivity, startOn } from './threads';

/*
 * arm_smmu_global_fault (drivers/iommu/arm/arm-smmu/arm-smmu.c, the same in every modelled
 * release): the global fault interrupt reads sGFSR and sGFSYNR0-2, prints what it found and
 * writes sGFSR back. It runs on the hard-IRQ thread, like the context interrupt.
 */

/** The global fault interrupt reaches the CPU. */
export function takeGlobalIrq(rt: Runtime, smmu: number): void {
  const activity = newActivity(rt, {
    thread: irqThread(rt).id,
    smmu,
    bank: undefined,
    steps: ['arm_smmu_global_fault', 'arm_smmu_gr0_write(sGFSR)'],
    handler: undefined,
    domain: undefined,
    group: undefined,
    fault: undefined,
    cfi: undefined,
    callers: ['gic_handle_irq', 'handle_irq_event'],
  });
  startOn(rt, irqThread(rt), activity);
}

/**
 * One step of the global fault path; returns what it did. With disable_bypass (Linux's
 * default, CONFIG_ARM_SMMU_DISABLE_BYPASS_BY_DEFAULT) an unidentified stream (USF) prints
 * "Blocked unknown Stream ID" with sGFSYNR1's StreamID; anything else is "Unexpected".
 */
export function runGlobalFaultStep(rt: Runtime, activity: ActivityState, step: 'arm_smmu_global_fault' | 'arm_smmu_gr0_write(sGFSR)'): string {
  const state = v2StateOf(rt.state, activity.smmu);
  if (!state) throw new Error(`SMMU ${activity.smmu} is not an SMMUv2`);
  if (step === 'arm_smmu_gr0_write(sGFSR)') {
    const gfsr = activity.gfsr ?? 0;
    state.sgfsr = (state.sgfsr & ~gfsr) >>> 0;
    return `sGFSR ← ${hex32(gfsr)}, now ${hex32(state.sgfsr)}`;
  }
  const { sgfsr, sgfsynr0, sgfsynr1, sgfsynr2 } = state;
  activity.gfsr = sgfsr;
  if (sgfsr === 0) {
    activity.step = activity.steps.length - 1;
    return 'sGFSR holds no fault: IRQ_NONE';
  }
  const first =
    (sgfsr & SGFSR_USF) !== 0
      ? `Blocked unknown Stream ID 0x${(sgfsynr1 & 0xffff).toString(16)}; boot with "arm-smmu.disable_bypass=0" to allow, but this may have security implications`
      : 'Unexpected global fault, this could be serious';
  smmuPrintk(rt, activity.thread, activity.smmu, 'err', first);
  smmuPrintk(rt, activity.thread, activity.smmu, 'err', `\tGFSR ${hex32(sgfsr)}, GFSYNR0 ${hex32(sgfsynr0)}, GFSYNR1 ${hex32(sgfsynr1)}, GFSYNR2 ${hex32(sgfsynr2)}`);
  return `gfsr=${hex32(sgfsr)}, gfsynr0=${hex32(sgfsynr0)}, gfsynr1=${hex32(sgfsynr1)}`;
}
