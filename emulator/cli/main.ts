import { readFileSync } from 'fs';
import packageJson from '../../package.json';
import { hasErrors } from '../language/diagnostics';
import { Machine, RunStop } from '../machine/machine';
import { compileScenario } from '../scenario/compile';
import { CliCommand, parseArgs, usage, UsageError } from './args';
import { formatDiagnostic } from './diagnosticFormat';
import { JsonRunWriter } from './jsonRun';
import { FdOutput, OutputClosed, TextOutput } from './output';
import { TraceFormatter } from './trace';

/** Exit statuses of the CLI (docs/scenario-language.md, "Command line"). */
const enum Exit {
  Ok = 0,
  Failed = 1,
  BadInput = 2,
  /** A bug of ours (sysexits' EX_SOFTWARE): said in one line, never as a stack trace. */
  Internal = 70,
}

/** A file that cannot be read: said in one line, without the usage text. */
class InputError extends Error {}

function readScenario(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError(code === 'ENOENT' ? `${file}: no such file` : `${file}: cannot read (${code ?? String(error)})`);
  }
}

function check(file: string, out: TextOutput): Exit {
  const compiled = compileScenario(readScenario(file));
  for (const d of compiled.diagnostics) out.write(`${formatDiagnostic(file, compiled.lines, d)}\n`);
  return hasErrors(compiled.diagnostics) ? Exit.BadInput : Exit.Ok;
}

type RunCommand = Extract<CliCommand, { kind: 'run' }>;

/** The error a run that could not finish ends with, as `FILE:LINE:COL: error: …` or `FILE: error: …`. */
function stopError(file: string, lines: Parameters<typeof formatDiagnostic>[1], stop: RunStop): string | undefined {
  if (stop.reason === 'error') return formatDiagnostic(file, lines, { severity: 'error', code: 'runtime', range: stop.range, message: stop.message });
  if (stop.reason === 'budget') return `${file}: error: ${stop.message}`;
  return undefined;
}

function run(command: RunCommand, out: TextOutput): Exit {
  const compiled = compileScenario(readScenario(command.file));
  if (!compiled.model) {
    for (const d of compiled.diagnostics.filter((d) => d.severity === 'error')) process.stderr.write(`${formatDiagnostic(command.file, compiled.lines, d)}\n`);
    return Exit.BadInput;
  }
  const json = command.json ? new JsonRunWriter(out) : undefined;
  try {
    const machine = new Machine(compiled.model, { maxEvents: command.maxEvents, maxSeconds: command.maxSeconds, sink: json });
    const trace = json ? undefined : new TraceFormatter(machine);
    if (json) json.begin(machine);
    if (trace) {
      for (const line of trace.header()) out.write(`${line}\n`);
      machine.on((event) => {
        const line = trace.format(event);
        if (line !== undefined) out.write(`${line}\n`);
      });
    }
    const stop = machine.run(command.until === undefined ? {} : { untilCycle: command.until });
    const error = stopError(command.file, compiled.lines, stop);
    const broken = machine.invariantViolations();
    if (broken.length > 0) throw new Error(`the emulator lost track of something: ${broken.join('; ')}`);
    const result = machine.result();
    if (trace) for (const line of trace.summary(result)) out.write(`${line}\n`);
    json?.finish(error);
    if (error !== undefined) process.stderr.write(`${error}\n`);
    return error !== undefined || result.expects.some((e) => !e.ok) ? Exit.Failed : Exit.Ok;
  } finally {
    json?.dispose();
  }
}

function main(argv: readonly string[], out: TextOutput): Exit {
  const command = parseArgs(argv);
  switch (command.kind) {
    case 'help':
      out.write(`${usage}\n`);
      return Exit.Ok;
    case 'version':
      out.write(`iommu-debug ${packageJson.version}\n`);
      return Exit.Ok;
    case 'check':
      return check(command.file, out);
    case 'run':
      return run(command, out);
  }
}

const stdout = new FdOutput(1);
try {
  process.exitCode = main(process.argv.slice(2), stdout);
  stdout.flush();
} catch (error) {
  if (error instanceof OutputClosed) {
    // The reader has what it wanted (`| head`): stop quietly, as a filter does.
    process.exitCode = Exit.Ok;
  } else if (error instanceof UsageError || error instanceof InputError) {
    process.stderr.write(`iommu-debug: error: ${error.message}\n${error instanceof UsageError ? `${usage}\n` : ''}`);
    process.exitCode = Exit.BadInput;
  } else {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`iommu-debug: internal error: ${message} (this is a bug in iommu-debug; please report it with the scenario)\n`);
    process.exitCode = Exit.Internal;
  }
}
