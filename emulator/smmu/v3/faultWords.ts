import { faultKindEventNames, isFaultKind } from '../../language/schema';
import { PhysicalMemory } from '../../memory/physicalMemory';
import { FaultRecord } from '../../machine/state';
import { hex } from '../../util/u64';
import { decodeCd } from './cd';
import { decodeSte } from './ste';
import { faultAtLevel } from '../../machine/faultText';
import { Runtime } from '../../machine/runtime';
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

/**
 * Whether a fault that did not stall was recorded, by the bit that decides it as it is in
 * memory now (5.5): STE.S2R for a stage-2 fault, else the CD's R — a nested stream's CD read
 * at its IPA, through its guest's stage 2.
 */
function recordsFaults(rt: Runtime, state: SmmuV3State, fault: FaultRecord): { recorded: boolean; bit: string } {
  const stream = state.streams.find((s) => s.sid === fault.sid);
  if (!stream) return { recorded: false, bit: 'CD.R' };
  const read = (memory: Pick<PhysicalMemory, 'readU64'>, at: number): bigint[] => Array.from({ length: 8 }, (_, i) => memory.readU64(at + 8 * i));
  if (fault.stage.stage === 2) return { recorded: decodeSte(read(rt.memory, stream.ste)).s2.record, bit: 'STE.S2R' };
  if (stream.cdTable === undefined) return { recorded: false, bit: 'CD.R' };
  const guest = rt.guests[stream.cds[0]?.domain ?? -1];
  return { recorded: decodeCd(read(guest?.view ?? rt.memory, stream.cdTable + fault.ssid * CD_BYTES)).r, bit: 'CD.R' };
}

/** How it reported the fault: the Fault scope's `event` row. */
export function v3FaultReport(rt: Runtime, state: SmmuV3State, fault: FaultRecord): string {
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
  const { recorded, bit } = recordsFaults(rt, state, fault);
  return recorded ? `${event} record (${bit}=1), not stalled` : `not recorded (${bit}=0), not stalled`;
}

/** The fault, then how it was reported — `F_TRANSLATION stall record, STAG 0x0` — and, when `stalls`, what answers it. A page request's reason says it already. */
export function describeV3Fault(rt: Runtime, state: SmmuV3State, fault: FaultRecord, access: string, stalls: boolean): string {
  const configError = !isFaultKind(fault.kind);
  const what = configError ? fault.reason.replace(/^([A-Z_]+): /, '$1 (configuration error): ') : `${faultAtLevel(fault)}: ${fault.reason}`;
  const pri = !fault.latched && !fault.stalled && !configError;
  const report = configError || pri ? '' : `; ${v3FaultReport(rt, state, fault)}`;
  const stall = stalls ? (pri ? `; ${access} waits for CMD_PRI_RESP` : `; ${access} stalls until CMD_RESUME`) : '';
  return `${what}${report}${stall}`;
}
