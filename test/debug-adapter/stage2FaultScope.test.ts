import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { DebugProtocol } from '@vscode/debugprotocol';
import { Dap, example } from './helpers';

/**
 * examples/stage2-fault-on-table-walk.iommu run to its fault: the NIC's read of IOVA 0x1000
 * in the nested domain guest_s1 faults at stage 2 on the L2 table fetch (IPA 0x4000_4000,
 * which the VM's stage 2 does not map): S2=1, CLASS=TT, IPA 0x4000_4000 (SMMUv3 7.3). The
 * Fault scope shows them and both walks: stage 1 at IPAs (each descriptor's PA), stage 2's
 * walk of each table fetch; the Registers scope the STE's S2 fields and the guest's CD read
 * at its IPA through stage 2.
 */

type Row = [string, string, string | undefined, string | undefined];

function rows(variables: DebugProtocol.Variable[]): Row[] {
  return variables.map((v) => [v.name, v.value, v.type, v.memoryReference]);
}

describe('a stage-2 fault on a table fetch in the debugger', () => {
  let dap: Dap;
  beforeEach(async () => {
    dap = await Dap.start();
  });
  afterEach(async () => {
    await dap.stop();
  });

  async function faultScope(): Promise<number> {
    const stop = await dap.launchAndStop({ scenario: example('stage2-fault-on-table-walk') });
    assert.equal(stop.reason, 'exception');
    const top = await dap.topFrame(stop.threadId ?? 0);
    return (await dap.scope(top.id, 'Fault')).variablesReference;
  }

  test('the Fault scope: stage, class and ipa', async () => {
    const values = await dap.values(await faultScope());
    assert.deepEqual(
      { kind: values.kind, level: values.level, iova: values.iova, reason: values.reason, stage: values.stage, class: values.class, ipa: values.ipa, walk: values.walk },
      {
        kind: 'translation',
        level: '3',
        iova: '0x1000',
        reason: 'stage 2 fault on the L2 table fetch at IPA 0x40004000: L3[4] is invalid',
        stage: '2',
        class: 'TT',
        ipa: '0x40004000',
        walk: 'stage 2 translation fault at level 3',
      },
    );
  });

  test('the walk: stage 1 at IPAs, the stage-2 walk of each table fetch, the result', async () => {
    const walk = await dap.variable(await faultScope(), 'walk');
    const parts = await dap.variables(walk.variablesReference);
    assert.deepEqual(
      parts.map((v) => [v.name, v.value]),
      [
        ['stage 1', 'IOVA 0x1000: 2 descriptors at IPAs'],
        ['stage 2 of L0 fetch', 'IPA 0x40002000 → 0x800002000'],
        ['stage 2 of L1 fetch', 'IPA 0x40003000 → 0x800003000'],
        ['stage 2 of L2 fetch', 'IPA 0x40004000: translation fault at level 3'],
        ['result', 'stage 2 translation fault at level 3 (CLASS=TT, IPA 0x40004000): stage 2 fault on the L2 table fetch at IPA 0x40004000: L3[4] is invalid'],
      ],
    );
    const part = (name: string): number => parts.find((v) => v.name === name)?.variablesReference ?? 0;
    // Stage 1's tables are at IPAs 0x4000_2000 (`tables at`) and 0x4000_3000: stage 2 puts them at PA 0x8_0000_2000 and 0x8_0000_3000.
    assert.deepEqual(rows(await dap.variables(part('stage 1'))), [
      ['L0[0]', '0x0000000040003003  table → 0x40003000', 'descriptor at IPA 0x40002000 (PA 0x800002000)', '0x800002000'],
      ['L1[0]', '0x0000000040004003  table → 0x40004000', 'descriptor at IPA 0x40003000 (PA 0x800003000)', '0x800003000'],
      ['result', 'stopped: stage 2 fault on the L2 table fetch at IPA 0x40004000: L3[4] is invalid', undefined, undefined],
    ]);
    // IPA 0x4000_4000 in a 40-bit, 4K stage 2 from level 0: L0[IPA[39]] L1[IPA[38:30]] L2[IPA[29:21]] L3[IPA[20:12]] = L0[0] L1[1] L2[0] L3[4].
    assert.deepEqual(rows(await dap.variables(part('stage 2 of L2 fetch'))), [
      ['L0[0]', '0x0000000040001003  table → 0x40001000', 'descriptor at 0x40000000', '0x40000000'],
      ['L1[1]', '0x0000000040002003  table → 0x40002000', 'descriptor at 0x40001008', '0x40001008'],
      ['L2[0]', '0x0000000040003003  table → 0x40003000', 'descriptor at 0x40002000', '0x40002000'],
      ['L3[4]', '0x0000000000000000  invalid', 'descriptor at 0x40003020', '0x40003020'],
      ['result', 'translation fault at level 3: L3[4] is invalid', undefined, undefined],
    ]);
    const l0Fetch = await dap.variables(part('stage 2 of L0 fetch'));
    assert.deepEqual(rows(l0Fetch).at(3), ['L3[2]', '0x00000008000027ff  page → 0x800002000 S2AP=rw MemAttr=0xf (Normal WB) XN=0 SH=inner AF', 'descriptor at 0x40003010', '0x40003010']);
    // Writing the missing stage-2 leaf (the VMM's forgotten map): described in stage-2 terms.
    const written = await dap.client.setVariableRequest({ variablesReference: part('stage 2 of L2 fetch'), name: 'L3[4]', value: '0x8_0000_47ff' });
    assert.equal(written.body.value, '0x00000008000047ff  page → 0x800004000 S2AP=rw MemAttr=0xf (Normal WB) XN=0 SH=inner AF');
  });

  test('the Registers scope: the STE\'s stage-2 fields and the guest\'s CD at its IPA', async () => {
    const stop = await dap.launchAndStop({ scenario: example('stage2-fault-on-table-walk') });
    const top = await dap.topFrame(stop.threadId ?? 0);
    const registers = await dap.variables((await dap.scope(top.id, 'Registers (smmu0 sid 0x10)')).variablesReference);
    const ste = registers.find((v) => v.name === 'STE');
    assert.equal(ste?.value, 'nested');
    const fields = await dap.values(ste?.variablesReference ?? 0);
    assert.deepEqual(
      [fields.Config, fields.S2VMID, fields.S2T0SZ, fields.S2SL0, fields.S2TG, fields.S2PS, fields.S2S, fields.S2TTB],
      [
        '7 (nested: stage 1 translates to an IPA, stage 2 translates it and every CD and stage 1 table fetch)',
        '0x1 (VMID 1: its translations are tagged with it)',
        '0x18 (40-bit IPA space)',
        '2 (start level code 2 (VTCR_EL2.SL0, meaning per S2TG))',
        '0 (4KB granule)',
        '4 (44-bit output (capped at IDR5.OAS))',
        '0 (stage 2 faults terminate)',
        '0x4000000 (stage 2 table at 0x40000000)',
      ],
    );
    const cd = registers.find((v) => v.name === 'CD 0');
    assert.equal(cd?.type, "Context Descriptor 0 at IPA 0x40000000 (PA 0x800000000) (this transaction's)");
    assert.equal(cd?.memoryReference, '0x800000000');
    assert.equal(cd?.value, 'guest_s1 · ASID 1 · TTB0 0x40002000 · terminate, recorded (abort)');
  });

  test('the Page Tables view\'s requests: a nested domain\'s tables at IPAs with their PAs; translate gives both walks', async () => {
    await dap.launchAndStop({ scenario: example('stage2-fault-on-table-walk') });
    const domains = (await dap.client.customRequest('iommu/domains', {})).body;
    assert.deepEqual(domains.domains, [
      { name: 'vm_s2', smmu: 'smmu0', contextBank: null, root: '0x40000000', rootLevel: 0, ias: 40, oas: 44, granule: '4K', stage: 2 },
      { name: 'guest_s1', smmu: 'smmu0', contextBank: null, root: '0x40002000', rootLevel: 0, ias: 48, oas: 40, granule: '4K', stage: 'nested', nestedIn: 'vm_s2', rootPa: '0x800002000' },
    ]);
    const table = (await dap.client.customRequest('iommu/pageTable', { domain: 'guest_s1' })).body;
    assert.deepEqual(table.entries, [
      { index: 0, iova: '0x0', descriptorAddress: '0x40002000', value: '0x0000000040003003', type: 'table', text: 'table → 0x40003000', next: { table: '0x40003000', level: 1, iovaBase: '0x0' }, descriptorPa: '0x800002000' },
    ]);
    const nested = (await dap.client.customRequest('iommu/translate', { iova: '0x1000', domain: 'guest_s1' })).body;
    assert.equal(nested.result, 'stage 2 translation fault at level 3 (CLASS=TT, IPA 0x40004000): stage 2 fault on the L2 table fetch at IPA 0x40004000: L3[4] is invalid');
    assert.deepEqual(
      nested.steps.map((s: { level: number; index: number; descriptorAddress: string }) => [s.level, s.index, s.descriptorAddress]),
      [
        [0, 0, '0x40002000'],
        [1, 0, '0x40003000'],
      ],
    );
    assert.deepEqual(
      nested.stage2.map((w: { of: string; ipa: string; pa: string | null; steps: unknown[] }) => [w.of, w.ipa, w.pa, w.steps.length]),
      [
        ['L0 table fetch', '0x40002000', '0x800002000', 4],
        ['L1 table fetch', '0x40003000', '0x800003000', 4],
        ['L2 table fetch', '0x40004000', null, 4],
      ],
    );
    // A stage-2 domain's input is the IPA: its fault is CLASS=IN at it.
    const s2 = (await dap.client.customRequest('iommu/translate', { iova: '0x4000_4000', domain: 'vm_s2' })).body;
    assert.deepEqual([s2.pa, s2.result, s2.steps.at(-1)], [
      null,
      'stage 2 translation fault at level 3 (CLASS=IN, IPA 0x40004000): L3[4] is invalid',
      { level: 3, index: 4, descriptorAddress: '0x40003020', value: '0x0000000000000000', text: 'invalid' },
    ]);
  });

  test('the Debug Console\'s translate() walks both stages', async () => {
    await dap.launchAndStop({ scenario: example('stage2-fault-on-table-walk') });
    const result = await dap.evaluate('translate(0x1000)', 'repl', (await dap.topFrame(1)).id);
    assert.equal(result.result, '0x1000: stage 2 translation fault at level 3 (CLASS=TT, IPA 0x40004000): stage 2 fault on the L2 table fetch at IPA 0x40004000: L3[4] is invalid');
    assert.deepEqual(
      (await dap.variables(result.variablesReference)).map((v) => v.name),
      ['stage 1', 'stage 2 of L0 fetch', 'stage 2 of L1 fetch', 'stage 2 of L2 fetch', 'result'],
    );
  });
});
