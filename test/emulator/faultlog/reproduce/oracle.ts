import { formatDiagnostic } from '../../../../emulator/language/diagnosticFormat';
import { Machine } from '../../../../emulator/machine/machine';
import { RunResult } from '../../../../emulator/machine/results';
import { compileScenario } from '../../../../emulator/scenario/compile';
import { Reproduction } from '../../../../emulator/faultlog/reproduce/result';

/** What a reproduced scenario's run printed, and its results: the run is the oracle. */
export interface OracleRun {
  lines: string[];
  result: RunResult;
}

/** Compiles a scenario that must have no error diagnostics, runs it to its end, and collects its `kernel-log` lines. */
export function runReproduction(text: string): OracleRun {
  const compiled = compileScenario(text);
  const errors = compiled.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0 || !compiled.model) {
    throw new Error(`the scenario has errors:\n${errors.map((d) => formatDiagnostic('repro.iommu', compiled.lines, d)).join('\n')}\n${text}`);
  }
  const machine = new Machine(compiled.model);
  const lines: string[] = [];
  machine.on((event) => {
    if (event.kind === 'kernel-log') lines.push(event.line);
  });
  machine.run();
  return { lines, result: machine.result() };
}

/** The scenario of a reproduction that must have one. */
export function scenarioOf(reproduction: Reproduction): string {
  if ('cannot' in reproduction) throw new Error(`expected a scenario, got cannot: ${reproduction.cannot}`);
  return reproduction.scenario;
}

/** The expects that did not hold, as `line: text (detail)`. */
export function failedExpects(result: RunResult): string[] {
  return result.expects.filter((e) => !e.ok).map((e) => `${e.line}: ${e.text} (${e.detail})`);
}
