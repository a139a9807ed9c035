import { readFileSync } from 'fs';
import packageJson from '../../package.json';
import { hasErrors } from '../language/diagnostics';
import { Machine } from '../machine/machine';
import { compileScenario } from '../scenario/compile';
import { CliCommand, parseArgs, usage, UsageError } from './args';
import { formatDiagnostic } from './diagnosticFormat';
import { resultToJson } from './json';
import { TraceFormatter } from './trace';

/** Exit statuses of the CLI (docs/scenario-language.md, "Command line"). */
const enum Exit {
  Ok = 0,
  Failed = 1,
  BadInput = 2,
  /** A bug of ours (sysexits' EX_SOFTWARE): said in one line, never as a stack trace. */
  Internal = 70,
}

/** Buffered stdout: a trace can be millions of lines. */
class Output {
  private chunks: string[] = [];
  private size = 0;

  line(text: string): void {
    this.chunks.push(text, '\n');
    this.size += text.length + 1;
    if (this.size > 1 << 16) this.flush();
  }

  flush(): void {
    if (this.chunks.length === 0) return;
    process.stdout.write(this.chunks.join(''));
    this.chunks = [];
    this.size = 0;
  }
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

function check(file: string): Exit {
  const compiled = compileScenario(readScenario(file));
  for (const d of compiled.diagnostics) process.stdout.write(`${formatDiagnostic(file, compiled.lines, d)}\n`);
  return hasErrors(compiled.diagnostics) ? Exit.BadInput : Exit.Ok;
}

function run(command: Extract<CliCommand, { kind: 'run' }>): Exit {
  const compiled = compileScenario(readScenario(command.file));
  const errors = compiled.diagnostics.filter((d) => d.severity === 'error');
  if (!compiled.model) {
    for (const d of errors) process.stderr.write(`${formatDiagnostic(command.file, compiled.lines, d)}\n`);
    return Exit.BadInput;
  }
  const machine = new Machine(compiled.model, command.maxEvents === undefined ? {} : { maxEvents: command.maxEvents });
  const out = new Output();
  const trace = command.json ? undefined : new TraceFormatter(machine);
  if (trace) {
    for (const line of trace.header()) out.line(line);
    machine.on((event) => {
      const line = trace.format(event);
      if (line !== undefined) out.line(line);
    });
  }
  const stop = machine.run(command.until === undefined ? {} : { untilCycle: command.until });
  let error: string | undefined;
  if (stop.reason === 'error') error = formatDiagnostic(command.file, compiled.lines, { severity: 'error', code: 'runtime', range: stop.range, message: stop.message });
  else if (stop.reason === 'budget') error = `${command.file}: error: ${stop.message}`;
  const broken = machine.invariantViolations();
  if (broken.length > 0) throw new Error(`the emulator lost track of something: ${broken.join('; ')}`);
  const result = machine.result();
  if (trace) for (const line of trace.summary(result)) out.line(line);
  else out.line(JSON.stringify(resultToJson(machine, result, error), null, 2));
  out.flush();
  if (error !== undefined) process.stderr.write(`${error}\n`);
  return error !== undefined || result.expects.some((e) => !e.ok) ? Exit.Failed : Exit.Ok;
}

function main(argv: readonly string[]): Exit {
  const command = parseArgs(argv);
  switch (command.kind) {
    case 'help':
      process.stdout.write(`${usage}\n`);
      return Exit.Ok;
    case 'version':
      process.stdout.write(`iommu-debug ${packageJson.version}\n`);
      return Exit.Ok;
    case 'check':
      return check(command.file);
    case 'run':
      return run(command);
  }
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (error) {
  if (error instanceof UsageError || error instanceof InputError) {
    process.stderr.write(`iommu-debug: error: ${error.message}\n${error instanceof UsageError ? `${usage}\n` : ''}`);
    process.exitCode = Exit.BadInput;
  } else {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`iommu-debug: internal error: ${message} (this is a bug in iommu-debug; please report it with the scenario)\n`);
    process.exitCode = Exit.Internal;
  }
}
