import { explain } from './explanation';
import { ReadReport, readReports } from './reader';
import { contextFaultReport, FaultReport, globalFaultReport, gpuFaultReport, ioPageFaultReport } from './report';
import { overflowReport, v3EventReport } from './v3Report';

/** A report and the lines it was read from. */
export interface ReadFault {
  report: FaultReport;
  read: ReadReport;
}

/** Every fault report in `text` (a dmesg, a journal, a pasted excerpt), decoded and explained. */
export function readFaultLog(text: string): FaultReport[] {
  return readFaults(text).map((fault) => fault.report);
}

/** readFaultLog, each report with the lines it came from. */
export function readFaults(text: string): ReadFault[] {
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
      case 'io-page-fault':
        report = ioPageFaultReport(read, head);
        break;
      case 'gpu-fault':
        report = gpuFaultReport(read, head);
        break;
      default:
        report = v3EventReport(read);
    }
    if (report.explanation === '') report.explanation = explain(report);
    return { report, read };
  });
}
