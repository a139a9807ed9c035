import { SmmuState } from './smmuState';
import { BankState } from './v2/v2State';
import { PrgWaitState, StallV3State, StreamTableEntryState } from './v3/v3State';

/*
 * What views show of an SMMU's own structures. Each kind of SMMU has some of them — context
 * banks (SMMUv2); a stream table, a stall table by STAG and page request groups (SMMUv3) —
 * and an empty list where it has none, so a view shows what the SMMU has without asking
 * which version it is.
 */

type State = { readonly smmus: readonly SmmuState[] };

/** Its context banks in use, by index. */
export function contextBanksOf(state: State, smmu: number): readonly BankState[] {
  const s = state.smmus[smmu];
  return s?.version === 'v2' ? s.banks : [];
}

export function contextBankOf(state: State, smmu: number, cbndx: number): BankState | undefined {
  return contextBanksOf(state, smmu)[cbndx];
}

/** The streams its stream table in memory holds an STE for. */
export function streamTableOf(state: State, smmu: number): readonly StreamTableEntryState[] {
  const s = state.smmus[smmu];
  return s?.version === 'v3' ? s.streams : [];
}

/** Transactions it holds stalled under a stall tag (what CMD_RESUME names). */
export function stallTagsOf(state: State, smmu: number): readonly StallV3State[] {
  const s = state.smmus[smmu];
  return s?.version === 'v3' ? s.stalls : [];
}

/** Page request groups devices wait on a response to (what CMD_PRI_RESP names). */
export function pageRequestWaitsOf(state: State, smmu: number): readonly PrgWaitState[] {
  const s = state.smmus[smmu];
  return s?.version === 'v3' ? s.prgWaits : [];
}

/** Event records it discarded because its event queue was full. */
export function droppedEventsOf(state: State, smmu: number): number {
  const s = state.smmus[smmu];
  return s?.version === 'v3' ? s.eventq.dropped : 0;
}

/** Whether it finds its streams' configuration in a stream table in memory (STEs and CDs). */
export function hasStreamTable(state: State, smmu: number): boolean {
  return state.smmus[smmu]?.version === 'v3';
}

/** Whether its translation contexts are context banks with registers (SCTLR, FSR, FAR …). */
export function hasContextBanks(state: State, smmu: number): boolean {
  return state.smmus[smmu]?.version === 'v2';
}

/** SMMU_sGFSR: its global fault status (SMMUv2; an SMMUv3 reports such faults as event records). */
export function sgfsrOf(state: State, smmu: number): number {
  const s = state.smmus[smmu];
  return s?.version === 'v2' ? s.sgfsr : 0;
}
