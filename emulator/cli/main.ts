import packageJson from '../../package.json';
import { parseArgs, usage, UsageError } from './args';

/** Exit statuses of the CLI (docs/scenario-language.md, "Command line"). */
const enum Exit {
  Ok = 0,
  BadInput = 2,
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
  }
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  process.stderr.write(`iommu-debug: error: ${error.message}\n${usage}\n`);
  process.exitCode = Exit.BadInput;
}
