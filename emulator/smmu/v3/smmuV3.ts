import { TranslationResult } from '../../machine/actions';
import { Runtime } from '../../machine/runtime';
import { FaultClass, FaultStage, GlobalFaultKind, STAGE1_FAULT, TransactionState } from '../../machine/state';
import { endTransaction, recordFault, stallTransaction } from '../../machine/transactions';
import { lookUp } from '../lookup';
import { FaultBehaviour, TranslationContext } from '../smmu';
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

/** CLASS of a fault (7.3.1): 0b00 CD fetch, 0b01 stage-1 table fetch, 0b10 the input address. */
const CLASS_CODE: Record<FaultClass, number> = { CD: 0b00, TT: 0b01, IN: 0b10 };

function eventFor(transaction: TransactionState, id: EventName, ssid: number | undefined, stag: number, stall: boolean, where: FaultStage = STAGE1_FAULT): EventRecord {
  const record: EventRecord = {
    id,
    sid: transaction.sid,
    ssv: ssid !== undefined,
    ssid: ssid ?? 0,
    stag,
    stall,
    pnu: transaction.priv,
    ind: transaction.exec,
    rnw: transaction.access === 'read',
    s2: where.stage === 2,
    class: CLASS_CODE[where.class],
    inputAddr: transaction.iova,
  };
  // Set, not spread in: a storm records an event per fault.
  if (where.ipa !== undefined) record.ipa = where.ipa;
  return record;
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
    case 'cd-fault':
      enterContext(transaction, route.context);
      rt.schedule(rt.model.timing.walkLevel * route.latency, { kind: 'translated', transaction: transaction.id, result: route.fault });
      return;
    case 'translate':
      enterContext(transaction, route.context);
      lookUp(rt, transaction, route.context.domain, route.context.tlbTag);
      return;
  }
}

function enterContext(transaction: TransactionState, context: TranslationContext): void {
  transaction.domain = context.domain;
  transaction.asid = context.asid;
  transaction.tlbTag = context.tlbTag;
  transaction.onFault = context.onFault;
}

/** A translation's latency has passed: the transaction completes, asks its device's PRI for pages, stalls, or terminates. */
export function translatedV3(rt: Runtime, transaction: TransactionState, result: TranslationResult): void {
  translationEnded(rt, transaction, result);
  closePageRequestGroups(rt, transaction.smmu, transaction.engine);
}

function translationEnded(rt: Runtime, transaction: TransactionState, result: TranslationResult): void {
  if (result.ok) {
    if (result.fill && transaction.tlbTag !== undefined) rt.tlbs[transaction.smmu]?.insert(transaction.tlbTag, Number(transaction.iova >> 12n), result.fill);
    transaction.pa = result.pa;
    endTransaction(rt, transaction, 'completed', result.fromTlb ? 'TLB hit' : `walk, level ${result.level} leaf`);
    return;
  }
  const onFault = transaction.onFault;
  if (!onFault) throw new Error(`transaction ${transaction.id} faulted without a context descriptor`);
  // The route took the SubstreamID as it is: one that does not fit ends in a configuration error.
  const ssid = transaction.pasid === undefined ? undefined : Number(transaction.pasid);
  const master = rt.model.masters[rt.model.engines[transaction.engine]?.master ?? -1];
  // A page request asks stage 1 for the page: a stage-2 fault is the host's, never the device's to fix.
  if (master?.pri && onFault.ats && result.stage?.stage !== 2) {
    if (transaction.atsRetried) endTransaction(rt, transaction, 'aborted', `${result.fault} fault after the page request was answered Success: the access fails`);
    else sendPageRequests(rt, transaction, ssid, result);
    return;
  }
  contextFault(rt, transaction, onFault, ssid, result);
}

/**
 * A stage-1 fault: CD.S stalls the transaction with a STAG and a stall record, else CD.R
 * records it and CD.A says abort or RAZ/WI. A stage-2 fault: STE.S2S and S2R do the same,
 * and a terminated one always aborts (5.5). Its record says S2, CLASS and the IPA.
 */
function contextFault(rt: Runtime, transaction: TransactionState, onFault: FaultBehaviour, ssid: number | undefined, result: TranslationFault): void {
  const v3 = v3State(rt, transaction.smmu);
  const where = result.stage ?? STAGE1_FAULT;
  const behaviour = where.stage === 2 ? { stall: onFault.stage2?.stall ?? false, record: onFault.stage2?.record ?? false, abort: true } : onFault;
  const record = recordFault(rt, transaction, {
    kind: result.fault,
    ssid: ssid ?? 0,
    level: result.level,
    stalled: behaviour.stall,
    latched: true,
    bank: undefined,
    reason: result.reason,
    stage: where,
  });
  const id = eventOfFault[result.fault];
  if (behaviour.stall) {
    const stag = v3.nextStag;
    v3.nextStag = (stag + 1) & 0xffff;
    v3.stalls.push({ stag, transaction: transaction.id, sid: transaction.sid, fault: record });
    stallTransaction(rt, transaction, 'fault');
    recordEvent(rt, transaction.smmu, eventFor(transaction, id, ssid, stag, true, where), { transaction: transaction.id, fault: record.id });
    return;
  }
  if (behaviour.record) recordEvent(rt, transaction.smmu, eventFor(transaction, id, ssid, 0, false, where), { transaction: transaction.id, fault: record.id });
  const bits = where.stage === 2 ? 'STE.S2S=0: terminated' : `CD.S=0: terminated (CD.A=${behaviour.abort ? 1 : 0})`;
  endTransaction(rt, transaction, behaviour.abort ? 'aborted' : 'raz', `${where.stage === 2 ? 'stage 2 ' : ''}${result.fault} fault, ${bits}`);
}
