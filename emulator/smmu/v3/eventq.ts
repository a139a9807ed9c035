import { Runtime } from '../../machine/runtime';
import { v3StateOf } from '../smmuState';
import { SmmuV3State } from './v3State';
import { decodeEvent, encodeEvent, EventRecord, isTranslationFault } from './eventRecord';
import { discard, inOverflow, isFull, produce } from './queue';

export function v3State(rt: Runtime, smmu: number): SmmuV3State {
  const v3 = v3StateOf(rt.state, smmu);
  if (!v3) throw new Error(`SMMU ${smmu} is not an SMMUv3`);
  return v3;
}

/** One line for people: `F_TRANSLATION sid 0x0 ssid 5 stag 0x1 stall read 0x7000000`. */
export function eventText(record: EventRecord): string {
  const parts = [record.id, `sid 0x${record.sid.toString(16)}`];
  if (record.ssv) parts.push(`ssid ${record.ssid}`);
  if (isTranslationFault(record.id)) {
    if (record.stall) parts.push(`stag 0x${record.stag.toString(16)}`, 'stall');
    parts.push(record.rnw ? 'read' : 'write', `0x${record.inputAddr.toString(16)}`);
  }
  return parts.join(' ');
}

/** The event queue's interrupt: raised when a record arrives and its IRQ thread is not already on its way. */
function raiseEvtqIrq(rt: Runtime, smmu: number, v3: SmmuV3State): void {
  if (v3.evtqIrqActive) return;
  v3.evtqIrqActive = true;
  rt.schedule(rt.model.timing.irqLatency, { kind: 'evtq-irq', smmu });
}

/** The transaction and fault an event record reports. */
export interface RecordedAbout {
  transaction: number;
  fault: number;
}

function write(rt: Runtime, smmu: number, v3: SmmuV3State, dwords: bigint[], record: EventRecord, about: RecordedAbout): void {
  const index = v3.eventq.prod & ((1 << v3.eventq.log2size) - 1);
  produce(rt.memory, v3.eventq, dwords);
  rt.state.counters.events++;
  if (rt.observed) rt.emit({ kind: 'event-record', time: rt.state.now, smmu, ...about, index, dwords, text: eventText(record) });
  raiseEvtqIrq(rt, smmu, v3);
}

/**
 * The SMMU records an event (7.4): a stall record waits for room, behind any that already
 * wait, and is never lost; any other record meeting a full queue is discarded and PROD.OVFLG
 * toggles, once per overflow episode.
 */
export function recordEvent(rt: Runtime, smmu: number, record: EventRecord, about: RecordedAbout): 'written' | 'waiting' | 'dropped' {
  const v3 = v3State(rt, smmu);
  const dwords = encodeEvent(record);
  if (record.stall && (v3.waitingRecords.length > 0 || isFull(v3.eventq))) {
    v3.waitingRecords.push({ ...about, dwords });
    return 'waiting';
  }
  if (isFull(v3.eventq)) {
    const wasInOverflow = inOverflow(v3.eventq);
    discard(v3.eventq);
    rt.state.counters['dropped-events']++;
    if (rt.observed) rt.emit({ kind: 'event-dropped', time: rt.state.now, smmu, ...about, dwords, text: eventText(record), overflow: !wasInOverflow });
    return 'dropped';
  }
  write(rt, smmu, v3, dwords, record, about);
  return 'written';
}

/** Room was made: stall records that waited go in, oldest first. */
export function writeWaitingRecords(rt: Runtime, smmu: number): void {
  const v3 = v3State(rt, smmu);
  while (v3.waitingRecords.length > 0 && !isFull(v3.eventq)) {
    const waiting = v3.waitingRecords.shift() as SmmuV3State['waitingRecords'][number];
    write(rt, smmu, v3, waiting.dwords, decodeEvent(waiting.dwords), { transaction: waiting.transaction, fault: waiting.fault });
  }
}
