import { Diagnostic } from './diagnostics';
import { LineIndex } from './source';

/** `FILE:LINE:COL: error: message`, 1-based, as compilers print. */
export function formatDiagnostic(file: string, lines: LineIndex, diagnostic: Diagnostic): string {
  const { line, character } = lines.positionAt(diagnostic.range.start);
  return `${file}:${line + 1}:${character + 1}: ${diagnostic.severity}: ${diagnostic.message}`;
}
