import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { HISTORY, KeptBytes, mustForgetOldest, SNAPSHOT_BUDGET_BYTES, SnapshotSize } from '../../debug-adapter/snapshotBudget';
import { SeqMap } from '../../debug-adapter/seqMap';

/** A stop's size: the slabs it holds, and bytes of its own. */
function size(slabs: Uint32Array[], own: number): SnapshotSize {
  return { slabs: new Set(slabs), own };
}

describe('the bytes the kept stops hold', () => {
  test('a slab held by several stops is counted once; it leaves the count with its last holder', () => {
    const shared = new Uint32Array(1024);
    const changed = new Uint32Array(2048);
    const kept = new KeptBytes();
    const first = size([shared], 100);
    const second = size([shared, changed], 10);
    kept.hold(first);
    kept.hold(second);
    assert.equal(kept.total, 4096 + 8192 + 110);
    kept.release(first);
    assert.equal(kept.total, 4096 + 8192 + 10, 'the second stop still holds the shared slab');
    kept.release(second);
    assert.equal(kept.total, 0);
  });
});

describe('which stops are forgotten', () => {
  test('past 200 stops, or past 256 MiB while more than two stops are kept, the oldest goes', () => {
    assert.equal(HISTORY, 200);
    assert.equal(SNAPSHOT_BUDGET_BYTES, 268_435_456);
    assert.equal(mustForgetOldest(200, 0), false);
    assert.equal(mustForgetOldest(201, 0), true);
    assert.equal(mustForgetOldest(3, 268_435_456), false, 'at the budget is within it');
    assert.equal(mustForgetOldest(3, 268_435_457), true);
    // The current stop and the one before stay whatever they hold: a step back is always possible.
    assert.equal(mustForgetOldest(2, 2 ** 40), false);
  });
});

describe('SeqMap: values by a growing key', () => {
  test('visits in key order across chunks, whatever the order of setting', () => {
    const map = new SeqMap<string>();
    for (const key of [5000, 3, 1024, 0, 2047]) map.set(key, `v${key}`);
    map.delete(1024);
    const seen: [number, string][] = [];
    map.forEach((value, key) => seen.push([key, value]));
    assert.deepEqual(seen, [[0, 'v0'], [3, 'v3'], [2047, 'v2047'], [5000, 'v5000']]);
    assert.equal(map.size, 4);
    assert.equal(map.has(1024), false);
  });

  test('a copy changes apart from its original', () => {
    const map = new SeqMap<number>();
    map.set(1, 10);
    const copy = map.copy();
    map.set(1, 11);
    map.delete(1);
    copy.set(2, 20);
    assert.equal(map.get(1), undefined);
    assert.equal(copy.get(1), 10);
    assert.equal(map.has(2), false);
    assert.equal(copy.size, 2);
  });

  test('a chunk emptied and filled again is found (the last chunk used is not kept stale)', () => {
    const map = new SeqMap<number>();
    map.set(7, 1);
    map.delete(7);
    map.set(8, 2);
    assert.equal(map.get(8), 2);
    assert.equal(map.bytes, 1024 * 8);
  });
});
