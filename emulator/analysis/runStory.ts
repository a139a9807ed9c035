import { isFaultKind } from '../language/schema';
import { hex, hexGrouped } from '../util/u64';
import { faultAtLevel } from '../machine/faultText';
import { PredictedRun, RunTransaction } from './predictedRun';

/*
 * What a transaction did in the prediction's run, in the words of the CLI's trace
 * (emulator/cli/trace.ts): its fault, how it stalled, its page request and event record,
 * how it was answered and how it ended.
 */

/**
 * "translation fault at level 2: L2[56] is invalid" — a stage-2 one with its CLASS and IPA,
 * "stage 2 translation fault at level 3 (CLASS=TT, IPA 0x40004000): …" —, or a configuration
 * event's reason ("C_BAD_CD: …").
 */
function faultHead(fault: NonNullable<RunTransaction['fault']>): string {
  if (!isFaultKind(fault.kind)) return fault.reason;
  return `${faultAtLevel(fault)}: ${fault.reason}`;
}

function endClause(t: RunTransaction, run: PredictedRun): string {
  const answered = t.response ? `answered ${t.response}: ` : '';
  switch (t.status) {
    case 'completed':
      return `${answered}completed → ${hexGrouped(t.pa ?? 0n)}`;
    case 'aborted':
    case 'raz':
      // A configuration event's reason is already the fault's: said once.
      return `${answered}${t.status}${t.how && t.how !== t.fault?.reason ? ` (${t.how})` : ''}`;
    case 'stalled':
    case 'pending': {
      const waiting = t.status === 'stalled' && t.pageRequest ? ', waiting for the response to its page request group' : '';
      return `still ${t.status} when ${run.stopMessage ? `the prediction stopped (${run.stopMessage})` : 'the run ends'}${waiting}`;
    }
  }
}

/** How it stalled, as the trace says it: with its STAG (SMMUv3), on its fault (SMMUv2), or behind another fault. */
function stallClause(t: RunTransaction): string | undefined {
  if (t.stag !== undefined) return `stalls with STAG ${hex(t.stag)}`;
  if (t.stall === 'fault') return 'stalls';
  if (t.stall === 'behind') return 'stalls behind a fault (HUPCF=0)';
  return undefined;
}

function eventClause(t: RunTransaction): string | undefined {
  const event = t.event;
  if (!event) return undefined;
  if (event.kind === 'dropped') return `its ${event.name} record is dropped: the EVTQ is full${event.overflow ? ' (PROD.OVFLG toggles)' : ''}`;
  const late = t.fault ? event.time - t.fault.time : 0;
  return `${event.name} → EVTQ[${event.index}]${late > 0 ? ` ${late} cycles later, once the full queue had room` : ''}`;
}

function requestClause(t: RunTransaction): string | undefined {
  const sent = t.pageRequest?.sent;
  if (!sent) return undefined;
  if (sent.index === undefined) return 'its page request is discarded (PRIQ overflow): the SMMU answers Success for a discarded Last and the device asks again';
  return `its page request goes to PRIQ[${sent.index}]${sent.last ? ' with Last=1' : ''}`;
}

/** One transaction's story: fault, stall or page request, event record, end; `(i = N, IOVA)` when it repeats. */
export function describeRan(t: RunTransaction, repeated: boolean, run: PredictedRun): string {
  const which = repeated ? ` (i = ${t.iterations.at(-1) ?? 0}, ${hex(t.iova)})` : '';
  const clauses = [stallClause(t), requestClause(t), eventClause(t), endClause(t, run)].filter((c): c is string => c !== undefined);
  return t.fault ? `${faultHead(t.fault)}${which}; ${clauses.join('; ')}` : `${clauses.join('; ')}${which}`;
}

/** It faulted, or did not complete: what a "will fault" hint is about. */
export function failed(t: RunTransaction): boolean {
  return t.fault !== undefined || t.status !== 'completed';
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function endWord(status: RunTransaction['status']): string {
  return status === 'stalled' || status === 'pending' ? `still ${status}` : status;
}

/** What the failing iterations had in common: STAGs, page request groups, event records. */
function faultParts(bad: readonly RunTransaction[]): string[] {
  const parts: string[] = [];
  const stags = bad.flatMap((t) => (t.stag === undefined ? [] : [hex(t.stag)]));
  if (stags.length > 0) parts.push(`${plural(stags.length, 'stall')} (STAG ${stags.length > 6 ? `${stags.slice(0, 6).join(', ')} …` : stags.join(', ')})`);
  const groups = new Map<number, { count: number; last: bigint | undefined }>();
  for (const t of bad) {
    if (!t.pageRequest) continue;
    const group = groups.get(t.pageRequest.prgi) ?? { count: 0, last: undefined };
    group.count++;
    if (t.pageRequest.sent?.last) group.last = t.iova;
    groups.set(t.pageRequest.prgi, group);
  }
  for (const [prgi, g] of groups) {
    parts.push(`group ${hex(prgi)} of ${plural(g.count, 'page request')}${g.last === undefined ? '' : `, Last=1 on ${hex(g.last)}`}`);
  }
  const waited = bad.filter((t) => t.event?.kind === 'written' && t.fault && t.event.time > t.fault.time).length;
  if (waited > 0) parts.push(`${plural(waited, 'stall record')} waited for room in the full EVTQ`);
  const written = bad.filter((t) => t.event?.kind === 'written').length;
  const dropped = bad.filter((t) => t.event?.kind === 'dropped').length;
  if (dropped > 0) parts.push(`${plural(written, 'event record')} written, ${dropped} dropped (EVTQ full, PROD.OVFLG toggled)`);
  return parts;
}

function countEnds(list: readonly RunTransaction[]): Map<string, number> {
  const ends = new Map<string, number>();
  for (const t of list) ends.set(endWord(t.status), (ends.get(endWord(t.status)) ?? 0) + 1);
  return ends;
}

/**
 * All iterations of a repeated transaction together: "8 of 16 fault: …; 8 aborted" when
 * some faulted, "4 of 4 raz" when they ended without a fault of their own (terminated
 * untranslated behind another's), "4 of 4 completed, 4 stalled behind a fault (HUPCF=0)".
 */
export function summary(list: readonly RunTransaction[]): string {
  const bad = list.filter(failed);
  const faulted = bad.filter((t) => t.fault !== undefined).length;
  const behind = list.filter((t) => t.stall === 'behind').length;
  const behindPart = behind > 0 ? [`${behind} stalled behind a fault (HUPCF=0)`] : [];
  if (faulted > 0) {
    const ends = [...countEnds(bad)].map(([end, n]) => `${n} ${end}`).join(', ');
    return `${faulted} of ${list.length} fault: ${[...faultParts(bad), ...behindPart, ends].join('; ')}`;
  }
  const ends = [...countEnds(list)].map(([end, n]) => `${n} of ${list.length} ${end}`);
  return [...ends, ...behindPart].join(', ');
}

/** The inlay hint of one iteration: `→ 0x8000_0000`, or `→ translation fault · stall STAG 0x0 · retry → 0x8800_0000`. */
export function ranInlayLabel(t: RunTransaction): string {
  if (!failed(t) && t.stall === undefined) return `→ ${hexGrouped(t.pa ?? 0n)}`;
  const parts: string[] = [];
  if (t.fault) parts.push(isFaultKind(t.fault.kind) ? `${t.fault.kind} fault` : (t.fault.reason.split(':')[0] ?? t.fault.kind));
  if (t.stag !== undefined) parts.push(`stall STAG ${hex(t.stag)}`);
  else if (t.stall === 'fault') parts.push('stall');
  else if (t.stall === 'behind') parts.push('stalled behind a fault');
  if (t.pageRequest) parts.push(`page request group ${hex(t.pageRequest.prgi)}`);
  if (t.event?.kind === 'dropped') parts.push('event dropped');
  // "retry → PA" when a response let it through; "then → PA" when it only waited (behind another's fault).
  const answered = t.response ? `${t.response} ` : 'then ';
  if (t.status === 'completed') parts.push(`${answered}→ ${hexGrouped(t.pa ?? 0n)}`);
  else if (t.status === 'aborted' || t.status === 'raz') parts.push(t.response ? `${t.response}: ${t.status}` : t.status);
  else parts.push(t.status);
  return `→ ${parts.join(' · ')}`;
}
