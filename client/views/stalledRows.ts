import { PageResponse, ResumeAction, StallAction, StalledTransaction } from '../../debug-adapter/protocol';

/**
 * What a stalled row's inline actions are chosen by: a stall's (RESUME / CMD_RESUME), a page
 * request group's (CMD_PRI_RESP), or none — a row the driver cannot answer now (it waits
 * behind another's fault, its group is not complete) offers nothing that would be refused.
 */
export const stallRowContext = 'iommu.stalledTransaction';
export const pageRequestRowContext = 'iommu.pageRequestTransaction';
export const waitingRowContext = 'iommu.waitingTransaction';

export function rowContext(t: StalledTransaction): string {
  if (t.unanswerable !== null) return waitingRowContext;
  return t.stall === 'page-request' ? pageRequestRowContext : stallRowContext;
}

/** Why it waits, in a few words. */
export function stalledWhy(t: StalledTransaction): string {
  if (t.stall === 'behind') return 'behind a fault (HUPCF=0)';
  if (t.stall === 'page-request') return 'waits for its page request group';
  return t.fault ?? 'stalled';
}

/** SMMUv3's handle on it: the STAG CMD_RESUME names, or the PRG index CMD_PRI_RESP answers. */
function handle(t: StalledTransaction): string[] {
  return [...(t.stag !== null ? [`stag ${t.stag}`] : []), ...(t.prgi !== null ? [`prgi ${t.prgi}`] : [])];
}

/** A row's description: `read 0x7000000 (first) · sid 0x10 · stag 0x0 · translation fault … · 30 cycles`. */
export function stalledDescription(t: StalledTransaction): string {
  return [`${t.access} ${t.iova}${t.label ? ` (${t.label})` : ''}`, `sid 0x${t.sid.toString(16)}`, ...handle(t), stalledWhy(t), `${t.age} cycles`].join(' · ');
}

/** Where it waits, for the tooltip: `kgsl cb0`, or the SMMUv3 and its handle. */
export function stalledWhere(t: StalledTransaction): string {
  if (t.contextBank !== null) return `${t.smmu} cb${t.contextBank}`;
  const tags = handle(t);
  return tags.length > 0 ? `${t.smmu} (${tags.join(', ')})` : t.smmu;
}

export interface AnswerChoice {
  label: string;
  description: string;
  action: ResumeAction;
}

const stallAnswers: readonly (AnswerChoice & { action: StallAction })[] = [
  { label: 'Retry', description: 'RESUME with TnR=0 / CMD_RESUME retry: translate the transaction again', action: 'retry' },
  { label: 'Terminate', description: 'RESUME with TnR=1 / CMD_RESUME terminate: the transaction ends (abort or RAZ/WI)', action: 'terminate' },
  { label: 'Abort', description: 'Terminate with an abort to the master', action: 'abort' },
];

const pageAnswers: readonly (AnswerChoice & { action: PageResponse })[] = [
  { label: 'Success', description: 'CMD_PRI_RESP Success: the pages are there, the device retries its translations', action: 'success' },
  { label: 'Invalid', description: 'CMD_PRI_RESP InvalidRequest: a page could not be made present, the accesses fail', action: 'invalid' },
  { label: 'Failure', description: 'CMD_PRI_RESP ResponseFailure: a permanent error, the accesses fail', action: 'failure' },
];

/** The answers a stalled transaction takes: a stall's, or a page request group's. */
export function answersFor(t: StalledTransaction): readonly AnswerChoice[] {
  return t.stall === 'page-request' ? pageAnswers : stallAnswers;
}

/** The status bar's word on an answer: what was written, and the others it resumed. */
export function answerMessage(transaction: number, body: { resumed: number[]; written: string }): string {
  const others = body.resumed.filter((id) => id !== transaction);
  const also = others.length > 0 ? `; also resumed ${others.map((id) => `#${id}`).join(', ')}` : '';
  return `IOMMU: ${body.written}${also}`;
}
