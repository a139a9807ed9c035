import { formatDiagnostic } from '../../../emulator/language/diagnosticFormat';
import { Machine, MachineOptions, RunStop } from '../../../emulator/machine/machine';
import { RunResult } from '../../../emulator/machine/results';
import { compileScenario } from '../../../emulator/scenario/compile';
import { ScenarioModel } from '../../../emulator/scenario/model';

/** The model of a scenario that must check without errors (the test fails with the diagnostics otherwise). */
export function modelOf(text: string): ScenarioModel {
  const compiled = compileScenario(text);
  if (!compiled.model) {
    throw new Error(`the scenario has errors:\n${compiled.diagnostics.map((d) => formatDiagnostic('test.iommu', compiled.lines, d)).join('\n')}`);
  }
  return compiled.model;
}

export interface Run {
  machine: Machine;
  stop: RunStop;
  result: RunResult;
}

/** Builds the machine and runs it to its end. */
export function runScenario(text: string, options: MachineOptions = {}): Run {
  const machine = new Machine(modelOf(text), options);
  const stop = machine.run();
  return { machine, stop, result: machine.result() };
}

/** `label → status` for every reported transaction, in issue order (`name#n` for the n-th of a repeated label). */
export function statuses(result: RunResult): Record<string, string> {
  const seen = new Map<string, number>();
  const out: Record<string, string> = {};
  for (const t of result.transactions) {
    if (t.label === undefined) continue;
    const n = seen.get(t.label) ?? 0;
    seen.set(t.label, n + 1);
    out[`${t.label}#${n}`] = t.status;
  }
  return out;
}
