import { EngineDeclaration, EngineItem, Repeat, Transaction } from '../emulator/language/ast';
import { constantValue, evaluate, EvaluationError } from '../emulator/language/evaluate';
import { transactionRoute } from '../emulator/analysis/pasidRoute';
import { Route } from '../emulator/analysis/staticSystem';
import { Access } from '../emulator/pgtable/descriptor';
import { WalkResult } from '../emulator/pgtable/walker';
import { Analysis } from './analysis';

/** A transaction in its engine, with the repeats around it (outermost first). */
export interface TransactionSite {
  transaction: Transaction;
  engine: EngineDeclaration;
  repeats: Repeat[];
}

/** What a transaction will do, as the tables stand before the run. */
export interface Prediction {
  site: TransactionSite;
  iova: bigint;
  /** The innermost repeat's `i` the address was computed for, when it depends on it. */
  iteration: number | undefined;
  route: Route;
  /** Its PA, or the walk of the fault it takes; undefined when it reaches no domain. */
  outcome: { pa: bigint } | { fault: WalkResult } | undefined;
}

function collect(items: readonly EngineItem[], engine: EngineDeclaration, repeats: Repeat[], into: TransactionSite[]): void {
  for (const item of items) {
    if (item.kind === 'transaction') into.push({ transaction: item, engine, repeats });
    else if (item.kind === 'repeat') collect(item.body, engine, [...repeats, item], into);
    else if (item.kind === 'submit') collect(item.body, engine, repeats, into);
  }
}

/** The access a transaction makes: what the permission check looks at. */
export function accessOf(transaction: Transaction): Access {
  return { write: transaction.access === 'write', exec: transaction.options.some((o) => o.kind === 'exec'), priv: transaction.options.some((o) => o.kind === 'priv') };
}

const sitesOf = new WeakMap<Analysis, TransactionSite[]>();

/** Every transaction of every engine, in file order (once per analysis: hover asks often). */
export function transactionSites(analysis: Analysis): TransactionSite[] {
  const cached = sitesOf.get(analysis);
  if (cached) return cached;
  const sites: TransactionSite[] = [];
  for (const d of analysis.compiled.file.declarations) if (d.kind === 'engine') collect(d.body, d, [], sites);
  sitesOf.set(analysis, sites);
  return sites;
}

function iterations(site: TransactionSite): number {
  const innermost = site.repeats.at(-1)?.count;
  const count = innermost ? constantValue(innermost) : undefined;
  return typeof count === 'bigint' ? Number(count > 1_000_000n ? 1_000_000n : count) : 0;
}

function usesI(site: TransactionSite): boolean {
  return site.transaction.address !== undefined && constantValue(site.transaction.address) === undefined;
}

/** The prediction for one iteration (`i`), or undefined when the address cannot be computed. */
export function predict(analysis: Analysis, site: TransactionSite, i = 0): Prediction | undefined {
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
  const system = analysis.staticSystem;
  const route = transactionRoute(system, analysis.compiled.check, site.engine, site.transaction);
  const access = accessOf(site.transaction);
  const outcome = route.kind === 'domain' ? system.translate(route.domain, iova, access) : undefined;
  return { site, iova, iteration: dependsOnI ? i : undefined, route, outcome };
}

/** The first iteration (of at most `limit`) whose translation faults, else the first one's prediction. */
export function firstFault(analysis: Analysis, site: TransactionSite, limit: number): Prediction | undefined {
  const count = usesI(site) ? Math.min(limit, iterations(site)) : 1;
  let first: Prediction | undefined;
  for (let i = 0; i < count; i++) {
    const prediction = predict(analysis, site, i);
    if (!prediction) return first;
    first ??= prediction;
    if (!prediction.outcome || 'fault' in prediction.outcome) return prediction;
  }
  return first;
}
