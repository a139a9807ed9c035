import type { WebviewToHost } from './messages';

function isCycle(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** A message from the webview, checked: the page is ours, but its messages arrive untyped. */
export function parseWebviewMessage(value: unknown): WebviewToHost | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const message = value as { type?: unknown; line?: unknown; from?: unknown; to?: unknown };
  if (message.type === 'ready') return { type: 'ready' };
  if (message.type === 'reveal' && typeof message.line === 'number' && Number.isInteger(message.line) && message.line >= 1) {
    return { type: 'reveal', line: message.line };
  }
  if (message.type === 'window' && isCycle(message.from) && isCycle(message.to) && message.from <= message.to) {
    return { type: 'window', from: message.from, to: message.to };
  }
  return undefined;
}
