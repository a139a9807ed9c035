import { Machine } from '../emulator/machine/machine';
import { FaultRecord, TransactionState } from '../emulator/machine/state';
import { hex } from '../emulator/util/u64';
import { ExceptionFilterId } from './exceptionFilters';
import { staleAccessText } from '../emulator/inspect/staleAccess';

function sentence(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * The exception in words, as the debugger shows it:
 * "Translation fault at level 2: L2[56] is invalid; FSR=0x402 TF; FAR=0x7000000".
 */
export function describeException(machine: Machine, filter: ExceptionFilterId, transaction: TransactionState, fault: FaultRecord | undefined): string {
  const access = `${transaction.access} ${hex(transaction.iova)}`;
  if (filter === 'stale' && transaction.stale) return sentence(`${access}: ${staleAccessText(transaction.stale)}`);
  if (filter === 'terminate') {
    const how = transaction.status === 'raz' ? (transaction.access === 'read' ? 'terminated: read as zeros (RAZ)' : 'terminated: the write was dropped (WI)') : 'aborted';
    const article = /^[aeiou]/.test(fault?.kind ?? '') ? 'an' : 'a';
    const without = machine.smmu(transaction.smmu)?.terminatedWithoutFault;
    return sentence(`${access} ${how}${fault ? ` after ${article} ${fault.kind} fault: ${fault.reason}` : without ? `: ${without}` : ''}`);
  }
  const smmu = fault && machine.smmu(fault.smmu);
  if (!fault || !smmu) return sentence(`${access} stalled`);
  return sentence(smmu.describeFault(fault, access, filter === 'stall'));
}
