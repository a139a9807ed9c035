import assert from 'node:assert/strict';
import { test } from 'node:test';
import { smmuDescription, streamDescription } from '../../client/views/smmuRows';
import { StreamSummary } from '../../debug-adapter/protocol';

const stream: StreamSummary = {
  sid: 256,
  master: 'nic',
  ste: '0x40006000',
  config: 'stage 1 · 256 CDs at 0x40007000 · ATS',
  cds: [
    { ssid: 0, domain: 'dev_dom', asid: 1, address: '0x40007000' },
    { ssid: 5, domain: 'app_mm', asid: 2, address: '0x40007140' },
  ],
  stalled: 3,
  variablesReference: 7,
};

test('an SMMUv2 counts its context banks in use; an SMMUv3 its streams', () => {
  assert.equal(smmuDescription({ name: 'kgsl', version: 'v2', contextBanks: [], streams: [] }), 'SMMUv2 · 0 context banks in use');
  assert.equal(smmuDescription({ name: 'smmu0', version: 'v3', contextBanks: [], streams: [stream] }), 'SMMUv3 · 1 stream');
});

test('a stream: its master, its CDs and their domains, what waits', () => {
  assert.equal(streamDescription(stream), 'nic · CD 0 dev_dom, CD 5 app_mm · 3 waiting');
  assert.equal(streamDescription({ ...stream, cds: [], config: 'abort', stalled: 0 }), 'nic · abort');
});
