/**
 * The words a run is told in: the CLI's trace line for each machine event and the summary
 * at the end. The Debug Console prints the same lines, so a debugging session and
 * `iommu-debug run` never tell one run two ways.
 */
export { TraceFormatter } from '../cli/trace';
export { resultSummary } from '../machine/results';
