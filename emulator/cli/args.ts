import { DEFAULT_MAX_SECONDS } from '../machine/budget';

/** What the command line asks for. */
export type CliCommand =
  | { kind: 'help' }
  | { kind: 'version' }
  | { kind: 'run'; file: string; json: boolean; dmesg: boolean; until: number | undefined; maxEvents: number | undefined; maxSeconds: number | undefined }
  | { kind: 'check'; file: string }
  /** `file` undefined or `-`: standard input. */
  | { kind: 'explain'; file: string | undefined; json: boolean }
  /** `report`: 1-based; `output` undefined: standard output. */
  | { kind: 'reproduce'; file: string | undefined; report: number; output: string | undefined };

/** A command line that does not parse; printed as `iommu-debug: error: …`, exit 2. */
export class UsageError extends Error {}

export const usage = `usage: iommu-debug COMMAND [OPTIONS]

Commands:
  run FILE.iommu [--json | --dmesg] [--until CYCLE] [--max-events N] [--max-seconds S]
                     run a scenario headless: a trace, one event a line (one JSON
                     object with --json; only the kernel's lines, as dmesg shows them,
                     with --dmesg); exit 0 when every expect holds, 1 when one
                     fails or the run cannot finish (more than N events, or S seconds;
                     by default enough for every transaction the scenario programs,
                     and ${DEFAULT_MAX_SECONDS} s), 2 when the file has errors
  check FILE.iommu   print the file's diagnostics as FILE:LINE:COL: severity: message;
                     exit 2 when there are errors
  explain [FILE|-] [--json]
                     read a kernel log (dmesg, journalctl, a pasted excerpt; standard
                     input without FILE or with -) and explain every SMMU fault report
                     in it: the lines, each register or event dword decoded, what
                     happened (one JSON document with --json); exit 0 when it found a
                     report, 1 when none, 2 when the input cannot be read
  reproduce [FILE|-] [--report N] [-o OUT.iommu]
                     write a scenario whose run prints report N's fault again (the
                     same fsr, iova, fsynr, cbfrsynra and cb; the same four event
                     dwords; the same gpu fault line), each choice a comment, with
                     expects for the fault (default: report 1; standard output
                     without -o); exit 0 when written, 1 when there is no report N or
                     the language cannot say it yet (the error says why), 2 when the
                     input cannot be read
  help               print this text
  version            print the version`;

function cycles(flag: string, value: string | undefined): number {
  if (value === undefined || !/^\d+$/.test(value)) throw new UsageError(`${flag} needs a whole number, not ${value === undefined ? 'nothing' : `'${value}'`}`);
  return Number(value);
}

function seconds(flag: string, value: string | undefined): number {
  if (value === undefined || !/^(\d+(\.\d*)?|\.\d+)$/.test(value) || Number(value) === 0) throw new UsageError(`${flag} needs a number of seconds above 0, not ${value === undefined ? 'nothing' : `'${value}'`}`);
  return Number(value);
}

function parseRun(rest: readonly string[]): CliCommand {
  let file: string | undefined;
  let json = false;
  let dmesg = false;
  let until: number | undefined;
  let maxEvents: number | undefined;
  let maxSeconds: number | undefined;
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i] ?? '';
    if (arg === '--json') json = true;
    else if (arg === '--dmesg') dmesg = true;
    else if (arg === '--until') until = cycles(arg, rest[++i]);
    else if (arg === '--max-events') maxEvents = cycles(arg, rest[++i]);
    else if (arg === '--max-seconds') maxSeconds = seconds(arg, rest[++i]);
    else if (arg.startsWith('-')) throw new UsageError(`unknown option '${arg}' for run`);
    else if (file === undefined) file = arg;
    else throw new UsageError(`unexpected argument '${arg}'`);
  }
  if (file === undefined) throw new UsageError('run needs a scenario file');
  if (json && dmesg) throw new UsageError('--json and --dmesg cannot be used together');
  return { kind: 'run', file, json, dmesg, until, maxEvents, maxSeconds };
}

function parseCheck(rest: readonly string[]): CliCommand {
  const [file, extra] = rest;
  if (file === undefined) throw new UsageError('check needs a scenario file');
  if (file.startsWith('-')) throw new UsageError(`unknown option '${file}' for check`);
  if (extra !== undefined) throw new UsageError(`unexpected argument '${extra}'`);
  return { kind: 'check', file };
}

function parseExplain(rest: readonly string[]): CliCommand {
  let file: string | undefined;
  let json = false;
  for (const arg of rest) {
    if (arg === '--json') json = true;
    else if (arg.startsWith('-') && arg !== '-') throw new UsageError(`unknown option '${arg}' for explain`);
    else if (file === undefined) file = arg;
    else throw new UsageError(`unexpected argument '${arg}'`);
  }
  return { kind: 'explain', file, json };
}

function parseReproduce(rest: readonly string[]): CliCommand {
  let file: string | undefined;
  let report = 1;
  let output: string | undefined;
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i] ?? '';
    if (arg === '--report') {
      const value = rest[++i];
      if (value === undefined || !/^[1-9]\d*$/.test(value)) throw new UsageError(`--report needs a report number from 1, not ${value === undefined ? 'nothing' : `'${value}'`}`);
      report = Number(value);
    } else if (arg === '-o') {
      output = rest[++i];
      if (output === undefined) throw new UsageError('-o needs a file to write the scenario to');
    } else if (arg.startsWith('-') && arg !== '-') throw new UsageError(`unknown option '${arg}' for reproduce`);
    else if (file === undefined) file = arg;
    else throw new UsageError(`unexpected argument '${arg}'`);
  }
  return { kind: 'reproduce', file, report, output };
}

const helpFlags: ReadonlySet<string> = new Set(['-h', '--help']);

export function parseArgs(argv: readonly string[]): CliCommand {
  const [first, ...rest] = argv;
  // Asking for help anywhere (`check --help`, `run x.iommu -h`) is a question, not a mistake.
  if (first === undefined || first === 'help' || argv.some((arg) => helpFlags.has(arg))) return { kind: 'help' };
  if (first === 'version' || first === '-v' || first === '--version') {
    if (rest.length > 0) throw new UsageError(`unexpected argument '${rest[0]}'`);
    return { kind: 'version' };
  }
  if (first === 'run') return parseRun(rest);
  if (first === 'check') return parseCheck(rest);
  if (first === 'explain') return parseExplain(rest);
  if (first === 'reproduce') return parseReproduce(rest);
  if (first.startsWith('-')) throw new UsageError(`unknown option '${first}'`);
  throw new UsageError(`unknown command '${first}'`);
}
