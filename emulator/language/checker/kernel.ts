import { KernelDeclaration } from '../ast';
import { modelledKernelFor, modelledKernels } from '../../kernel/versions';
import { CheckContext } from './context';

/** `kernel X.Y`: any release from the oldest modelled on runs (as the newest modelled not newer than it). */
export function checkKernel(kernel: KernelDeclaration, context: CheckContext): void {
  const written = kernel.version;
  if (written && modelledKernelFor(written) === undefined) {
    context.sink.error('unknown-kernel', written.range, `Linux ${written.major}.${written.minor} is older than every kernel the model runs: the oldest is ${modelledKernels[0]}`);
  }
}
