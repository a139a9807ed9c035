import * as path from 'path';
import { Diagnostic } from '../emulator/language/diagnostics';
import { LineIndex } from '../emulator/language/source';
import { formatDiagnostic } from '../emulator/language/diagnosticFormat';

/**
 * How a scenario's path is printed in the Debug Console: relative to `cwd`, from `./`.
 * VS Code's Debug Console links a path that starts with `./` to that file of the session's
 * workspace folder (the client makes it `cwd`), and an absolute one only if it exists on
 * the machine that draws it; a bare `dir/file` is no link at all.
 */
export function shownPath(scenario: string, cwd: string): string {
  const relative = path.relative(cwd, scenario);
  // On another drive (Windows) there is no relative path: the name alone, never an absolute one.
  if (path.isAbsolute(relative)) return path.basename(scenario);
  return relative.startsWith(`..${path.sep}`) ? relative : `.${path.sep}${relative}`;
}

/** One error of a scenario as the Debug Console shows it: its line, and where it is (1-based). */
export interface ErrorLine {
  output: string;
  line: number;
  column: number;
}

/** A scenario's errors, each as `FILE:LINE:COL: error: message`, compilers' way, with `shown` as FILE. */
export function errorLines(shown: string, lines: LineIndex, diagnostics: readonly Diagnostic[]): ErrorLine[] {
  return diagnostics
    .filter((d) => d.severity === 'error')
    .map((d) => {
      const { line, character } = lines.positionAt(d.range.start);
      return { output: `${formatDiagnostic(shown, lines, d)}\n`, line: line + 1, column: character + 1 };
    });
}
