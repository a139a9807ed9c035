import { PredictedRun, predictRun, RunTransaction } from '../emulator/analysis/predictedRun';
import { faultKinds } from '../emulator/language/schema';
import { hex, hexGrouped } from '../emulator/util/u64';
import { Analysis } from './analysis';
import { TransactionSite } from './predictions';

/*
 * Predictions for transactions behind an SMMUv3, from a run of the emulator (the CLI's run,
 * bounded): the static walk cannot know a stall's STAG, a page request's group, or whether
 * an event record met a full queue. A scenario with errors does not run; its transactions
 * get the static prediction (predictions.ts).
 */

const runs = new WeakMap<Analysis, PredictedRun | null>();

/** The run of the analysis's scenario, once per version; undefined without an SMMUv3 or with errors. */
export function predictedRun(analysis: Analysis): PredictedRun | undefined {
  let run = runs.get(analysis);
  if (run === undefined) {
    const model = analysis.compiled.model;
    run = (model && predictRun(model)) ?? null;
    runs.set(analysis, run);
  }
  return run ?? undefined;
}

/** What a written transaction did in the run (each iteration, in issue order), if it ran behind an SMMUv3. */
export function ranTransactions(analysis: Analysis, site: TransactionSite): RunTransaction[] | undefined {
  const list = predictedRun(analysis)?.sites.get(site.transaction);
  return list && list.length > 0 ? list : undefined;
}

const walkFaults = new Set<string>(faultKinds);

/** "translation fault at level 2: L2[56] is invalid", or a configuration event's reason ("C_BAD_CD: …"). */
function faultHead(fault: NonNullable<RunTransaction['fault']>): string {
  return walkFaults.has(fault.kind) ? `${fault.kind} fault at level ${fault.level}: ${fault.reason}` : fault.reason;
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

/** One transaction's story, as the run tells it: fault, stall or page request, event record, end. */
export function describeRan(site: TransactionSite, t: RunTransaction, run: PredictedRun): string {
  const which = site.repeats.length > 0 ? ` (i = ${t.iterations.at(-1) ?? 0}, ${hex(t.iova)})` : '';
  const clauses = [
    t.stag === undefined ? undefined : `stalls with STAG ${hex(t.stag)}`,
    requestClause(t),
    eventClause(t),
    endClause(t, run),
  ].filter((c): c is string => c !== undefined);
  return t.fault ? `${faultHead(t.fault)}${which}; ${clauses.join('; ')}` : `${clauses.join('; ')}${which}`;
}

function faulted(t: RunTransaction): boolean {
  return t.fault !== undefined || t.status === 'aborted' || t.status === 'raz';
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** What the faulting iterations of a repeated transaction did together. */
function summary(list: readonly RunTransaction[]): string {
  const bad = list.filter(faulted);
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
  const ends = new Map<string, number>();
  for (const t of bad) ends.set(t.status, (ends.get(t.status) ?? 0) + 1);
  parts.push([...ends].map(([status, n]) => `${n} ${status === 'stalled' || status === 'pending' ? `still ${status}` : status}`).join(', '));
  return `${bad.length} of ${list.length} fault: ${parts.join('; ')}`;
}

/** The hint on a transaction that ran behind an SMMUv3 (after "will fault: "): its first faulting iteration, and all of them when it repeats. */
export function ranFaultMessage(analysis: Analysis, site: TransactionSite, list: readonly RunTransaction[]): string | undefined {
  const run = predictedRun(analysis);
  const first = list.find(faulted);
  if (!run || !first) return undefined;
  const head = describeRan(site, first, run);
  return list.length > 1 ? `${head} — ${summary(list)}` : head;
}

/** The inlay hint of the first iteration: `→ 0x8000_0000`, or `→ translation fault · stall STAG 0x0 · retry → 0x8800_0000`. */
export function ranInlayLabel(t: RunTransaction): string | undefined {
  if (!faulted(t)) return t.status === 'completed' && t.pa !== undefined ? `→ ${hexGrouped(t.pa)}` : undefined;
  const parts: string[] = [];
  if (t.fault) parts.push(walkFaults.has(t.fault.kind) ? `${t.fault.kind} fault` : (t.fault.reason.split(':')[0] ?? t.fault.kind));
  if (t.stag !== undefined) parts.push(`stall STAG ${hex(t.stag)}`);
  if (t.pageRequest) parts.push(`page request group ${hex(t.pageRequest.prgi)}`);
  if (t.event?.kind === 'dropped') parts.push('event dropped');
  const answered = t.response ? `${t.response} ` : '';
  if (t.status === 'completed') parts.push(`${answered}→ ${hexGrouped(t.pa ?? 0n)}`);
  else if (t.status === 'aborted' || t.status === 'raz') parts.push(t.response ? `${t.response}: ${t.status}` : t.status);
  else parts.push(t.status);
  return `→ ${parts.join(' · ')}`;
}
