import { readFileSync } from 'fs';
import packageJson from '../../package.json';
import { parseArgs, usage, UsageError } from './args';
import { checkText, Exit, explainLog, runText } from './commands';
import { FdOutput, OutputClosed, TextOutput } from './output';

/** A file that cannot be read: said in one line, without the usage text. */
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

function main(argv: readonly string[], out: TextOutput, err: TextOutput): Exit {
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
