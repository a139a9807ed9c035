/**
 * The language server's custom requests on kernel fault logs, shared with the client (the
 * one declaration of their names and shapes; it imports nothing, so the client may read it).
 */

/** `iommu/explainLog`: every report of `text`, explained as `iommu-debug explain` prints them. */
export const explainLogRequest = 'iommu/explainLog';
export interface ExplainLogParams {
  text: string;
}
export interface ExplainLogResult {
  /** The CLI's text; empty when the log holds no report. */
  text: string;
  /** How many reports the text holds. */
  reports: number;
}

/** `iommu/reproduceFault`: report `index` (0-based, in log order) of `text` as a scenario, or why not. */
export const reproduceFaultRequest = 'iommu/reproduceFault';
export interface ReproduceFaultParams {
  text: string;
  index: number;
}
export type ReproduceFaultResult = { scenario: string } | { cannot: string };

/** The client's commands the log CodeLenses run, with arguments (document URI, report index). */
export const explainLogCommand = 'iommu.explainFaultLog';
export const reproduceFaultCommand = 'iommu.reproduceFault';
