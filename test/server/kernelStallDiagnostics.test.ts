import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Diagnostic } from 'vscode-languageserver-protocol/node';
import { OpenScenario } from './helpers';

/**
 * The published diagnostics that depend on the `kernel` line, each naming the release: who
 * answers an SMMUv2 stall (3053a2c5086d, 6.16), and where drm/msm's handler runs on qcom's
 * Adreno SMMU (1650620774fa, 6.16). Each on both sides of the boundary (6.12, 7.1).
 */

function scenario(kernel: string, context: string, smmu = 'version v2'): string {
  return `kernel ${kernel}
smmu kgsl { ${smmu} }
domain gpu_dom {
  fault stall
  map 0x0100_0000 -> 0x8000_0000 size 1M rw
}
master gpu { stream 0x0; domain gpu_dom; can-stall }
engine gpu.cp { read 0x0700_0000 64 as bad }
handler h on gpu_dom {
  context ${context}
  dump
  terminate
}
`;
}

let doc: OpenScenario;
before(async () => {
  doc = await OpenScenario.open(scenario('7.1', 'thread'));
});
after(() => doc.close());

async function warnings(text: string): Promise<[Diagnostic['code'], string, Diagnostic['message']][]> {
  const published: Diagnostic[] = (await doc.change(text)).diagnostics;
  return published.filter((d) => d.severity === 2).map((d) => [d.code, doc.textAt(d.range), d.message]);
}

describe('diagnostics by release', () => {
  test('7.1: a workqueue handler on an SMMUv2 stall domain cannot answer the stall', async () => {
    assert.deepEqual(await warnings(scenario('7.1', 'workqueue')), [
      [
        'workqueue-stall-answer',
        'workqueue',
        "on Linux 7.1 RESUME is written when the context fault handler returns: this workqueue handler cannot answer the stall (arm_smmu_context_fault terminates it before the work runs; 3053a2c5086d, 6.16). Answer from context irq or thread, or give the scenario 'kernel 6.12' for the worker design",
      ],
    ]);
  });

  test('6.12: the same workqueue handler answers: no warning', async () => {
    assert.deepEqual(await warnings(scenario('6.12', 'workqueue')), []);
  });

  test('6.12: a threaded handler cannot answer (resume_translation before FSR is written back); 7.1: it can', async () => {
    assert.deepEqual(await warnings(scenario('6.12', 'thread')), [
      [
        'irq-stall-answer',
        'thread',
        "on Linux 6.12 arm_smmu_context_fault never writes RESUME (it does from 6.16, 3053a2c5086d): this thread handler's answer goes through resume_translation before FSR is written back, and MMU-500 ignores it, so the stall stays and the master hangs. Answer from context workqueue",
      ],
    ]);
    assert.deepEqual(await warnings(scenario('7.1', 'thread')), []);
  });

  test('6.12: a worker path without a response leaves the stall', async () => {
    const text = scenario('6.12', 'workqueue').replace('  terminate\n', '');
    assert.deepEqual(await warnings(text), [
      [
        'no-response',
        'h',
        "a path through handler 'h' reaches its end without a response: on Linux 6.12 arm_smmu_context_fault never writes RESUME (it does from 6.16), so the stalled transaction stays stalled and the master hangs",
      ],
    ]);
  });

  test("qcom-adreno: the release decides the handler's context, and says so where `context` differs", async () => {
    const adreno = 'version v2; impl qcom-adreno';
    assert.deepEqual(await warnings(scenario('6.12', 'thread', adreno)), [
      [
        'adreno-context',
        'thread',
        "on Linux 6.12 qcom's Adreno SMMU takes its context fault in a hard IRQ (threaded only from 6.16) and drm/msm captures the crash state in its fault worker, where the handler runs: 'context thread' runs as 'context workqueue'",
      ],
    ]);
    assert.deepEqual(await warnings(scenario('7.1', 'workqueue', adreno)), [
      [
        'adreno-context',
        'workqueue',
        "on Linux 7.1 qcom's Adreno SMMU takes its context fault in a threaded IRQ (1650620774fa, 6.16) and drm/msm's handler runs there: 'context workqueue' runs as 'context thread'",
      ],
    ]);
    assert.deepEqual(await warnings(scenario('7.1', 'thread', adreno)), []);
    assert.deepEqual(await warnings(scenario('6.12', 'workqueue', adreno)), []);
  });
});
