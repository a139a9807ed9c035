import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { distPath } from '../helpers/repo';
import { runNode } from '../helpers/runNode';
import { assertAgree, assertCheckOutput, assertRunOutput } from './cliChecks';
import { CliInput, cliInput } from './cliInputs';
import { checkInProcess, CliOutcome, runInProcess } from './cliInProcess';
import { fuzzer } from './fuzzTarget';

/**
 * Issue 12 (c): the CLI's `check` and `run` on damaged, generated and degenerate files. One
 * case is one file. Every case goes through the CLI's own code path in this process
 * (cliInProcess.ts); one in fifty also spawns `node dist/cli.js check FILE` and
 * `run FILE --json --max-seconds 10`, which must print exactly what the in-process path
 * printed. Promises: exit 0, 1 or 2 (never 70, never an exception), no stack trace, every
 * diagnostic `FILE:LINE:COL: severity: message` inside the file, `--json` one JSON
 * document, `check` and `run` agreeing about errors, and the same output twice.
 */

const FILE = 'fuzz.iommu';

let scratch: string | undefined;

function spawned(file: string): { check: CliOutcome; run: CliOutcome } {
  const outcome = (args: string[]): CliOutcome => {
    const r = runNode(distPath('cli'), args);
    return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
  };
  return { check: outcome(['check', file]), run: outcome(['run', file, '--json', '--max-seconds', '10']) };
}

function checkCase(input: CliInput): void {
  // What `readFileSync(FILE, 'utf8')` makes of the bytes.
  const text = Buffer.from(input.bytes).toString('utf8');
  const check = checkInProcess(FILE, text);
  assertCheckOutput(check, FILE, text);
  const json = runInProcess(FILE, text, true);
  assertRunOutput(json, FILE, text);
  assertAgree(check, json);
  const trace = runInProcess(FILE, text, false);
  assert.equal(trace.status, json.status, 'run with and without --json exit alike');
  assert.deepEqual(checkInProcess(FILE, text), check, 'check twice: the same');
  assert.deepEqual(runInProcess(FILE, text, true), json, 'run --json twice: the same');
  if (!input.spawn || !scratch) return;
  const file = path.join(scratch, FILE);
  writeFileSync(file, input.bytes);
  const real = spawned(file);
  const named = (outcome: CliOutcome): CliOutcome => ({ ...outcome, stdout: outcome.stdout.split(file).join(FILE), stderr: outcome.stderr.split(file).join(FILE) });
  assert.deepEqual(named(real.check), check, 'dist/cli.js check prints what the in-process check does');
  assertRunOutput(real.run, file, text);
  // The real run's budget is time; the in-process one counts events: compare runs that finished.
  if (!json.budgeted) assert.deepEqual(named(real.run), { status: json.status, stdout: json.stdout, stderr: json.stderr }, 'dist/cli.js run --json prints what the in-process run does');
}

export const cliFuzzer = fuzzer<CliInput>({
  name: 'cli',
  unit: 'files',
  testCount: 200,
  timeoutMs: 60_000,
  input: cliInput,
  async open() {
    scratch = mkdtempSync(path.join(tmpdir(), 'iommu-cli-fuzz-'));
  },
  async check(input) {
    try {
      checkCase(input);
    } catch (error) {
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      throw new Error(`[${input.kind}${input.spawn ? ', spawned' : ''}] ${message}`);
    }
  },
  reproduction: (input) => [{ name: 'scenario.iommu', text: Buffer.from(input.bytes).toString('utf8') }],
  async close() {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
    scratch = undefined;
  },
});
