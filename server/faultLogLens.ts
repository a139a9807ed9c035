import { CodeLens } from 'vscode-languageserver';
import { ReadFault } from '../emulator/inspect/faultLogs';
import { explainLogCommand, reproduceFaultCommand } from './faultLogRequests';

/** "Explain" and "Reproduce as scenario" on the first line of each report a log document holds. */
export function faultLogLenses(uri: string, faults: readonly ReadFault[]): CodeLens[] {
  return faults.flatMap(({ report }, index) => {
    const line = report.lines[0] - 1;
    const range = { start: { line, character: 0 }, end: { line, character: 0 } };
    return [
      { range, command: { title: 'Explain', command: explainLogCommand, arguments: [uri, index] } },
      { range, command: { title: 'Reproduce as scenario', command: reproduceFaultCommand, arguments: [uri, index] } },
    ];
  });
}
