/** The one handle on the host a webview gets; VS Code lets a page acquire it only once. */
import type { WebviewToHost } from '../../client/timeline/messages';

interface WebviewApi {
  postMessage(message: WebviewToHost): void;
}

declare function acquireVsCodeApi(): WebviewApi;

export const host: WebviewApi = acquireVsCodeApi();
