import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Diagnostic, DiagnosticSeverity, DiagnosticTag } from 'vscode-languageserver-protocol/node';
import { OpenScenario, scenarioUri } from './helpers';

// Linux 6.12 (the last line): the workqueue handler answers its stall (resume_translation), as it did before 6.16.
const base = `scenario "diagnostics"
smmu kgsl { version v2 }
domain gpu_dom {
  fault stall
  map 0x0100_0000 -> 0x8000_0000 size 1M rw
}
master gpu { stream 0x0; domain gpu_dom; can-stall }
engine gpu.cp {
  read 0x0100_0040 64 as ok
}
handler h on gpu_dom {
  context workqueue
  terminate
}
expect ok completed
kernel 6.12
`;

let doc: OpenScenario;

before(async () => {
  doc = await OpenScenario.open(base);
});

after(() => doc.close());

/** Publishes `text` and returns its diagnostics. */
async function diagnosticsOf(text: string): Promise<Diagnostic[]> {
  return (await doc.change(text)).diagnostics;
}

function pick(d: Diagnostic): Omit<Diagnostic, 'source'> & { source?: string } {
  return d;
}

describe('published diagnostics', () => {
  test('a clean scenario has none; each change republishes for its version', async () => {
    const published = await doc.change(base);
    assert.deepEqual(published.diagnostics, []);
    assert.equal(published.uri, scenarioUri);
    assert.equal(typeof published.version, 'number');
  });

  test('syntax errors with recovery: three broken blocks give three errors, each at its place', async () => {
    const text = base
      .replace('fault stall', 'fault stall )')
      .replace('stream 0x0;', 'stream 0x0 0x1;')
      .replace('  terminate\n', '  terminate +\n');
    const list = await diagnosticsOf(text);
    assert.deepEqual(
      list.map((d) => [d.code, d.severity, doc.textAt(d.range)]),
      [
        ['syntax', DiagnosticSeverity.Error, ')'],
        ['syntax', DiagnosticSeverity.Error, '0x1'],
        ['syntax', DiagnosticSeverity.Error, '+'],
      ],
    );
  });

  test('a duplicate name points at the first declaration (relatedInformation)', async () => {
    const text = base.replace('handler h on', 'domain gpu_dom { }\nhandler h on');
    const [d] = await diagnosticsOf(text);
    assert.ok(d);
    assert.deepEqual(pick(d), {
      range: doc.range('gpu_dom', 2),
      severity: DiagnosticSeverity.Error,
      code: 'duplicate-name',
      source: 'iommu',
      message: "duplicate domain 'gpu_dom' (first declared on line 3)",
      relatedInformation: [{ location: { uri: scenarioUri, range: doc.range('gpu_dom') }, message: "first domain 'gpu_dom'" }],
    });
  });

  test('overlapping maps: the second map, with the first as related information', async () => {
    const text = base.replace('size 1M rw\n', 'size 1M rw\n  map 0x0100_8000 -> 0x9000_0000 size 4K rw\n');
    const [d] = await diagnosticsOf(text);
    assert.equal(d?.code, 'map-overlap');
    assert.deepEqual(d?.range, doc.range('map 0x0100_8000 -> 0x9000_0000 size 4K rw'));
    assert.equal(d?.message, 'this map (0x1008000–0x1008fff) overlaps the map on line 5 in domain \'gpu_dom\' (0x1000000–0x10fffff)');
    assert.deepEqual(d?.relatedInformation?.[0]?.location.range, doc.range('map 0x0100_0000 -> 0x8000_0000 size 1M rw'));
  });

  test('IOVA beyond ias and PA beyond oas', async () => {
    const text = base.replace('fault stall', 'fault stall; ias 32; oas 32').replace('map 0x0100_0000 -> 0x8000_0000', 'map 0x1_0000_0000 -> 0x1_0000_0000');
    const list = await diagnosticsOf(text);
    assert.deepEqual(
      list.map((d) => [d.code, d.message]),
      [
        ['map-range', 'IOVA range 0x100000000–0x1000fffff goes beyond the 32-bit input range (ias 32)'],
        // The map is left out, so the read it served will fault; with an error the file does not run.
        ['predicted-fault', 'will fault: translation fault at level 1: L1[0] is invalid — as the tables stand before the run (the file has errors, so it does not run)'],
      ],
    );
    const pa = await diagnosticsOf(base.replace('fault stall', 'fault stall; oas 32').replace('-> 0x8000_0000', '-> 0xffff_f000'));
    assert.deepEqual(pa[0] && [pa[0].code, pa[0].message, pa[0].range], ['map-range', 'PA range 0xfffff000–0x1000fefff goes beyond the 32-bit output range (oas 32)', doc.range('0xffff_f000')]);
  });

  test('a stall domain attached to a master without can-stall: what the kernel and VFIO do', async () => {
    const [d] = await diagnosticsOf(base.replace('; can-stall', ''));
    assert.equal(d?.severity, DiagnosticSeverity.Warning);
    assert.equal(
      d?.message,
      "iommu_attach_device fails: domain 'gpu_dom' stalls on faults but master 'gpu' is not 'can-stall'. The master stays unattached and its transactions fault (a VFIO container would put it in a domain of its own).",
    );
    assert.deepEqual(d?.range, doc.range('gpu_dom', 1));
  });

  test('v2-only settings on a v3 SMMU; a domain stall setting Linux ignores there, whatever the STALL_MODEL', async () => {
    const list = await diagnosticsOf(base.replace('version v2', 'version v3; stall-model no-stall').replace('fault stall', 'fault stall; hupcf on'));
    assert.deepEqual(
      list.map((d) => [d.code, d.message]),
      [
        [
          'fault-per-master',
          "on Linux 6.12 an SMMUv3 domain has no stall setting of its own: CD.S is each master's stall_enabled (its dma-can-stall, 'can-stall', under the STALL_MODEL of smmu 'kgsl'), so 'fault stall' is ignored",
        ],
        ['version-mismatch', "'hupcf' is an SMMUv2 context-bank bit; domain 'gpu_dom' is on an SMMUv3, which has no HUPCF (stalls are per transaction)"],
        // Behind a no-stall SMMU the can-stall master does not stall: its CD.S is 0 and no fault reaches the handler.
        [
          'handler-never-runs',
          "handler 'h' never runs: no master using domain 'gpu_dom' stalls (CD.S=0: Linux writes CD.S from each master's stall_enabled) on SMMUv3 'kgsl', whose event records arm_smmu_evtq_thread only prints, and no PRI master uses it to send page requests",
        ],
      ],
    );
  });

  test('sleep in an irq-context handler: sleeping in atomic context', async () => {
    const d = (await diagnosticsOf(base.replace('context workqueue', 'context irq\n  sleep 10'))).find((x) => x.code === 'atomic-sleep');
    assert.deepEqual([d?.code, d?.message, d?.range], ['atomic-sleep', "'sleep' blocks: sleeping in atomic context (handler 'h' runs in irq context)", doc.range('sleep 10')]);
  });

  test('a handler path without a response, and a statement after the response (marked unnecessary)', async () => {
    const list = await diagnosticsOf(base.replace('  terminate\n', '  if write { terminate }\n'));
    assert.deepEqual(
      list.map((d) => [d.code, d.severity, d.message]),
      [['no-response', DiagnosticSeverity.Warning, "a path through handler 'h' reaches line 13 without a response: on Linux 6.12 arm_smmu_context_fault never writes RESUME (it does from 6.16), so the stalled transaction stays stalled and the master hangs"]],
    );
    const unreachable = await diagnosticsOf(base.replace('  terminate\n', '  terminate\n  dump\n'));
    assert.deepEqual(unreachable.map((d) => [d.code, d.tags]), [['unreachable', [DiagnosticTag.Unnecessary]]]);
  });

  test('a transaction that will fault is a hint, with the reason and what the run did with it', async () => {
    const [d] = await diagnosticsOf(base.replace('read 0x0100_0040 64 as ok', 'read 0x0700_0000 64 as ok'));
    assert.deepEqual(pick(d as Diagnostic), {
      range: doc.range('0x0700_0000'),
      severity: DiagnosticSeverity.Hint,
      code: 'predicted-fault',
      source: 'iommu',
      message: 'will fault: translation fault at level 2: L2[56] is invalid; stalls; answered terminate: aborted (RESUME terminate)',
    });
  });

  test('in a repeat, the first iteration that faults, with its i and address, then all of them', async () => {
    const [d] = await diagnosticsOf(base.replace('read 0x0100_0040 64 as ok', 'repeat 8 { read 0x010F_E000 + i*0x1000 64 as ok }'));
    assert.equal(d?.message, 'will fault: translation fault at level 3: L3[256] is invalid (i = 2, 0x1100000); stalls; answered terminate: aborted (RESUME terminate) — 6 of 8 fault: 6 aborted');
    assert.deepEqual(d?.range, doc.range('0x010F_E000 + i*0x1000'));
  });

  test('permission and access-flag faults are predicted too', async () => {
    const text = base.replace('size 1M rw', 'size 1M r').replace('read 0x0100_0040 64 as ok', 'write 0x0100_0040 4 as ok');
    assert.deepEqual((await diagnosticsOf(text)).map((d) => d.message), ['will fault: permission fault at level 3: write to a read-only page (AP[2]=1); stalls; answered terminate: aborted (RESUME terminate)']);
    const noaf = base.replace('size 1M rw', 'size 1M rw noaf');
    assert.deepEqual((await diagnosticsOf(noaf)).map((d) => d.message), ['will fault: access-flag fault at level 3: L3[0] has AF=0; stalls; answered terminate: aborted (RESUME terminate)']);
  });
});
