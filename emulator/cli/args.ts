/** What the command line asks for. */
export type CliCommand = { kind: 'help' } | { kind: 'version' };

/** A command line that does not parse; printed as `iommu-debug: error: …`, exit 2. */
export class UsageError extends Error {}

export const usage = `usage: iommu-debug COMMAND [OPTIONS]

Commands:
  help               print this text
  version            print the version

Options:
  -h, --help         print this text
  -v, --version      print the version`;

export function parseArgs(argv: readonly string[]): CliCommand {
  const [first, ...rest] = argv;
  if (first === undefined || first === 'help' || first === '-h' || first === '--help') return { kind: 'help' };
  if (first === 'version' || first === '-v' || first === '--version') {
    if (rest.length > 0) throw new UsageError(`unexpected argument '${rest[0]}'`);
    return { kind: 'version' };
  }
  if (first.startsWith('-')) throw new UsageError(`unknown option '${first}'`);
  throw new UsageError(`unknown command '${first}'`);
}
