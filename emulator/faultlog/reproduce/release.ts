import { KernelVersion, modelledKernelFor, newestKernel } from '../../kernel/versions';

/** The `kernel` line: the release written, and the modelled one it runs as. */
export interface Release {
  written: string;
  kernel: KernelVersion;
}

/** The caller's release when known (the emulator runs it as the newest modelled one not newer), else 7.1, the newest. */
export function releaseFor(kernel: string | undefined): Release | { cannot: string } {
  if (kernel === undefined) return { written: newestKernel, kernel: newestKernel };
  const match = /^(\d+)\.(\d+)/.exec(kernel);
  if (!match) return { cannot: `kernel release '${kernel}' is not MAJOR.MINOR` };
  const written = { major: Number(match[1]), minor: Number(match[2]) };
  const modelled = modelledKernelFor(written);
  if (modelled === undefined) return { cannot: `kernel ${written.major}.${written.minor} is older than every modelled release (5.15 is the oldest)` };
  return { written: `${written.major}.${written.minor}`, kernel: modelled };
}

/** The scenario's `kernel` line, with why that release. */
export function kernelLine(release: Release, known: boolean): string {
  return `kernel ${release.written}   // ${known ? "the log's release" : 'the log does not say its release: 7.1, the newest modelled'}`;
}
