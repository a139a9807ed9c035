import { explain } from './explanation';
import { readReports } from './reader';
import { contextFaultReport, FaultReport, globalFaultReport, gpuFaultReport } from './report';
import { overflowReport, v3EventReport } from './v3Report';

/** Every fault report in `text` (a dmesg, a journal, a pasted excerpt), decoded and explained. */
export function readFaultLog(text: string): FaultReport[] {
  return readReports(text).map((read) => {
    const head = read.lines[0]?.line;
    let report: FaultReport;
    switch (head?.kind) {
      case 'context-fault':
        report = contextFaultReport(read, head);
        break;
      case 'global-blocked':
      case 'global-unexpected':
      case 'gfsr':
        report = globalFaultReport(read, head.device);
        break;
      case 'overflow':
        report = overflowReport(read, head.device, head.queue);
        break;
      case 'gpu-fault':
        report = gpuFaultReport(read, head);
        break;
      default:
        report = v3EventReport(read);
    }
    if (report.explanation === '') report.explanation = explain(report);
    return report;
  });
}
