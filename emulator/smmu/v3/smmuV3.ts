import { TranslationResult } from '../../machine/actions';
import { Runtime } from '../../machine/runtime';
import { GlobalFaultKind, TransactionState } from '../../machine/state';
import { endTransaction, recordFault, stallTransaction } from '../../machine/transactions';
import { lookUp } from '../lookup';
import { FaultBehaviour } from '../smmu';
import { StreamConfig } from './config';
import { EventName, EventRecord, recordedSubstreamId } from './eventRecord';
import { recordEvent, v3State } from './eventq';
import { closePageRequestGroups, sendPageRequests } from './pri';
import { routeV3 } from './route';

type TranslationFault = Extract<TranslationResult, { ok: false }>;
type ConfigError = Extract<StreamConfig, { kind: 'error' }>;

const eventOfFault: Record<TranslationFault['fault'], EventName> = {
  translation: 'F_TRANSLATION',
  'address-size': 'F_ADDR_SIZE',
  'access-flag': 'F_ACCESS',
  permission: 'F_PERMISSION',
};

export const faultKindOfEvent: Record<ConfigError['event'], GlobalFaultKind> = {
  C_BAD_STREAMID: 'bad-streamid',
  C_BAD_STE: 'bad-ste',
  C_BAD_SUBSTREAMID: 'bad-substreamid',
  C_BAD_CD: 'bad-cd',
  F_STREAM_DISABLED: 'stream-disabled',
};

/** CLASS of a stage-1 fault on the input address (7.3.1). */
const CLASS_IN = 2;

function eventFor(transaction: TransactionState, id: EventName, ssid: number | undefined, stag: number, stall: boolean): EventRecord {
  return {
    id,
    sid: transaction.sid,
    ssv: ssid !== undefined,
    ssid: ssid ?? 0,
    stag,
    stall,
    pnu: transaction.priv,
    ind: transaction.exec,
    rnw: transaction.access === 'read',
    s2: false,
    class: CLASS_IN,
    inputAddr: transaction.iova,
  };
}

const eventOfConfigFault = Object.fromEntries(Object.entries(faultKindOfEvent).map(([event, kind]) => [kind, event])) as Partial<Record<GlobalFaultKind, ConfigError['event']>>;

/** A configuration error: the transaction aborts and a C_BAD_* (or F_STREAM_DISABLED) record is written, if there is room. */
function configError(rt: Runtime, transaction: TransactionState, event: ConfigError['event'], reason: string): void {
  // A SubstreamID wider than the record's field is recorded as the field holds it (the reason says so).
  const ssid = transaction.pasid === undefined ? undefined : recordedSubstreamId(transaction.pasid);
  const fault = recordFault(rt, transaction, {
    kind: faultKindOfEvent[event],
    ssid: ssid ?? 0,
    level: 0,
    stalled: false,
    latched: false,
    bank: undefined,
    reason,
  });
  recordEvent(rt, transaction.smmu, eventFor(transaction, event, ssid, 0, false), { transaction: transaction.id, fault: fault.id });
  endTransaction(rt, transaction, 'aborted', reason);
}

/** A transaction arrives (or is retried "as though it had just arrived", 4.7.1): STE, CD, then TLB or walk. */
export function receiveV3(rt: Runtime, transaction: TransactionState): void {
  const route = routeV3(rt, transaction.smmu, v3State(rt, transaction.smmu), transaction.sid, transaction.pasid);
  switch (route.kind) {
    case 'fault': {
      const event = eventOfConfigFault[route.fault];
      if (!event) throw new Error(`${route.fault} is no SMMUv3 configuration error`);
      configError(rt, transaction, event, route.reason);
      return;
    }
    case 'abort':
      endTransaction(rt, transaction, 'aborted', route.reason);
      return;
    case 'bypass':
      rt.schedule(rt.model.timing.tlbHit, { kind: 'translated', transaction: transaction.id, result: { ok: true, pa: transaction.iova, fromTlb: true, level: 0, fill: undefined } });
      return;
    case 'translate':
      transaction.domain = route.context.domain;
      transaction.asid = route.context.asid;
      transaction.onFault = route.context.onFault;
      lookUp(rt, transaction, route.context.domain, route.context.tlbTag);
      return;
  }
}

/** A translation's latency has passed: the transaction completes, asks its device's PRI for pages, stalls, or terminates. */
export function translatedV3(rt: Runtime, transaction: TransactionState, result: TranslationResult): void {
  translationEnded(rt, transaction, result);
  closePageRequestGroups(rt, transaction.smmu, transaction.engine);
}

function translationEnded(rt: Runtime, transaction: TransactionState, result: TranslationResult): void {
  if (result.ok) {
    if (result.fill && transaction.asid !== undefined) rt.tlbs[transaction.smmu]?.insert(transaction.asid, Number(transaction.iova >> 12n), result.fill);
    transaction.pa = result.pa;
    endTransaction(rt, transaction, 'completed', result.fromTlb ? 'TLB hit' : `walk, level ${result.level} leaf`);
    return;
  }
  const onFault = transaction.onFault;
  if (!onFault) throw new Error(`transaction ${transaction.id} faulted without a context descriptor`);
  // The route took the SubstreamID as it is: one that does not fit ends in a configuration error.
  const ssid = transaction.pasid === undefined ? undefined : Number(transaction.pasid);
  const master = rt.model.masters[rt.model.engines[transaction.engine]?.master ?? -1];
  if (master?.pri && onFault.ats) {
    if (transaction.atsRetried) endTransaction(rt, transaction, 'aborted', `${result.fault} fault after the page request was answered Success: the access fails`);
    else sendPageRequests(rt, transaction, ssid, result);
    return;
  }
  contextFault(rt, transaction, onFault, ssid, result);
}

/** CD.S: the transaction stalls with a STAG and a stall record; else CD.R records it and CD.A says abort or RAZ/WI. */
function contextFault(rt: Runtime, transaction: TransactionState, onFault: FaultBehaviour, ssid: number | undefined, result: TranslationFault): void {
  const v3 = v3State(rt, transaction.smmu);
  const record = recordFault(rt, transaction, {
    kind: result.fault,
    ssid: ssid ?? 0,
    level: result.level,
    stalled: onFault.stall,
    latched: true,
    bank: undefined,
    reason: result.reason,
  });
  const id = eventOfFault[result.fault];
  if (onFault.stall) {
    const stag = v3.nextStag;
    v3.nextStag = (stag + 1) & 0xffff;
    v3.stalls.push({ stag, transaction: transaction.id, sid: transaction.sid, fault: record });
    stallTransaction(rt, transaction, 'fault');
    recordEvent(rt, transaction.smmu, eventFor(transaction, id, ssid, stag, true), { transaction: transaction.id, fault: record.id });
    return;
  }
  if (onFault.record) recordEvent(rt, transaction.smmu, eventFor(transaction, id, ssid, 0, false), { transaction: transaction.id, fault: record.id });
  endTransaction(rt, transaction, onFault.abort ? 'aborted' : 'raz', `${result.fault} fault, CD.S=0: terminated (CD.A=${onFault.abort ? 1 : 0})`);
}
