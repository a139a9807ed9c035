import { KernelDeclaration, ScenarioFile } from '../ast';
import { KernelVersion, modelledKernelFor, modelledKernels, newestKernel } from '../../kernel/versions';
import { CheckContext } from './context';

/** `kernel X.Y`: any release from the oldest modelled on runs (as the newest modelled not newer than it). */
export function checkKernel(kernel: KernelDeclaration, context: CheckContext): void {
  const written = kernel.version;
  if (written && modelledKernelFor(written) === undefined) {
    context.sink.error('unknown-kernel', written.range, `Linux ${written.major}.${written.minor} is older than every kernel the model runs: the oldest is ${modelledKernels[0]}`);
  }
}

/** The release a scenario runs: its `kernel` line's (the newest modelled not newer than it), else the newest modelled. */
export function kernelOf(file: ScenarioFile): KernelVersion {
  const written = file.declarations.find((d): d is KernelDeclaration => d.kind === 'kernel')?.version;
  // The checker refuses a release older than every modelled one; it runs as the newest.
  return (written && modelledKernelFor(written)) ?? newestKernel;
}
