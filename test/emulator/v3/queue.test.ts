import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PhysicalMemory } from '../../../emulator/memory/physicalMemory';
import {
  acknowledgeOverflow,
  consume,
  describePointers,
  discard,
  inOverflow,
  isEmpty,
  isFull,
  newQueue,
  occupancy,
  pendingEntries,
  produce,
  queueEntries,
  slot,
} from '../../../emulator/smmu/v3/queue';

const BASE = 0x4010_0000;

/** A 32-byte record whose dwords say which one it is. */
function record(n: number): bigint[] {
  return [BigInt(n), BigInt(n) << 8n, BigInt(n) << 16n, BigInt(n) << 24n];
}

test('a new queue is empty, with PROD = CONS = 0', () => {
  const q = newQueue(BASE, 2, 32);
  assert.deepEqual(q, { base: BASE, log2size: 2, entryBytes: 32, prod: 0, cons: 0, dropped: 0 });
  assert.equal(queueEntries(q), 4);
  assert.equal(isEmpty(q), true);
  assert.equal(isFull(q), false);
  assert.equal(occupancy(q), 0);
  assert.equal(consume(new PhysicalMemory(), q), undefined);
});

test('entries land at base + index × entryBytes, little-endian', () => {
  const memory = new PhysicalMemory();
  const q = newQueue(BASE, 2, 32);
  assert.equal(produce(memory, q, record(1)), 'written');
  assert.equal(produce(memory, q, record(2)), 'written');
  assert.equal(memory.readU64(BASE + 32), 2n);
  assert.equal(memory.readU64(BASE + 32 + 24), 2n << 24n);
  assert.equal(q.prod, 2);
  assert.equal(occupancy(q), 2);
});

test('filling the queue: full after 2^log2size entries, then nothing is written', () => {
  const memory = new PhysicalMemory();
  const q = newQueue(BASE, 2, 32);
  for (let n = 0; n < 4; n++) assert.equal(produce(memory, q, record(n)), 'written');
  assert.equal(isFull(q), true);
  assert.equal(q.prod, 0x4); // WR 0 with the wrap bit (bit 2) set
  assert.equal(q.cons, 0);
  assert.equal(occupancy(q), 4);
  assert.equal(produce(memory, q, record(9)), 'full');
  assert.equal(q.prod, 0x4);
  assert.deepEqual(slot(memory, q, 0), record(0));
});

test('overflow: two discards toggle OVFLG once; acknowledging ends it; the next discard toggles again', () => {
  const memory = new PhysicalMemory();
  const q = newQueue(BASE, 2, 32);
  for (let n = 0; n < 4; n++) produce(memory, q, record(n));
  discard(q);
  discard(q);
  assert.equal(q.prod, 0x8000_0004);
  assert.equal(q.dropped, 2);
  assert.equal(inOverflow(q), true);

  assert.deepEqual(consume(memory, q), { index: 0, dwords: record(0) });
  acknowledgeOverflow(q);
  assert.equal(q.cons, 0x8000_0001);
  assert.equal(inOverflow(q), false);

  // An unacknowledged overflow does not stop the event queue: the freed slot is used.
  assert.equal(produce(memory, q, record(4)), 'written');
  assert.equal(q.prod, 0x8000_0005);
  assert.equal(isFull(q), true);
  assert.equal(produce(memory, q, record(5)), 'full');
  discard(q);
  assert.equal(q.prod, 0x0000_0005);
  assert.equal(q.dropped, 3);
  assert.equal(inOverflow(q), true);
  assert.equal(describePointers(q), 'PROD 0x00000005 (WR 1, wrap 1, OVFLG 0) · CONS 0x80000001 (RD 1, wrap 0, OVACKFLG 1)');
});

test('the wrap bits flip each time an index passes the top', () => {
  const memory = new PhysicalMemory();
  const q = newQueue(BASE, 2, 32);
  for (let n = 0; n < 4; n++) produce(memory, q, record(n));
  for (let n = 0; n < 4; n++) assert.deepEqual(consume(memory, q), { index: n, dwords: record(n) });
  assert.equal(q.cons, 0x4);
  assert.equal(isEmpty(q), true);
  for (let n = 0; n < 4; n++) produce(memory, q, record(n + 10));
  assert.equal(q.prod, 0x0); // wrapped twice: wrap bit back to 0
  assert.equal(isFull(q), true);
  for (let n = 0; n < 4; n++) consume(memory, q);
  assert.equal(q.cons, 0x0);
  assert.equal(isEmpty(q), true);
});

test('pendingEntries lists the unconsumed entries oldest first, across the wrap', () => {
  const memory = new PhysicalMemory();
  const q = newQueue(BASE, 2, 16);
  for (let n = 0; n < 3; n++) produce(memory, q, [BigInt(n), 0n]);
  consume(memory, q);
  consume(memory, q);
  for (let n = 3; n < 6; n++) produce(memory, q, [BigInt(n), 0n]);
  assert.deepEqual(pendingEntries(memory, q), [
    { index: 2, dwords: [2n, 0n] },
    { index: 3, dwords: [3n, 0n] },
    { index: 0, dwords: [4n, 0n] },
    { index: 1, dwords: [5n, 0n] },
  ]);
  assert.equal(describePointers(q), 'PROD 0x00000006 (WR 2, wrap 1, OVFLG 0) · CONS 0x00000002 (RD 2, wrap 0, OVACKFLG 0)');
});

test("describePointers matches the brief's example", () => {
  const q = { ...newQueue(BASE, 5, 32), prod: 0x21 };
  assert.equal(describePointers(q), 'PROD 0x00000021 (WR 1, wrap 1, OVFLG 0) · CONS 0x00000000 (RD 0, wrap 0, OVACKFLG 0)');
});

test('queue state survives structuredClone', () => {
  const memory = new PhysicalMemory();
  const q = newQueue(BASE, 2, 32);
  produce(memory, q, record(1));
  discard(q);
  const copy = structuredClone(q);
  assert.deepEqual(copy, q);
  assert.deepEqual(consume(memory, copy), { index: 0, dwords: record(1) });
  assert.equal(q.cons, 0);
});

test('malformed queues and entries are refused', () => {
  const memory = new PhysicalMemory();
  assert.throws(() => newQueue(BASE, 20, 32), RangeError);
  assert.throws(() => newQueue(BASE, 2, 12), RangeError);
  assert.throws(() => newQueue(BASE + 8, 2, 32), RangeError);
  const q = newQueue(BASE, 2, 32);
  assert.throws(() => produce(memory, q, [0n, 0n]), RangeError);
  assert.throws(() => slot(memory, q, 4), RangeError);
});
