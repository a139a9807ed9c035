/** Which Linux a scenario runs, and what that selects, for the language server's hover and symbols. */
export { behavioursOf, modelledKernelFor, modelledKernels, newestKernel } from '../kernel/versions';
export type { KernelVersion } from '../kernel/versions';
