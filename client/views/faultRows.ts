import { FaultSummary } from '../../debug-adapter/protocol';

/** How a fault was answered, in words: the handler's answer, or why there is none. */
export function faultAnswer(f: FaultSummary): string {
  if (f.response) return f.response;
  return f.stalled ? 'stalled, not answered yet' : 'terminated at once (no stall)';
}

/** The Faults view's click: open the fault's line, and move an open timeline to the fault. */
export const goToFaultCommand = 'iommu.goToFault';

/** What a fault row runs when clicked (a `vscode.Command`): its line, and its cycle for the timeline. */
export function faultClick(f: FaultSummary): { command: string; title: string; arguments: [path: string, line: number, cycle: number] } {
  return { command: goToFaultCommand, title: 'Go to Fault', arguments: [f.path, f.line, f.cycle] };
}
