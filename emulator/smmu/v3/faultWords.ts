import { faultKindEventNames, isFaultKind } from '../../language/schema';
import { PhysicalMemory } from '../../memory/physicalMemory';
import { FaultRecord } from '../../machine/state';
import { hex } from '../../util/u64';
import { decodeCd } from './cd';
import { CD_BYTES } from './program';
import { SmmuV3State } from './v3State';

/*
 * How an SMMUv3 tells software about a fault, in the debugger's words: an event record (a
 * stall record with its STAG, a terminate record when CD.R=1), a PRI page request for an
 * ATS master, or nothing at all.
 */

/** The event a fault of this kind records: F_TRANSLATION …, or the configuration error its reason names. */
export function eventNameOf(fault: FaultRecord): string {
  return isFaultKind(fault.kind) ? (faultKindEventNames[fault.kind] ?? fault.kind) : (/^([A-Z_]+):/.exec(fault.reason)?.[1] ?? fault.kind);
}

/** Whether the CD of the faulting stream and SubstreamID records faults that do not stall (CD.R), as it is in memory now. */
function recordsFaults(memory: PhysicalMemory, state: SmmuV3State, fault: FaultRecord): boolean {
  const cdTable = state.streams.find((s) => s.sid === fault.sid)?.cdTable;
  if (cdTable === undefined) return false;
  const pa = cdTable + fault.ssid * CD_BYTES;
  return decodeCd(Array.from({ length: 8 }, (_, i) => memory.readU64(pa + 8 * i))).r;
}

/** How it reported the fault: the Fault scope's `event` row. */
export function v3FaultReport(memory: PhysicalMemory, state: SmmuV3State, fault: FaultRecord): string {
  const event = eventNameOf(fault);
  if (fault.bank === undefined && !isFaultKind(fault.kind)) return `${event} record (configuration error)`;
  if (fault.stalled) {
    const stag = state.stalls.find((s) => s.fault.id === fault.id)?.stag;
    return `${event} stall record${stag === undefined ? ' (answered)' : `, STAG ${hex(stag)}`}`;
  }
  if (!fault.latched) {
    const group = state.prgWaits.find((w) => w.transactions.includes(fault.transaction));
    return `ATS translation failed: a PRI page request${group ? ` in group ${hex(group.prgi)}` : ''}, no event record`;
  }
  return recordsFaults(memory, state, fault) ? `${event} record (CD.R=1), not stalled` : 'not recorded (CD.R=0), not stalled';
}

/** The fault, then how it was reported — `F_TRANSLATION stall record, STAG 0x0` — and, when `stalls`, what answers it. A page request's reason says it already. */
export function describeV3Fault(memory: PhysicalMemory, state: SmmuV3State, fault: FaultRecord, access: string, stalls: boolean): string {
  const configError = !isFaultKind(fault.kind);
  const what = configError ? fault.reason.replace(/^([A-Z_]+): /, '$1 (configuration error): ') : `${fault.kind} fault at level ${fault.level}: ${fault.reason}`;
  const pri = !fault.latched && !fault.stalled && !configError;
  const report = configError || pri ? '' : `; ${v3FaultReport(memory, state, fault)}`;
  const stall = stalls ? (pri ? `; ${access} waits for CMD_PRI_RESP` : `; ${access} stalls until CMD_RESUME`) : '';
  return `${what}${report}${stall}`;
}
