/**
 * Kernel fault logs, as the language server reads them: the reports of a log with the lines
 * they came from, the CLI's explanation text, and the scenario that reproduces one
 * (docs/fault-logs.md). The reader itself stays the emulator's own.
 */
export { readFaults } from '../faultlog/readFaultLog';
export type { ReadFault } from '../faultlog/readFaultLog';
export type { FaultReport, ReportRegister } from '../faultlog/report';
export { explainText } from '../faultlog/explainText';
export { reproduceReport } from '../faultlog/reproduceReport';
