import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { RecordLog } from '../../emulator/machine/recordLog';

test('a record log keeps the newest records under their own indexes; older ones read undefined', () => {
  const log = new RecordLog<string>(3);
  assert.equal(log.push('a'), undefined);
  log.push('b');
  log.push('c');
  assert.equal(log.push('d'), 'a', 'the fourth pushes the first out');
  assert.equal(log.length, 4);
  assert.equal(log.first, 1);
  assert.deepEqual([log.get(0), log.get(1), log.get(2), log.get(3), log.get(4), log.get(-1), log.get(1.5)], [undefined, 'b', 'c', 'd', undefined, undefined, undefined]);
  assert.deepEqual([...log], ['b', 'c', 'd']);
  assert.equal(log.findLast((r) => r < 'd'), 'c');
  assert.equal(log.findLast((r) => r === 'a'), undefined, 'a dropped record is not found');
});

test('truncate goes back to a length: later records go, dropped ones stay dropped, pushes go on from there', () => {
  const log = new RecordLog<number>(4);
  for (let i = 0; i < 10; i++) log.push(i * 10);
  log.truncate(8);
  assert.equal(log.length, 8);
  assert.deepEqual([...log], [60, 70], 'records 4 and 5 were pushed out by 8 and 9: they stay gone');
  log.truncate(5);
  assert.deepEqual([...log], []);
  assert.equal(log.get(4), undefined);
  log.push(500);
  log.push(600);
  assert.deepEqual([log.get(4), log.get(5), log.get(6)], [undefined, 500, 600]);
  log.truncate(100);
  assert.equal(log.length, 7, 'truncating beyond the end changes nothing');
});

test('a record log that keeps nothing is refused', () => {
  assert.throws(() => new RecordLog(0), /keeps at least one record, not 0/);
});

test('against an array: after any pushes and truncations, the log holds what a push did not drop', () => {
  const operation = fc.oneof(fc.record({ push: fc.integer() }), fc.record({ truncate: fc.nat({ max: 40 }) }));
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 8 }), fc.array(operation, { maxLength: 60 }), (capacity, operations) => {
      const log = new RecordLog<number>(capacity);
      const all: number[] = [];
      // Whether each index still holds its record: a push drops the one `capacity` before it.
      const kept: boolean[] = [];
      for (const op of operations) {
        if ('push' in op) {
          log.push(op.push);
          all.push(op.push);
          kept.push(true);
          if (all.length > capacity) kept[all.length - 1 - capacity] = false;
        } else if (op.truncate < all.length) {
          log.truncate(op.truncate);
          all.length = op.truncate;
          kept.length = op.truncate;
        }
      }
      assert.equal(log.length, all.length);
      for (let i = 0; i < all.length; i++) assert.equal(log.get(i), kept[i] ? all[i] : undefined, `index ${i}`);
      assert.deepEqual([...log], all.filter((_, i) => kept[i]));
    }),
    { numRuns: 500 },
  );
});
