import { faultAtLevel } from '../../machine/faultText';
import { FaultRecord } from '../../machine/state';
import { hex } from '../../util/u64';
import { setFlags } from '../registerLayout';
import { FSR } from './registers';
import { SmmuV2State } from './v2State';

/*
 * How an SMMUv2 tells software about a fault, in the debugger's words: the context bank's
 * FSR/FAR/FSYNR0 latch the first fault until FSR is cleared (a later one only sets MULTI),
 * and a fault before any context bank goes to sGFSR.
 */

/** Where the fault's syndrome went: the Fault scope's `registers` row. */
export function v2FaultReport(fault: FaultRecord): string {
  if (fault.latched) return 'latched in FSR/FAR/FSYNR0';
  return fault.bank === undefined ? 'a global fault (sGFSR)' : 'FSR was busy: only MULTI records it';
}

/** What the context bank's fault registers say now: `; FSR=0x402 TF; FAR=0x7000000`. */
function registersNow(state: SmmuV2State, fault: FaultRecord): string {
  const bank = fault.bank === undefined ? undefined : state.banks[fault.bank];
  if (!bank) return '';
  const fsr = bank.fsr >>> 0;
  return `; FSR=${hex(fsr)} ${setFlags(FSR, BigInt(fsr))}; FAR=${hex(bank.far)}`;
}

/** "translation fault at level 2: L2[56] is invalid; FSR=0x402 TF; FAR=0x7000000; read 0x7000000 stalls until RESUME". */
export function describeV2Fault(state: SmmuV2State, fault: FaultRecord, access: string, stalls: boolean): string {
  const what = fault.bank === undefined ? `${fault.kind} (global fault): ${fault.reason}` : `${faultAtLevel(fault)}: ${fault.reason}`;
  const multi = !fault.latched && fault.bank !== undefined ? '; FSR was busy: only MULTI records it, FAR still names the earlier fault' : '';
  return `${what}${registersNow(state, fault)}${multi}${stalls ? `; ${access} stalls until RESUME` : ''}`;
}
