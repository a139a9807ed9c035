/** The timeline page's toolbar: apart from html.ts, which needs Node, so the webview bundle can take the ids too. */

/** The toolbar's buttons: the id the script finds each by, its text, and its title (which names its key). */
export const toolbarButtons = [
  ['prev-fault', '◀ Fault', 'Go to the previous fault ([)'],
  ['next-fault', 'Fault ▶', 'Go to the next fault (])'],
  ['zoom-out', '−', 'Zoom out (−; Ctrl+wheel zooms around the pointer)'],
  ['zoom-in', '+', 'Zoom in (+)'],
  ['pan-earlier', '←', 'Earlier cycles (←; wheel or drag to pan)'],
  ['pan-later', '→', 'Later cycles (→)'],
  ['fit', 'Fit', 'Fit the whole run (Home)'],
] as const;

export type ToolbarButton = (typeof toolbarButtons)[number][0];
