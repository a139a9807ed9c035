/**
 * Which cycles the drawing shows, and how pan, zoom and "go to a fault" move them. Pure and
 * in whole cycles, so the node tests can check every number the range text shows.
 */
import type { CycleRange } from '../../debug-adapter/protocol';

/** Cycles `start`…`end` across the plot; `end` > `start`. */
export interface View {
  start: number;
  end: number;
}

export const viewLimits = {
  /** The narrowest view: a few cycles, enough to tell a one-cycle span from the next. */
  minCycles: 10,
  /** A stop or a fault is shown this wide at first: a 40-cycle read gets ~130 px, room for its label. */
  defaultCycles: 300,
  /** One step of the zoom buttons and keys. */
  zoomStep: 2,
  /** The arrow keys and buttons move the view by this share of its width. */
  panShare: 0.25,
  /** Ctrl+wheel: this many pixels of wheel zoom by one `zoomStep` (a mouse's notch is 100: √2). */
  wheelPixelsPerStep: 200,
} as const;

/** The zoom factor of a Ctrl+wheel (or a trackpad's pinch) of `deltaY` pixels: up zooms in. */
export function wheelZoomFactor(deltaY: number): number {
  return viewLimits.zoomStep ** (-deltaY / viewLimits.wheelPixelsPerStep);
}

function width(view: View): number {
  return view.end - view.start;
}

/** The widest view: every cycle held (at least `minCycles`). */
function maxCycles(held: CycleRange): number {
  return Math.max(held.to - held.from, viewLimits.minCycles);
}

/** A whole number of cycles from a few to the whole run. */
function clampWidth(cycles: number, held: CycleRange): number {
  return Math.min(Math.max(Math.round(cycles), viewLimits.minCycles), maxCycles(held));
}

/**
 * `cycles` wide (within the limits), its start where asked as far as the run allows: never
 * before the first cycle held; past the last, by at most half the view (the current cycle can
 * sit in its middle, the future empty on its right), and only by what the view leaves of the
 * run (zoomed all the way out, it shows the whole run).
 */
function placed(start: number, cycles: number, held: CycleRange): View {
  const w = clampWidth(cycles, held);
  const pastTheEnd = Math.min(Math.floor(w / 2), maxCycles(held) - w);
  const latest = Math.max(held.from, held.to - w + pastTheEnd);
  const s = Math.min(Math.max(Math.round(start), held.from), latest);
  return { start: s, end: s + w };
}

/** Everything held. */
export function fitAll(held: CycleRange): View {
  return placed(held.from, maxCycles(held), held);
}

/** `cycles` wide with `cycle` in the middle, as far as the run allows. */
export function centredOn(cycle: number, cycles: number, held: CycleRange): View {
  const w = clampWidth(cycles, held);
  return placed(cycle - Math.floor(w / 2), w, held);
}

/** Where a stop is shown: its cycle in the middle, as wide as the view was (the default at first); a short run whole. */
export function atStop(cycle: number, held: CycleRange, previous: View | undefined): View {
  const cycles = previous ? width(previous) : viewLimits.defaultCycles;
  return cycles >= maxCycles(held) ? fitAll(held) : centredOn(cycle, cycles, held);
}

/** Zoomed by `factor` (> 1 narrows: zoom in) around `cycle`, which stays where it is on the plot. */
export function zoomAround(view: View, factor: number, cycle: number, held: CycleRange): View {
  const w = clampWidth(width(view) / factor, held);
  return placed(cycle - ((cycle - view.start) * w) / width(view), w, held);
}

/** Moved by `cycles` (negative: earlier). */
export function panBy(view: View, cycles: number, held: CycleRange): View {
  return placed(view.start + cycles, width(view), held);
}

/** The arrow keys' and buttons' step: a quarter of the view, at least a cycle. */
export function panStep(view: View): number {
  return Math.max(1, Math.round(width(view) * viewLimits.panShare));
}

/**
 * The fault "◀ Fault" (-1) or "Fault ▶" (+1) goes to: the one before or after the selected
 * one, or, with none selected, the nearest before or after the middle of the view.
 */
export function nextFault(faults: readonly number[], selected: number | undefined, view: View, direction: 1 | -1): number | undefined {
  if (selected !== undefined) {
    const index = selected + direction;
    return index >= 0 && index < faults.length ? index : undefined;
  }
  const middle = (view.start + view.end) / 2;
  if (direction === 1) {
    const index = faults.findIndex((cycle) => cycle > middle);
    return index === -1 ? undefined : index;
  }
  for (let index = faults.length - 1; index >= 0; index--) if ((faults[index] ?? middle) < middle) return index;
  return undefined;
}

/** The cycles to ask the adapter for so a view can pan a whole width either way without asking again. */
export function windowFor(view: View, held: CycleRange): CycleRange {
  const w = width(view);
  return { from: Math.max(held.from, view.start - w), to: Math.min(held.to, view.end + w) };
}

/** Whether spans fetched for `window` are all the view needs (nothing is held outside `held`). */
export function covers(window: CycleRange, view: View, held: CycleRange): boolean {
  return window.from <= Math.max(view.start, held.from) && window.to >= Math.min(view.end, held.to);
}

/** 299700 → `299,700`: digits grouped the same in every locale. */
export function groupDigits(cycle: number): string {
  return String(cycle).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** The range text over the drawing: `cycles 299,700–300,000`. */
export function rangeText(view: View): string {
  return `cycles ${groupDigits(view.start)}–${groupDigits(view.end)}`;
}
