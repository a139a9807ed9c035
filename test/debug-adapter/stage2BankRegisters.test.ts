import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { Dap, scenarioFile } from './helpers';

/**
 * An SMMUv2 stage-2 context bank (CBAR.TYPE=0b00, arm-smmu's ARM_SMMU_DOMAIN_S2): the
 * Registers scope shows CBAR with its VMID, and the TCR in VTCR's format (arm_smmu_lpae_vtcr:
 * T0SZ, SL0, IRGN0, ORGN0, SH0, TG0, PS, RES1), not a stage-1 TCR's fields.
 */
const scenario = [
  'smmu s { version v2 }',
  'domain vm {',
  '  stage 2',
  '  ias 40; oas 40',
  '  map 0x4000_0000 -> 0x8000_0000 size 4K rw',
  '}',
  'master m { stream 0x1; domain vm }',
  'engine m.dma {',
  '  read 0x4000_1000 64 as miss',
  '}',
].join('\n');

describe('an SMMUv2 stage-2 bank in the Registers scope', () => {
  let dap: Dap;
  beforeEach(async () => {
    dap = await Dap.start();
  });
  afterEach(async () => {
    await dap.stop();
  });

  test('CBAR (TYPE 0b00, VMID) and the TCR in VTCR\'s format', async () => {
    const stop = await dap.launchAndStop({ scenario: scenarioFile(scenario) });
    const top = await dap.topFrame(stop.threadId ?? 0);
    const registers = await dap.variables((await dap.scope(top.id, 'Registers (s cb0)')).variablesReference);
    assert.deepEqual(
      registers.map((r) => r.name),
      ['CBAR', 'SCTLR', 'FSR', 'FSYNR0', 'FAR', 'CBFRSYNRA', 'TTBR0', 'TCR', 'sGFSR'],
    );
    const fields = async (name: string): Promise<string[]> => {
      const register = registers.find((r) => r.name === name);
      return (await dap.variables(register?.variablesReference ?? 0)).map((f) => `${f.name} ${f.value}`);
    };
    // arm-smmu gives the first stage-2 bank VMID cbndx + 1 = 1.
    assert.equal(registers[0]?.value, '0x00000001');
    assert.deepEqual(await fields('CBAR'), ['VMID 0x1', 'TYPE 0 (stage 2 translation)', 'IRPTNDX 0x0']);
    // 0x80023558: RES1[31], PS 0b010 (40 bits), TG0 4K, SH0 inner, ORGN0/IRGN0 WBWA, SL0 0b01 (4K: start at level 1), T0SZ 24 (40-bit IPA).
    const tcr = registers.find((r) => r.name === 'TCR');
    assert.deepEqual([tcr?.value, tcr?.type], ['0x80023558', 'Translation Control Register of a stage-2 context bank (VTCR format)']);
    assert.deepEqual(await fields('TCR'), [
      'T0SZ 0x18',
      'SL0 1',
      'IRGN0 1 (write-back write-allocate)',
      'ORGN0 1 (write-back write-allocate)',
      'SH0 3 (inner)',
      'TG0 0 (4K)',
      'PASize 2 (40 bits)',
      'RES1 1',
    ]);
  });

  test('the Fault scope and the walk: stage 2, CLASS=IN at the IPA; the start level is two concatenated L1 tables', async () => {
    const stop = await dap.launchAndStop({ scenario: scenarioFile(scenario) });
    const top = await dap.topFrame(stop.threadId ?? 0);
    const fault = await dap.values((await dap.scope(top.id, 'Fault')).variablesReference);
    assert.deepEqual([fault.stage, fault.class, fault.ipa, fault.walk], ['2', 'IN', '0x40001000', 'stage 2 translation fault at level 3']);
    const walk = await dap.lookup(stop.threadId ?? 1, 'Fault', 'walk');
    // IPA 0x4000_1000 from level 1 of a 40-bit space: L1 index IPA[39:30] = 1 of 1024 (two concatenated tables,
    // Arm ARM D8.2.2), so the root spans 0x4000_0000..0x4000_1fff and L2 is at 0x4000_2000.
    assert.deepEqual(
      (await dap.variables(walk.variable?.variablesReference ?? 0)).map((v) => [v.name, v.value, v.type]),
      [
        ['L1[1]', '0x0000000040002003  table → 0x40002000', 'descriptor at 0x40000008'],
        ['L2[0]', '0x0000000040003003  table → 0x40003000', 'descriptor at 0x40002000'],
        ['L3[1]', '0x0000000000000000  invalid', 'descriptor at 0x40003008'],
        ['result', 'translation fault at level 3: L3[1] is invalid', undefined],
      ],
    );
  });

  test('the Page table scope: a stage-2 leaf opens into S2AP, MemAttr and XN', async () => {
    const stop = await dap.launchAndStop({ scenario: scenarioFile(scenario) });
    const top = await dap.topFrame(stop.threadId ?? 0);
    const table = await dap.scope(top.id, 'Page table (vm)');
    const [l1] = await dap.variables(table.variablesReference);
    assert.deepEqual([l1?.name, l1?.value], ['L1[1]', '0x4000_0000: table → 0x40002000']);
    const [l2] = await dap.variables(l1?.variablesReference ?? 0);
    const [l3] = await dap.variables(l2?.variablesReference ?? 0);
    assert.deepEqual([l3?.name, l3?.value], ['L3[0]', '0x4000_0000: page → 0x80000000 S2AP=rw MemAttr=0xf (Normal WB) XN=0 SH=inner AF']);
    // An SMMUv2 stage 2 is Armv8.0's: XN is bit 54 alone (Table D8-77); io-pgtable writes both bits for IOMMU_NOEXEC.
    assert.deepEqual(
      (await dap.variables(l3?.variablesReference ?? 0)).map((f) => `${f.name} ${f.value}`),
      ['value 0x00000000800007ff', 'type page', 'output address 0x80000000', 'S2AP 11', 'MemAttr 0xf', 'SH 3', 'AF 1', 'S2AP[0] 1', 'S2AP[1] 1', 'XN[0] 0', 'XN[1] 0'],
    );
  });
});
