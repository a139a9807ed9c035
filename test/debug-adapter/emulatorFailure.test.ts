import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { Dap, example } from './helpers';

describe('a state the emulator does not model ends the run with the reason', () => {
  let dap: Dap;
  beforeEach(async () => {
    dap = await Dap.start();
  });
  afterEach(async () => {
    await dap.stop();
  });

  test('an STE written by hand to enable stage 2: exit 1, the emulator\'s message on stderr, the adapter still answers', async () => {
    await dap.launchAndStop({ scenario: example('smmuv3-stalls-out-of-order') });
    // STE of 0x10, dword 0: Config 0b101 (stage 1) → 0b110 (stage 2 only).
    const dword = Buffer.alloc(8);
    dword.writeBigUInt64LE(0x4000600dn);
    await dap.client.send('writeMemory', { memoryReference: '0x40005400', data: dword.toString('base64') });
    await dap.client.continueRequest({ threadId: 1 });
    assert.equal(await dap.exitCode(), 1);
    assert.match(dap.output('stderr'), /^the run could not finish: the emulator failed at cycle 32: STE\.Config 0x6 enables stage 2, which the emulator does not model$/m);
    // The engines never finished: they are still listed, and the adapter still answers.
    assert.deepEqual(await dap.threads(), [
      { id: 1, name: 'gpu.cp' },
      { id: 2, name: 'gpu.tp' },
    ]);
  });
});
