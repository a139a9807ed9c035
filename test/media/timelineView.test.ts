import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { atStop, centredOn, covers, fitAll, groupDigits, nextFault, panBy, panStep, rangeText, wheelZoomFactor, windowFor, zoomAround } from '../../media/timeline/view';

/** A long run stopped on its third fault, at cycle 104,090, holding spans from cycle 0. */
const held = { from: 0, to: 104_090 };
const faults = [30, 52_060, 104_090];
const atLastFault = { start: 103_940, end: 104_240 };

describe('the view at a stop', () => {
  test('300 cycles with the stop in the middle, the future empty on its right', () => {
    assert.deepEqual(atStop(104_090, held, undefined), atLastFault);
    assert.equal(rangeText(atLastFault), 'cycles 103,940–104,240');
  });

  test('as wide as the view was before the stop', () => {
    assert.deepEqual(atStop(104_090, held, { start: 0, end: 1000 }), { start: 103_590, end: 104_590 });
  });

  test('a run shorter than the default view is shown whole, from cycle 0', () => {
    assert.deepEqual(atStop(100, { from: 0, to: 100 }, undefined), { start: 0, end: 100 });
    assert.deepEqual(fitAll({ from: 299_900, to: 300_000 }), { start: 299_900, end: 300_000 });
    assert.deepEqual(fitAll({ from: 0, to: 0 }), { start: 0, end: 10 }, 'cycle 0 alone: the narrowest view');
  });
});

describe('zoom', () => {
  test('in and out by 2 around the middle: the middle cycle stays', () => {
    const zoomedIn = zoomAround(atLastFault, 2, 104_090, held);
    assert.deepEqual(zoomedIn, { start: 104_015, end: 104_165 });
    assert.deepEqual(zoomAround(zoomedIn, 0.5, 104_090, held), atLastFault);
    assert.deepEqual(zoomAround(atLastFault, 0.5, 104_090, held), { start: 103_790, end: 104_390 });
  });

  test('around the pointer: the cycle under it stays under it (Ctrl+wheel, one notch is √2)', () => {
    assert.equal(wheelZoomFactor(-100), Math.SQRT2);
    assert.equal(wheelZoomFactor(200), 0.5);
    assert.equal(wheelZoomFactor(0), 1);
    // 300 / √2 = 212.1 → 212 cycles; cycle 104,000 was 60 cycles in, now 60 × 212 / 300 = 42.4 → 42.
    assert.deepEqual(zoomAround(atLastFault, wheelZoomFactor(-100), 104_000, held), { start: 103_958, end: 104_170 });
  });

  test('limits: 10 cycles at the closest; the whole run at the farthest', () => {
    assert.deepEqual(zoomAround(atLastFault, 1000, 104_090, held), { start: 104_085, end: 104_095 });
    assert.deepEqual(zoomAround(atLastFault, 1 / 1000, 104_090, held), { start: 0, end: 104_090 });
    assert.deepEqual(fitAll(held), { start: 0, end: 104_090 });
  });
});

describe('pan', () => {
  test('a quarter of the view a step; never before the first cycle held, nor the middle past the last', () => {
    const wide = { start: 103_790, end: 104_390 };
    assert.equal(panStep(wide), 150);
    assert.deepEqual(panBy(wide, -150, held), { start: 103_640, end: 104_240 });
    assert.deepEqual(panBy(wide, 150, held), wide, 'the middle is at the last cycle already');
    assert.deepEqual(panBy({ start: 100, end: 400 }, -150, held), { start: 0, end: 300 });
    assert.equal(panStep({ start: 0, end: 2 }), 1);
  });

  test('a drag or wheel moves by fractions of a cycle: the view stays on whole cycles', () => {
    assert.deepEqual(panBy(atLastFault, -33.4, held), { start: 103_907, end: 104_207 });
  });
});

describe('going to a fault', () => {
  test('before or after the middle of the view when none is selected; then the one before or after it', () => {
    assert.equal(nextFault(faults, undefined, atLastFault, -1), 1);
    assert.equal(nextFault(faults, undefined, atLastFault, 1), undefined);
    assert.equal(nextFault(faults, 1, atLastFault, -1), 0);
    assert.equal(nextFault(faults, 1, atLastFault, 1), 2);
    assert.equal(nextFault(faults, 0, atLastFault, -1), undefined);
    assert.equal(nextFault(faults, undefined, { start: 0, end: 10 }, 1), 0);
    assert.equal(nextFault([], undefined, atLastFault, 1), undefined);
  });

  test('the fault in the middle, as wide as the view; near cycle 0, from cycle 0', () => {
    assert.deepEqual(centredOn(52_060, 300, held), { start: 51_910, end: 52_210 });
    assert.deepEqual(centredOn(30, 300, held), { start: 0, end: 300 });
  });
});

describe('the window asked of the adapter', () => {
  test('a view width either side, within what is held', () => {
    assert.deepEqual(windowFor({ start: 51_910, end: 52_210 }, held), { from: 51_610, to: 52_510 });
    assert.deepEqual(windowFor({ start: 0, end: 300 }, held), { from: 0, to: 600 });
    assert.deepEqual(windowFor(atLastFault, held), { from: 103_640, to: 104_090 });
  });

  test('asked again only when the view leaves the window the spans cover', () => {
    assert.equal(covers({ from: 0, to: 600 }, { start: 0, end: 300 }, held), true);
    assert.equal(covers({ from: 0, to: 600 }, { start: 51_910, end: 52_210 }, held), false);
    // The newest spans, complete from cycle 232: the view's future needs nothing more.
    assert.equal(covers({ from: 232, to: 104_090 }, atLastFault, held), true);
    assert.equal(covers({ from: 232, to: 104_090 }, { start: 200, end: 500 }, held), false);
  });
});

test('cycles grouped by thousands, in every locale', () => {
  assert.deepEqual([0, 999, 1000, 299_700, 1_234_567].map(groupDigits), ['0', '999', '1,000', '299,700', '1,234,567']);
  assert.equal(rangeText({ start: 299_700, end: 300_000 }), 'cycles 299,700–300,000');
});
