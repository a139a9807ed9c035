import { programTransactions } from '../scenario/engineProgram';
import { ScenarioModel } from '../scenario/model';

/** Events a run may take beyond what its programs need: handlers, kernel steps, queues. */
const BASE_EVENTS = 10_000_000;
/** Events one programmed transaction may take (issue, walk, fault path, retries …), generously. */
const EVENTS_PER_TRANSACTION = 64;

/** Wall-clock seconds a run may take by default. */
export const DEFAULT_MAX_SECONDS = 300;

/** How many transactions the engines' programs issue, repeats multiplied out (a budget: a number is exact enough). */
export function programmedTransactions(model: ScenarioModel): number {
  return Number(model.engines.reduce((total, engine) => total + programTransactions(engine.program), 0n));
}

/**
 * The default event budget: enough for every transaction the scenario programs to end
 * however it faults, so that only a run that does not end (a retry loop) meets it.
 */
export function defaultMaxEvents(model: ScenarioModel): number {
  return BASE_EVENTS + EVENTS_PER_TRANSACTION * programmedTransactions(model);
}
