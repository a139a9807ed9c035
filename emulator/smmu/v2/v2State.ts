import type { HeldTransaction } from '../smmu';
import { FaultRecord } from '../../machine/state';

/** An SMMUv2's registers as plain data in the machine's state (a snapshot clones them). */

export interface BankState {
  cbndx: number;
  domain: number;
  /** CBAR: TYPE (stage 1 with stage 2 bypassed, or stage 2) and a stage-2 bank's VMID. */
  cbar: number;
  /** The FSYNR0.S1CBNDX the bank reports with each fault: its own index unless the domain pins one (`s1cbndx`). */
  s1cbndx: number;
  sctlr: number;
  fsr: number;
  fsynr0: number;
  far: bigint;
  cbfrsynra: number;
  /** The live TTBR0: the domain's default table, or the pagetable the CP switched to (ASID in [63:48]). */
  ttbr0: bigint;
  /** TTBR1: the domain's TTBR1 table with `ttbr1 on`, else 0 (EPD1=1). */
  ttbr1: bigint;
  tcr: number;
  tcr2: number;
  /** Transactions held by their own fault, in the order they stalled. */
  stalled: number[];
  /** Transactions stalled behind a fault without translation (HUPCF=0), in arrival order. */
  behind: number[];
  /** The fault that latched FSR/FAR/FSYNR0 (it names its transaction). */
  latchedFault: FaultRecord | undefined;
  /** `stall off for N`: when CFCFG comes back. */
  stallOffUntil: number | undefined;
  /** VAs written to TLBIVAL and not yet completed by a TLBSYNC (the model applies them at the sync). */
  postedTlbi: bigint[];
}

export interface SmrState {
  valid: boolean;
  id: number;
  mask: number;
  master: number;
}

export interface S2crState {
  type: number;
  cbndx: number;
}

export interface SmmuV2State {
  version: 'v2';
  smrs: SmrState[];
  s2crs: S2crState[];
  banks: BankState[];
  sgfsr: number;
  /** The faulting access: WNR, PNU, IND. */
  sgfsynr0: number;
  /** The faulting StreamID (bits 15:0). */
  sgfsynr1: number;
  /** IMPLEMENTATION DEFINED; MMU-500 leaves it 0 for the faults modelled. */
  sgfsynr2: number;
  sgfar: bigint;
}

/** The transactions an SMMUv2's banks hold: stalled by their own fault, then those behind it (HUPCF=0), bank by bank. */
export function heldByBanks(state: SmmuV2State): HeldTransaction[] {
  return state.banks.flatMap((b) => [
    ...b.stalled.map((id) => ({ id, behind: false, waits: `stalled on cb${b.cbndx}, no RESUME` })),
    ...b.behind.map((id) => ({ id, behind: true, waits: `stalled behind a fault on cb${b.cbndx} (HUPCF=0)` })),
  ]);
}
