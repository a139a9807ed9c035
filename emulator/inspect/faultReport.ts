import { faultKindEventNames, isFaultKind } from '../language/schema';
import { Machine } from '../machine/machine';
import { FaultRecord } from '../machine/state';
import { decodeCd } from '../smmu/v3/cd';
import { hex } from '../util/u64';
import { cdAddress, readStructure, streamOf } from './streams';
import { findTransaction } from './transactions';
import { prgWaitOf, stagOfFault } from './stalls';

/** The event a fault of this kind records: F_TRANSLATION …, or the configuration error its reason names. */
export function eventNameOf(fault: FaultRecord): string {
  return isFaultKind(fault.kind) ? (faultKindEventNames[fault.kind] ?? fault.kind) : (/^([A-Z_]+):/.exec(fault.reason)?.[1] ?? fault.kind);
}

/** Whether the CD that translated the fault records faults that do not stall (CD.R). */
function recordsFaults(machine: Machine, fault: FaultRecord): boolean {
  const stream = streamOf(machine, fault.smmu, fault.sid);
  const pa = stream ? cdAddress(stream, fault.ssid) : undefined;
  return pa !== undefined && decodeCd(readStructure(machine, pa)).r;
}

/**
 * How an SMMUv3 reported a fault, as the Fault scope shows it: a stall record with its
 * STAG, a page request of a PRI group, a terminate record (CD.R), or nothing at all.
 */
export function v3Report(machine: Machine, fault: FaultRecord): string {
  const event = eventNameOf(fault);
  if (fault.bank === undefined && !isFaultKind(fault.kind)) return `${event} record (configuration error)`;
  if (fault.stalled) {
    const stag = stagOfFault(machine, fault);
    return `${event} stall record${stag === undefined ? ' (answered)' : `, STAG ${hex(stag)}`}`;
  }
  if (!fault.latched) {
    const transaction = findTransaction(machine, fault.transaction);
    const group = transaction ? prgWaitOf(machine, fault.smmu, transaction.id) : undefined;
    return `ATS translation failed: a PRI page request${group ? ` in group ${hex(group.prgi)}` : ''}, no event record`;
  }
  return recordsFaults(machine, fault) ? `${event} record (CD.R=1), not stalled` : 'not recorded (CD.R=0), not stalled';
}
