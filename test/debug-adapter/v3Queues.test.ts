import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { QueuesResponseBody } from '../../debug-adapter/protocol';
import { Dap, example } from './helpers';

const EMPTY_POINTERS = 'PROD 0x00000000 (WR 0, wrap 0, OVFLG 0) · CONS 0x00000000 (RD 0, wrap 0, OVACKFLG 0)';

describe('iommu/queues', () => {
  let dap: Dap;
  beforeEach(async () => {
    dap = await Dap.start();
  });
  afterEach(async () => {
    await dap.stop();
  });

  test('the first stall: its record pending in the event queue, decoded; the STAG it holds', async () => {
    await dap.launchAndStop({ scenario: example('smmuv3-stalls-out-of-order') });
    assert.deepEqual(await dap.custom<QueuesResponseBody>('iommu/queues'), {
      smmus: [
        {
          smmu: 'smmu0',
          queues: [
            {
              name: 'event',
              base: '0x40007000',
              ipa: null,
              entries: 32,
              prod: '0x00000001',
              cons: '0x00000000',
              pointers: 'PROD 0x00000001 (WR 1, wrap 0, OVFLG 0) · CONS 0x00000000 (RD 0, wrap 0, OVACKFLG 0)',
              overflow: false,
              dropped: 0,
              pending: [
                {
                  index: 0,
                  address: '0x40007000',
                  text: 'F_TRANSLATION sid 0x10 stag 0x0 stall read 0x7000000',
                  fields: [
                    { name: 'ID', bits: '[7:0]', value: '0x10', meaning: 'F_TRANSLATION: translation fault' },
                    { name: 'SSV', bits: '11', value: '0', meaning: 'no SubstreamID' },
                    { name: 'SubstreamID', bits: '[31:12]', value: '0x0', meaning: 'UNKNOWN (SSV = 0)' },
                    { name: 'StreamID', bits: '[63:32]', value: '0x10', meaning: 'SID 0x10' },
                    { name: 'STAG', bits: '[79:64]', value: '0x0', meaning: 'stall tag: give it to CMD_RESUME with the StreamID' },
                    { name: 'Stall', bits: '95', value: '1', meaning: 'stalled: awaits CMD_RESUME or CMD_STALL_TERM' },
                    { name: 'PnU', bits: '97', value: '0', meaning: 'unprivileged' },
                    { name: 'InD', bits: '98', value: '0', meaning: 'data' },
                    { name: 'RnW', bits: '99', value: '1', meaning: 'read' },
                    { name: 'S2', bits: '103', value: '0', meaning: 'stage 1 fault' },
                    { name: 'CLASS', bits: '[105:104]', value: '2', meaning: 'IN: the input address' },
                    { name: 'InputAddr', bits: '[191:128]', value: '0x7000000', meaning: '0x7000000' },
                    { name: 'dword 3 (IPA)', bits: '[255:192]', value: '0x0', meaning: 'UNKNOWN for a stage 1 fault (written as 0)' },
                  ],
                  dwords: ['0x0000001000000010', '0x0000020880000000', '0x0000000007000000', '0x0000000000000000'],
                },
              ],
            },
            { name: 'pri', base: '0x40008000', ipa: null, entries: 16, prod: '0x00000000', cons: '0x00000000', pointers: EMPTY_POINTERS, overflow: false, dropped: 0, pending: [] },
            { name: 'command', base: '0x40009000', ipa: null, entries: 256, prod: '0x00000000', cons: '0x00000000', pointers: EMPTY_POINTERS, overflow: false, dropped: 0, pending: [] },
          ],
          stalls: [{ stag: '0x0', sid: '0x10', transaction: 0 }],
          pageRequestGroups: [],
        },
      ],
    });
  });

  test('a resume goes through the command queue: the SMMU consumed the CMD_RESUME (no CMD_SYNC follows it), the STAG is free', async () => {
    await dap.launchAndStop({ scenario: example('smmuv3-stalls-out-of-order') });
    await dap.custom('iommu/resume', { transaction: 0, action: 'terminate' });
    const [smmu] = (await dap.custom<QueuesResponseBody>('iommu/queues')).smmus;
    const command = smmu?.queues.find((q) => q.name === 'command');
    assert.deepEqual([command?.prod, command?.cons, command?.pending], ['0x00000001', '0x00000001', []]);
    assert.deepEqual(smmu?.stalls, []);
  });

  test('PRI: page requests pending in the PRI queue, decoded; the groups the device waits on', async () => {
    await dap.launch({ scenario: example('sva-pri-page-requests') }, { exceptionFilters: ['page-request'] });
    await dap.client.configurationDoneRequest();
    for (let stop = 0; stop < 3; stop++) {
      if (stop > 0) await dap.client.continueRequest({ threadId: 1 });
      await dap.stopped();
    }
    const [smmu] = (await dap.custom<QueuesResponseBody>('iommu/queues')).smmus;
    const pri = smmu?.queues.find((q) => q.name === 'pri');
    assert.deepEqual(
      pri?.pending.map((e) => [e.index, e.address, e.text]),
      [
        [0, '0x4000d000', 'PPR sid 0x100 ssid 5 prgi 0x0 0x40000000'],
        [1, '0x4000d010', 'PPR sid 0x100 ssid 5 prgi 0x1 0x40100000'],
        [2, '0x4000d020', 'PPR sid 0x100 ssid 5 prgi 0x1 0x40101000 last'],
      ],
    );
    assert.deepEqual(
      pri?.pending[2]?.fields.map((f) => `${f.name} ${f.bits} = ${f.value}: ${f.meaning}`),
      [
        'StreamID [31:0] = 0x100: SID 0x100 (PCIe RequesterID in [15:0])',
        'SubstreamID [51:32] = 0x5: PASID 5',
        'Priv 58 = 0: unprivileged',
        'X 59 = 0: no execute',
        'R 60 = 1: read requested',
        'W 61 = 0: no write',
        'Last 62 = 1: last request of its group: answer the group with CMD_PRI_RESP',
        'SSV 63 = 1: PASID prefix present',
        'PRGIndex [72:64] = 0x1: page request group 0x1',
        'Page address [127:76] = 0x40101: page 0x40101000',
      ],
    );
    assert.deepEqual(smmu?.pageRequestGroups, [
      { prgi: '0x0', sid: '0x100', transactions: [0, 2, 4] },
      { prgi: '0x1', sid: '0x100', transactions: [1, 3] },
    ]);
    assert.deepEqual(smmu?.stalls, []);
  });

  test('overflow: the event queue full, OVFLG toggled, one record dropped', async () => {
    await dap.launchAndStop({ scenario: example('smmuv3-eventq-overflow') }, { exceptionFilters: ['overflow'] });
    const event = (await dap.custom<QueuesResponseBody>('iommu/queues')).smmus[0]?.queues.find((q) => q.name === 'event');
    assert.deepEqual(
      { ...event, pending: event?.pending.map((e) => `[${e.index}] ${e.text}`) },
      {
        name: 'event',
        base: '0x40007000',
        ipa: null,
        entries: 4,
        prod: '0x80000004',
        cons: '0x00000000',
        pointers: 'PROD 0x80000004 (WR 0, wrap 1, OVFLG 1) · CONS 0x00000000 (RD 0, wrap 0, OVACKFLG 0)',
        overflow: true,
        dropped: 1,
        pending: ['[0] F_TRANSLATION sid 0x1 read 0x1010000', '[1] F_TRANSLATION sid 0x1 read 0x1012000', '[2] F_TRANSLATION sid 0x1 read 0x1014000', '[3] F_TRANSLATION sid 0x1 read 0x1016000'],
      },
    );
  });

  test('a scenario without an SMMUv3 has no queues', async () => {
    await dap.launchAndStop({ scenario: example('a530-stall-hupcf') });
    assert.deepEqual(await dap.custom<QueuesResponseBody>('iommu/queues'), { smmus: [] });
  });
});
