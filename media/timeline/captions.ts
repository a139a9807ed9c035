/** The words the webview shows: tooltips, the status line, the note on dropped transactions. Pure. */
import type { TimelineSpan } from '../../debug-adapter/protocol';
import type { SessionState } from '../../client/timeline/messages';

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

function cycles(span: TimelineSpan, now: number): string {
  if (span.kind === 'fault') return `cycle ${span.start}`;
  if (span.end === null) return `cycles ${span.start}–… (open, ${plural(now - span.start, 'cycle')} so far)`;
  return `cycles ${span.start}–${span.end} (${plural(span.end - span.start, 'cycle')})`;
}

/** A span's tooltip, one fact a line: what, when, how it ended, where it went and where it is written. */
export function describeSpan(span: TimelineSpan, now: number): string {
  const outcome = span.status === null ? [] : [span.kind === 'handler' ? `answered ${span.status}` : `status ${span.status}`];
  const pa = span.pa === null ? [] : [`PA ${span.pa}`];
  return [span.label, cycles(span, now), ...outcome, ...pa, `line ${span.line} (click or Enter to open)`].join('\n');
}

/** Where the drawing stands, or why it is not fresh; `now` is the drawing's cycle, undefined before the first. */
export function statusLine(state: SessionState | 'stopped', now: number | undefined): string {
  const at = now === undefined ? '' : ` The drawing shows cycle ${now}.`;
  switch (state) {
    case 'stopped':
      return `Stopped at cycle ${now ?? 0}.`;
    case 'running':
      return `Running…${at}`;
    case 'ended':
      return `The debug session has ended.${at}`;
    case 'none':
      return now === undefined ? 'Start debugging a scenario (F5 on a .iommu file) to see its transactions.' : `No IOMMU debug session is active.${at}`;
  }
}

export function droppedNote(dropped: number): string {
  return `${plural(dropped, 'transaction')} of the run not kept: the timeline keeps the newest ones of a long run and those around its faults (◀ Fault, Fault ▶).`;
}
