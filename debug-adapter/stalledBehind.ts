import { Machine } from '../emulator/machine/machine';
import { TransactionState } from '../emulator/machine/state';
import { hex } from '../emulator/util/u64';

/**
 * The transaction whose fault holds the context bank a read waits behind (SMMUv2, HUPCF=0):
 * the one stalled by its own fault on the same bank of the same SMMU.
 */
export function stalledAhead(machine: Machine, behind: TransactionState): TransactionState | undefined {
  for (const t of machine.state.transactions.values()) {
    if (t.status === 'stalled' && t.stall === 'fault' && t.smmu === behind.smmu && t.bank === behind.bank) return t;
  }
  return undefined;
}

/** The Stalls filter's text for a read held untranslated: "Read 0x1002000 stalled behind the fault of #1 (HUPCF=0)". */
export function stalledBehindText(behind: TransactionState, ahead: TransactionState | undefined): string {
  const access = `${behind.access} ${hex(behind.iova)}`;
  const which = ahead ? `the fault of #${ahead.id}` : 'a fault';
  return `${access.charAt(0).toUpperCase()}${access.slice(1)} stalled behind ${which} (HUPCF=0)`;
}
