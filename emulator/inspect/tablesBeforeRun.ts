import { Machine } from '../machine/machine';
import { Access } from '../pgtable/descriptor';
import { ScenarioModel } from '../scenario/model';
import { describeWalk, DomainWalk } from './domainWalks';

/**
 * The machine of a scenario before it runs: every table built as the run builds it — a
 * stage-2 domain's ARM_64_LPAE_S2 table, a guest's stage 1 at IPAs written through its
 * stage 2 — for the language server to walk. Undefined when the machine cannot be built.
 */
export function machineBeforeRun(model: ScenarioModel): Machine | undefined {
  try {
    return new Machine(model);
  } catch {
    return undefined;
  }
}

/**
 * The walk of `address` in the domain named `name` before the run, for a domain whose walk
 * is not stage 1's alone (a stage-2 or a nested domain); undefined for any other.
 */
export function stage2WalkBeforeRun(machine: Machine, name: string, address: bigint, access?: Access): DomainWalk | undefined {
  const domain = machine.model.domains.findIndex((d) => d.name === name);
  const model = machine.model.domains[domain];
  if (!model || (model.stage !== 2 && model.nested === undefined)) return undefined;
  // A stage-2 or nested domain has one table: its own, at the domain's index.
  return describeWalk(machine, domain, address, access);
}
