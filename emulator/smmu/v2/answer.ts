import { ResponseKind } from '../../language/ast';
import { Runtime } from '../../machine/runtime';
import { hex } from '../../util/u64';
import { FSR_FAULT_BITS } from './registers';
import { bankState, writeFsr, writeResume } from './smmuV2';

/**
 * arm_smmu_cb_write(FSR): the FSR value the driver read, written back so that its fault
 * bits (write-one-to-clear) are cleared. Returns the write, in words.
 */
export function writeBackFsr(rt: Runtime, smmu: number, cbndx: number, fsr: number): string {
  writeFsr(rt, smmu, cbndx, fsr);
  return `FSR ← ${hex(fsr >>> 0)}`;
}

/**
 * arm_smmu_cb_write(RESUME): TnR=0 retries the bank's stalled transactions, TnR=1 ends
 * them. Returns the write, in words, and why the SMMU ignored it, if it did.
 */
export function writeBackResume(rt: Runtime, smmu: number, cbndx: number, action: ResponseKind): { written: string; ignored: string | undefined } {
  const ignored = writeResume(rt, smmu, cbndx, action);
  return { written: `RESUME ← ${action === 'retry' ? 'retry (TnR=0)' : `${action} (TnR=1)`}`, ignored };
}

/**
 * The driver's answer to a stalled context fault, both writes at once (the debugger's
 * answer; Linux's fault path makes the same two writes as separate steps): FSR's fault
 * bits written back if it holds any — RESUME is ignored until they are cleared — then RESUME.
 */
export function answerContextFault(rt: Runtime, smmu: number, cbndx: number, action: ResponseKind): { written: string; ignored: string | undefined } {
  const fsr = bankState(rt, smmu, cbndx).fsr & FSR_FAULT_BITS;
  const cleared = fsr !== 0 ? `${writeBackFsr(rt, smmu, cbndx, fsr)}; ` : '';
  const resume = writeBackResume(rt, smmu, cbndx, action);
  return { written: cleared + resume.written, ignored: resume.ignored };
}
