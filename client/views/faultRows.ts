import { FaultSummary } from '../../debug-adapter/protocol';

/** How a fault was answered, in words: the handler's answer, or why there is none. */
export function faultAnswer(f: FaultSummary): string {
  if (f.response) return f.response;
  return f.stalled ? 'stalled, not answered yet' : 'terminated at once (no stall)';
}
