import { KernelDeclaration } from '../ast';
import { KernelVersion, modelledKernelFor, modelledKernels, newestKernel } from '../../kernel/versions';
import { CheckContext } from './context';

/** `kernel X.Y`: any release from the oldest modelled on runs (as the newest modelled not newer than it). */
export function checkKernel(kernel: KernelDeclaration, context: CheckContext): void {
  const written = kernel.version;
  if (written && modelledKernelFor(written) === undefined) {
    context.sink.error('unknown-kernel', written.range, `Linux ${written.major}.${written.minor} is older than every kernel the model runs: the oldest is ${modelledKernels[0]}`);
  }
}

/** The release a scenario runs: its `kernel` line's (as the newest modelled not newer), else the newest modelled. */
export function kernelRun(kernel: KernelDeclaration | undefined): KernelVersion {
  const written = kernel?.version;
  // A release older than every modelled one is an error (checkKernel); it runs as the newest.
  return (written && modelledKernelFor(written)) ?? newestKernel;
}
