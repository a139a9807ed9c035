/** Turns a laid-out timeline into one SVG element, built once per update (no animation, no per-frame work). */
import type { TimelineResponseBody } from '../../debug-adapter/protocol';
import { describeSpan } from './captions';
import { metrics, TimelineLayout } from './layout';

const svgNamespace = 'http://www.w3.org/2000/svg';
/** Half the diagonal of a fault's diamond. */
const faultRadius = 5;

function svg<K extends keyof SVGElementTagNameMap>(name: K, attributes: Record<string, string | number>, text?: string): SVGElementTagNameMap[K] {
  const element = document.createElementNS(svgNamespace, name);
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, String(value));
  // textContent, never markup: labels come from the scenario file.
  if (text !== undefined) element.textContent = text;
  return element;
}

/** A shape standing for span `index`: hover shows its tooltip; click and Enter find it by `data-span`. */
function spanShape<T extends SVGElement>(shape: T, index: number, tooltip: string): T {
  shape.setAttribute('data-span', String(index));
  shape.setAttribute('tabindex', '0');
  shape.setAttribute('role', 'button');
  shape.setAttribute('aria-label', tooltip.split('\n').slice(0, 2).join(', '));
  shape.append(svg('title', {}, tooltip));
  return shape;
}

function group(className: string, children: SVGElement[]): SVGGElement {
  const g = svg('g', { class: className });
  g.append(...children);
  return g;
}

/** `selected`: the index of the span of the fault gone to, drawn marked. */
export function renderTimeline(layout: TimelineLayout, timeline: TimelineResponseBody, selected?: number): SVGSVGElement {
  const { spans, now } = timeline;
  const root = svg('svg', { class: 'timeline', width: layout.width, height: layout.height, role: 'group', 'aria-label': `Transaction timeline at cycle ${now}` });

  const lanes = layout.lanes.flatMap((lane, order) => [
    svg('rect', { class: order % 2 === 0 ? 'lane' : 'lane alternate', x: 0, y: lane.top, width: layout.width, height: lane.height }),
    svg('text', { class: `lane-name ${lane.kind}`, x: 6, y: lane.top + metrics.lanePadding + metrics.rowHeight / 2 }, lane.name),
  ]);
  const axis = layout.ticks.flatMap((tick) => [
    svg('line', { class: 'grid', x1: tick.x, x2: tick.x, y1: metrics.axisHeight - 4, y2: layout.height }),
    svg('text', { class: 'tick', x: tick.x, y: metrics.axisHeight - 8 }, String(tick.cycle)),
  ]);
  const bars = layout.bars.flatMap((bar) => {
    const span = spans[bar.span];
    if (!span) return [];
    const rect = svg('rect', { class: `span ${bar.kind} ${bar.tone}`, x: bar.x, y: bar.y, width: bar.width, height: bar.height });
    return [spanShape(rect, bar.span, describeSpan(span, now))];
  });
  const faults = layout.faults.flatMap((fault) => {
    const span = spans[fault.span];
    if (!span) return [];
    const { x, y } = fault;
    const r = faultRadius;
    const isSelected = fault.span === selected;
    const diamond = svg('path', { class: isSelected ? 'span fault selected' : 'span fault', d: `M${x} ${y - r}L${x + r} ${y}L${x} ${y + r}L${x - r} ${y}Z` });
    if (isSelected) diamond.setAttribute('aria-current', 'true');
    return [spanShape(diamond, fault.span, describeSpan(span, now))];
  });
  // Text only, hidden from screen readers (the bar's aria-label says it) and letting clicks through to the bar.
  const labels = layout.labels.map((label) => svg('text', { class: 'bar-label', x: label.x, y: label.y, 'font-size': metrics.labelFontSize, 'aria-hidden': 'true' }, label.text));
  root.append(group('lanes', lanes), group('axis', axis), group('bars', bars), group('labels', labels), group('faults', faults));
  // No tooltip: the line lets clicks through to the spans under it; the status line names the cycle.
  if (layout.nowX !== null) root.append(svg('line', { class: 'now', x1: layout.nowX, x2: layout.nowX, y1: metrics.axisHeight - 4, y2: layout.height }));
  return root;
}
