import { Machine } from '../machine/machine';
import { TransactionState } from '../machine/state';

/** A transaction by id: live, or one the journal kept when it ended. */
export function findTransaction(machine: Machine, id: number): TransactionState | undefined {
  return machine.state.transactions.get(id) ?? machine.journal.ended.findLast((t) => t.id === id);
}
