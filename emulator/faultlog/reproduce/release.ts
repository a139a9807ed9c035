import { modelledKernelFor } from '../../kernel/versions';
import { defaultRelease } from './result';

/** The `kernel` line's release: the caller's when known and modelled (the emulator runs it as the newest modelled one not newer), else 7.1. */
export function releaseFor(kernel: string | undefined): string | { cannot: string } {
  if (kernel === undefined) return defaultRelease;
  const match = /^(\d+)\.(\d+)/.exec(kernel);
  if (!match) return { cannot: `kernel release '${kernel}' is not MAJOR.MINOR` };
  const release = `${Number(match[1])}.${Number(match[2])}`;
  if (modelledKernelFor({ major: Number(match[1]), minor: Number(match[2]) }) === undefined) {
    return { cannot: `kernel ${release} is older than every modelled release (5.15 is the oldest)` };
  }
  return release;
}
