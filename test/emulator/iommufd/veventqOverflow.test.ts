import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeVeventq, newVeventq, readVeventq, reportVevent, Veventq } from '../../../emulator/kernel/iommufd/veventq';

/**
 * iommufd_viommu_report_event / iommufd_vevent_handler / iommufd_veventq_fops_read
 * (drivers/iommu/iommufd/driver.c, eventq.c, iommufd_private.h): every report takes a
 * sequence number; a report into a full queue puts the one LOST_EVENTS header at the tail.
 */

function queue(depth: number): Veventq {
  const q = newVeventq(1, depth);
  if ('error' in q) throw new Error('depth refused');
  return q;
}

/** A 32-byte vEVENT whose first byte says which one it is. */
function event(n: number): Uint8Array {
  const data = new Uint8Array(32);
  data[0] = n;
  return data;
}

/** The read's bytes as [flags, sequence, first data byte or '-'] per vEVENT. */
function parse(bytes: Uint8Array): [number, number, number | '-'][] {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: [number, number, number | '-'][] = [];
  for (let at = 0; at < bytes.length; ) {
    const flags = dv.getUint32(at, true);
    const sequence = dv.getUint32(at + 4, true);
    at += 8;
    if (flags & 1) {
      out.push([flags, sequence, '-']);
    } else {
      out.push([flags, sequence, bytes[at]]);
      at += 32;
    }
  }
  return out;
}

test('depth 2, four reports: two queued (0, 1), then LOST_EVENTS at the tail with the last lost sequence (3)', () => {
  const q = queue(2);
  assert.deepEqual([0, 1, 2, 3].map((n) => reportVevent(q, event(n))), ['queued', 'queued', 'lost', 'lost']);
  assert.equal(q.deliver.length, 3, 'one lost header however many were lost');
  assert.deepEqual(describeVeventq(q), ['2/2 events, next sequence 4', 'sequence 0: 32 bytes', 'sequence 1: 32 bytes', 'sequence 3: LOST_EVENTS header']);
  const read = readVeventq(q, 4096);
  assert.equal(read.result, 8 + 32 + 8 + 32 + 8);
  assert.deepEqual(parse(read.bytes), [
    [0, 0, 0],
    [0, 1, 1],
    [1, 3, '-'],
  ]);
  assert.deepEqual([...read.bytes.subarray(80, 88)], [0x01, 0, 0, 0, 0x03, 0, 0, 0], 'the header: flags LOST_EVENTS, sequence 3, no data');
  assert.equal(q.numEvents, 0);
  reportVevent(q, event(4));
  assert.deepEqual(parse(readVeventq(q, 4096).bytes), [[0, 4, 4]], 'the header was read: the next event follows it in sequence');
});

test('a report after the overflow takes the header off the tail: the reader sees the gap in the sequence instead', () => {
  const q = queue(2);
  reportVevent(q, event(0));
  reportVevent(q, event(1));
  assert.equal(reportVevent(q, event(2)), 'lost');
  assert.deepEqual(parse(readVeventq(q, 40).bytes), [[0, 0, 0]], 'room for one vEVENT');
  assert.equal(reportVevent(q, event(3)), 'queued');
  assert.deepEqual(parse(readVeventq(q, 4096).bytes), [
    [0, 1, 1],
    [0, 3, 3],
  ]);
});

test('a read too short for the next vEVENT returns 0 and leaves it; the lost header alone needs only 8 bytes', () => {
  const q = queue(1);
  reportVevent(q, event(0));
  reportVevent(q, event(1));
  assert.deepEqual({ result: readVeventq(q, 39).result, left: q.deliver.length }, { result: 0, left: 2 });
  assert.deepEqual(parse(readVeventq(q, 40).bytes), [[0, 0, 0]]);
  assert.deepEqual(parse(readVeventq(q, 8).bytes), [[1, 1, '-']]);
  assert.deepEqual(readVeventq(q, 4096).result, 0);
});

test('the sequence runs to INT_MAX and wraps to 0', () => {
  const q = queue(4);
  q.sequence = 0x7fff_ffff;
  reportVevent(q, event(0));
  reportVevent(q, event(1));
  assert.deepEqual(parse(readVeventq(q, 4096).bytes).map((e) => e[1]), [0x7fff_ffff, 0]);
});

test('IOMMU_VEVENTQ_ALLOC with depth 0 is -EINVAL', () => {
  assert.deepEqual(newVeventq(1, 0), { error: -22 });
});
