import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { Dap, scenarioFile } from './helpers';

/** The kernel frames of qcom's Adreno SMMU with drm/msm are the release's functions, in their files. */
function adreno(kernel: string): string {
  return [
    `kernel ${kernel}`,
    'smmu kgsl { version v2; impl qcom-adreno }',
    'domain gpu_dom { fault stall; map 0x1000_0000 -> 0x8000_0000 size 2M rw }',
    'master gpu { stream 0x0; domain gpu_dom; can-stall }',
    'engine gpu.cp { read 0x2000_0000 64 as bad }',
    'handler gpu_fault on gpu_dom {',
    '  dump',
    '  terminate',
    '}',
  ].join('\n');
}

describe('Adreno kernel frames by release', () => {
  let dap: Dap;
  beforeEach(async () => {
    dap = await Dap.start();
  });
  afterEach(async () => {
    await dap.stop();
  });

  async function stackAt(kernel: string, name: string): Promise<string[]> {
    await dap.launch({ scenario: scenarioFile(adreno(kernel), `adreno-${kernel}`) }, { functionBreakpoints: [{ name }], exceptionFilters: [] });
    await dap.client.configurationDoneRequest();
    const stop = await dap.stopped();
    assert.equal(stop.description, `Paused on function breakpoint ${name}`);
    return dap.stack(stop.threadId ?? 0);
  }

  test('7.1: adreno_fault_handler runs in the IRQ thread, called by report_iommu_fault', async () => {
    assert.deepEqual(await stackAt('7.1', 'adreno_fault_handler'), [
      'adreno_fault_handler @ adreno_gpu.c:5',
      'report_iommu_fault @ iommu.c:5',
      'arm_smmu_context_fault @ arm-smmu.c:5',
      'irq_thread_fn @ manage.c:13',
      'irq_thread @ manage.c:9',
    ]);
  });

  test('6.1: a6xx_fault_handler in the hard IRQ; resume_translation from msm\'s fault_worker', async () => {
    assert.deepEqual(await stackAt('6.1', 'a6xx_fault_handler'), [
      'a6xx_fault_handler @ a6xx_gpu.c:5',
      'report_iommu_fault @ iommu.c:5',
      'arm_smmu_context_fault @ arm-smmu.c:5',
      'handle_irq_event @ handle.c:5',
      'gic_handle_irq @ irq-gic-v3.c:5',
    ]);
  });

  test('6.12: qcom_adreno_smmu_resume_translation from fault_worker, after the crash dump', async () => {
    assert.deepEqual(await stackAt('6.12', 'qcom_adreno_smmu_resume_translation'), [
      'qcom_adreno_smmu_resume_translation @ arm-smmu-qcom.c:5',
      'fault_worker @ msm_gpu.c:5',
      'kthread_worker_fn @ kthread.c:5',
    ]);
  });
});
