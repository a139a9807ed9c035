import { MachineEvent } from '../machine/events';
import { Machine } from '../machine/machine';
import { FaultRecord, TransactionState } from '../machine/state';
import { decodePageRequest } from '../smmu/v3/priEntry';
import { hex } from '../util/u64';
import { findTransaction } from './transactions';
import { droppedEventsOf, pageRequestWaitsOf } from '../smmu/structures';

/** An SMMUv3 queue event the `overflow` and `page-request` filters stop on, with what it is about. */
export interface QueueException {
  filter: 'overflow' | 'page-request';
  transaction: TransactionState | undefined;
  fault: FaultRecord | undefined;
  /** "Event queue full: F_TRANSLATION sid 0x1 read 0x1018000 discarded; PROD.OVFLG toggled …". */
  message: string;
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

function dropped(machine: Machine, event: Extract<MachineEvent, { kind: 'event-dropped' }>): QueueException {
  // The event names the fault its record reported (the journal may have let it go since).
  const fault = machine.journal.faults.get(event.fault);
  const transaction = findTransaction(machine, event.transaction);
  const lost = droppedEventsOf(machine.state, event.smmu);
  const flag = event.overflow ? 'PROD.OVFLG toggled: the queue is in overflow until the driver acknowledges it' : 'the queue was already in overflow: PROD.OVFLG stays';
  return { filter: 'overflow', transaction, fault, message: `Event queue full: ${event.text} discarded; ${flag}; ${plural(lost, 'record')} lost so far` };
}

function pageRequest(machine: Machine, event: Extract<MachineEvent, { kind: 'page-request' }>): QueueException {
  const request = decodePageRequest(event.dwords);
  const wait = pageRequestWaitsOf(machine.state, event.smmu).find((w) => w.sid === event.sid && w.prgi === event.prgi);
  const waiting = (wait?.transactions ?? []).flatMap((id) => findTransaction(machine, id) ?? []);
  const transaction = findTransaction(machine, event.transaction);
  const fault = transaction?.lastFault;
  const group = `group ${hex(event.prgi)}`;
  const who = waiting.length > 0 ? `; ${waiting.map((t) => `#${t.id}`).join(', ')} wait${waiting.length === 1 ? 's' : ''} for the response` : '';
  if (event.index === undefined) {
    const last = request.last ? '; it carried Last: the SMMU answers Success itself and the device asks again' : '';
    return { filter: 'page-request', transaction, fault, message: `Page request ${event.text}${last}` };
  }
  const next = request.last ? `the last of ${group}: the driver answers the group with CMD_PRI_RESP` : `more requests of ${group} follow`;
  return { filter: 'page-request', transaction, fault, message: `Page request ${event.text} → PRIQ[${event.index}]; ${next}${who}` };
}

/** The queue exception an event is, if it is one. */
export function queueException(machine: Machine, event: MachineEvent): QueueException | undefined {
  if (event.kind === 'event-dropped') return dropped(machine, event);
  if (event.kind === 'page-request') return pageRequest(machine, event);
  return undefined;
}
