import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { LinesResponseBody } from '../../debug-adapter/protocol';
import { Dap, example } from './helpers';

describe('iommu/lines: what each line issued so far, for the inline values', () => {
  let dap: Dap;
  beforeEach(async () => {
    dap = await Dap.start();
  });
  afterEach(async () => {
    await dap.stop();
  });

  test('stopped on the fault: the faulting read is counted how it ended, the one before it is still being translated', async () => {
    await dap.launchAndStop({ scenario: example('a530-fault-no-stall') });
    const body = await dap.custom<LinesResponseBody>('iommu/lines', {});
    assert.ok(body.path.endsWith('a530-fault-no-stall.iommu'));
    assert.deepEqual(body.lines, [
      { line: 19, issued: 1, completed: 0, aborted: 0, raz: 0, stalled: 0, translating: 1, last: null },
      { line: 20, issued: 1, completed: 0, aborted: 0, raz: 1, stalled: 0, translating: 0, last: { status: 'raz', pa: null } },
    ]);
  });

  test('at a breakpoint on the texture reads: the CP reads have ended, each counted once', async () => {
    await dap.launchAndStop({ scenario: example('a530-fault-no-stall') }, { breakpoints: [{ line: 26 }], exceptionFilters: [] });
    const body = await dap.custom<LinesResponseBody>('iommu/lines', {});
    assert.deepEqual(body.lines, [
      { line: 19, issued: 1, completed: 1, aborted: 0, raz: 0, stalled: 0, translating: 0, last: { status: 'completed', pa: '0x80000000' } },
      { line: 20, issued: 1, completed: 0, aborted: 0, raz: 1, stalled: 0, translating: 0, last: { status: 'raz', pa: null } },
    ]);
  });
});
