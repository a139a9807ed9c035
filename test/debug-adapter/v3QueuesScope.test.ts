import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { Dap, example } from './helpers';

describe('the Queues scope (SMMUv3)', () => {
  let dap: Dap;
  beforeEach(async () => {
    dap = await Dap.start();
  });
  afterEach(async () => {
    await dap.stop();
  });

  test('listed last, with how many entries wait in all the queues', async () => {
    await dap.launchAndStop({ scenario: example('smmuv3-stalls-out-of-order') });
    const top = await dap.topFrame(1);
    assert.deepEqual(
      (await dap.scopes(top.id)).map((s) => s.name),
      ['Transaction', 'Fault', 'Registers (smmu0 sid 0x10)', 'Stalled (1)', 'Page table (gpu_dom)', 'Queues (1 pending)'],
    );
  });

  test('each queue in one line, then the stalls and page request groups that wait for an answer', async () => {
    await dap.launchAndStop({ scenario: example('smmuv3-stalls-out-of-order') });
    const scope = await dap.scope((await dap.topFrame(1)).id, 'Queues');
    assert.deepEqual(await dap.values(scope.variablesReference), {
      'smmu0 · event queue': 'PROD 0x00000001 CONS 0x00000000 · 1 pending',
      'smmu0 · PRI queue': 'PROD 0x00000000 CONS 0x00000000 · empty',
      'smmu0 · command queue': 'PROD 0x00000000 CONS 0x00000000 · empty',
      'smmu0 · stalls': '1 waiting for CMD_RESUME',
      'smmu0 · page request groups': 'none',
    });
    const stalls = await dap.variable(scope.variablesReference, 'smmu0 · stalls');
    assert.deepEqual(await dap.values(stalls.variablesReference), { 'STAG 0x0': '#0 · sid 0x10' });
  });

  test('a queue opens into its base, PROD and CONS, and its pending entries; an entry into its fields and dwords', async () => {
    await dap.launchAndStop({ scenario: example('smmuv3-stalls-out-of-order') });
    const scope = await dap.scope((await dap.topFrame(1)).id, 'Queues');
    const eventq = await dap.variable(scope.variablesReference, 'smmu0 · event queue');
    const rows = await dap.variables(eventq.variablesReference);
    assert.deepEqual(
      rows.map((v) => [v.name, v.value, v.memoryReference ?? null]),
      [
        ['base', '0x40007000', '0x40007000'],
        ['PROD', '0x00000001 (WR 1, wrap 0, OVFLG 0)', null],
        ['CONS', '0x00000000 (RD 0, wrap 0, OVACKFLG 0)', null],
        ['overflow', 'no', null],
        ['dropped', '0', null],
        ['[0]', 'F_TRANSLATION sid 0x10 stag 0x0 stall read 0x7000000', '0x40007000'],
      ],
    );
    const entry = rows[5]?.variablesReference ?? 0;
    assert.deepEqual(await dap.values(entry), {
      ID: '0x10 (F_TRANSLATION: translation fault)',
      SSV: '0 (no SubstreamID)',
      SubstreamID: '0x0 (UNKNOWN (SSV = 0))',
      StreamID: '0x10 (SID 0x10)',
      STAG: '0x0 (stall tag: give it to CMD_RESUME with the StreamID)',
      Stall: '1 (stalled: awaits CMD_RESUME or CMD_STALL_TERM)',
      PnU: '0 (unprivileged)',
      InD: '0 (data)',
      RnW: '1 (read)',
      S2: '0 (stage 1 fault)',
      CLASS: '2 (IN: the input address)',
      InputAddr: '0x7000000',
      'dword 3 (IPA)': '0x0 (UNKNOWN for a stage 1 fault (written as 0))',
      dwords: '0x0000001000000010 0x0000020880000000 0x0000000007000000 0x0000000000000000',
    });
    assert.equal((await dap.variable(entry, 'STAG')).type, 'bits [79:64]');
  });

  test('an overflowing event queue says so, and how many records it dropped', async () => {
    await dap.launchAndStop({ scenario: example('smmuv3-eventq-overflow') }, { exceptionFilters: ['overflow'] });
    const scope = await dap.scope((await dap.topFrame(1)).id, 'Queues');
    assert.equal(scope.name, 'Queues (4 pending)');
    const eventq = await dap.variable(scope.variablesReference, 'smmu0 · event queue');
    assert.equal(eventq.value, 'PROD 0x80000004 CONS 0x00000000 · 4 pending · OVERFLOW');
    const rows = await dap.values(eventq.variablesReference);
    assert.deepEqual([rows['PROD'], rows['overflow'], rows['dropped']], ['0x80000004 (WR 0, wrap 1, OVFLG 1)', 'yes: PROD.OVFLG ≠ CONS.OVACKFLG', '1']);
  });

  test('PRI: the page request groups a device waits on', async () => {
    await dap.launchAndStop({ scenario: example('sva-pri-page-requests') }, { exceptionFilters: ['page-request'] });
    const scope = await dap.scope((await dap.topFrame(1)).id, 'Queues');
    const groups = await dap.variable(scope.variablesReference, 'smmu0 · page request groups');
    assert.equal(groups.value, '2 waiting for CMD_PRI_RESP');
    assert.deepEqual(await dap.values(groups.variablesReference), { 'PRGI 0x0': 'sid 0x100 · #0, #2', 'PRGI 0x1': 'sid 0x100 · #1' });
  });

  test('no Queues scope without an SMMUv3', async () => {
    await dap.launchAndStop({ scenario: example('a530-stall-hupcf') });
    const names = (await dap.scopes((await dap.topFrame(1)).id)).map((s) => s.name);
    assert.deepEqual(names, ['Transaction', 'Fault', 'Registers (kgsl cb0)', 'Stalled (1)', 'Page table (gpu_dom)']);
  });
});
