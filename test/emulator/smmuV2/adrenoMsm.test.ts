import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SCTLR_CFCFG, SCTLR_HUPCF } from '../../../emulator/smmu/v2/registers';
import { v2StateOf } from '../../../emulator/smmu/smmuState';
import { kernelLines } from '../helpers/kernelLines';
import { statuses } from '../helpers/scenario';
import { kernelSteps, runWithEvents } from './run';

/**
 * `impl qcom-adreno`: Qualcomm's Adreno SMMU (arm-smmu-qcom.c) with drm/msm as the GPU
 * driver. qcom_adreno_smmu_write_sctlr sets HUPCF; drm/msm's fault handler prints
 * `*** gpu fault:`; before 6.16 the crash state goes to fault_worker, which resumes with
 * resume_translation; from 6.16 (1650620774fa, b13044092c1e) the IRQ is threaded, the
 * handler turns stall off for 500 ms and returns, and arm_smmu_context_fault writes RESUME.
 */

function scenario(kernel: string, engine: string, body = 'dump\n  terminate'): string {
  return `kernel ${kernel}
smmu kgsl { version v2; impl qcom-adreno; base 0x0500_0000 }
domain gpu_dom {
  fault stall
  map 0x0100_0000 -> 0x8000_0000 size 1M rw
}
master gpu { stream 0x0; domain gpu_dom; can-stall }
engine gpu.cp { ${engine} }
handler gpu_fault on gpu_dom {
  ${body}
}
`;
}

const GPU_FAULT = '*** gpu fault: ttbr0=0000000040000000 iova=0000000007000000 dir=READ type=TRANSLATION source=CP (0,0,0,0)';

test('the Adreno SMMU sets SCTLR.HUPCF whatever the domain says (hupcf off is the default here)', () => {
  const { machine } = runWithEvents(scenario('7.1', 'read 0x0100_0000 8'));
  const sctlr = v2StateOf(machine.state, 0)?.banks[0]?.sctlr ?? 0;
  assert.equal(sctlr & SCTLR_HUPCF, SCTLR_HUPCF);
  assert.equal(sctlr & SCTLR_CFCFG, SCTLR_CFCFG);
});

test('6.12: the hard IRQ prints the gpu fault line (adreno_fault_handler) and queues fault_worker, which dumps and resumes', () => {
  const { machine, events } = runWithEvents(scenario('6.12', 'read 0x0700_0000 64 as bad'));
  assert.deepEqual(statuses(machine.result()), { 'bad#0': 'aborted' });
  assert.deepEqual(kernelLines(machine), [GPU_FAULT]);
  assert.deepEqual(kernelSteps(machine, events), [
    'irq: arm_smmu_context_fault — fsr=0x40000402, iova=0x07000000, fsynr=0x2, cbfrsynra=0x0, cb=0',
    'irq: report_iommu_fault — calls gpu_fault',
    'irq: adreno_fault_handler — the gpu fault line; the crash state is left to fault_worker',
    'irq: queue_work — gpu_fault queued on iopf; the work answers the stall later, through resume_translation',
    'irq: arm_smmu_cb_write(FSR) — FSR ← 0x40000402, now 0x40000400',
    'iopf/0: qcom_adreno_smmu_resume_translation — RESUME ← terminate (TnR=1)',
  ]);
  const dumps = events.flatMap((e) => (e.kind === 'dump' ? [machine.state.threads[e.thread - 1]?.name] : []));
  assert.deepEqual(dumps, ['iopf/0'], 'the crash state, taken in the worker');
});

test('6.1: the same line from a6xx_fault_handler (the generic adreno_fault_handler came in 6.4)', () => {
  const { machine, events } = runWithEvents(scenario('6.1', 'read 0x0700_0000 64 as bad'));
  assert.deepEqual(kernelLines(machine), [GPU_FAULT]);
  assert.ok(kernelSteps(machine, events).includes('irq: a6xx_fault_handler — the gpu fault line; the crash state is left to fault_worker'));
});

test('7.1: threaded IRQ; the handler turns stall off for 500 ms, dumps, returns; RESUME terminates', () => {
  const { machine, events } = runWithEvents(scenario('7.1', 'read 0x0700_0000 64 as bad'));
  const dumps = events.flatMap((e) => (e.kind === 'dump' ? [machine.state.threads[e.thread - 1]?.name] : []));
  assert.deepEqual(dumps, ['irq/kgsl'], 'the crash state, taken in the IRQ thread');
  assert.deepEqual(statuses(machine.result()), { 'bad#0': 'aborted' });
  assert.deepEqual(kernelLines(machine), [GPU_FAULT]);
  assert.deepEqual(kernelSteps(machine, events), [
    'irq: irq_default_primary_handler — IRQ_WAKE_THREAD',
    'irq/kgsl: arm_smmu_context_fault — fsr=0x40000402, iova=0x07000000, fsynr=0x2, cbfrsynra=0x0, cb=0',
    'irq/kgsl: report_iommu_fault — calls gpu_fault',
    'irq/kgsl: adreno_fault_handler — the gpu fault line; set_stall(false) until cycle 500037 (stall_reenable_time: 500 ms)',
    'irq/kgsl: arm_smmu_cb_write(FSR) — FSR ← 0x40000402, now 0x40000400',
    'irq/kgsl: arm_smmu_cb_write(RESUME) — RESUME ← terminate (TnR=1)',
  ]);
  assert.deepEqual(
    events.flatMap((e) => (e.kind === 'stall-mode' ? [[e.time, e.stall]] : [])),
    [
      [37, false],
      [500_037, true],
    ],
  );
});

const TWO_FAULTS = 'outstanding 1\n  read 0x0700_0000 64 as first\n  wait 1000\n  read 0x0700_1000 64 as soon\n  wait 600000\n  read 0x0700_2000 64 as later';

test('7.1: a fault within the 500 ms cooldown terminates at once (CFCFG=0); one after it stalls again', () => {
  const { machine, events } = runWithEvents(scenario('7.1', TWO_FAULTS));
  const stalls = events.flatMap((e) => (e.kind === 'transaction-stalled' ? [e.transaction.label] : []));
  assert.deepEqual(stalls, ['first', 'later']);
  assert.deepEqual(statuses(machine.result()), { 'first#0': 'aborted', 'soon#0': 'aborted', 'later#0': 'aborted' });
  const how = events.flatMap((e) => (e.kind === 'transaction-ended' && e.transaction.label === 'soon' ? [e.how] : []));
  assert.deepEqual(how, ['translation fault, CFCFG=0: terminated']);
});

test('6.12: no cooldown: every fault stalls', () => {
  const { events } = runWithEvents(scenario('6.12', TWO_FAULTS));
  const stalls = events.flatMap((e) => (e.kind === 'transaction-stalled' ? [e.transaction.label] : []));
  assert.deepEqual(stalls, ['first', 'soon', 'later']);
});

test('a write fault: dir=WRITE; a permission fault: type=PERMISSION', () => {
  const text = scenario('7.1', 'write 0x0110_0000 4 value 1 as w').replace('size 1M rw\n}', 'size 1M rw\n  map 0x0110_0000 -> 0x8100_0000 size 4K r\n}');
  assert.deepEqual(kernelLines(runWithEvents(text).machine), ['*** gpu fault: ttbr0=0000000040000000 iova=0000000001100000 dir=WRITE type=PERMISSION source=CP (0,0,0,0)']);
});
