import { messageOf } from './lineText';
import { LogLine } from './logLine';
import { recognise } from './recognise';

/** A line the reader read: its 1-based number(s) in the input and the text it came from. */
export interface ReadLine {
  first: number;
  last: number;
  /** The input line(s) as written, joined with a newline when a terminal wrapped one. */
  text: string;
  line: LogLine;
}

/** The lines one report was read from: the line that opens it and those that belong to it. */
export interface ReadReport {
  lines: ReadLine[];
}

/** Every line of `text` the reader understands; a line split by a terminal is read whole. */
export function readLines(text: string): ReadLine[] {
  const raw = text.split('\n').map((line) => line.replace(/\r$/, ''));
  const read: ReadLine[] = [];
  for (let i = 0; i < raw.length; i++) {
    const here = raw[i] ?? '';
    const line = recognise(messageOf(here));
    if (line) {
      read.push({ first: i + 1, last: i + 1, text: here, line });
      continue;
    }
    // A terminal wraps at a column, so the rest of the field starts the next line, without a prefix.
    const next = raw[i + 1];
    if (here.trim() === '' || next === undefined || next.trim() === '' || recognise(messageOf(next))) continue;
    const joined = recognise(messageOf(here + next));
    if (joined) {
      read.push({ first: i + 1, last: i + 2, text: `${here}\n${next}`, line: joined });
      i++;
    }
  }
  return read;
}

/** Whether `line` continues the report `open` (same device; values that agree with its first line). */
function continues(open: ReadReport, line: LogLine): boolean {
  const head = open.lines[0]?.line;
  if (!head || !('device' in line) || !('device' in head) || head.device !== line.device) return false;
  const has = (kind: LogLine['kind']): boolean => open.lines.some((l) => l.line.kind === kind);
  const last = open.lines[open.lines.length - 1]?.line;
  switch (line.kind) {
    case 'fsr-decode':
      return head.kind === 'context-fault' && !has('fsr-decode') && !has('fsynr0-decode') && (head.fsr === null || line.fsr === head.fsr) && (line.sid === null || head.cbfrsynra === null || line.sid === head.cbfrsynra);
    case 'fsynr0-decode':
      return head.kind === 'context-fault' && !has('fsynr0-decode') && line.fsynr === head.fsynr;
    case 'far-line':
      return head.kind === 'context-fault' && !has('far-line') && line.far === head.iova;
    case 'sid-line':
      return head.kind === 'context-fault' && !has('sid-line') && head.cbfrsynra === null;
    case 'gfsr':
      return (head.kind === 'global-blocked' || head.kind === 'global-unexpected') && !has('gfsr');
    case 'v3-dword':
      return head.kind === 'v3-header' && open.lines.filter((l) => l.line.kind === 'v3-dword').length < 4 && !has('v3-event');
    case 'v3-event':
      return head.kind === 'v3-header' && !has('v3-event');
    case 'v3-access':
      return last?.kind === 'v3-event';
    default:
      return false;
  }
}

/** Lines that open a report: the rest belong to one, or are the tail of one cut off, and are skipped. */
const OPENERS: ReadonlySet<LogLine['kind']> = new Set(['context-fault', 'global-blocked', 'global-unexpected', 'gfsr', 'v3-header', 'v3-event', 'overflow', 'gpu-fault', 'io-page-fault']);

/**
 * The reports in `text`, in order. Lines between the lines of one report (a stack trace,
 * another driver's messages) are passed over; lines it cannot read are skipped, never guessed.
 */
export function readReports(text: string): ReadReport[] {
  const reports: ReadReport[] = [];
  let open: ReadReport | undefined;
  for (const line of readLines(text)) {
    if (open && continues(open, line.line)) {
      open.lines.push(line);
    } else if (OPENERS.has(line.line.kind)) {
      open = { lines: [line] };
      reports.push(open);
    }
  }
  return reports;
}
