import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { Dap, example } from './helpers';

describe('custom requests: iommu/pageTable, iommu/translate, iommu/dump, iommu/faults', () => {
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
});
