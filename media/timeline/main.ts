/**
 * The timeline webview: draws what the host sends, keeps the last drawing while the
 * session runs or after it ends, asks the host to open a span's line, and moves around the
 * run — pan, zoom, faults — asking the host for the spans of cycles it does not have.
 */
import type { CycleRange, TimelineResponseBody } from '../../debug-adapter/protocol';
import type { HostToWebview, ToolbarButton } from '../../client/timeline/messages';
import { droppedNote, statusLine } from './captions';
import { cycleAt, layoutTimeline, metrics, TimelineLayout } from './layout';
import { renderTimeline } from './render';
import { atStop, centredOn, covers, fitAll, nextFault, panBy, panStep, rangeText, View, viewLimits, wheelZoomFactor, windowFor, zoomAround } from './view';
import { host } from './vscodeApi';

function byId(id: string): HTMLElement {
  const element = document.getElementById(id);
  if (!element) throw new Error(`the page has no #${id}`);
  return element;
}

function button(id: ToolbarButton): HTMLButtonElement {
  const element = byId(id);
  if (!(element instanceof HTMLButtonElement)) throw new Error(`#${id} is not a button`);
  return element;
}

const status = byId('status');
const note = byId('note');
const range = byId('range');
const canvas = byId('timeline');
const buttons = {
  prevFault: button('prev-fault'),
  nextFault: button('next-fault'),
  zoomOut: button('zoom-out'),
  zoomIn: button('zoom-in'),
  panEarlier: button('pan-earlier'),
  panLater: button('pan-later'),
  fit: button('fit'),
};

let timeline: TimelineResponseBody | undefined;
let view: View | undefined;
/** The index into `timeline.faults` of the fault gone to. */
let selectedFault: number | undefined;
/** The window last asked of the host: not asked again while its answer is on its way. */
let asked: CycleRange | undefined;
let drawn: TimelineLayout | undefined;
let drawnWidth = 0;
let drawQueued = false;

const textContext = document.createElement('canvas').getContext('2d');

/** A label's width in the page's own font, so the fit rule matches what is drawn. */
function measure(text: string): number {
  if (!textContext) return Number.POSITIVE_INFINITY;
  return textContext.measureText(text).width;
}

/** The span of the selected fault: among faults at one cycle, the one of the same rank. */
function selectedSpan(t: TimelineResponseBody): number | undefined {
  if (selectedFault === undefined) return undefined;
  const cycle = t.faults[selectedFault];
  const rank = t.faults.slice(0, selectedFault).filter((c) => c === cycle).length;
  const atCycle = t.spans.flatMap((span, index) => (span.kind === 'fault' && span.start === cycle ? [index] : []));
  return atCycle[rank] ?? atCycle[0];
}

function draw(): void {
  if (!timeline || !view) return;
  if (textContext) textContext.font = `${metrics.labelFontSize}px ${getComputedStyle(canvas).fontFamily}`;
  drawnWidth = canvas.clientWidth;
  drawn = layoutTimeline(timeline, drawnWidth, { view, measure });
  canvas.replaceChildren(renderTimeline(drawn, timeline, selectedSpan(timeline)));
  range.textContent = rangeText(view);
  buttons.prevFault.disabled = nextFault(timeline.faults, selectedFault, view, -1) === undefined;
  buttons.nextFault.disabled = nextFault(timeline.faults, selectedFault, view, 1) === undefined;
}

/** One drawing per frame, however many wheel events arrive in it. */
function queueDraw(): void {
  if (drawQueued) return;
  drawQueued = true;
  requestAnimationFrame(() => {
    drawQueued = false;
    draw();
  });
}

/** Shows `next`, asking the host for the spans around it when the ones held here do not reach. */
function show(next: View): void {
  view = next;
  // A selected fault the view has left is no longer where ◀ Fault and Fault ▶ count from: the middle is.
  const selected = selectedFault === undefined ? undefined : timeline?.faults[selectedFault];
  if (selected !== undefined && (selected < next.start || selected > next.end)) selectedFault = undefined;
  if (timeline && !covers(timeline.window, next, timeline.held) && !(asked && covers(asked, next, timeline.held))) {
    asked = windowFor(next, timeline.held);
    host.postMessage({ type: 'window', from: asked.from, to: asked.to });
  }
  queueDraw();
}

function goToFault(index: number | undefined): void {
  const cycle = index === undefined ? undefined : timeline?.faults[index];
  if (!timeline || !view || cycle === undefined) return;
  selectedFault = index;
  show(centredOn(cycle, view.end - view.start, timeline.held));
}

function receive(message: HostToWebview): void {
  switch (message.type) {
    case 'timeline':
      timeline = message.timeline;
      status.textContent = statusLine('stopped', timeline.now);
      note.textContent = droppedNote(timeline.dropped);
      note.hidden = timeline.dropped === 0;
      if (message.cause === 'stop') {
        // A new stop: around its cycle, as wide as the view was.
        asked = undefined;
        selectedFault = undefined;
        show(atStop(timeline.now, timeline.held, view));
      } else queueDraw();
      return;
    case 'goToFault': {
      if (!timeline || !view) return;
      const index = timeline.faults.indexOf(message.cycle);
      if (index !== -1) goToFault(index);
      else {
        // A fault whose spans are no longer held: its cycle all the same, with nothing to select.
        selectedFault = undefined;
        show(centredOn(message.cycle, view.end - view.start, timeline.held));
      }
      return;
    }
    case 'session':
      status.textContent = statusLine(message.state, timeline?.now);
      return;
    case 'error':
      status.textContent = message.message;
      return;
  }
}

/** What the toolbar and keys do; each returns nothing when there is no drawing yet. */
const actions = {
  zoom(factor: number, cycle?: number): void {
    if (timeline && view) show(zoomAround(view, factor, cycle ?? (view.start + view.end) / 2, timeline.held));
  },
  pan(direction: 1 | -1): void {
    if (timeline && view) show(panBy(view, direction * panStep(view), timeline.held));
  },
  fit(): void {
    if (timeline) show(fitAll(timeline.held));
  },
  fault(direction: 1 | -1): void {
    if (timeline && view) goToFault(nextFault(timeline.faults, selectedFault, view, direction));
  },
};

buttons.zoomIn.addEventListener('click', () => actions.zoom(viewLimits.zoomStep));
buttons.zoomOut.addEventListener('click', () => actions.zoom(1 / viewLimits.zoomStep));
buttons.panEarlier.addEventListener('click', () => actions.pan(-1));
buttons.panLater.addEventListener('click', () => actions.pan(1));
buttons.fit.addEventListener('click', () => actions.fit());
buttons.prevFault.addEventListener('click', () => actions.fault(-1));
buttons.nextFault.addEventListener('click', () => actions.fault(1));

const keys: Record<string, () => void> = {
  '+': () => actions.zoom(viewLimits.zoomStep),
  '=': () => actions.zoom(viewLimits.zoomStep),
  '-': () => actions.zoom(1 / viewLimits.zoomStep),
  ArrowLeft: () => actions.pan(-1),
  ArrowRight: () => actions.pan(1),
  Home: () => actions.fit(),
  '[': () => actions.fault(-1),
  ']': () => actions.fault(1),
};

document.addEventListener('keydown', (event) => {
  const action = keys[event.key];
  if (!action || event.ctrlKey || event.metaKey || event.altKey) return;
  event.preventDefault();
  action();
});

/** The x of a pointer event on the drawing, in the layout's pixels. */
function pointerX(event: MouseEvent): number {
  const svg = canvas.firstElementChild;
  return event.clientX - (svg ? svg.getBoundingClientRect().left : 0);
}

// Ctrl+wheel (a trackpad's pinch) zooms around the pointer; any other wheel pans in time.
canvas.addEventListener(
  'wheel',
  (event) => {
    if (!timeline || !view || !drawn) return;
    event.preventDefault();
    // Lines (Firefox) or pages, in pixels.
    const unit = event.deltaMode === WheelEvent.DOM_DELTA_LINE ? 16 : event.deltaMode === WheelEvent.DOM_DELTA_PAGE ? canvas.clientWidth : 1;
    if (event.ctrlKey) actions.zoom(wheelZoomFactor(event.deltaY * unit), cycleAt(drawn.scale, pointerX(event)));
    else show(panBy(view, ((event.deltaX || event.deltaY) * unit) / drawn.scale.pxPerCycle, timeline.held));
  },
  { passive: false },
);

/** A press on the drawing, until it is let go: it becomes a drag once it has moved a few pixels. */
let press: { x: number; view: View; pxPerCycle: number; dragging: boolean } | undefined;
/** The click that ends a drag is not a click on a span. */
let dragEnded = false;
const dragFrom = 4;

canvas.addEventListener('pointerdown', (event) => {
  if (event.button !== 0 || !view || !drawn) return;
  press = { x: event.clientX, view, pxPerCycle: drawn.scale.pxPerCycle, dragging: false };
  dragEnded = false;
});
canvas.addEventListener('pointermove', (event) => {
  if (!press || !timeline) return;
  const dx = event.clientX - press.x;
  if (!press.dragging && Math.abs(dx) < dragFrom) return;
  if (!press.dragging) canvas.setPointerCapture(event.pointerId);
  press.dragging = true;
  show(panBy(press.view, -dx / press.pxPerCycle, timeline.held));
});
const release = (): void => {
  dragEnded = press?.dragging ?? false;
  press = undefined;
};
canvas.addEventListener('pointerup', release);
canvas.addEventListener('pointercancel', release);

/** Asks the host to open the line of the span `target` stands for; false when it stands for none. */
function reveal(target: EventTarget | null): boolean {
  const shape = target instanceof Element ? target.closest('[data-span]') : null;
  const span = shape ? timeline?.spans[Number(shape.getAttribute('data-span'))] : undefined;
  if (!span) return false;
  host.postMessage({ type: 'reveal', line: span.line });
  return true;
}

// One listener for every span: 4000 shapes need no 4000 handlers.
canvas.addEventListener('click', (event) => {
  if (dragEnded) dragEnded = false;
  else reveal(event.target);
});
canvas.addEventListener('keydown', (event) => {
  if ((event.key === 'Enter' || event.key === ' ') && reveal(event.target)) event.preventDefault();
});

// The scale follows the panel's width: redraw once per resize burst, and only when it changed.
window.addEventListener('resize', () => {
  if (canvas.clientWidth !== drawnWidth) queueDraw();
});

window.addEventListener('message', (event: MessageEvent<HostToWebview>) => receive(event.data));
host.postMessage({ type: 'ready' });
