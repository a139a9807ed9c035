import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { defaultExceptionFilters } from '../../debug-adapter/exceptionFilters';
import { Dap, example } from './helpers';

/** The example's second read of the unmapped buffer, translated by the TLB entry the lazy flush queue has not flushed yet. */
const STALE = 'Read 0x1000000: stale TLB entry: IOVA 0x1000000 → PA 0x80000000, unmapped at cycle 89 (queued for the lazy flush, due at cycle 10089): use-after-unmap';

describe('stop on a stale TLB access', () => {
  let dap: Dap;
  beforeEach(async () => {
    dap = await Dap.start();
  });
  afterEach(async () => {
    await dap.stop();
  });

  test('the filter is on by default', () => {
    assert.ok(defaultExceptionFilters().has('stale'));
  });

  test('stops on the transaction a stale entry translated; the exception names IOVA, PA and the unmap; the Transaction scope shows it', async () => {
    const stop = await dap.launchAndStop({ scenario: example('lazy-flush-use-after-unmap') }, { exceptionFilters: ['stale'] });
    assert.deepEqual(stop, { reason: 'exception', threadId: 1, text: STALE, description: 'Paused on stale TLB access', allThreadsStopped: true });
    assert.deepEqual((await dap.client.exceptionInfoRequest({ threadId: 1 })).body, {
      exceptionId: 'Stale TLB access',
      description: STALE,
      breakMode: 'always',
      details: { message: STALE, typeName: 'stale' },
    });
    const top = await dap.topFrame(1);
    const transaction = await dap.values((await dap.scope(top.id, 'Transaction')).variablesReference);
    assert.equal(transaction['stale'], STALE.slice('Read 0x1000000: '.length));
    assert.equal(transaction['label'], 'stale');
  });

  test('a condition on the transaction: label', async () => {
    const stop = await dap.launchAndStop({ scenario: example('lazy-flush-use-after-unmap') }, { filterOptions: [{ filterId: 'stale', condition: 'iova == 0x0100_0000' }] });
    assert.equal(stop.description, 'Paused on stale TLB access');
  });
});
