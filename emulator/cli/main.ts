import { readFileSync, writeFileSync } from 'fs';
import packageJson from '../../package.json';
import { CliCommand, parseArgs, usage, UsageError } from './args';
import { checkText, Exit, explainLog, reproduceLog, runText } from './commands';
import { FdOutput, OutputClosed, RunOutput, StringOutput, TextOutput } from './output';

/** A file that cannot be read (or, for -o, written): said in one line, without the usage text. */
class InputError extends Error {}

/** The file's text; `-` is standard input. */
function readInput(file: string): string {
  try {
    return readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError(code === 'ENOENT' ? `${file}: no such file` : `${file}: cannot read (${code ?? String(error)})`);
  }
}

/** `reproduce`: the scenario to standard output, or to `-o OUT` once it is whole. */
function reproduce(command: Extract<CliCommand, { kind: 'reproduce' }>, out: TextOutput, err: TextOutput): Exit {
  const file = command.file ?? '-';
  const text = readInput(file);
  const name = file === '-' ? '<stdin>' : file;
  if (command.output === undefined) return reproduceLog(name, text, command.report, out, err);
  const scenario = new StringOutput();
  const status = reproduceLog(name, text, command.report, scenario, err);
  if (status === Exit.Ok) {
    try {
      writeFileSync(command.output, scenario.text);
    } catch (error) {
      throw new InputError(`${command.output}: cannot write (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
    }
  }
  return status;
}

function main(argv: readonly string[], out: RunOutput, err: TextOutput): Exit {
  const command = parseArgs(argv);
  switch (command.kind) {
    case 'help':
      out.write(`${usage}\n`);
      return Exit.Ok;
    case 'version':
      out.write(`iommu-debug ${packageJson.version}\n`);
      return Exit.Ok;
    case 'check':
      return checkText(command.file, readInput(command.file), out);
    case 'explain':
      return explainLog(readInput(command.file ?? '-'), command.json, out);
    case 'run':
      return runText(command, readInput(command.file), out, err);
    case 'reproduce':
      return reproduce(command, out, err);
  }
}

const stdout = new FdOutput(1);
const stderr = new FdOutput(2);
try {
  process.exitCode = main(process.argv.slice(2), stdout, stderr);
  stdout.flush();
} catch (error) {
  if (error instanceof OutputClosed) {
    // The reader has what it wanted (`| head`): stop quietly, as a filter does.
    process.exitCode = Exit.Ok;
  } else if (error instanceof UsageError || error instanceof InputError) {
    stderr.write(`iommu-debug: error: ${error.message}\n${error instanceof UsageError ? `${usage}\n` : ''}`);
    process.exitCode = Exit.BadInput;
  } else {
    const message = error instanceof Error ? error.message : String(error);
    stderr.write(`iommu-debug: internal error: ${message} (this is a bug in iommu-debug; please report it with the scenario)\n`);
    process.exitCode = Exit.Internal;
  }
}
try {
  stderr.flush();
} catch {
  // Nobody reads stderr any more: there is nowhere left to say anything.
}
