import { Journal } from './journal';
import { heldTransactions } from '../smmu/smmuState';
import { MachineState } from './state';

/**
 * "Nothing lost": every transaction ends exactly once — completed, aborted or RAZ — or
 * is still stalled or pending; every fault is answered at most once; every stalled
 * transaction is held by exactly one context bank. Returns what does not hold, in words
 * (empty when all is well).
 */
export function checkInvariants(state: MachineState, journal: Journal): string[] {
  const problems: string[] = [];
  const { counters } = state;
  const ended = counters.completed + counters.aborted + counters.raz;
  if (counters.transactions !== ended + state.transactions.size) {
    problems.push(`${counters.transactions} issued but ${ended} ended and ${state.transactions.size} live`);
  }
  const endedIds = new Set<number>();
  for (const t of journal.ended) {
    if (endedIds.has(t.id)) problems.push(`transaction #${t.id} ended twice`);
    endedIds.add(t.id);
    if (state.transactions.has(t.id)) problems.push(`transaction #${t.id} ended but is still live`);
  }
  const holders = new Map<number, number>();
  for (const smmu of state.smmus) {
    for (const { id } of heldTransactions(smmu)) holders.set(id, (holders.get(id) ?? 0) + 1);
  }
  for (const t of state.transactions.values()) {
    if (t.status !== 'stalled' && t.status !== 'pending') problems.push(`live transaction #${t.id} is ${t.status}`);
    const held = holders.get(t.id) ?? 0;
    if (t.status === 'stalled' && held !== 1) problems.push(`stalled transaction #${t.id} is held by ${held} context banks or stall tags`);
    if (t.status !== 'stalled' && held !== 0) problems.push(`transaction #${t.id} is ${t.status} but held by a context bank`);
  }
  for (const id of holders.keys()) {
    if (!state.transactions.has(id)) problems.push(`a context bank holds transaction #${id}, which is not live`);
  }
  state.engines.forEach((engine, index) => {
    let live = 0;
    for (const t of state.transactions.values()) if (t.engine === index) live++;
    if (engine.inFlight !== live) problems.push(`engine ${index} counts ${engine.inFlight} in flight but ${live} are live`);
  });
  for (const faultId of state.responses.keys()) {
    if (faultId >= journal.faults.length) problems.push(`a response answers fault #${faultId}, which was never recorded`);
  }
  return problems;
}
