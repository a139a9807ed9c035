import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PA_LIMIT, PhysicalMemory } from '../../emulator/memory/physicalMemory';

test('untouched memory reads zeros and allocates no page', () => {
  const memory = new PhysicalMemory();
  assert.equal(memory.readU32(0x8000_0000), 0);
  assert.equal(memory.readLo(0xffff_f000_0000), 0);
  assert.equal(memory.readHi(0xffff_f000_0000), 0);
  assert.equal(memory.readU64(0x1234_5000), 0n);
  assert.deepEqual(memory.readBytes(0x4000_0ff0, 32), new Uint8Array(32));
  assert.equal(memory.pageWord(0x8_0000, 5), 0);
  assert.deepEqual(memory.touchedPages(), []);
});

test('a descriptor is two little-endian words: lo at pa, hi at pa + 4', () => {
  const memory = new PhysicalMemory();
  memory.writeDescriptor(0x4000_0008, 0x8000_0f47, 0x0060_0000);
  assert.equal(memory.readLo(0x4000_0008), 0x8000_0f47);
  assert.equal(memory.readHi(0x4000_0008), 0x0060_0000);
  assert.equal(memory.readU64(0x4000_0008), 0x0060_0000_8000_0f47n);
  assert.deepEqual([...memory.readBytes(0x4000_0008, 8)], [0x47, 0x0f, 0x00, 0x80, 0x00, 0x00, 0x60, 0x00]);
  const out = { lo: -1, hi: -1 };
  assert.equal(memory.readDescriptor(0x4000_0008, out), out);
  assert.deepEqual(out, { lo: 0x8000_0f47, hi: 0x0060_0000 });
  assert.equal(memory.pageWord(0x4_0000, 2), 0x8000_0f47);
  assert.equal(memory.pageWord(0x4_0000, 3), 0x0060_0000);
  assert.deepEqual(memory.touchedPages(), [0x4000_0000]);
});

test('writeU32 and writeU64 store unsigned values', () => {
  const memory = new PhysicalMemory();
  memory.writeU32(0x100, -1);
  memory.writeU64(0x108, 0xfedc_ba98_7654_3210n);
  assert.equal(memory.readU32(0x100), 0xffff_ffff);
  assert.equal(memory.readU32(0x108), 0x7654_3210);
  assert.equal(memory.readU32(0x10c), 0xfedc_ba98);
  assert.throws(() => memory.writeU64(0x108, 1n << 64n), RangeError);
});

test('bytes cross page boundaries in both directions', () => {
  const memory = new PhysicalMemory();
  const bytes = Uint8Array.from({ length: 6000 }, (_, i) => (i * 7 + 1) & 0xff);
  memory.writeBytes(0x1_0000_0ffd, bytes);
  assert.deepEqual(memory.readBytes(0x1_0000_0ffd, 6000), bytes);
  assert.deepEqual(memory.touchedPages(), [0x1_0000_0000, 0x1_0000_1000, 0x1_0000_2000]);
  assert.equal(memory.readU32(0x1_0000_1000), 0x2b24_1d16);
  assert.deepEqual([...memory.readBytes(0x1_0000_0ffb, 4)], [0, 0, 1, 8]);
});

test('addresses must be integers below 2^48 and word accesses aligned', () => {
  const memory = new PhysicalMemory();
  assert.throws(() => memory.readU32(PA_LIMIT), /beyond 2\^48/);
  assert.throws(() => memory.readLo(PA_LIMIT - 4), /beyond 2\^48/);
  assert.throws(() => memory.writeU32(-4, 0), RangeError);
  assert.throws(() => memory.readU32(0.5), RangeError);
  assert.throws(() => memory.readBytes(PA_LIMIT - 2, 4), RangeError);
  assert.throws(() => memory.readLo(0x1004), /not 8-byte aligned/);
  assert.throws(() => memory.writeU32(0x1002, 0), /not 4-byte aligned/);
  assert.deepEqual(memory.readBytes(PA_LIMIT - 2, 2), new Uint8Array(2));
});

test('a write after a snapshot leaves the snapshot alone; restore brings the old bytes back', () => {
  const memory = new PhysicalMemory();
  memory.writeU32(0x2000, 0x1111_1111);
  memory.writeU32(0x5000, 0x5555_5555);
  const before = memory.snapshot();
  assert.equal(before.pageCount, 2);

  memory.writeU32(0x2000, 0x2222_2222);
  memory.writeU32(0x9000, 0x9999_9999);
  memory.zeroPage(0x5000);
  assert.equal(memory.readU32(0x2000), 0x2222_2222);
  assert.equal(memory.readU32(0x5000), 0);
  assert.deepEqual(memory.touchedPages(), [0x2000, 0x9000]);

  memory.restore(before);
  assert.equal(memory.readU32(0x2000), 0x1111_1111);
  assert.equal(memory.readU32(0x5000), 0x5555_5555);
  assert.equal(memory.readU32(0x9000), 0);
  assert.deepEqual(memory.touchedPages(), [0x2000, 0x5000]);
});

test('a snapshot can be restored twice, and writes after the first restore do not leak into it', () => {
  const memory = new PhysicalMemory();
  memory.writeBytes(0x3000, Uint8Array.of(1, 2, 3));
  const snapshot = memory.snapshot();
  memory.restore(snapshot);
  memory.writeBytes(0x3000, Uint8Array.of(9, 9, 9));
  memory.writeBytes(0x7000, Uint8Array.of(7));
  memory.restore(snapshot);
  assert.deepEqual([...memory.readBytes(0x3000, 4)], [1, 2, 3, 0]);
  assert.equal(memory.readU32(0x7000), 0);
});

test('snapshots taken one after another each keep their own bytes', () => {
  const memory = new PhysicalMemory();
  const values = [0xa, 0xb, 0xc];
  const snapshots = values.map((value) => {
    memory.writeU32(0x4000_0000, value);
    return memory.snapshot();
  });
  memory.writeU32(0x4000_0000, 0xd);
  const seen = snapshots.map((snapshot) => {
    memory.restore(snapshot);
    return memory.readU32(0x4000_0000);
  });
  assert.deepEqual(seen, values);
});

test('pageWord follows copy-on-write and restore', () => {
  const memory = new PhysicalMemory();
  memory.writeDescriptor(0x6000, 1, 2);
  const shared = memory.snapshot();
  assert.equal(memory.pageWord(6, 0), 1);
  memory.writeDescriptor(0x6000, 3, 4);
  assert.deepEqual([memory.pageWord(6, 0), memory.pageWord(6, 1)], [3, 4]);
  memory.restore(shared);
  assert.deepEqual([memory.pageWord(6, 0), memory.pageWord(6, 1)], [1, 2]);
});

test('zeroPage drops a page without touching a snapshot that holds it', () => {
  const memory = new PhysicalMemory();
  memory.writeU32(0x8000, 42);
  const snapshot = memory.snapshot();
  memory.zeroPage(0x8000);
  assert.equal(memory.readU32(0x8000), 0);
  memory.writeU32(0x8004, 7);
  assert.equal(memory.readU32(0x8000), 0, 'a page rewritten after zeroPage starts from zeros');
  memory.restore(snapshot);
  assert.equal(memory.readU32(0x8000), 42);
  assert.equal(memory.readU32(0x8004), 0);
});

test('pages given back by restore are handed out again zeroed', () => {
  const memory = new PhysicalMemory();
  const empty = memory.snapshot();
  for (let page = 0; page < 100; page++) {
    memory.writeU32(page * 0x1000, 0xdead_0000 + page);
  }
  memory.restore(empty);
  for (let page = 0; page < 100; page++) {
    memory.writeU32(0x10_0000 + page * 0x1000 + 4, 1);
  }
  for (let page = 0; page < 100; page++) {
    assert.equal(memory.readU32(0x10_0000 + page * 0x1000), 0);
  }
  assert.equal(memory.readU32(0), 0);
});

test('page look-ups stay right when two page numbers share a cache slot', () => {
  const memory = new PhysicalMemory();
  // 4096 pages apart: the same slot of the look-up cache.
  memory.writeU32(0x1000, 1);
  assert.equal(memory.readU32(0x1000 + 4096 * 0x1000), 0);
  memory.writeU32(0x1000 + 4096 * 0x1000, 2);
  assert.equal(memory.readU32(0x1000), 1);
  assert.equal(memory.readU32(0x1000 + 4096 * 0x1000), 2);
  memory.zeroPage(0x1000);
  assert.equal(memory.readU32(0x1000), 0);
  assert.equal(memory.readU32(0x1000 + 4096 * 0x1000), 2);
});
