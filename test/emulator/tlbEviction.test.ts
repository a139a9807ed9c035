import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Tlb, TlbFill } from '../../emulator/smmu/tlb';

/*
 * Eviction takes the oldest entry off a list one sort made of the entries in LRU order:
 * entries used after that sort must be passed over, and a restore (whose stamps
 * the list knows nothing of) must not evict by a stale list.
 */

const fill = (outputPage: number): TlbFill => ({ outputPage, level: 3, pages: 1, permissions: 0x3f, lo: 0, hi: 0, descriptorAddress: 0 });
const vpns = (tlb: Tlb): number[] => tlb.entries().map((e) => e.vpn);

test('an entry hit after the eviction list was made is not evicted; the next oldest is', () => {
  const tlb = new Tlb(8);
  for (let vpn = 0; vpn < 8; vpn++) tlb.insert(0, vpn, fill(vpn));
  tlb.insert(0, 100, fill(100)); // lists 0 … 7, evicts 0
  assert.deepEqual(vpns(tlb), [100, 7, 6, 5, 4, 3, 2, 1]);
  assert.ok(tlb.lookup(0, 1) >= 0); // 1 is listed, and now the most recently used
  tlb.insert(0, 101, fill(101)); // passes over 1, evicts 2
  assert.deepEqual(vpns(tlb), [101, 1, 100, 7, 6, 5, 4, 3]);
});

test('a restore forgets the eviction list: eviction follows the restored stamps', () => {
  const tlb = new Tlb(4);
  for (let vpn = 0; vpn < 4; vpn++) tlb.insert(0, vpn, fill(vpn));
  const snapshot = tlb.snapshot();
  tlb.lookup(0, 0);
  tlb.insert(0, 10, fill(10)); // lists 1, 2, 3, 0, evicts 1
  tlb.restore(snapshot);
  tlb.insert(0, 11, fill(11)); // 0 is the oldest again
  assert.deepEqual(vpns(tlb), [11, 3, 2, 1]);
});

test('slots freed by invalidation are filled before anything is evicted', () => {
  const tlb = new Tlb(4);
  for (let vpn = 0; vpn < 4; vpn++) tlb.insert(0, vpn, fill(vpn));
  tlb.invalidateVa(0, 1);
  tlb.invalidateVa(0, 2);
  tlb.insert(0, 20, fill(20));
  tlb.insert(0, 21, fill(21));
  assert.deepEqual(vpns(tlb), [21, 20, 3, 0]);
  assert.equal(tlb.size, 4);
  tlb.insert(0, 22, fill(22));
  assert.deepEqual(vpns(tlb), [22, 21, 20, 3]);
});
