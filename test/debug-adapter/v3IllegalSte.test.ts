import { DebugProtocol } from '@vscode/debugprotocol';
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { Dap, example } from './helpers';

/** The STE of stream 0x10 in smmuv3-stalls-out-of-order, as Linux wrote it (memory view address). */
const STE_OF_0X10 = '0x40005400';

function dword(value: bigint): string {
  const bytes = Buffer.alloc(8);
  bytes.writeBigUInt64LE(value);
  return bytes.toString('base64');
}

async function readDword(dap: Dap): Promise<bigint> {
  const response = await dap.client.customRequest('readMemory', { memoryReference: STE_OF_0X10, count: 8 });
  const body = response.body as DebugProtocol.ReadMemoryResponse['body'];
  return Buffer.from(body?.data ?? '', 'base64').readBigUInt64LE();
}

describe('an STE written by hand in the memory view', () => {
  let dap: Dap;
  beforeEach(async () => {
    dap = await Dap.start();
  });
  afterEach(async () => {
    await dap.stop();
  });

  test('Config 0b110 enables stage 2 with no stage-2 fields (S2AA64=0: VMSAv8-32 tables, which the SMMU lacks): C_BAD_STE, the next transaction aborts, the stop says why', async () => {
    await dap.launchAndStop({ scenario: example('smmuv3-stalls-out-of-order') }, { exceptionFilters: ['terminate'] });
    assert.equal(await readDword(dap), 0x4000600bn);
    // Config [3:1] 0b101 (stage 1) → 0b110 (stage 2 only).
    await dap.client.customRequest('writeMemory', { memoryReference: STE_OF_0X10, data: dword(0x4000600dn) });
    await dap.client.continueRequest({ threadId: 1 });
    const stop = await dap.stopped();
    assert.equal(stop.reason, 'exception');
    assert.equal(stop.description, 'Paused on terminated transaction');
    assert.match(stop.text ?? '', /C_BAD_STE: STE\.S2AA64=0 selects VMSAv8-32 LPAE tables, which this SMMU lacks \(IDR0\.TTF=0b10\): ILLEGAL/);
    // The session goes on: the adapter still answers, the STE reads back as written.
    assert.equal(await readDword(dap), 0x4000600dn);
  });
});
