/**
 * The messages between the timeline panel (extension host) and its webview. Types only:
 * both sides import them, and the webview bundle must not pull in anything else.
 */
import type { TimelineResponseBody } from '../../debug-adapter/protocol';

/** Why there is no fresh timeline: no IOMMU session, it runs, or the one drawn has ended. */
export type SessionState = 'none' | 'running' | 'ended';

export type HostToWebview =
  /**
   * The stopped session's timeline: draw it. `stop`: a new stop (or run end), shown around its
   * cycle; `window`: the spans of a window the webview asked for, shown where the view is.
   */
  | { type: 'timeline'; timeline: TimelineResponseBody; cause: 'stop' | 'window' }
  /** A fault row clicked in the Faults view: go to the fault at this cycle. */
  | { type: 'goToFault'; cycle: number }
  /** Keep the drawing, if any, and say why it is not refreshed. */
  | { type: 'session'; state: SessionState }
  /** The adapter refused `iommu/timeline`; keep the drawing and show the reason. */
  | { type: 'error'; message: string };

export type WebviewToHost =
  /** The script has loaded: send what to show (a webview hidden and shown again reloads). */
  | { type: 'ready' }
  /** Open the scenario at this 1-based line. */
  | { type: 'reveal'; line: number }
  /** The view moved where the spans drawn do not reach: send those of cycles `from`…`to`. */
  | { type: 'window'; from: number; to: number };

/** The ids of the page's toolbar buttons (html.ts draws them, the webview's script finds them). */
export type ToolbarButton = 'prev-fault' | 'next-fault' | 'zoom-out' | 'zoom-in' | 'pan-earlier' | 'pan-later' | 'fit';
