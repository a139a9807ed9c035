import type { WebviewToHost } from './messages';

/** A message from the webview, checked: the page is ours, but its messages arrive untyped. */
export function parseWebviewMessage(value: unknown): WebviewToHost | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const message = value as { type?: unknown; line?: unknown };
  if (message.type === 'ready') return { type: 'ready' };
  if (message.type === 'reveal' && typeof message.line === 'number' && Number.isInteger(message.line) && message.line >= 1) {
    return { type: 'reveal', line: message.line };
  }
  return undefined;
}
