import { isFaultKind } from '../emulator/language/schema';
import { Machine } from '../emulator/machine/machine';
import { FaultRecord, TransactionState } from '../emulator/machine/state';
import { FSR, setFlags } from '../emulator/inspect/registers';
import { hex } from '../emulator/util/u64';
import { ExceptionFilterId } from './exceptionFilters';
import { v3Report } from '../emulator/inspect/faultReport';
import { isV3 } from '../emulator/inspect/stalls';
import { contextBankOf } from '../emulator/inspect/smmus';

function sentence(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** What the context bank's fault registers say now: `FSR=0x402 TF; FAR=0x7000000`. */
function registers(machine: Machine, fault: FaultRecord): string {
  const bank = fault.bank === undefined ? undefined : contextBankOf(machine.state, fault.smmu, fault.bank);
  if (!bank) return '';
  const fsr = bank.fsr >>> 0;
  return `; FSR=${hex(fsr)} ${setFlags(FSR, BigInt(fsr))}; FAR=${hex(bank.far)}`;
}

/**
 * SMMUv3: the fault, then how it was reported — `F_TRANSLATION stall record, STAG 0x0` —
 * and for a stall what answers it. A page request's reason says it already.
 */
function describeV3Fault(machine: Machine, filter: ExceptionFilterId, access: string, fault: FaultRecord): string {
  const configError = !isFaultKind(fault.kind);
  const what = configError ? fault.reason.replace(/^([A-Z_]+): /, '$1 (configuration error): ') : `${fault.kind} fault at level ${fault.level}: ${fault.reason}`;
  const pri = !fault.latched && !fault.stalled && !configError;
  const report = configError || pri ? '' : `; ${v3Report(machine, fault)}`;
  const stall = filter === 'stall' ? (pri ? `; ${access} waits for CMD_PRI_RESP` : `; ${access} stalls until CMD_RESUME`) : '';
  return `${sentence(what)}${report}${stall}`;
}

/**
 * The exception in words, as the debugger shows it:
 * "Translation fault at level 2: L2[56] is invalid; FSR=0x402 TF; FAR=0x7000000".
 */
export function describeException(machine: Machine, filter: ExceptionFilterId, transaction: TransactionState, fault: FaultRecord | undefined): string {
  const access = `${transaction.access} ${hex(transaction.iova)}`;
  if (filter === 'terminate') {
    const how = transaction.status === 'raz' ? (transaction.access === 'read' ? 'terminated: read as zeros (RAZ)' : 'terminated: the write was dropped (WI)') : 'aborted';
    const article = /^[aeiou]/.test(fault?.kind ?? '') ? 'an' : 'a';
    const without = isV3(machine, transaction.smmu) ? ': its STE aborts its traffic (no domain attached)' : ': its context bank held a fault (HUPCF=0)';
    return sentence(`${access} ${how}${fault ? ` after ${article} ${fault.kind} fault: ${fault.reason}` : without}`);
  }
  if (!fault) return sentence(`${access} stalled`);
  if (isV3(machine, fault.smmu)) return describeV3Fault(machine, filter, access, fault);
  const what = fault.bank === undefined ? `${fault.kind} (global fault): ${fault.reason}` : `${fault.kind} fault at level ${fault.level}: ${fault.reason}`;
  const multi = !fault.latched && fault.bank !== undefined ? '; FSR was busy: only MULTI records it, FAR still names the earlier fault' : '';
  const stall = filter === 'stall' ? `; ${access} stalls until RESUME` : '';
  return `${sentence(what)}${registers(machine, fault)}${multi}${stall}`;
}
