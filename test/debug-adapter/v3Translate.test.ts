import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { TranslateResponseBody } from '../../debug-adapter/protocol';
import { Dap, errorOf, example } from './helpers';

describe('translations through an SMMUv3 stream: the CD of the SubstreamID names the table', () => {
  let dap: Dap;
  beforeEach(async () => {
    dap = await Dap.start();
  });
  afterEach(async () => {
    await dap.stop();
  });

  test('iommu/translate with sid and ssid walks the PASID\'s table; without ssid, CD 0\'s', async () => {
    await dap.launchAndStop({ scenario: example('sva-pri-page-requests') }, { exceptionFilters: ['page-request'] });
    const pasid = await dap.custom<TranslateResponseBody>('iommu/translate', { iova: '0x40000000', sid: 0x100, ssid: 5 });
    assert.deepEqual([pasid.domain, pasid.pa, pasid.result], ['app_mm', null, 'translation fault at level 0: L0[0] is invalid']);
    const plain = await dap.custom<TranslateResponseBody>('iommu/translate', { iova: '0x1000', sid: 0x100 });
    assert.deepEqual([plain.domain, plain.pa], ['dev_dom', '0x80001000']);
  });

  test('the CD as it is in memory counts: with CD 5 made invalid in the memory view, the PASID reaches no domain, and says why', async () => {
    await dap.launchAndStop({ scenario: example('sva-pri-page-requests') }, { exceptionFilters: ['page-request'] });
    const cd5 = '0x40008140';
    const read = await dap.client.customRequest('readMemory', { memoryReference: cd5, count: 8 });
    const dword0 = Buffer.from((read.body as { data: string }).data, 'base64');
    dword0.writeBigUInt64LE(dword0.readBigUInt64LE() & ~(1n << 31n)); // CD.V, bit 31
    await dap.client.customRequest('writeMemory', { memoryReference: cd5, data: dword0.toString('base64') });
    const error = await errorOf(dap.custom('iommu/translate', { iova: '0x40000000', sid: 0x100, ssid: 5 }));
    assert.equal(error.message, 'stream 0x100 reaches no domain: C_BAD_CD: CD 5 of StreamID 0x100 is not valid (V=0)');
    const plain = await dap.custom<TranslateResponseBody>('iommu/translate', { iova: '0x1000', sid: 0x100 });
    assert.deepEqual([plain.domain, plain.pa], ['dev_dom', '0x80001000']);
  });

  test('the Debug Console\'s translate(iova, sid, ssid) the same way', async () => {
    await dap.launchAndStop({ scenario: example('sva-pri-page-requests') }, { exceptionFilters: ['page-request'] });
    const frameId = (await dap.topFrame(1)).id;
    assert.equal((await dap.evaluate('translate(0x1000, 0x100)', 'repl', frameId)).result, '0x1000 → 0x80001000 (4K page, level 3, priv rw-, unpriv rwx)');
    assert.equal((await dap.evaluate('translate(0x40000000, 0x100, 5)', 'repl', frameId)).result, '0x40000000: translation fault at level 0: L0[0] is invalid');
  });
});
