import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { TimelineLane, TimelineResponseBody, TimelineSpan } from '../../debug-adapter/protocol';
import { cycleAt, endOf, fittingLabel, hosts, layoutTimeline, stackRows, tickStep, ticks, timeScale, visibleLanes, xAt } from '../../media/timeline/layout';

/**
 * examples/a530-stall-hupcf.iommu stopped on the handler's `terminate` (line 35): the
 * response test/debug-adapter/customRequests.test.ts pins, span for span.
 */
const a530: TimelineResponseBody = {
  now: 100,
  path: 'examples/a530-stall-hupcf.iommu',
  lanes: [
    { name: 'gpu.cp', kind: 'engine' },
    { name: 'gpu.tp', kind: 'engine' },
    { name: 'irq', kind: 'irq' },
    { name: 'irq/kgsl', kind: 'irq-thread' },
    { name: 'iopf/0', kind: 'worker' },
    { name: 'iopf/1', kind: 'worker' },
  ],
  spans: [
    { lane: 0, kind: 'transaction', start: 0, end: 40, label: 'read 0x1000000', status: 'completed', line: 20, pa: '0x80000000' },
    { lane: 0, kind: 'transaction', start: 1, end: null, label: 'read 0x7000000 (bad)', status: null, line: 21, pa: null },
    { lane: 0, kind: 'fault', start: 31, end: 31, label: 'translation fault at level 2: L2[56] is invalid', status: null, line: 21, pa: null },
    { lane: 0, kind: 'stall', start: 31, end: null, label: 'stalled by its fault', status: null, line: 21, pa: null },
    { lane: 2, kind: 'handler', start: 36, end: 39, label: 'arm_smmu_context_fault → queue_work', status: null, line: 33, pa: null },
    { lane: 1, kind: 'transaction', start: 50, end: 90, label: 'read 0x1002000 (tex)', status: 'completed', line: 28, pa: '0x80002000' },
    { lane: 4, kind: 'handler', start: 58, end: null, label: 'gpu_fault', status: null, line: 33, pa: null },
    { lane: 1, kind: 'transaction', start: 60, end: 100, label: 'read 0x1002040 (tex)', status: 'completed', line: 28, pa: '0x80002040' },
    { lane: 1, kind: 'transaction', start: 70, end: null, label: 'read 0x1002080 (tex)', status: null, line: 28, pa: null },
    { lane: 1, kind: 'transaction', start: 80, end: null, label: 'read 0x10020c0 (tex)', status: null, line: 28, pa: null },
  ],
  dropped: 0,
  window: { from: 0, to: 100 },
  held: { from: 0, to: 100 },
  faults: [31],
};

/** 120 px of lane names + 1000 px of plot + 20 px margin: 10 px a cycle over cycles 0…100. */
const width = 1140;

function span(lane: number, kind: TimelineSpan['kind'], start: number, end: number | null, line = 1, status: string | null = null): TimelineSpan {
  return { lane, kind, start, end, label: `${kind} ${start}`, status, line, pa: null };
}

function timeline(spans: TimelineSpan[], now: number, lanes: TimelineLane[] = [{ name: 'gpu', kind: 'engine' }]): TimelineResponseBody {
  const faults = spans.filter((s) => s.kind === 'fault').map((s) => s.start);
  return { now, path: 'x.iommu', lanes, spans, dropped: 0, window: { from: 0, to: now }, held: { from: 0, to: now }, faults };
}

describe('time scale and ticks', () => {
  test('cycles 0…end span the plot right of the lane names', () => {
    assert.deepEqual(timeScale(100, width), { start: 0, end: 100, left: 120, pxPerCycle: 10 });
    assert.equal(xAt(timeScale(100, width), 0), 120);
    assert.equal(xAt(timeScale(100, width), 37), 490);
    assert.deepEqual(timeScale(250, 640), { start: 0, end: 250, left: 120, pxPerCycle: 2 });
  });

  test('a narrow panel keeps a 200 px plot, and cycle 0 alone still has a scale', () => {
    assert.deepEqual(timeScale(100, 100), { start: 0, end: 100, left: 120, pxPerCycle: 2 });
    assert.deepEqual(timeScale(0, width), { start: 0, end: 1, left: 120, pxPerCycle: 1000 });
  });

  test('ticks are 1, 2 or 5 × 10ⁿ cycles apart, at least 80 px, from 0 to the end', () => {
    assert.equal(tickStep(timeScale(100, width)), 10);
    assert.deepEqual(
      ticks(timeScale(100, width)).map((t) => [t.cycle, t.x]),
      [[0, 120], [10, 220], [20, 320], [30, 420], [40, 520], [50, 620], [60, 720], [70, 820], [80, 920], [90, 1020], [100, 1120]],
    );
    assert.deepEqual(ticks(timeScale(250, 640)).map((t) => t.cycle), [0, 50, 100, 150, 200, 250]);
    assert.deepEqual(ticks(timeScale(3000, 340)).map((t) => t.cycle), [0, 2000]);
    assert.equal(tickStep(timeScale(1_000_000, width)), 100_000);
    assert.equal(ticks(timeScale(1_000_000, width)).length, 11);
  });

  test('cycles are whole: a short run ticks every cycle, not every half', () => {
    assert.equal(tickStep(timeScale(7, width)), 1);
    assert.deepEqual(ticks(timeScale(7, width)).map((t) => t.cycle), [0, 1, 2, 3, 4, 5, 6, 7]);
  });
});

describe('lanes', () => {
  test('kernel lanes without spans are hidden; engines stay, in the adapter\'s order', () => {
    assert.deepEqual(visibleLanes(a530), [0, 1, 2, 4]);
    const idle = timeline([span(2, 'handler', 5, 9)], 10, [
      { name: 'gpu.cp', kind: 'engine' },
      { name: 'irq', kind: 'irq' },
      { name: 'iopf/0', kind: 'worker' },
    ]);
    assert.deepEqual(visibleLanes(idle), [0, 2]);
    assert.deepEqual(layoutTimeline(idle, width).lanes.map((l) => [l.name, l.top, l.height, l.rows]), [
      ['gpu.cp', 24, 24, 1],
      ['iopf/0', 48, 24, 1],
    ]);
  });
});

describe('sub-rows', () => {
  test('overlapping transactions get distinct rows; one starting when another ended reuses its row', () => {
    const t = timeline([span(0, 'transaction', 0, 10), span(0, 'transaction', 5, 20), span(0, 'transaction', 10, 15), span(0, 'transaction', 16, 30)], 30);
    assert.deepEqual([...stackRows(t)], [[0, 0], [1, 1], [2, 0], [3, 0]]);
    assert.equal(layoutTimeline(t, width).lanes[0]?.rows, 2);
  });

  test('each lane stacks on its own', () => {
    const t = timeline([span(0, 'transaction', 0, 10), span(1, 'transaction', 5, 20)], 20, [
      { name: 'a', kind: 'engine' },
      { name: 'b', kind: 'engine' },
    ]);
    assert.deepEqual([...stackRows(t)], [[0, 0], [1, 0]]);
  });

  test('an open transaction holds its row until now; two instants at one cycle do not share one', () => {
    const t = timeline([span(0, 'transaction', 0, null), span(0, 'transaction', 40, 45), span(0, 'handler', 50, 50), span(0, 'handler', 50, 50)], 60);
    assert.deepEqual([...stackRows(t)], [[0, 0], [1, 1], [2, 1], [3, 2]]);
  });
});

describe('spans on the drawing', () => {
  test('open spans are drawn to now', () => {
    assert.equal(endOf(span(0, 'transaction', 3, null), 50), 50);
    assert.equal(endOf(span(0, 'transaction', 3, 9), 50), 9);
    const [bar] = layoutTimeline(timeline([span(0, 'transaction', 20, null)], 50), 640).bars;
    // 500 px for 50 cycles: from cycle 20 (x 320) to now (x 620), less the pixel that keeps bars apart.
    assert.deepEqual([bar?.x, bar?.width, bar?.tone], [320, 299, 'open']);
  });

  test('a transaction is coloured by how it ended', () => {
    const t = timeline([span(0, 'transaction', 0, 5, 1, 'completed'), span(0, 'transaction', 0, 5, 2, 'aborted'), span(0, 'transaction', 0, 5, 3, 'raz'), span(0, 'transaction', 0, null, 4)], 10);
    assert.deepEqual(layoutTimeline(t, width).bars.map((b) => b.tone), ['completed', 'failed', 'failed', 'open']);
  });

  test('faults are points, not bars, on the row of the transaction they hit', () => {
    const t = timeline([span(0, 'transaction', 0, 40, 7), span(0, 'transaction', 2, null, 8), span(0, 'fault', 30, 30, 8)], 50);
    const layout = layoutTimeline(t, 640);
    assert.deepEqual(layout.bars.map((b) => b.span), [0, 1]);
    // Row 1 of the lane at y 24: 24 + 4 + 16, and half a row down to its centre.
    assert.deepEqual(layout.faults, [{ span: 2, x: 420, y: 52 }]);
  });

  test('a one-cycle span in a long run is still a pixel wide', () => {
    const [bar] = layoutTimeline(timeline([span(0, 'transaction', 10, 11)], 1_000_000), width).bars;
    assert.equal(bar?.width, 1);
  });

  test('back-to-back transactions keep a pixel between them; bars under 4 px keep all theirs', () => {
    // 900 px for 300 cycles: 3 px a cycle.
    const t = timeline([span(0, 'transaction', 0, 10), span(0, 'transaction', 10, 20), span(0, 'transaction', 20, 21)], 300);
    assert.deepEqual(layoutTimeline(t, 1040).bars.map((b) => [b.x, b.width]), [[120, 29], [150, 29], [180, 3]]);
  });
});

describe('stalls sit over their transaction', () => {
  test('inside the transaction\'s bar, from the stall to its end', () => {
    const t = timeline([span(0, 'transaction', 0, 60, 5), span(0, 'stall', 20, 60, 5)], 100);
    const [transaction, stall] = layoutTimeline(t, width).bars;
    assert.deepEqual(transaction, { span: 0, kind: 'transaction', tone: 'failed', x: 120, y: 30, width: 599, height: 12 });
    assert.deepEqual(stall, { span: 1, kind: 'stall', tone: 'ended', x: 320, y: 33, width: 399, height: 6 });
  });

  test('reads of one repeat line: each stall over its own read, found by the end they share', () => {
    const t = timeline(
      [span(0, 'transaction', 0, 15, 9), span(0, 'transaction', 10, null, 9), span(0, 'transaction', 20, 50, 9), span(0, 'stall', 25, null, 9), span(0, 'stall', 25, 50, 9)],
      60,
    );
    assert.deepEqual([...hosts(t)], [[3, 1], [4, 2]]);
    const rows = stackRows(t);
    assert.deepEqual([rows.get(1), rows.get(2)], [1, 0]);
    const stalls = layoutTimeline(t, width).bars.filter((b) => b.kind === 'stall');
    assert.deepEqual(stalls.map((s) => [s.span, s.y]), [[3, 24 + 4 + 16 + 2 + 3], [4, 24 + 4 + 2 + 3]]);
  });

  test('several faults on one line each take a different open read', () => {
    const t = timeline([span(0, 'transaction', 0, null, 9), span(0, 'transaction', 1, null, 9), span(0, 'fault', 5, 5, 9), span(0, 'fault', 6, 6, 9)], 10);
    assert.deepEqual([...hosts(t)], [[2, 0], [3, 1]]);
  });
});

test('the a530-stall-hupcf timeline at 1140 px, rectangle for rectangle', () => {
  const layout = layoutTimeline(a530, width);
  assert.deepEqual([layout.width, layout.height, layout.nowX], [1140, 184, 1120]);
  assert.deepEqual(layout.scale, { start: 0, end: 100, left: 120, pxPerCycle: 10 });
  assert.equal(layout.ticks.length, 11);
  assert.deepEqual(layout.lanes, [
    { lane: 0, name: 'gpu.cp', kind: 'engine', top: 24, height: 40, rows: 2 },
    { lane: 1, name: 'gpu.tp', kind: 'engine', top: 64, height: 72, rows: 4 },
    { lane: 2, name: 'irq', kind: 'irq', top: 136, height: 24, rows: 1 },
    { lane: 4, name: 'iopf/0', kind: 'worker', top: 160, height: 24, rows: 1 },
  ]);
  // Every bar a pixel short of its end cycle: the gap that keeps back-to-back bars apart.
  assert.deepEqual(layout.bars, [
    { span: 0, kind: 'transaction', tone: 'completed', x: 120, y: 30, width: 399, height: 12 },
    { span: 1, kind: 'transaction', tone: 'open', x: 130, y: 46, width: 989, height: 12 },
    { span: 4, kind: 'handler', tone: 'ended', x: 480, y: 142, width: 29, height: 12 },
    { span: 5, kind: 'transaction', tone: 'completed', x: 620, y: 70, width: 399, height: 12 },
    { span: 6, kind: 'handler', tone: 'open', x: 700, y: 166, width: 419, height: 12 },
    { span: 7, kind: 'transaction', tone: 'completed', x: 720, y: 86, width: 399, height: 12 },
    { span: 8, kind: 'transaction', tone: 'open', x: 820, y: 102, width: 299, height: 12 },
    { span: 9, kind: 'transaction', tone: 'open', x: 920, y: 118, width: 199, height: 12 },
    { span: 3, kind: 'stall', tone: 'open', x: 430, y: 49, width: 689, height: 6 },
  ]);
  assert.deepEqual(layout.faults, [{ span: 2, x: 430, y: 52 }]);
});

describe('a long run whose timeline keeps only its newest spans', () => {
  test('the drawing starts where the kept spans do, not at cycle 0: cycles 299,900…300,000 fill the plot', () => {
    const spans = [span(0, 'transaction', 299_900, 299_950, 5, 'completed'), span(0, 'fault', 300_000, 300_000, 6)];
    const kept = { ...timeline(spans, 300_000), dropped: 9_999, window: { from: 299_900, to: 300_000 }, held: { from: 299_900, to: 300_000 } };
    const layout = layoutTimeline(kept, width);
    assert.deepEqual(layout.scale, { start: 299_900, end: 300_000, left: 120, pxPerCycle: 10 });
    assert.deepEqual(layout.ticks.map((t) => t.cycle), [299_900, 299_910, 299_920, 299_930, 299_940, 299_950, 299_960, 299_970, 299_980, 299_990, 300_000]);
    assert.equal(layout.bars[0]?.x, 120);
    assert.equal(layout.bars[0]?.width, 499);
    assert.equal(layout.faults[0]?.x, 1120);
    assert.equal(layout.width, 1140);
  });
});

/** Every character 5 px wide: the webview measures its own font; the rule is the same. */
const fivePx = (text: string): number => text.length * 5;

describe('labels inside the bars', () => {
  test('a label is drawn when it fits whole with 3 px either side; else none', () => {
    // 20 characters: 100 px of text, 106 px of bar.
    assert.equal(fittingLabel('read 0x7000000 (bad)', 106, fivePx), 'read 0x7000000 (bad)');
    assert.equal(fittingLabel('read 0x7000000 (bad)', 105, fivePx), undefined);
  });

  test('a530 at 1140 px: every bar labelled but the IRQ half\'s 29 px, each 3 px into its bar, on its middle', () => {
    const layout = layoutTimeline(a530, width, { measure: fivePx });
    assert.deepEqual(
      layout.labels.map((l) => [l.span, l.x, l.y, l.text]),
      [
        [0, 123, 36, 'read 0x1000000'],
        [1, 133, 52, 'read 0x7000000 (bad)'],
        [5, 623, 76, 'read 0x1002000 (tex)'],
        [6, 703, 172, 'gpu_fault'],
        [7, 723, 92, 'read 0x1002040 (tex)'],
        [8, 823, 108, 'read 0x1002080 (tex)'],
        [9, 923, 124, 'read 0x10020c0 (tex)'],
      ],
    );
    assert.deepEqual(layoutTimeline(a530, width).labels, [], 'nothing to measure with: no labels');
  });

  test('labels never overlap: each lies inside its own bar, and bars of a row never overlap', () => {
    const layout = layoutTimeline(a530, width, { measure: fivePx });
    for (const label of layout.labels) {
      const bar = layout.bars.find((b) => b.span === label.span);
      assert.ok(bar && label.x >= bar.x && label.x + fivePx(label.text) <= bar.x + bar.width && label.y > bar.y && label.y < bar.y + bar.height, label.text);
    }
  });
});

describe('a view of some cycles', () => {
  test('cycles 50…100 of a530: only the spans in it, cut at the plot\'s left edge; the fault at 31 is out of view', () => {
    const layout = layoutTimeline(a530, width, { view: { start: 50, end: 100 } });
    assert.deepEqual(layout.scale, { start: 50, end: 100, left: 120, pxPerCycle: 20 });
    assert.deepEqual(
      layout.bars.map((b) => [b.span, b.x, b.width]),
      [[1, 120, 999], [5, 120, 799], [6, 280, 839], [7, 320, 799], [8, 520, 599], [9, 720, 399], [3, 120, 999]],
    );
    assert.deepEqual(layout.faults, []);
    assert.equal(layout.nowX, 1120);
    assert.equal(layout.lanes[0]?.rows, 1, 'the read that ended at 40 takes no row');
  });

  test('a span that only touches an edge is not drawn; a fault on an edge is', () => {
    const t = timeline([span(0, 'transaction', 0, 40), span(0, 'transaction', 40, 80), span(0, 'fault', 40, 40), span(0, 'transaction', 80, 90)], 100);
    assert.deepEqual(layoutTimeline(t, width, { view: { start: 40, end: 80 } }).bars.map((b) => b.span), [1]);
    assert.deepEqual(layoutTimeline(t, width, { view: { start: 40, end: 80 } }).faults.map((f) => f.span), [2]);
    assert.deepEqual(layoutTimeline(t, width, { view: { start: 0, end: 40 } }).faults.map((f) => f.span), [2]);
  });

  test('a view before now draws no now line; the pointer\'s cycle is the inverse of x', () => {
    const layout = layoutTimeline(a530, width, { view: { start: 0, end: 50 } });
    assert.equal(layout.nowX, null);
    assert.equal(cycleAt(layout.scale, 120), 0);
    assert.equal(cycleAt(layout.scale, 530), 20.5);
    assert.equal(xAt(layout.scale, cycleAt(layout.scale, 777)), 777);
  });
});
