import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TimelineSpan } from '../../debug-adapter/protocol';
import { describeSpan, droppedNote, statusLine } from '../../media/timeline/captions';

const base = { lane: 0, label: 'read 0x7000000 (bad)', status: null, line: 21, pa: null } as const;

test('a completed transaction\'s tooltip: label, cycles, status, PA, line', () => {
  const span: TimelineSpan = { ...base, kind: 'transaction', start: 0, end: 40, label: 'read 0x1000000', status: 'completed', line: 20, pa: '0x80000000' };
  assert.equal(describeSpan(span, 100), 'read 0x1000000\ncycles 0–40 (40 cycles)\nstatus completed\nPA 0x80000000\nline 20 (click or Enter to open)');
});

test('an open span counts its cycles so far; a fault is one cycle; a handler answered', () => {
  assert.equal(describeSpan({ ...base, kind: 'transaction', start: 1, end: null }, 100), 'read 0x7000000 (bad)\ncycles 1–… (open, 99 cycles so far)\nline 21 (click or Enter to open)');
  assert.equal(describeSpan({ ...base, kind: 'fault', start: 31, end: 31, label: 'translation fault' }, 100), 'translation fault\ncycle 31\nline 21 (click or Enter to open)');
  assert.equal(describeSpan({ ...base, kind: 'handler', start: 58, end: 59, label: 'gpu_fault', status: 'terminate', line: 33 }, 100), 'gpu_fault\ncycles 58–59 (1 cycle)\nanswered terminate\nline 33 (click or Enter to open)');
});

test('the status line: where the drawing stands, or why it is not fresh', () => {
  assert.equal(statusLine('stopped', 100), 'Stopped at cycle 100.');
  assert.equal(statusLine('running', 100), 'Running… The drawing shows cycle 100.');
  assert.equal(statusLine('running', undefined), 'Running…');
  assert.equal(statusLine('ended', 100), 'The debug session has ended. The drawing shows cycle 100.');
  assert.equal(statusLine('none', undefined), 'Start debugging a scenario (F5 on a .iommu file) to see its transactions.');
  assert.equal(statusLine('none', 7), 'No IOMMU debug session is active. The drawing shows cycle 7.');
});

test('the note on transactions a long run did not record', () => {
  assert.equal(droppedNote(1), '1 transaction of the run not kept: the timeline keeps the newest ones of a long run and those around its faults (◀ Fault, Fault ▶).');
  assert.equal(droppedNote(996000), '996000 transactions of the run not kept: the timeline keeps the newest ones of a long run and those around its faults (◀ Fault, Fault ▶).');
});
