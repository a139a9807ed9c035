/**
 * The timeline webview: draws what the host sends, keeps the last drawing while the
 * session runs or after it ends, and asks the host to open a span's line.
 */
import type { TimelineResponseBody } from '../../debug-adapter/protocol';
import type { HostToWebview } from '../../client/timeline/messages';
import { droppedNote, statusLine } from './captions';
import { layoutTimeline } from './layout';
import { renderTimeline } from './render';
import { host } from './vscodeApi';

function byId(id: string): HTMLElement {
  const element = document.getElementById(id);
  if (!element) throw new Error(`the page has no #${id}`);
  return element;
}

const status = byId('status');
const note = byId('note');
const canvas = byId('timeline');

let timeline: TimelineResponseBody | undefined;
let drawnWidth = 0;
let redrawQueued = false;

function draw(): void {
  if (!timeline) return;
  drawnWidth = canvas.clientWidth;
  canvas.replaceChildren(renderTimeline(layoutTimeline(timeline, drawnWidth), timeline));
}

function receive(message: HostToWebview): void {
  switch (message.type) {
    case 'timeline':
      timeline = message.timeline;
      status.textContent = statusLine('stopped', timeline.now);
      note.textContent = droppedNote(timeline.dropped);
      note.hidden = timeline.dropped === 0;
      draw();
      return;
    case 'session':
      status.textContent = statusLine(message.state, timeline?.now);
      return;
    case 'error':
      status.textContent = message.message;
      return;
  }
}

/** Asks the host to open the line of the span `target` stands for; false when it stands for none. */
function reveal(target: EventTarget | null): boolean {
  const shape = target instanceof Element ? target.closest('[data-span]') : null;
  const span = shape ? timeline?.spans[Number(shape.getAttribute('data-span'))] : undefined;
  if (!span) return false;
  host.postMessage({ type: 'reveal', line: span.line });
  return true;
}

// One listener for every span: 4000 shapes need no 4000 handlers.
canvas.addEventListener('click', (event) => reveal(event.target));
canvas.addEventListener('keydown', (event) => {
  if ((event.key === 'Enter' || event.key === ' ') && reveal(event.target)) event.preventDefault();
});

// The scale follows the panel's width: redraw once per resize burst, and only when it changed.
window.addEventListener('resize', () => {
  if (redrawQueued) return;
  redrawQueued = true;
  requestAnimationFrame(() => {
    redrawQueued = false;
    if (canvas.clientWidth !== drawnWidth) draw();
  });
});

window.addEventListener('message', (event: MessageEvent<HostToWebview>) => receive(event.data));
host.postMessage({ type: 'ready' });
