import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { Dap, example } from './helpers';

/*
 * The Page Tables view of a 16K-granule domain (examples/granule-16k.iommu: ias 47, so the
 * root is level 1 with 2048 entries, Arm ARM Table D8-28); its tables are 16 KiB apart.
 */
describe('the Page Tables view of a 16K-granule domain', () => {
  let dap: Dap;
  beforeEach(async () => {
    dap = await Dap.start();
  });
  afterEach(async () => {
    await dap.stop();
  });

  test('iommu/domains names the granule; the root is level 1; a 32M block at L2[1], 16K pages at L3[1] and L3[2]', async () => {
    await dap.launchAndStop({ scenario: example('granule-16k') });
    assert.deepEqual(await dap.custom('iommu/domains', {}), {
      domains: [{ name: 'gpu_dom', smmu: 'kgsl', contextBank: 0, root: '0x40000000', rootLevel: 1, ias: 47, oas: 40, granule: '16K' }],
    });
    assert.deepEqual(await dap.custom('iommu/pageTable', { domain: 'gpu_dom' }), {
      domain: 'gpu_dom',
      level: 1,
      table: '0x40000000',
      entries: [{ index: 0, iova: '0x0', descriptorAddress: '0x40000000', value: '0x0000000040004003', type: 'table', text: 'table → 0x40004000', next: { table: '0x40004000', level: 2, iovaBase: '0x0' } }],
    });
    type Entries = { entries: { index: number; iova: string; descriptorAddress: string; value: string; type: string; mapLine?: number; next?: unknown }[] };
    const l2 = await dap.custom<Entries>('iommu/pageTable', { domain: 'gpu_dom', table: '0x40004000', level: 2 });
    assert.deepEqual(
      l2.entries.map((e) => [e.index, e.iova, e.descriptorAddress, e.value, e.type, e.mapLine, e.next]),
      [
        [1, '0x2000000', '0x40004008', '0x0000000082000f45', 'block', 16, undefined],
        [2, '0x4000000', '0x40004010', '0x0000000040008003', 'table', undefined, { table: '0x40008000', level: 3, iovaBase: '0x4000000' }],
      ],
    );
    const l3 = await dap.custom<Entries>('iommu/pageTable', { domain: 'gpu_dom', table: '0x40008000', level: 3, iovaBase: '0x4000000' });
    assert.deepEqual(
      l3.entries.map((e) => [e.index, e.iova, e.descriptorAddress, e.value, e.mapLine]),
      [
        [1, '0x4004000', '0x40008008', '0x0000000090004f47', 17],
        [2, '0x4008000', '0x40008010', '0x0000000090008f47', 17],
      ],
    );
  });
});
