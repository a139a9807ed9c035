import { Action, TranslationResult } from '../../machine/actions';
import { Runtime } from '../../machine/runtime';
import { TransactionState } from '../../machine/state';
import { v3StateOf } from '../smmuState';
import { OpenPrgState } from './v3State';
import { endTransaction, recordFault, retryTransaction, stallTransaction } from '../../machine/transactions';
import { hex } from '../../util/u64';
import { PriResponse } from './commands';
import { v3State } from './eventq';
import { encodePageRequest, PageRequest } from './priEntry';
import { discard, inOverflow, isFull, produce, queueEntries } from './queue';

type PageRequestAction = Extract<Action, { kind: 'page-request' }>;

/** PRGIndex is 9 bits: a device reuses indexes once their groups are answered. */
const PRGI_MASK = 0x1ff;

/**
 * An ATS translation failed: the device asks for the page with a page request and waits
 * for the response. The failed translations of one `submit` form one group (one PRG
 * index), up to as many as the PRI queue holds; a transaction outside a submit is a group
 * of its own. Requests go out as the failures happen, but the device holds back its latest
 * one until it knows whether it is the group's last — another failure sends it with
 * Last=0, the end of the submit (or a device that can issue nothing more) with Last=1.
 */
export function sendPageRequests(rt: Runtime, transaction: TransactionState, ssid: number | undefined, result: Extract<TranslationResult, { ok: false }>): void {
  const v3 = v3State(rt, transaction.smmu);
  const master = rt.model.engines[transaction.engine]?.master ?? 0;
  const request = { transaction: transaction.id, addr: transaction.iova & ~0xfffn, write: transaction.access === 'write', ssid, sid: transaction.sid };
  let open = transaction.submit === undefined ? undefined : v3.openPrgs.find((g) => g.engine === transaction.engine && g.submit === transaction.submit);
  let wait = open && v3.prgWaits.find((w) => w.sid === transaction.sid && w.prgi === open?.prgi);
  if (!open || !wait) {
    const prgi = (v3.nextPrgi[master] ?? 0) & PRGI_MASK;
    v3.nextPrgi[master] = prgi + 1;
    wait = { smmu: transaction.smmu, sid: transaction.sid, prgi, transactions: [] };
    v3.prgWaits.push(wait);
    if (transaction.submit !== undefined) {
      open = { engine: transaction.engine, submit: transaction.submit, prgi, held: undefined };
      v3.openPrgs.push(open);
    }
  }
  wait.transactions.push(transaction.id);
  recordFault(rt, transaction, {
    kind: result.fault,
    ssid: ssid ?? 0,
    level: result.level,
    stalled: false,
    latched: false,
    bank: undefined,
    reason: `${result.reason}; ATS translation failed: page request in group ${hex(wait.prgi)}`,
  });
  stallTransaction(rt, transaction, 'page-request');
  if (!open) {
    send(rt, transaction.smmu, wait.prgi, request, true);
    return;
  }
  if (open.held) send(rt, transaction.smmu, open.prgi, open.held, false);
  open.held = request;
  // Software grants a device at most the PRI queue's entries in credits (8): a group with
  // more requests could never be whole in the queue, and its discarded Last would be
  // answered automatically, retried and discarded again for ever. The request that uses
  // the last credit ends the group.
  if (wait.transactions.length >= queueEntries(v3.priq)) {
    send(rt, transaction.smmu, open.prgi, request, true);
    v3.openPrgs.splice(v3.openPrgs.indexOf(open), 1);
  }
}

function send(rt: Runtime, smmu: number, prgi: number, request: NonNullable<OpenPrgState['held']>, last: boolean): void {
  rt.schedule(0, { kind: 'page-request', smmu, transaction: request.transaction, sid: request.sid, ssid: request.ssid, prgi, addr: request.addr, write: request.write, last });
}

/**
 * The device closes the groups of `engine` whose submit is over — the engine has left it
 * and none of its translations is still under way — sending each held request with Last.
 * It closes every group of the engine, submit over or not, once the engine can issue
 * nothing more: every outstanding slot waits on a page request, and a group whose Last
 * waits for a slot would wait on itself for ever.
 */
export function closePageRequestGroups(rt: Runtime, smmu: number, engine: number): void {
  const v3 = v3StateOf(rt.state, smmu);
  if (!v3 || !v3.openPrgs.some((open) => open.engine === engine)) return;
  const state = rt.state.engines[engine];
  const inSubmit = new Set(state?.submits.map((s) => s.id) ?? []);
  const translating = new Set<bigint>();
  let waitsOnlyOnPageRequests = true;
  for (const t of rt.state.transactions.values()) {
    if (t.engine !== engine) continue;
    if (t.stall !== 'page-request') waitsOnlyOnPageRequests = false;
    if (t.status === 'pending' && t.submit !== undefined) translating.add(t.submit);
  }
  const stuck = state?.blocked === true && waitsOnlyOnPageRequests;
  v3.openPrgs = v3.openPrgs.filter((open) => {
    if (open.engine !== engine) return true;
    if (!stuck && (inSubmit.has(open.submit) || translating.has(open.submit))) return true;
    if (open.held) send(rt, smmu, open.prgi, open.held, true);
    return false;
  });
}

export function pageRequestText(request: PageRequest): string {
  return `PPR sid ${hex(request.sid)}${request.ssv ? ` ssid ${request.ssid}` : ''} prgi ${hex(request.prgi)} ${hex(request.addr)}${request.last ? ' last' : ''}`;
}

/**
 * A page request reaches the SMMU (8.1): into the PRI queue, unless the queue is full or
 * in an overflow condition — then it is discarded, and a discarded Last gets an automatic
 * Success response so the device can try again.
 */
export function receivePageRequest(rt: Runtime, action: PageRequestAction): void {
  const v3 = v3State(rt, action.smmu);
  const request: PageRequest = {
    sid: action.sid,
    ssv: action.ssid !== undefined,
    ssid: action.ssid ?? 0,
    read: !action.write,
    write: action.write,
    exec: false,
    priv: false,
    last: action.last,
    prgi: action.prgi,
    addr: action.addr,
  };
  const dwords = encodePageRequest(request);
  rt.state.counters['page-requests']++;
  if (inOverflow(v3.priq) || isFull(v3.priq)) {
    discard(v3.priq);
    if (rt.observed) rt.emit({ kind: 'page-request', time: rt.state.now, smmu: action.smmu, sid: action.sid, prgi: action.prgi, transaction: action.transaction, index: undefined, dwords, text: `${pageRequestText(request)} discarded: PRI queue overflow` });
    if (action.last) rt.schedule(0, { kind: 'prg-response', smmu: action.smmu, sid: action.sid, prgi: action.prgi, response: 'success' });
    return;
  }
  const index = v3.priq.prod & ((1 << v3.priq.log2size) - 1);
  produce(rt.memory, v3.priq, dwords);
  if (rt.observed) rt.emit({ kind: 'page-request', time: rt.state.now, smmu: action.smmu, sid: action.sid, prgi: action.prgi, transaction: action.transaction, index, dwords, text: pageRequestText(request) });
  if (!v3.priqIrqActive) {
    v3.priqIrqActive = true;
    rt.schedule(rt.model.timing.irqLatency, { kind: 'priq-irq', smmu: action.smmu });
  }
}

/**
 * A PRG response reaches the device: on Success it retries its translation (an ATS
 * request again); otherwise the accesses of the group fail.
 */
export function deliverPrgResponse(rt: Runtime, smmu: number, sid: number, prgi: number, response: PriResponse, automatic: boolean): string {
  const v3 = v3State(rt, smmu);
  const at = v3.prgWaits.findIndex((w) => w.sid === sid && w.prgi === prgi);
  if (at < 0) return 'no device waits on this group: no effect';
  const [wait] = v3.prgWaits.splice(at, 1);
  const transactions = (wait?.transactions ?? []).flatMap((id) => {
    const t = rt.state.transactions.get(id);
    return t ? [t] : [];
  });
  for (const transaction of transactions) {
    if (transaction.lastFault !== undefined && !automatic) rt.journal.answer(transaction.lastFault, response);
    if (response === 'success') {
      // An automatic response (overflow) lets the device ask again; an answer from software is final.
      transaction.atsRetried = !automatic;
      retryTransaction(rt, transaction);
    } else {
      endTransaction(rt, transaction, 'aborted', `PRG response ${response}: the access fails`);
    }
  }
  const ids = transactions.map((t) => `#${t.id}`).join(', ');
  return response === 'success' ? `${ids} retry their translation` : `${ids} fail`;
}
