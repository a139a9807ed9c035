import { Transaction } from '../language/ast';
import { CheckResult } from '../language/checker/check';
import { constantValue, evaluate, EvaluationError } from '../language/evaluate';
import { Access } from '../pgtable/descriptor';
import { WalkResult } from '../pgtable/walker';
import { transactionRoute } from './pasidRoute';
import { Route, StaticSystem } from './staticSystem';
import { TransactionSite } from './transactionSites';

/*
 * The fallback prediction: a walk of the page tables as they stand before the run. It knows
 * nothing of timing (an outstanding fault, a stall, a full queue) nor of what handlers change,
 * so it only speaks for what the run did not reach.
 */

/** What one iteration of a transaction would do on the tables as written. */
export interface StaticPrediction {
  iova: bigint;
  /** The innermost repeat's `i` the address was computed for, when it depends on it. */
  iteration: number | undefined;
  route: Route;
  /** Its PA, or the walk of the fault it takes; undefined when it reaches no domain. */
  outcome: { pa: bigint } | { fault: WalkResult } | undefined;
}

/** Iterations of a `repeat` looked at for a predicted fault: enough to catch an off-by-one stride. */
const ITERATIONS_CHECKED = 64;

/** The access a transaction makes: what the permission check looks at. */
export function accessOf(transaction: Transaction): Access {
  return { write: transaction.access === 'write', exec: transaction.options.some((o) => o.kind === 'exec'), priv: transaction.options.some((o) => o.kind === 'priv') };
}

function iterations(site: TransactionSite): number {
  const innermost = site.repeats.at(-1)?.count;
  const count = innermost ? constantValue(innermost) : undefined;
  return typeof count === 'bigint' ? Number(count > 1_000_000n ? 1_000_000n : count) : 0;
}

function usesI(site: TransactionSite): boolean {
  return site.transaction.address !== undefined && constantValue(site.transaction.address) === undefined;
}

/** The static prediction for one iteration (`i`), or undefined when the address cannot be computed. */
export function predictStatic(system: StaticSystem, check: CheckResult, site: TransactionSite, i = 0): StaticPrediction | undefined {
  const address = site.transaction.address;
  if (!address) return undefined;
  const dependsOnI = usesI(site);
  if (dependsOnI && site.repeats.length === 0) return undefined;
  let iova: bigint;
  try {
    const value = evaluate(address, { lookup: (name) => (name === 'i' ? BigInt(i) : undefined) });
    if (typeof value !== 'bigint') return undefined;
    iova = value;
  } catch (error) {
    if (error instanceof EvaluationError) return undefined;
    throw error;
  }
  const route = transactionRoute(system, check, site.engine, site.transaction);
  const outcome = route.kind === 'domain' ? system.translate(route.domain, iova, accessOf(site.transaction)) : undefined;
  return { iova, iteration: dependsOnI ? i : undefined, route, outcome };
}

/** The first iteration (of at most ITERATIONS_CHECKED) whose translation faults or reaches no domain, if any. */
export function firstStaticFault(system: StaticSystem, check: CheckResult, site: TransactionSite): StaticPrediction | undefined {
  const count = usesI(site) ? Math.min(ITERATIONS_CHECKED, iterations(site)) : 1;
  for (let i = 0; i < count; i++) {
    const prediction = predictStatic(system, check, site, i);
    if (!prediction) return undefined;
    if (!prediction.outcome || 'fault' in prediction.outcome) return prediction;
  }
  return undefined;
}
