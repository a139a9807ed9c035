import assert from 'node:assert/strict';
import { test } from 'node:test';
import { statuses } from '../helpers/scenario';
import { kernelSteps, runWithEvents } from './run';

/**
 * Who answers an SMMUv2 stall, by release (3053a2c5086d, first in 6.16). Up to 6.15
 * arm_smmu_context_fault writes FSR back and returns; only qcom's resume_translation writes
 * RESUME, with the handler's response. From 6.16 arm_smmu_context_fault writes RESUME from
 * report_iommu_fault's return: -EAGAIN retries, anything else terminates.
 */

function scenario(kernel: string, context: string, body: string, domain = 'fault stall; hupcf on'): string {
  return `kernel ${kernel}
smmu kgsl { version v2 }
domain gpu_dom { ${domain}; map 0x0100_0000 -> 0x8000_0000 size 1M rw }
master gpu { stream 0x0; domain gpu_dom; can-stall }
engine gpu.cp { read 0x0700_0000 64 as bad }
${context === 'none' ? '' : `handler h on gpu_dom {\n  context ${context}\n  ${body}\n}`}
`;
}

const FIXES = 'map page -> 0x9000_0000 rw\n  retry';

test('6.12: a workqueue handler answers the stall from its worker, through qcom_adreno_smmu_resume_translation', () => {
  const { machine, events } = runWithEvents(scenario('6.12', 'workqueue', FIXES));
  assert.deepEqual(statuses(machine.result()), { 'bad#0': 'completed' });
  assert.deepEqual(kernelSteps(machine, events), [
    'irq: arm_smmu_context_fault — fsr=0x40000402, iova=0x07000000, fsynr=0x2, cbfrsynra=0x0, cb=0',
    'irq: report_iommu_fault — calls h',
    'irq: queue_work — h queued on iopf; the work answers the stall later, through resume_translation',
    'irq: arm_smmu_cb_write(FSR) — FSR ← 0x40000402, now 0x40000400',
    'iopf/0: qcom_adreno_smmu_resume_translation — RESUME ← retry (TnR=0)',
  ]);
});

test('7.1: the same workqueue handler answers too late: the IRQ terminated the stall, and the trace says so', () => {
  const { machine, events } = runWithEvents(scenario('7.1', 'workqueue', FIXES));
  assert.deepEqual(statuses(machine.result()), { 'bad#0': 'aborted' });
  assert.deepEqual(kernelSteps(machine, events), [
    'irq: arm_smmu_context_fault — fsr=0x40000402, iova=0x07000000, fsynr=0x2, cbfrsynra=0x0, cb=0',
    'irq: report_iommu_fault — calls h',
    'irq: queue_work — h queued on iopf; the handler returns 0, not -EAGAIN: on Linux 7.1 arm_smmu_context_fault terminates the stall before the work runs',
    'irq: arm_smmu_cb_write(FSR) — FSR ← 0x40000402, now 0x40000400',
    'irq: arm_smmu_cb_write(RESUME) — RESUME ← terminate (TnR=1)',
  ]);
  const resumes = events.flatMap((e) => (e.kind === 'resume' ? [[e.time, e.action, e.transactions]] : []));
  assert.deepEqual(resumes, [[39, 'terminate', [0]]]);
  // The work still runs: it maps the page, but its retry reaches no register.
  assert.ok(events.some((e) => e.kind === 'page-table' && e.description.startsWith('iommu_map(0x7000000, 0x90000000, 0x1000)')));
  assert.deepEqual(
    events.flatMap((e) => (e.kind === 'note' ? [e.text] : [])),
    ["h's 'retry' does nothing: on Linux 7.1 RESUME is written when arm_smmu_context_fault returns (3053a2c5086d), so the stall was already terminated"],
  );
});

test('6.12: a worker that does not answer leaves the stall; 7.1 terminates it at the IRQ', () => {
  assert.deepEqual(statuses(runWithEvents(scenario('6.12', 'workqueue', 'log "no answer"')).machine.result()), { 'bad#0': 'stalled' });
  const { machine, events } = runWithEvents(scenario('7.1', 'workqueue', 'log "no answer"'));
  assert.deepEqual(statuses(machine.result()), { 'bad#0': 'aborted' });
  assert.deepEqual(events.filter((e) => e.kind === 'note'), [], 'no answer, nothing to say about it');
});

test('6.12: a threaded handler\'s retry goes through resume_translation before FSR is written back, and MMU-500 ignores it', () => {
  const { machine, events } = runWithEvents(scenario('6.12', 'thread', FIXES));
  assert.deepEqual(statuses(machine.result()), { 'bad#0': 'stalled' });
  assert.deepEqual(kernelSteps(machine, events).slice(-2), [
    'irq/kgsl: qcom_adreno_smmu_resume_translation — RESUME ← retry (TnR=0), ignored: FSR=0x40000402 still holds fault bits (MMU-500 ignores RESUME until they are cleared)',
    'irq/kgsl: arm_smmu_cb_write(FSR) — FSR ← 0x40000402, now 0x40000400',
  ]);
});

test('7.1: the threaded handler\'s retry is -EAGAIN: arm_smmu_context_fault writes RESUME retry after FSR', () => {
  const { machine, events } = runWithEvents(scenario('7.1', 'thread', FIXES));
  assert.deepEqual(statuses(machine.result()), { 'bad#0': 'completed' });
  assert.deepEqual(kernelSteps(machine, events).slice(-2), [
    'irq/kgsl: arm_smmu_cb_write(FSR) — FSR ← 0x40000402, now 0x40000400',
    'irq/kgsl: arm_smmu_cb_write(RESUME) — RESUME ← retry (TnR=0)',
  ]);
});

test('6.12: an irq handler that returns without a response leaves the stall; on 7.1 that return terminates it', () => {
  const body = 'log "fault at {iova}"';
  const old = runWithEvents(scenario('6.12', 'irq', body));
  assert.deepEqual(statuses(old.machine.result()), { 'bad#0': 'stalled' });
  assert.equal(kernelSteps(old.machine, old.events).find((s) => s.includes('resume_translation')), 'irq: qcom_adreno_smmu_resume_translation — h did not answer: nothing writes RESUME, the transaction stays stalled');
  assert.deepEqual(statuses(runWithEvents(scenario('7.1', 'irq', body)).machine.result()), { 'bad#0': 'aborted' });
});

test('no handler on a stall domain: 5.15 never answers the stall (no RESUME step); 7.1 terminates it', () => {
  const old = runWithEvents(scenario('5.15', 'none', ''));
  assert.deepEqual(statuses(old.machine.result()), { 'bad#0': 'stalled' });
  assert.deepEqual(
    kernelSteps(old.machine, old.events).map((s) => s.slice(0, s.indexOf(' —'))),
    ['irq: arm_smmu_context_fault', 'irq: report_iommu_fault', 'irq: arm_smmu_cb_write(FSR)'],
  );
  const now = runWithEvents(scenario('7.1', 'none', ''));
  assert.deepEqual(statuses(now.machine.result()), { 'bad#0': 'aborted' });
  assert.deepEqual(
    kernelSteps(now.machine, now.events).map((s) => s.slice(0, s.indexOf(' —'))),
    ['irq: arm_smmu_context_fault', 'irq: report_iommu_fault', 'irq: arm_smmu_print_context_fault_info', 'irq: arm_smmu_cb_write(FSR)', 'irq: arm_smmu_cb_write(RESUME)'],
  );
});
