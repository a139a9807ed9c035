import assert from 'node:assert/strict';
import { CliOutcome } from './cliInProcess';

/** What the CLI promises about its output, whatever the file (docs/scenario-language.md, "Command line"). */

const DIAGNOSTIC = /^(.*):(\d+):(\d+): (error|warning|information|hint): (.+)$/;

/** The file's lines as an editor counts them: \r\n, \r and \n each end one. */
function lineLengths(text: string): number[] {
  return text.split(/\r\n|\r|\n/).map((line) => line.length);
}

/** `FILE:LINE:COL: severity: message`, with LINE and COL inside the file (COL may be just past a line's end). */
export function assertDiagnosticLine(line: string, file: string, text: string, severities: readonly string[]): void {
  const match = DIAGNOSTIC.exec(line);
  assert.ok(match, `not a diagnostic line: ${JSON.stringify(line.slice(0, 300))}`);
  const [, name, lineText, colText, severity] = match;
  assert.equal(name, file, `a diagnostic names another file: ${line.slice(0, 300)}`);
  assert.ok(severities.includes(severity ?? ''), `a ${severity} here: ${line.slice(0, 300)}`);
  const lengths = lineLengths(text);
  const lineNo = Number(lineText);
  const col = Number(colText);
  assert.ok(lineNo >= 1 && lineNo <= lengths.length, `line ${lineNo} is outside the file's ${lengths.length} lines: ${line.slice(0, 300)}`);
  assert.ok(col >= 1 && col <= (lengths[lineNo - 1] ?? 0) + 1, `column ${col} is outside line ${lineNo} (${lengths[lineNo - 1]} characters): ${line.slice(0, 300)}`);
}

function lines(output: string): string[] {
  if (output === '') return [];
  assert.ok(output.endsWith('\n'), `output does not end its last line: ${JSON.stringify(output.slice(-200))}`);
  return output.slice(0, -1).split('\n');
}

export function assertCheckOutput(check: CliOutcome, file: string, text: string): void {
  assert.ok(check.status === 0 || check.status === 2, `check exited ${check.status}`);
  for (const line of lines(check.stdout)) assertDiagnosticLine(line, file, text, ['error', 'warning', 'information', 'hint']);
  assert.equal(check.stdout.includes(': error: '), check.status === 2, 'check exits 2 exactly when it prints an error');
}

/** `run --json`: exit 0, 1 or 2; errors as diagnostics on stderr; one JSON document on stdout unless the file has errors. */
export function assertRunOutput(run: CliOutcome, file: string, text: string): void {
  assert.ok(run.status === 0 || run.status === 1 || run.status === 2, `run exited ${run.status}: ${run.stderr.slice(0, 500)}`);
  assert.doesNotMatch(run.stderr, /\n\s+at /, 'a stack trace on stderr');
  if (run.status === 2) {
    assert.equal(run.stdout, '', 'a file with errors prints nothing on stdout');
    const errors = lines(run.stderr);
    assert.ok(errors.length > 0, 'exit 2 says why');
    for (const line of errors) assertDiagnosticLine(line, file, text, ['error']);
    return;
  }
  let failed = false;
  for (const line of lines(run.stderr)) {
    // A run that could not finish: `FILE:LINE:COL: error: …` (an expression) or `FILE: error: …` (a budget);
    // an engine hung when the run ended: `FILE: warning: …`.
    if (line.startsWith(`${file}: warning: `)) continue;
    failed = true;
    if (!line.startsWith(`${file}: error: `)) assertDiagnosticLine(line, file, text, ['error']);
  }
  if (failed) assert.equal(run.status, 1, 'a run that could not finish exits 1');
  let document: unknown;
  try {
    document = JSON.parse(run.stdout);
  } catch (error) {
    assert.fail(`--json printed no JSON document (${error instanceof Error ? error.message : String(error)}): ${run.stdout.slice(0, 300)}`);
  }
  assert.ok(document !== null && typeof document === 'object' && !Array.isArray(document), '--json prints one object');
}

/** `check` and `run` agree about errors: exit 2 for both or for neither. */
export function assertAgree(check: CliOutcome, run: CliOutcome): void {
  assert.equal(run.status === 2, check.status === 2, `check exited ${check.status}, run ${run.status}`);
}
