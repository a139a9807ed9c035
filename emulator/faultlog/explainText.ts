import { ReadFault } from './readFaultLog';
import { FaultReport } from './report';
import { reproduceReport } from './reproduceReport';

function heading(report: FaultReport, n: number): string {
  const [first, last] = report.lines;
  const at = first === last ? `line ${first}` : `lines ${first}-${last}`;
  return `report ${n}: ${report.source}${report.device === null ? '' : ` ${report.device}`} (${at})`;
}

/** A field's value: decimal as the kernel's decode lines print them (`S1CBNDX=124`), with its hex when that differs. */
function field(value: number | string): string {
  return typeof value === 'number' && value > 9 ? `${value} (0x${value.toString(16)})` : String(value);
}

/** Whether `reproduce --report N` has a scenario for the report, or why not. */
function reproducible(report: FaultReport, n: number): string {
  const reproduction = reproduceReport(report);
  return 'cannot' in reproduction ? `  reproduce: cannot yet: ${reproduction.cannot}` : `  reproduce: iommu-debug reproduce --report ${n} writes a scenario that faults the same way`;
}

/**
 * `iommu-debug explain`'s text: per report, the lines it was read from, each register or
 * dword with every field, what happened in words, and whether it can be reproduced.
 */
export function explainText(faults: readonly ReadFault[]): string {
  return faults
    .map(({ report, read }, i) => {
      const lines = read.lines.flatMap((l) => l.text.split('\n').map((text, k) => `  ${String(l.first + k).padStart(5)} | ${text}`));
      const registers = Object.entries(report.registers).map(([name, r]) => {
        const fields = Object.entries(r.fields).map(([f, v]) => `${f}=${field(v)}`);
        return `  ${name} = ${r.value}${fields.length > 0 ? `  ${fields.join(' ')}` : ''}`;
      });
      return [heading(report, i + 1), ...lines, ...registers, `  ${report.explanation}`, reproducible(report, i + 1), ''].join('\n');
    })
    .join('\n');
}
