import type { SessionState } from './messages';

/**
 * What the panel shows after a session change: a fresh timeline when the active IOMMU
 * session is stopped (the adapter answers requests only then), else why not. `drawnEnded`:
 * the session of the drawing kept has ended.
 */
export function whatToShow<S extends { stopped: boolean }>(active: S | undefined, drawnEnded: boolean): { fetch: S } | { state: SessionState } {
  if (!active) return { state: drawnEnded ? 'ended' : 'none' };
  return active.stopped ? { fetch: active } : { state: 'running' };
}
