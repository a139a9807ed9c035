import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { Dap, example } from './helpers';

/**
 * a530-stall-no-hupcf: gpu.cp's second read faults and stalls (#1); gpu.tp's four texture
 * reads arrive while FSR.SS holds the bank and HUPCF=0, so they stall untranslated behind it.
 */
describe('the Stalls filter and reads stalled behind a fault (HUPCF=0)', () => {
  let dap: Dap;
  beforeEach(async () => {
    dap = await Dap.start();
  });
  afterEach(async () => {
    await dap.stop();
  });

  test('stops on the fault, then on each read that stalls behind it, naming the fault it waits on', async () => {
    const first = await dap.launchAndStop({ scenario: example('a530-stall-no-hupcf') }, { exceptionFilters: ['stall'] });
    assert.equal(first.description, 'Paused on stall');
    assert.match(first.text ?? '', /^Translation fault at level 2: L2\[56\] is invalid; .*read 0x7000000 stalls until RESUME$/);
    const behind: (string | undefined)[] = [];
    for (let i = 0; i < 4; i++) {
      await dap.client.continueRequest({ threadId: first.threadId ?? 1 });
      const stop = await dap.stopped();
      assert.equal(stop.description, 'Paused on stall');
      assert.equal(stop.threadId, 2, 'on gpu.tp, the engine whose read stalled');
      behind.push(stop.text);
    }
    assert.deepEqual(behind, [
      'Read 0x1002000 stalled behind the fault of #1 (HUPCF=0)',
      'Read 0x1002040 stalled behind the fault of #1 (HUPCF=0)',
      'Read 0x1002080 stalled behind the fault of #1 (HUPCF=0)',
      'Read 0x10020c0 stalled behind the fault of #1 (HUPCF=0)',
    ]);
    const info = await dap.client.exceptionInfoRequest({ threadId: 2 });
    assert.deepEqual(info.body, {
      exceptionId: 'Stall',
      description: 'Read 0x10020c0 stalled behind the fault of #1 (HUPCF=0)',
      breakMode: 'always',
      details: { message: 'Read 0x10020c0 stalled behind the fault of #1 (HUPCF=0)', typeName: 'stall' },
    });
  });
});
