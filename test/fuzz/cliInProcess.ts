import { checkText, runText } from '../../emulator/cli/commands';
import { StringOutput } from '../../emulator/cli/output';

/**
 * `iommu-debug check FILE` and `iommu-debug run FILE [--json]` in this process, through the
 * CLI's own commands (emulator/cli/commands.ts, which main.ts calls after reading the
 * file), so that most of the CLI fuzzer's cases cost no process. An exception here is
 * what the CLI would report as exit 70.
 */

export interface CliOutcome {
  status: number;
  stdout: string;
  stderr: string;
}

/** The run's budget in place of `--max-seconds 10`: counted in events, so the outcome is the same every time. */
export const IN_PROCESS_MAX_EVENTS = 200_000;

export function checkInProcess(file: string, text: string): CliOutcome {
  const out = new StringOutput();
  const status = checkText(file, text, out);
  return { status, stdout: out.text, stderr: '' };
}

/** A run, and whether a budget stopped it (then a run under another budget may print something else). */
export function runInProcess(file: string, text: string, json: boolean): CliOutcome & { budgeted: boolean } {
  const out = new StringOutput();
  const err = new StringOutput();
  const status = runText({ kind: 'run', file, json, dmesg: false, until: undefined, maxEvents: IN_PROCESS_MAX_EVENTS, maxSeconds: undefined }, text, out, err);
  return { status, stdout: out.text, stderr: err.text, budgeted: err.text.includes(`${file}: error: the run did not end within`) };
}
