import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { PhysicalMemory } from '../../emulator/memory/physicalMemory';
import { accessCode, requiredPermission } from '../../emulator/pgtable/descriptor';
import { IoPgtable, SZ_2M } from '../../emulator/pgtable/ioPgtable';
import { TableAllocator } from '../../emulator/pgtable/tableAllocator';
import { HotWalker, HotWalkResult, WALK_OK, WALK_TRANSLATION_FAULT } from '../../emulator/pgtable/walker';
import { Tlb, TlbFill } from '../../emulator/smmu/tlb';

const fill = (outputPage: number, level = 3, permissions = 0x3f): TlbFill => ({
  outputPage,
  level,
  pages: 2 ** (9 * (3 - level)),
  permissions,
  lo: outputPage * 4096 + 0xf47,
  hi: 0,
  descriptorAddress: 0x4000_3000 + level * 8,
});

const keys = (tlb: Tlb): string[] => tlb.entries().map((e) => `${e.context}:${e.vpn.toString(16)}`);

test('a hit returns the cached translation; another context or page misses', () => {
  const tlb = new Tlb();
  tlb.insert(1, 0x12345, { outputPage: 0x80005, level: 3, pages: 1, permissions: 0b001011, lo: 0x8000_5fc7, hi: 0x0060_0000, descriptorAddress: 0x4000_3c48 });
  const slot = tlb.lookup(1, 0x12345);
  assert.ok(slot >= 0);
  assert.deepEqual([tlb.outputPage(slot), tlb.permissions(slot), tlb.level(slot)], [0x80005, 0b001011, 3]);
  assert.equal(tlb.lookup(2, 0x12345), -1);
  assert.equal(tlb.lookup(1, 0x12346), -1);
  assert.equal(tlb.lookup(0, 0x12345), -1);
  assert.deepEqual(tlb.entries(), [
    { context: 1, vpn: 0x12345, outputPage: 0x80005, level: 3, pages: 1, permissions: 0b001011, lo: 0x8000_5fc7, hi: 0x0060_0000, descriptorAddress: 0x4000_3c48 },
  ]);
});

test('tags are exact at the edges: context 65535, vpn 2^36 - 1, vpn 2^32', () => {
  const tlb = new Tlb(8);
  tlb.insert(65535, 2 ** 36 - 1, fill(1));
  tlb.insert(0, 2 ** 32, fill(2));
  tlb.insert(0, 0, fill(3));
  tlb.insert(1, 0, fill(4));
  assert.deepEqual(
    [tlb.lookup(65535, 2 ** 36 - 1), tlb.lookup(0, 2 ** 32), tlb.lookup(0, 0), tlb.lookup(1, 0)].map((slot) => tlb.outputPage(slot)),
    [1, 2, 3, 4],
  );
  assert.equal(tlb.lookup(65534, 2 ** 36 - 1), -1);
  assert.equal(tlb.lookup(0, 2 ** 32 + 1), -1);
  assert.throws(() => tlb.insert(65536, 0, fill(0)), /context 65536/);
  assert.throws(() => tlb.insert(0, 2 ** 36, fill(0)), /beyond 2\^36/);
  assert.throws(() => new Tlb(0), RangeError);
});

test('inserting the same page again updates the entry in place', () => {
  const tlb = new Tlb(4);
  tlb.insert(1, 7, fill(0x100));
  tlb.insert(1, 7, fill(0x200, 3, 0x01));
  assert.equal(tlb.size, 1);
  const slot = tlb.lookup(1, 7);
  assert.deepEqual([tlb.outputPage(slot), tlb.permissions(slot)], [0x200, 0x01]);
});

test('a full TLB evicts the least recently used entry; a hit refreshes an entry', () => {
  const tlb = new Tlb(4);
  for (const vpn of [0xa, 0xb, 0xc, 0xd]) {
    tlb.insert(1, vpn, fill(vpn));
  }
  assert.deepEqual(keys(tlb), ['1:d', '1:c', '1:b', '1:a']);
  assert.ok(tlb.lookup(1, 0xa) >= 0);
  tlb.insert(1, 0xe, fill(0xe));
  assert.deepEqual(keys(tlb), ['1:e', '1:a', '1:d', '1:c']);
  assert.equal(tlb.lookup(1, 0xb), -1, 'b was the least recently used');
  tlb.insert(2, 0xa, fill(0xf));
  assert.deepEqual(keys(tlb), ['2:a', '1:e', '1:a', '1:d']);
  assert.equal(tlb.size, 4);
});

test('invalidation scopes: all, one context, one page, a block', () => {
  const tlb = new Tlb(16);
  tlb.insert(1, 0x100, fill(1));
  tlb.insert(1, 0x101, fill(2));
  tlb.insert(2, 0x100, fill(3));
  // Two pages of one 2M block (level 2: 512 pages), and a page of the next block.
  tlb.insert(1, 0x400, fill(4, 2));
  tlb.insert(1, 0x5ff, fill(5, 2));
  tlb.insert(1, 0x600, fill(6, 2));

  tlb.invalidateVa(1, 0x100);
  assert.deepEqual(keys(tlb).sort(), ['1:101', '1:400', '1:5ff', '1:600', '2:100']);
  tlb.invalidateVa(1, 0x480);
  assert.deepEqual(keys(tlb).sort(), ['1:101', '1:600', '2:100']);
  tlb.invalidateContext(1);
  assert.deepEqual(keys(tlb), ['2:100']);
  assert.ok(tlb.lookup(2, 0x100) >= 0);
  tlb.invalidateAll();
  assert.deepEqual(keys(tlb), []);
  assert.equal(tlb.lookup(2, 0x100), -1);
});

test('after an unmap without invalidation the stale entry keeps translating', () => {
  const memory = new PhysicalMemory();
  const pgtable = new IoPgtable(memory, new TableAllocator(memory), { ias: 48, oas: 48 });
  assert.ok(pgtable.map(0x20_0000n, 0x8020_0000n, SZ_2M, { read: true, write: true, noexec: true, priv: false, noaf: false, memory: 'cached' }).ok);
  const walker = new HotWalker(memory, pgtable.tableConfig());
  const tlb = new Tlb();
  const out = new HotWalkResult();
  const write = accessCode({ write: true, exec: false, priv: false });
  const vpn = 0x201;
  assert.equal(walker.walk(vpn, write, out), WALK_OK);
  tlb.insert(5, vpn, out);

  assert.equal(pgtable.unmap(0x20_0000n, SZ_2M), SZ_2M);
  assert.equal(walker.walk(vpn, write, out), WALK_TRANSLATION_FAULT);
  const slot = tlb.lookup(5, vpn);
  assert.ok(slot >= 0, 'still cached');
  assert.ok((tlb.permissions(slot) & requiredPermission(write)) !== 0);
  assert.equal(tlb.outputPage(slot) * 4096 + 0x123, 0x8020_1123);
  assert.equal(tlb.level(slot), 2);

  tlb.invalidateVa(5, 0x200);
  assert.equal(tlb.lookup(5, vpn), -1, 'TLBI by the block base drops every page of the block');
});

test('snapshot and restore bring back the entries and their LRU order, twice', () => {
  const tlb = new Tlb(3);
  tlb.insert(1, 1, fill(1));
  tlb.insert(1, 2, fill(2));
  tlb.insert(1, 3, fill(3));
  tlb.lookup(1, 1);
  const snapshot = tlb.snapshot();
  const before = tlb.entries();

  tlb.insert(1, 4, fill(4));
  tlb.invalidateVa(1, 3);
  assert.deepEqual(keys(tlb), ['1:4', '1:1']);

  for (let round = 0; round < 2; round++) {
    tlb.restore(snapshot);
    assert.deepEqual(tlb.entries(), before);
    tlb.insert(1, 5, fill(5));
    assert.deepEqual(keys(tlb), ['1:5', '1:1', '1:3'], 'the restored LRU order picks the victim');
  }
  assert.throws(() => new Tlb(4).restore(snapshot), RangeError);
});

test('the TLB behaves like a plain LRU map under any mix of operations', () => {
  type Op =
    | { kind: 'insert'; context: number; vpn: number; level: number }
    | { kind: 'lookup'; context: number; vpn: number }
    | { kind: 'va'; context: number; vpn: number }
    | { kind: 'context'; context: number }
    | { kind: 'all' };
  // Few contexts and pages, so probe sequences collide and wrap.
  const context = fc.integer({ min: 0, max: 3 });
  const vpn = fc.oneof(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 40 }).map((v) => v * 512), fc.constant(2 ** 36 - 1));
  const op: fc.Arbitrary<Op> = fc.oneof(
    { weight: 5, arbitrary: fc.record({ kind: fc.constant('insert' as const), context, vpn, level: fc.constantFrom(2, 3, 3) }) },
    { weight: 5, arbitrary: fc.record({ kind: fc.constant('lookup' as const), context, vpn }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('va' as const), context, vpn }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('context' as const), context }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('all' as const) }) },
  );
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 9 }), fc.array(op, { maxLength: 150, size: 'max' }), (capacity, ops) => {
      const tlb = new Tlb(capacity);
      // The model: entries in LRU order, least recent first.
      let model: { context: number; vpn: number; level: number; page: number }[] = [];
      ops.forEach((o, step) => {
        const at = (c: number, v: number): number => model.findIndex((e) => e.context === c && e.vpn === v);
        if (o.kind === 'insert') {
          const index = at(o.context, o.vpn);
          if (index >= 0) {
            model.splice(index, 1);
          } else if (model.length === capacity) {
            model.shift();
          }
          model.push({ context: o.context, vpn: o.vpn, level: o.level, page: step });
          tlb.insert(o.context, o.vpn, fill(step, o.level));
        } else if (o.kind === 'lookup') {
          const index = at(o.context, o.vpn);
          const slot = tlb.lookup(o.context, o.vpn);
          const entry = model[index];
          assert.equal(slot >= 0 ? tlb.outputPage(slot) : -1, entry === undefined ? -1 : entry.page);
          if (entry !== undefined) {
            model.splice(index, 1);
            model.push(entry);
          }
        } else if (o.kind === 'va') {
          model = model.filter((e) => {
            const pages = e.level === 2 ? 512 : 1;
            return e.context !== o.context || Math.floor(e.vpn / pages) !== Math.floor(o.vpn / pages);
          });
          tlb.invalidateVa(o.context, o.vpn);
        } else if (o.kind === 'context') {
          model = model.filter((e) => e.context !== o.context);
          tlb.invalidateContext(o.context);
        } else {
          model = [];
          tlb.invalidateAll();
        }
        assert.deepEqual(
          tlb.entries().map((e) => [e.context, e.vpn, e.outputPage]),
          [...model].reverse().map((e) => [e.context, e.vpn, e.page]),
        );
      });
    }),
    { numRuns: 300 },
  );
});
