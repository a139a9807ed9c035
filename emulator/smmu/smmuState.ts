import type { HeldTransaction } from './smmu';
import { heldByBanks, SmmuV2State } from './v2/v2State';
import { heldByStallsAndGroups, SmmuV3State } from './v3/v3State';

/** One SMMU's state in the machine: plain data, tagged with the architecture version that owns it. */
export type SmmuState = SmmuV2State | SmmuV3State;

/** SMMU `index`'s registers if it is an SMMUv2 (views of context banks ask this; an SMMUv3 has none). */
export function v2StateOf(state: { smmus: readonly SmmuState[] }, index: number): SmmuV2State | undefined {
  const smmu = state.smmus[index];
  return smmu?.version === 'v2' ? smmu : undefined;
}

/** SMMU `index`'s structures and queues if it is an SMMUv3 (views of streams and queues ask this). */
export function v3StateOf(state: { smmus: readonly SmmuState[] }, index: number): SmmuV3State | undefined {
  const smmu = state.smmus[index];
  return smmu?.version === 'v3' ? smmu : undefined;
}

/** An SMMU's stall table, read from its state alone (the invariants and the run's summary have no drivers). */
export function heldTransactions(smmu: SmmuState): HeldTransaction[] {
  return smmu.version === 'v2' ? heldByBanks(smmu) : heldByStallsAndGroups(smmu);
}

/** The stall tag an SMMUv3 holds a transaction under (its stall table is the one place a STAG lives). */
export function stagOf(smmu: SmmuState | undefined, transaction: number): number | undefined {
  return smmu?.version === 'v3' ? smmu.stalls.find((s) => s.transaction === transaction)?.stag : undefined;
}

/** The page request group (its PRG index) a transaction waits on, if it waits on one. */
export function pageRequestGroupOf(smmu: SmmuState | undefined, transaction: number): number | undefined {
  return smmu?.version === 'v3' ? smmu.prgWaits.find((w) => w.transactions.includes(transaction))?.prgi : undefined;
}
