import { EngineDeclaration, Transaction } from '../language/ast';
import { CheckResult } from '../language/checker/check';
import { pasidOutcome, pasidTableOf, transactionPasid } from '../language/checker/pasidTraffic';
import { placedMasters } from '../language/checker/v3Attachments';
import { Route, StaticSystem } from './staticSystem';

/**
 * Where one transaction translates: its engine's route, except that on an SMMUv3 a
 * transaction with `pasid N` uses the domain its master binds at N — or reaches none, with
 * the configuration event it takes instead.
 */
export function transactionRoute(system: StaticSystem, check: CheckResult, engine: EngineDeclaration, transaction: Transaction): Route {
  const route = system.route(engine);
  const pasid = transactionPasid(transaction);
  if (route.kind !== 'domain' || !pasid) return route;
  const table = pasidTableOf(route.master, check, placedMasters(check.containers));
  if (!table) return route;
  const outcome = pasidOutcome(table, pasid.value);
  if (outcome.kind === 'fault') return { kind: 'unrouted', reason: `pasid ${pasid.value} takes ${outcome.event}: ${outcome.reason}` };
  const domain = check.symbols.get('domain', outcome.domain)?.declaration;
  return domain ? { ...route, domain } : { kind: 'unrouted', reason: `there is no domain '${outcome.domain}'` };
}
