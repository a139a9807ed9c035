import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { Machine } from '../../../emulator/machine/machine';
import { repoPath } from '../../helpers/repo';
import { modelOf } from '../helpers/scenario';

/** examples/smmuv3-stalls-out-of-order.iommu on a release: the kernel steps its iopf workers run, with their threads. */
function iopfSteps(kernel: string): string[] {
  const text = `${readFileSync(repoPath('examples', 'smmuv3-stalls-out-of-order.iommu'), 'utf8')}\nkernel ${kernel}\n`;
  const machine = new Machine(modelOf(text));
  const steps: string[] = [];
  machine.on((e) => {
    if (e.kind === 'kernel-step' && machine.state.threads[e.thread - 1]?.name.startsWith('iopf/')) steps.push(`${machine.state.threads[e.thread - 1]?.name} ${e.step}`);
  });
  assert.deepEqual(machine.run(), { reason: 'finished' });
  return steps;
}

test('6.1 runs a fault group in iopf_handle_group and answers it with iopf_complete_group', () => {
  assert.deepEqual(iopfSteps('6.1'), ['iopf/0 iopf_handle_group', 'iopf/1 iopf_handle_group', 'iopf/1 iopf_complete_group', 'iopf/0 iopf_complete_group']);
});

test('6.6 (from 6.2) names the work iopf_handler; the answer is still iopf_complete_group', () => {
  assert.deepEqual(iopfSteps('6.6'), ['iopf/0 iopf_handler', 'iopf/1 iopf_handler', 'iopf/1 iopf_complete_group', 'iopf/0 iopf_complete_group']);
});

test("6.12 (from 6.8) runs it as SVA's iommu_sva_handle_iopf and answers with iopf_group_response", () => {
  assert.deepEqual(iopfSteps('6.12'), ['iopf/0 iommu_sva_handle_iopf', 'iopf/1 iommu_sva_handle_iopf', 'iopf/1 iopf_group_response', 'iopf/0 iopf_group_response']);
  assert.deepEqual(iopfSteps('7.1'), iopfSteps('6.12'));
});
