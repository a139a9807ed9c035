import { ScenarioFile } from '../language/ast';
import { CheckResult, checkScenario } from '../language/checker/check';
import { Diagnostic, hasErrors } from '../language/diagnostics';
import { parseScenario } from '../language/parser';
import { LineIndex } from '../language/source';
import { elaborate } from './elaborate';
import { ScenarioModel } from './model';

export interface CompiledScenario {
  file: ScenarioFile;
  lines: LineIndex;
  /** Parser and checker diagnostics, in source order. */
  diagnostics: Diagnostic[];
  check: CheckResult;
  /** Present when there are no errors: what a machine is built from. */
  model: ScenarioModel | undefined;
}

/** Parse, check, elaborate: the one front end the CLI, the language server and the debugger share. */
export function compileScenario(text: string): CompiledScenario {
  const lines = new LineIndex(text);
  const parsed = parseScenario(text);
  const check = checkScenario(parsed.file, lines);
  const diagnostics = [...parsed.diagnostics, ...check.diagnostics].sort((a, b) => a.range.start - b.range.start);
  const model = hasErrors(diagnostics) ? undefined : elaborate(parsed.file, check, lines);
  return { file: parsed.file, lines, diagnostics, check, model };
}
