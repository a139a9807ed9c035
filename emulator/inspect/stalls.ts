import { Machine } from '../machine/machine';
import { FaultRecord, TransactionState } from '../machine/state';
import { PrgWaitState } from '../smmu/v3/v3State';
import { hex } from '../util/u64';
import { stagOf as stallTagOf } from '../smmu/smmuState';
import { pageRequestWaitsOf, stallTagsOf } from '../smmu/structures';

/**
 * SMMUv3's handles on a waiting transaction: the STAG of its stall (what CMD_RESUME names)
 * and the page request group its device waits on (what CMD_PRI_RESP names).
 */

/** The STAG of a transaction stalled by its own fault on an SMMUv3. */
export function stagOf(machine: Machine, transaction: TransactionState): number | undefined {
  if (transaction.status !== 'stalled' || transaction.stall !== 'fault') return undefined;
  return stallTagOf(machine.state.smmus[transaction.smmu], transaction.id);
}

/** The page request group a transaction's device waits on, while it does. */
export function prgWaitOf(machine: Machine, smmu: number, transaction: number): PrgWaitState | undefined {
  return pageRequestWaitsOf(machine.state, smmu).find((w) => w.transactions.includes(transaction));
}

/** The STAG a fault's stall holds, while it holds one. */
export function stagOfFault(machine: Machine, fault: FaultRecord): number | undefined {
  return stallTagsOf(machine.state, fault.smmu).find((s) => s.fault.id === fault.id)?.stag;
}

/** Why a stalled transaction waits: `by its fault, STAG 0x0`, `behind a fault, HUPCF=0`, `for page request group 0x1`. */
export function waitWords(machine: Machine, t: TransactionState): string {
  if (t.stall === 'behind') return 'behind a fault, HUPCF=0';
  if (t.stall === 'page-request') {
    const group = prgWaitOf(machine, t.smmu, t.id);
    return `for the response to page request group ${group ? hex(group.prgi) : '?'}`;
  }
  const stag = stagOf(machine, t);
  return `by its fault${stag === undefined ? '' : `, STAG ${hex(stag)}`}`;
}

/** Why the driver could not answer a stalled transaction now (it waits behind another's fault, its group is not complete…), or undefined when it can. */
export function answerRefusal(machine: Machine, t: TransactionState): string | undefined {
  const smmu = machine.smmu(t.smmu);
  return smmu ? smmu.unanswerable(t) : `transaction #${t.id} is on no SMMU`;
}
