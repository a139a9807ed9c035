/**
 * Where everything of a timeline goes, in CSS pixels: the time scale and its ticks, the
 * lanes and their sub-rows, a rectangle per span and a point per fault. Pure — no DOM —
 * so the node tests can check the geometry and the renderer only turns it into SVG.
 */
import type { TimelineLane, TimelineResponseBody, TimelineSpan } from '../../debug-adapter/protocol';
import { fitAll, View } from './view';

export const metrics = {
  /** The column of lane names, left of the plot. */
  labelWidth: 120,
  /** Room right of the last cycle, for its tick label. */
  rightMargin: 20,
  /** The narrowest plot, however narrow the panel: the page scrolls instead. */
  minPlotWidth: 200,
  axisHeight: 24,
  rowHeight: 16,
  barHeight: 12,
  /** A stall band sits inside its transaction's bar, this much from its top and bottom. */
  stallInset: 3,
  lanePadding: 4,
  /** Tick labels are cycle numbers: this keeps ten digits apart. */
  minTickSpacing: 80,
  /** A one-cycle span in a million-cycle run would otherwise not be drawn at all. */
  minBarWidth: 1,
  /** Back-to-back transactions would read as one bar: a bar this wide or wider gives up its last pixel. */
  gapFrom: 4,
  /** A bar's label: this size, so it fits the bar's height, and this far from the bar's left and right ends. */
  labelFontSize: 10,
  labelPadding: 3,
} as const;

/** How wide a text is drawn at `labelFontSize`, in CSS pixels: the webview measures it with its own font. */
export type MeasureText = (text: string) => number;

export interface TimeScale {
  /** The first cycle drawn: 0, or where the spans a long run keeps begin. */
  start: number;
  /** The last cycle drawn. */
  end: number;
  /** The x of cycle `start`. */
  left: number;
  pxPerCycle: number;
}

export interface Tick {
  cycle: number;
  x: number;
}

export interface LaneBox {
  /** Index into the timeline's `lanes`. */
  lane: number;
  name: string;
  kind: TimelineLane['kind'];
  top: number;
  height: number;
  rows: number;
}

/** How a span is coloured: a transaction by how it ended; anything still open alike. */
export type Tone = 'completed' | 'failed' | 'open' | 'ended';

export interface Bar {
  /** Index into the timeline's `spans`. */
  span: number;
  kind: 'transaction' | 'handler' | 'stall';
  tone: Tone;
  x: number;
  y: number;
  width: number;
  height: number;
}

/** A bar's label, drawn inside it from (x, middle y). */
export interface Label {
  span: number;
  x: number;
  y: number;
  text: string;
}

/** A fault: an instant, drawn centred on (x, y). */
export interface Marker {
  span: number;
  x: number;
  y: number;
}

export interface TimelineLayout {
  width: number;
  height: number;
  scale: TimeScale;
  ticks: Tick[];
  lanes: LaneBox[];
  /** Transactions and handler runs, then the stalls that sit over them. */
  bars: Bar[];
  faults: Marker[];
  /** Labels of the transactions and handler runs wide enough for them. */
  labels: Label[];
  /** The x of the current cycle; null when the view is away from it. */
  nowX: number | null;
}

export interface LayoutOptions {
  /** The cycles to draw; all held when left out. */
  view?: View;
  /** Without it, no labels. */
  measure?: MeasureText;
}

/** Cycles start…end across `width` pixels, right of the lane names. */
export function timeScale(end: number, width: number, start = 0): TimeScale {
  const plot = Math.max(width - metrics.labelWidth - metrics.rightMargin, metrics.minPlotWidth);
  const cycles = Math.max(end - start, 1);
  return { start, end: start + cycles, left: metrics.labelWidth, pxPerCycle: plot / cycles };
}

export function xAt(scale: TimeScale, cycle: number): number {
  return scale.left + (cycle - scale.start) * scale.pxPerCycle;
}

/** The cycle at `x` (the inverse of `xAt`), for the pointer's place. */
export function cycleAt(scale: TimeScale, x: number): number {
  return scale.start + (x - scale.left) / scale.pxPerCycle;
}

/** The smallest 1, 2 or 5 × 10ⁿ cycles that keeps ticks `minTickSpacing` apart; cycles are whole. */
export function tickStep(scale: TimeScale): number {
  const wanted = metrics.minTickSpacing / scale.pxPerCycle;
  let magnitude = 1;
  while (magnitude * 10 <= wanted) magnitude *= 10;
  for (const factor of [1, 2, 5]) {
    if (factor * magnitude >= wanted) return factor * magnitude;
  }
  return 10 * magnitude;
}

export function ticks(scale: TimeScale): Tick[] {
  const step = tickStep(scale);
  const result: Tick[] = [];
  for (let cycle = Math.ceil(scale.start / step) * step; cycle <= scale.end; cycle += step) result.push({ cycle, x: xAt(scale, cycle) });
  return result;
}

/** Where a span ends on the drawing: an open one lasts until now. */
export function endOf(span: TimelineSpan, now: number): number {
  return span.end ?? Math.max(now, span.start);
}

/** Engines always have a lane; a kernel thread only once it has run something. */
export function visibleLanes(timeline: TimelineResponseBody): number[] {
  const busy = new Set(timeline.spans.map((s) => s.lane));
  return timeline.lanes.flatMap((lane, index) => (lane.kind === 'engine' || busy.has(index) ? [index] : []));
}

function isBar(span: TimelineSpan): boolean {
  return span.kind === 'transaction' || span.kind === 'handler';
}

function byStart(spans: readonly TimelineSpan[]): (a: number, b: number) => number {
  return (a, b) => (spans[a]?.start ?? 0) - (spans[b]?.start ?? 0) || a - b;
}

/**
 * Gives each transaction or handler run the lowest sub-row of its lane that is free when it
 * starts, so overlapping ones never cover each other. A span holds its row for at least a
 * cycle: two instants at one cycle would otherwise share a pixel.
 */
export function stackRows(timeline: TimelineResponseBody, drawn: (span: TimelineSpan) => boolean = () => true): Map<number, number> {
  const rows = new Map<number, number>();
  const rowEnds = new Map<number, number[]>();
  const order = timeline.spans.flatMap((span, index) => (isBar(span) && drawn(span) ? [index] : [])).sort(byStart(timeline.spans));
  for (const index of order) {
    const span = timeline.spans[index];
    if (!span) continue;
    const ends = rowEnds.get(span.lane) ?? [];
    rowEnds.set(span.lane, ends);
    const free = ends.findIndex((end) => end <= span.start);
    const row = free === -1 ? ends.length : free;
    ends[row] = Math.max(endOf(span, timeline.now), span.start + 1);
    rows.set(index, row);
  }
  return rows;
}

/**
 * The transaction a stall or fault belongs to. The adapter does not name it, so: the same
 * engine and scenario line, issued no later, still going at the fault (a stall ends with
 * its transaction). Among several — reads of one `repeat` line — each takes the earliest
 * not yet taken by another of its kind.
 */
export function hosts(timeline: TimelineResponseBody): Map<number, number> {
  const { spans, now } = timeline;
  const byPlace = new Map<string, number[]>();
  spans.forEach((span, index) => {
    if (span.kind !== 'transaction') return;
    const key = `${span.lane}:${span.line}`;
    const list = byPlace.get(key) ?? [];
    list.push(index);
    byPlace.set(key, list);
  });
  for (const list of byPlace.values()) list.sort(byStart(spans));

  const result = new Map<number, number>();
  const taken = { stall: new Set<number>(), fault: new Set<number>() };
  spans.forEach((span, index) => {
    const kind = span.kind;
    if (kind !== 'stall' && kind !== 'fault') return;
    const candidates = (byPlace.get(`${span.lane}:${span.line}`) ?? []).filter((t) => {
      const transaction = spans[t];
      if (!transaction || transaction.start > span.start) return false;
      return kind === 'stall' ? transaction.end === span.end : endOf(transaction, now) >= span.start;
    });
    const host = candidates.find((t) => !taken[kind].has(t)) ?? candidates[0];
    if (host === undefined) return;
    taken[kind].add(host);
    result.set(index, host);
  });
  return result;
}

function toneOf(span: TimelineSpan): Tone {
  if (span.end === null) return 'open';
  if (span.kind !== 'transaction') return 'ended';
  return span.status === 'completed' ? 'completed' : 'failed';
}

/** Whether a span has any cycle in the view: only those are laid out. */
function inView(view: View, now: number): (span: TimelineSpan) => boolean {
  return (span) => {
    const end = endOf(span, now);
    // A span that only touches an edge would be a sliver there; an instant (a fault) is drawn on it.
    return end === span.start ? span.start >= view.start && span.start <= view.end : span.start < view.end && end > view.start;
  };
}

/** The label of a bar `width` px wide, when it fits whole with its padding; none else (its tooltip says it all). */
export function fittingLabel(text: string, width: number, measure: MeasureText): string | undefined {
  return measure(text) + 2 * metrics.labelPadding <= width ? text : undefined;
}

export function layoutTimeline(timeline: TimelineResponseBody, width: number, options: LayoutOptions = {}): TimelineLayout {
  const { spans, now } = timeline;
  const view = options.view ?? fitAll(timeline.held);
  const scale = timeScale(view.end, width, view.start);
  const drawn = inView(view, now);
  const rows = stackRows(timeline, drawn);
  const hostOf = hosts(timeline);

  const rowCount = new Map<number, number>();
  for (const [index, row] of rows) {
    const lane = spans[index]?.lane ?? -1;
    rowCount.set(lane, Math.max(rowCount.get(lane) ?? 1, row + 1));
  }
  const lanes: LaneBox[] = [];
  let top = metrics.axisHeight;
  for (const index of visibleLanes(timeline)) {
    const lane = timeline.lanes[index];
    if (!lane) continue;
    const laneRows = rowCount.get(index) ?? 1;
    const height = 2 * metrics.lanePadding + laneRows * metrics.rowHeight;
    lanes.push({ lane: index, name: lane.name, kind: lane.kind, top, height, rows: laneRows });
    top += height;
  }
  const laneTop = new Map(lanes.map((box) => [box.lane, box.top]));
  const rowTop = (span: TimelineSpan, row: number): number | undefined => {
    const laneY = laneTop.get(span.lane);
    return laneY === undefined ? undefined : laneY + metrics.lanePadding + row * metrics.rowHeight;
  };
  // A bar sits centred in its row.
  const barInset = (metrics.rowHeight - metrics.barHeight) / 2;
  // A span reaching out of the view is cut at the plot's edges: it must not cover the lane names.
  const plotRight = xAt(scale, scale.end);
  const horizontal = (span: TimelineSpan): { x: number; width: number } => {
    const x = Math.max(xAt(scale, span.start), scale.left);
    const width = Math.max(Math.min(xAt(scale, endOf(span, now)), plotRight) - x, metrics.minBarWidth);
    return { x, width: width >= metrics.gapFrom ? width - 1 : width };
  };

  const bars: Bar[] = [];
  const overlays: Bar[] = [];
  const faults: Marker[] = [];
  const labels: Label[] = [];
  spans.forEach((span, index) => {
    if (!drawn(span)) return;
    const hostRow = rows.get(hostOf.get(index) ?? -1) ?? 0;
    const y = rowTop(span, rows.get(index) ?? hostRow);
    if (y === undefined) return;
    switch (span.kind) {
      case 'transaction':
      case 'handler': {
        const bar: Bar = { span: index, kind: span.kind, tone: toneOf(span), ...horizontal(span), y: y + barInset, height: metrics.barHeight };
        bars.push(bar);
        // Inside its own bar, and bars of a lane never overlap (stackRows): labels never do either.
        const text = options.measure && fittingLabel(span.label, bar.width, options.measure);
        if (text) labels.push({ span: index, x: bar.x + metrics.labelPadding, y: bar.y + bar.height / 2, text });
        return;
      }
      case 'stall':
        overlays.push({
          span: index,
          kind: 'stall',
          tone: toneOf(span),
          ...horizontal(span),
          y: y + barInset + metrics.stallInset,
          height: metrics.barHeight - 2 * metrics.stallInset,
        });
        return;
      case 'fault':
        faults.push({ span: index, x: xAt(scale, span.start), y: y + metrics.rowHeight / 2 });
        return;
    }
  });

  return {
    width: scale.left + (scale.end - scale.start) * scale.pxPerCycle + metrics.rightMargin,
    height: top,
    scale,
    ticks: ticks(scale),
    lanes,
    bars: [...bars, ...overlays],
    faults,
    labels,
    nowX: now >= scale.start && now <= scale.end ? xAt(scale, now) : null,
  };
}
