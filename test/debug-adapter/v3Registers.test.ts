import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { SmmuResponseBody } from '../../debug-adapter/protocol';
import { Dap, example } from './helpers';

describe('Registers on SMMUv3: the stream\'s STE and CDs', () => {
  let dap: Dap;
  beforeEach(async () => {
    dap = await Dap.start();
  });
  afterEach(async () => {
    await dap.stop();
  });

  test('the Registers scope of a stalled transaction: its STE and its CD, read from memory', async () => {
    await dap.launchAndStop({ scenario: example('smmuv3-stalls-out-of-order') });
    const scope = await dap.scope((await dap.topFrame(1)).id, 'Registers');
    assert.equal(scope.name, 'Registers (smmu0 sid 0x10)');
    assert.equal(scope.presentationHint, 'registers');
    const rows = await dap.variables(scope.variablesReference);
    assert.deepEqual(
      rows.map((v) => [v.name, v.value, v.type, v.memoryReference]),
      [
        ['STE', 'stage 1 · CD at 0x40006000', 'Stream Table Entry of StreamID 0x10 at 0x40005400', '0x40005400'],
        ['CD 0', 'gpu_dom · ASID 1 · TTB0 0x40000000 · stall', "Context Descriptor 0 at 0x40006000 (this transaction's)", '0x40006000'],
      ],
    );
  });

  test('the STE opens into its fields with their meanings, then its eight dwords', async () => {
    await dap.launchAndStop({ scenario: example('smmuv3-stalls-out-of-order') });
    const { variable } = await dap.lookup(1, 'Registers', 'STE');
    const fields = await dap.variables(variable?.variablesReference ?? 0);
    assert.deepEqual(
      fields.map((v) => `${v.name} = ${v.value}`),
      [
        'V = 1 (valid)',
        'Config = 5 (stage 1 translates, stage 2 bypassed)',
        'S1Fmt = 0 (ignored (S1CDMax = 0: one CD))',
        'S1ContextPtr = 0x1000180 (CD at 0x40006000)',
        'S1CDMax = 0x0 (one CD: substreams disabled, a transaction with an SSID records C_BAD_SUBSTREAMID)',
        'S1DSS = 2 (ignored (substreams disabled))',
        'S1STALLD = 0 (stalls allowed: CD.S chooses)',
        'EATS = 0 (ATS off: Translation Requests get UR and record F_BAD_ATS_TREQ)',
        'STRW = 0 (EL1 (NS-EL1 for a Non-secure STE))',
        'dword 0 = 0x000000004000600b',
        'dword 1 = 0x0000000000000002',
        'dword 2 = 0x0000000000000000',
        'dword 3 = 0x0000000000000000',
        'dword 4 = 0x0000000000000000',
        'dword 5 = 0x0000000000000000',
        'dword 6 = 0x0000000000000000',
        'dword 7 = 0x0000000000000000',
      ],
    );
    assert.deepEqual([fields[1]?.type, fields[9]?.memoryReference, fields[16]?.memoryReference], ['bits [3:1]', '0x40005400', '0x40005438']);
  });

  test('a CD: the fields that decide a fault (S, R, A) and the table it walks', async () => {
    await dap.launchAndStop({ scenario: example('smmuv3-stalls-out-of-order') });
    const { variable } = await dap.lookup(1, 'Registers', 'CD 0');
    const values = await dap.values(variable?.variablesReference ?? 0);
    assert.deepEqual(
      ['S', 'R', 'A', 'ASID', 'TTB0', 'dword 1'].map((name) => values[name]),
      [
        '1 (stall: a faulting transaction waits for CMD_RESUME (always recorded))',
        '1 (ignored while S = 1 (stalls are always recorded))',
        '1 (terminated transactions abort (bus error to the device))',
        '0x1 (ASID 1)',
        '0x4000000 (translation table at 0x40000000)',
        '0x0000000040000000',
      ],
    );
  });

  test('a dword can be watched: a data breakpoint on its 8 bytes of memory', async () => {
    await dap.launchAndStop({ scenario: example('smmuv3-stalls-out-of-order') });
    const { container } = await dap.lookup(1, 'Registers', 'STE', 'dword 0');
    const info = await dap.client.dataBreakpointInfoRequest({ variablesReference: container, name: 'dword 0' });
    assert.deepEqual([info.body.dataId, info.body.description], ['pa:0x40005400:STE dword 0 @ 0x40005400', 'STE dword 0 at 0x40005400 changes']);
  });

  test('with a PASID: the transaction\'s CD first, then the others of the CD table', async () => {
    await dap.launchAndStop({ scenario: example('sva-pri-page-requests') }, { exceptionFilters: ['page-request'] });
    const scope = await dap.scope((await dap.topFrame(1)).id, 'Registers');
    assert.deepEqual(
      (await dap.variables(scope.variablesReference)).map((v) => [v.name, v.value, v.type]),
      [
        ['STE', 'stage 1 · 256 CDs at 0x40008000 · ATS · S1STALLD', 'Stream Table Entry of StreamID 0x100 at 0x40006000'],
        ['CD 5', 'app_mm · ASID 2 · TTB0 0x40004000 · terminate, recorded (abort)', "Context Descriptor 5 at 0x40008140 (this transaction's)"],
        ['CD 0', 'dev_dom · ASID 1 · TTB0 0x40000000 · terminate, recorded (abort)', 'Context Descriptor 0 at 0x40008000'],
      ],
    );
  });

  test('iommu/smmu lists an SMMUv3 with its streams instead of context banks; each opens like the Registers scope', async () => {
    await dap.launchAndStop({ scenario: example('sva-pri-page-requests') }, { exceptionFilters: ['page-request'] });
    const body = await dap.custom<SmmuResponseBody>('iommu/smmu');
    const [smmu] = body.smmus;
    const stream = smmu?.streams?.[0];
    assert.deepEqual(
      { ...smmu, streams: smmu?.streams?.map(({ variablesReference: _, ...s }) => s) },
      {
        name: 'smmu0',
        version: 'v3',
        contextBanks: [],
        streams: [
          {
            sid: 256,
            master: 'nic',
            ste: '0x40006000',
            config: 'stage 1 · 256 CDs at 0x40008000 · ATS · S1STALLD',
            cds: [
              { ssid: 0, domain: 'dev_dom', asid: 1, address: '0x40008000' },
              { ssid: 5, domain: 'app_mm', asid: 2, address: '0x40008140' },
            ],
            stalled: 3,
          },
        ],
      },
    );
    assert.deepEqual(Object.keys(await dap.values(stream?.variablesReference ?? 0)), ['STE', 'CD 0', 'CD 5']);
  });
});
