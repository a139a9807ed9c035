import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { Dap, example } from './helpers';

describe('custom requests: iommu/pageTable, iommu/translate, iommu/dump, iommu/faults, iommu/smmu, iommu/domains, iommu/timeline', () => {
  let dap: Dap;
  beforeEach(async () => {
    dap = await Dap.start();
  });
  afterEach(async () => {
    await dap.stop();
  });

  test('iommu/pageTable: the root, then a table named by a table entry, each leaf with the map line that made it', async () => {
    await dap.launchAndStop({ scenario: example('a530-stall-hupcf') });
    assert.deepEqual(await dap.custom('iommu/pageTable', { domain: 'gpu_dom' }), {
      domain: 'gpu_dom',
      level: 0,
      table: '0x40000000',
      entries: [{ index: 0, iova: '0x0', descriptorAddress: '0x40000000', value: '0x0000000040001003', type: 'table', text: 'table → 0x40001000', next: { table: '0x40001000', level: 1, iovaBase: '0x0' } }],
    });
    const l3 = await dap.custom<{ level: number; entries: { index: number; iova: string; value: string; mapLine?: number }[] }>('iommu/pageTable', { domain: 'gpu_dom', table: '0x40003000', level: 3, iovaBase: '0x1000000' });
    assert.equal(l3.level, 3);
    assert.equal(l3.entries.length, 256);
    assert.deepEqual(l3.entries[2], {
      index: 2,
      iova: '0x1002000',
      descriptorAddress: '0x40003010',
      value: '0x0000000080002f47',
      type: 'page',
      text: 'page → 0x80002000 rw, AttrIndx 1 (cached), SH inner, AF, nG',
      mapLine: 13,
    });
  });

  test('iommu/pageTable after a handler mapped a page: the leaf names the handler\'s map line', async () => {
    // Before fill2 is issued, the handler has mapped 0x3000000 (line 31).
    await dap.launchAndStop({ scenario: example('svm-map-and-retry') }, { breakpoints: [{ line: 24 }], exceptionFilters: [] });
    const l2 = await dap.custom<{ entries: { index: number; next?: { table: string; level: number; iovaBase: string } }[] }>('iommu/pageTable', { domain: 'gpu_dom', table: '0x40002000', level: 2 });
    assert.deepEqual(
      l2.entries.map((e) => [e.index, e.next]),
      [
        [8, { table: '0x40003000', level: 3, iovaBase: '0x1000000' }],
        [24, { table: '0x40004000', level: 3, iovaBase: '0x3000000' }],
      ],
    );
    const made = await dap.custom('iommu/pageTable', { domain: 'gpu_dom', table: '0x40004000', level: 3, iovaBase: '0x3000000' });
    assert.deepEqual(made, {
      domain: 'gpu_dom',
      level: 3,
      table: '0x40004000',
      entries: [{ index: 0, iova: '0x3000000', descriptorAddress: '0x40004000', value: '0x0000000088000f47', type: 'page', text: 'page → 0x88000000 rw, AttrIndx 1 (cached), SH inner, AF, nG', mapLine: 31 }],
    });
  });

  test('iommu/translate: through a stream\'s route or a named domain, step by step', async () => {
    await dap.launchAndStop({ scenario: example('a530-stall-hupcf') });
    assert.deepEqual(await dap.custom('iommu/translate', { iova: '0x0100_0040', sid: 0 }), {
      domain: 'gpu_dom',
      iova: '0x1000040',
      pa: '0x80000040',
      result: '0x80000040 (level 3, priv rw-, unpriv rwx)',
      steps: [
        { level: 0, index: 0, descriptorAddress: '0x40000000', value: '0x0000000040001003', text: 'table → 0x40001000' },
        { level: 1, index: 0, descriptorAddress: '0x40001000', value: '0x0000000040002003', text: 'table → 0x40002000' },
        { level: 2, index: 8, descriptorAddress: '0x40002040', value: '0x0000000040003003', text: 'table → 0x40003000' },
        { level: 3, index: 0, descriptorAddress: '0x40003000', value: '0x0000000080000f47', text: 'page → 0x80000000 rw, AttrIndx 1 (cached), SH inner, AF, nG' },
      ],
    });
    const faulting = await dap.custom<{ pa: string | null; result: string; steps: unknown[] }>('iommu/translate', { iova: '0x7000000', domain: 'gpu_dom' });
    assert.equal(faulting.pa, null);
    assert.equal(faulting.result, 'translation fault at level 2: L2[56] is invalid');
    assert.equal(faulting.steps.length, 3);
  });

  test('iommu/dump: the list of crash dumps, and one as text', async () => {
    // A breakpoint on the handler's `terminate`: its `dump` has run.
    await dap.launchAndStop({ scenario: example('a530-stall-hupcf') }, { breakpoints: [{ line: 35 }], exceptionFilters: [] });
    const body = await dap.custom<{ dumps: unknown[]; text?: string }>('iommu/dump', { id: 0 });
    assert.deepEqual(body.dumps, [{ id: 0, cycle: 59, handler: 'gpu_fault', thread: 'iopf/0' }]);
    const lines = body.text?.split('\n') ?? [];
    assert.equal(lines[0], 'crash dump #0 at cycle 59: handler gpu_fault on iopf/0, domain gpu_dom, kgsl cb0');
    assert.ok(lines.includes('  FSR        0x40000400  SS'), body.text);
    assert.ok(lines.includes('  L2[56] @ 0x400021c0 = 0x0000000000000000  invalid'), body.text);
    assert.ok(lines.includes('  #1 gpu.cp read 0x7000000 (bad)'), body.text);
    assert.ok(lines.includes('  gpu.cp       submit 7  in flight 1, issued 2'), 'the submit of the stalled read, the one the GPU hangs on');
  });

  test('iommu/faults: every fault, newest first, with how it was answered', async () => {
    // A breakpoint on the stray read (line 25): fill and fill2 have faulted and been retried.
    await dap.launchAndStop({ scenario: example('svm-map-and-retry') }, { breakpoints: [{ line: 25 }], exceptionFilters: [] });
    const body = await dap.custom<{ faults: { id: number; cycle: number; iova: string; level: number; response: string | null; line: number; reason: string }[] }>('iommu/faults');
    assert.deepEqual(
      body.faults.map((f) => [f.id, f.cycle, f.iova, f.level, f.reason, f.response, f.line]),
      [
        [1, 141, '0x3001000', 3, 'L3[1] is invalid', 'retry', 24],
        [0, 30, '0x3000000', 2, 'L2[24] is invalid', 'retry', 23],
      ],
    );
  });

  test('iommu/domains: each domain with its root table and the context bank translating for it', async () => {
    await dap.launchAndStop({ scenario: example('a530-stall-hupcf') });
    assert.deepEqual(await dap.custom('iommu/domains'), {
      domains: [{ name: 'gpu_dom', smmu: 'kgsl', contextBank: 0, root: '0x40000000', rootLevel: 0, ias: 48, oas: 40, granule: '4K' }],
    });
  });

  test('iommu/smmu: each context bank with FSR in words, its registers open with `variables` and can be written', async () => {
    await dap.launchAndStop({ scenario: example('a530-stall-hupcf') });
    const body = await dap.custom<{ smmus: { name: string; version: string; contextBanks: { cbndx: number; domain: string | null; fsr: string; fsrFlags: string; stalled: number; variablesReference: number }[] }[] }>('iommu/smmu');
    const [kgsl] = body.smmus;
    assert.deepEqual({ ...kgsl, contextBanks: kgsl?.contextBanks.map(({ variablesReference: _, ...bank }) => bank) }, {
      name: 'kgsl',
      version: 'v2',
      contextBanks: [{ cbndx: 0, domain: 'gpu_dom', fsr: '0x40000402', fsrFlags: 'TF|SS', stalled: 1 }],
      // An SMMUv2 has no stream table: the list every SMMU answers with is empty.
      streams: [],
    });
    const registers = kgsl?.contextBanks[0]?.variablesReference ?? 0;
    assert.deepEqual(await dap.values(registers), {
      SCTLR: '0x000011e7',
      FSR: '0x40000402',
      FSYNR0: '0x00000002',
      FAR: '0x0000000007000000',
      CBFRSYNRA: '0x00000000',
      TTBR0: '0x0000000040000000',
      TCR: '0x00803510',
      sGFSR: '0x00000000',
    });
    // FSR is write-one-to-clear: writing TF back clears it, SS stays.
    const written = await dap.client.setVariableRequest({ variablesReference: registers, name: 'FSR', value: '0x2' });
    assert.equal(written.body.value, '0x40000400');
    const after = await dap.custom<{ smmus: { contextBanks: { fsrFlags: string }[] }[] }>('iommu/smmu');
    assert.equal(after.smmus[0]?.contextBanks[0]?.fsrFlags, 'SS');
  });

  test('iommu/timeline: transactions, the fault, the stall and both halves of the fault path, on their lanes', async () => {
    await dap.launchAndStop({ scenario: example('a530-stall-hupcf') }, { breakpoints: [{ line: 35 }], exceptionFilters: [] });
    const body = await dap.custom<{ now: number; lanes: { name: string; kind: string }[]; spans: { lane: number; kind: string; start: number; end: number | null; label: string; status: string | null; line: number }[]; dropped: number }>('iommu/timeline');
    assert.equal(body.now, 100);
    assert.deepEqual(
      body.lanes.map((l) => `${l.name}:${l.kind}`),
      ['gpu.cp:engine', 'gpu.tp:engine', 'irq:irq', 'irq/kgsl:irq-thread', 'iopf/0:worker', 'iopf/1:worker'],
    );
    assert.deepEqual(
      body.spans.map((s) => [body.lanes[s.lane]?.name, s.kind, s.start, s.end, s.label, s.status, s.line]),
      [
        ['gpu.cp', 'transaction', 0, 40, 'read 0x1000000', 'completed', 20],
        ['gpu.cp', 'transaction', 1, null, 'read 0x7000000 (bad)', null, 21],
        ['gpu.cp', 'fault', 31, 31, 'translation fault at level 2: L2[56] is invalid', null, 21],
        ['gpu.cp', 'stall', 31, null, 'stalled by its fault', null, 21],
        ['irq', 'handler', 36, 39, 'arm_smmu_context_fault → queue_work', null, 33],
        ['gpu.tp', 'transaction', 50, 90, 'read 0x1002000 (tex)', 'completed', 28],
        ['iopf/0', 'handler', 58, null, 'gpu_fault', null, 33],
        ['gpu.tp', 'transaction', 60, 100, 'read 0x1002040 (tex)', 'completed', 28],
        ['gpu.tp', 'transaction', 70, null, 'read 0x1002080 (tex)', null, 28],
        ['gpu.tp', 'transaction', 80, null, 'read 0x10020c0 (tex)', null, 28],
      ],
    );
    assert.equal(body.dropped, 0);
    assert.deepEqual(
      body.spans.filter((s) => s.kind === 'transaction' && s.status === 'completed').map((s) => (s as { pa?: string | null }).pa),
      ['0x80000000', '0x80002000', '0x80002040'],
      'a completed transaction carries its PA',
    );
  });

  test('iommu/timeline after the run ends the stall and the handler; going back in time reopens them', async () => {
    await dap.launchAndStop({ scenario: example('a530-stall-hupcf') }, { breakpoints: [{ line: 35 }], exceptionFilters: [] });
    type Timeline = { spans: { kind: string; start: number; end: number | null; status: string | null }[] };
    const atTerminate = await dap.custom<Timeline>('iommu/timeline');
    await dap.client.stepOutRequest({ threadId: 5 });
    await dap.stopped();
    const answered = await dap.custom<Timeline>('iommu/timeline');
    const stall = answered.spans.find((s) => s.kind === 'stall');
    const handler = answered.spans.find((s) => s.kind === 'handler' && s.start === 58);
    assert.deepEqual([stall?.end, stall?.status], [answered.spans.find((s) => s.kind === 'transaction' && s.start === 1)?.end, 'aborted']);
    assert.equal(handler?.status, 'terminate');
    await dap.client.stepBackRequest({ threadId: 5 });
    await dap.stopped();
    assert.deepEqual(await dap.custom<Timeline>('iommu/timeline'), atTerminate);
  });
});
