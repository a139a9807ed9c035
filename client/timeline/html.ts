/** The timeline webview's page: a fixed skeleton the script fills, under a strict Content-Security-Policy. */
import { randomBytes } from 'node:crypto';
import type { ToolbarButton } from './messages';

export interface TimelinePageResources {
  /** `webview.cspSource`: where the webview may load the script and style from. */
  cspSource: string;
  /** Allows the one script tag of this page and no other. */
  nonce: string;
  /** `webview.asWebviewUri` of dist/webview/timeline.js and media/timeline.css. */
  scriptUri: string;
  styleUri: string;
}

/** A fresh nonce per page: 128 random bits, base64 as CSP wants it. */
export function createNonce(): string {
  return randomBytes(16).toString('base64');
}

function escapeAttribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Nothing but our own script and stylesheet: no inline code, no remote content. */
export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return `default-src 'none'; script-src 'nonce-${nonce}'; style-src ${cspSource}; img-src ${cspSource}`;
}

/** The toolbar: each button's id, text, and title (which names its key). */
const toolbarButtons: readonly (readonly [id: ToolbarButton, text: string, title: string])[] = [
  ['prev-fault', '◀ Fault', 'Go to the previous fault ([)'],
  ['next-fault', 'Fault ▶', 'Go to the next fault (])'],
  ['zoom-out', '−', 'Zoom out (-; Ctrl+wheel zooms around the pointer)'],
  ['zoom-in', '+', 'Zoom in (+)'],
  ['pan-earlier', '←', 'Earlier cycles (←; wheel or drag to pan)'],
  ['pan-later', '→', 'Later cycles (→)'],
  ['fit', 'Fit', 'Fit the whole run (Home)'],
];

const legend: readonly (readonly [className: string, text: string])[] = [
  ['completed', 'completed'],
  ['failed', 'aborted / RAZ'],
  ['open', 'in flight'],
  ['stall', 'stalled'],
  ['fault', 'fault'],
  ['handler', 'fault path'],
];

export function timelineHtml(resources: TimelinePageResources): string {
  const csp = escapeAttribute(contentSecurityPolicy(resources.cspSource, resources.nonce));
  const buttons = toolbarButtons.map(([id, text, title]) => `<button type="button" id="${id}" title="${escapeAttribute(title)}">${text}</button>`).join('');
  const items = legend.map(([className, text]) => `<li><span class="swatch ${className}" aria-hidden="true"></span>${text}</li>`).join('');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${escapeAttribute(resources.styleUri)}">
<title>IOMMU Timeline</title>
</head>
<body>
<header>
<p id="status" role="status">Waiting for the debug session…</p>
<ul class="legend" aria-label="Legend">${items}</ul>
</header>
<nav class="toolbar" aria-label="Move around the timeline">${buttons}<span id="range" aria-live="polite"></span></nav>
<p id="note" hidden></p>
<main id="timeline"></main>
<script nonce="${escapeAttribute(resources.nonce)}" src="${escapeAttribute(resources.scriptUri)}"></script>
</body>
</html>
`;
}
