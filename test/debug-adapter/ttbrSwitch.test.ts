import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { DomainsResponseBody, PageTableResponseBody } from '../../debug-adapter/protocol';
import { Dap, example } from './helpers';

/**
 * examples/adreno-two-processes.iommu under the debugger: the CP's TTBR0 switch before a
 * `submit N pagetable NAME` is a step; at the fault the Registers scope shows the live
 * TTBR0 (proc7) and TTBR1, and there is a Page table scope for every table of the domain,
 * named by its owner.
 */
describe('TTBR1 and per-process tables in the debugger', () => {
  let dap: Dap;
  beforeEach(async () => {
    dap = await Dap.start();
  });
  afterEach(async () => {
    await dap.stop();
  });

  test('next from entry stops after the TTBR0 switch to proc7, before submit 7\'s first read', async () => {
    await dap.launchAndStop({ scenario: example('adreno-two-processes'), stopOnEntry: true });
    await dap.client.nextRequest({ threadId: 1 });
    const stop = await dap.stopped();
    assert.equal(stop.reason, 'step');
    assert.equal(stop.description, 'Paused after the TTBR0 switch: TTBR0 ← proc7 (pagetable, ASID 1) = 0x0001000040001000 (CP_SMMU_TABLE_UPDATE before submit 7)');
  });

  test('at the fault: TTBR0 holds proc7, TTBR1 the globals, one Page table scope per table with its owner', async () => {
    const stop = await dap.launchAndStop({ scenario: example('adreno-two-processes') });
    assert.equal(stop.reason, 'exception');
    const top = await dap.topFrame(1);
    const scopes = (await dap.scopes(top.id)).map((s) => s.name);
    assert.deepEqual(
      scopes.filter((name) => name.startsWith('Page table')),
      ['Page table (gpu_dom (TTBR0 default))', 'Page table (proc7 (pagetable, ASID 1), live TTBR0)', 'Page table (proc9 (pagetable, ASID 2))', 'Page table (gpu_dom (TTBR1))'],
    );
    const registers = await dap.variables((await dap.scope(top.id, 'Registers (kgsl cb0)')).variablesReference);
    const ttbr = registers.filter((v) => v.name.startsWith('TTBR')).map((v) => [v.name, v.value, v.type]);
    assert.deepEqual(ttbr, [
      ['TTBR0', '0x0001000040001000', 'Translation Table Base Register 0: proc7 (pagetable, ASID 1)'],
      ['TTBR1', '0x000000004000a000', 'Translation Table Base Register 1: the table of the upper VA range (TCR.EPD1=0): gpu_dom (TTBR1)'],
    ]);
  });

  test('the Page Tables view: iommu/domains lists the tables by owner, iommu/pageTable opens one by its owner', async () => {
    await dap.launchAndStop({ scenario: example('adreno-two-processes') });
    const { domains } = await dap.custom<DomainsResponseBody>('iommu/domains');
    assert.deepEqual(domains[0]?.tables, [
      { owner: 'gpu_dom (TTBR0 default)', root: '0x40000000', ttbr: 0, live: false },
      { owner: 'proc7 (pagetable, ASID 1)', root: '0x40001000', ttbr: 0, live: true },
      { owner: 'proc9 (pagetable, ASID 2)', root: '0x40005000', ttbr: 0, live: false },
      { owner: 'gpu_dom (TTBR1)', root: '0x4000a000', ttbr: 1, live: true },
    ]);
    const proc7 = await dap.custom<PageTableResponseBody>('iommu/pageTable', { domain: 'gpu_dom', owner: 'proc7 (pagetable, ASID 1)' });
    assert.deepEqual(
      proc7.entries.map((e) => [e.index, e.descriptorAddress, e.text]),
      [[0, '0x40001000', 'table → 0x40002000']],
    );
  });
});
