import assert from 'node:assert/strict';
import { explainLog, reproduceLog } from '../../emulator/cli/commands';
import { StringOutput } from '../../emulator/cli/output';
import { readFaultLog } from '../../emulator/faultlog/readFaultLog';
import { FaultReport } from '../../emulator/faultlog/report';
import { failedExpects, runReproduction } from '../emulator/faultlog/reproduce/oracle';
import { FaultLogInput, faultLogInput } from './faultLogInputs';
import { fuzzer } from './fuzzTarget';

/**
 * Issue 16: `explain` and `reproduce` on kernel logs nobody wrote. Promises: `explain`
 * exits 0 with reports or 1 without, never throws, prints one JSON document with one entry
 * per report, the same twice; `reproduce` of every report either says why not as one
 * `FILE:LINE:1: error: report N cannot be reproduced yet: …` line at the report's first
 * line, or writes a scenario that checks without errors, keeps its expects, and whose run
 * prints the report's own line again — never one that prints something else.
 */

const FILE = 'fuzz.log';
/** Reproductions run per case: enough to reach every kind a log of six blocks holds. */
const MOST_REPORTS = 4;

const pad = (value: string, width: number): string => value.replace(/^0x/, '').padStart(width, '0');

/** The line the report was read from, as the emulator must print it again (the fields the contract names). */
function expectedLines(report: FaultReport): string[] {
  const value = (name: string): string | undefined => report.registers[name]?.value;
  switch (report.source) {
    case 'arm-smmu':
      return [`arm-smmu ${report.device}: Unhandled context fault: fsr=${value('FSR')}, iova=0x${pad(report.iova ?? '', 8)}, fsynr=${value('FSYNR0')}, cbfrsynra=${value('CBFRSYNRA') ?? report.sid}, cb=${report.cb}`];
    case 'arm-smmu-v3': {
      const dwords = [0, 1, 2, 3].map((i) => value(`dword ${i}`) ?? '');
      const id = BigInt(dwords[0] ?? '0') & 0xffn;
      return [`arm-smmu-v3 ${report.device}: event 0x${pad(id.toString(16), 2)} received:`, ...dwords.map((d) => `arm-smmu-v3 ${report.device}: \t0x${pad(d, 16)}`)];
    }
    case 'adreno':
      return [`*** gpu fault: ttbr0=${pad(value('TTBR0') ?? '', 16)} iova=${pad(report.iova ?? '', 16)} dir=${report.write ? 'WRITE' : 'READ'} type=${(report.kind ?? 'unknown').toUpperCase()} `];
    default:
      return [];
  }
}

/** Whether `printed` holds `expected` one after another (the adreno line is matched by its start: source and scratch are not reproduced). */
function printedInOrder(printed: readonly string[], expected: readonly string[]): boolean {
  const matches = (line: string | undefined, want: string): boolean => line !== undefined && (want.endsWith(' ') ? line.startsWith(want) : line === want);
  return printed.some((_, at) => expected.every((want, i) => matches(printed[at + i], want)));
}

function checkReproduction(text: string, reports: readonly FaultReport[], index: number): void {
  const out = new StringOutput();
  const err = new StringOutput();
  const status = reproduceLog(FILE, text, index, out, err);
  const report = reports[index - 1] as FaultReport;
  if (status !== 0) {
    assert.equal(status, 1, `reproduce ${index} exited ${status}`);
    assert.equal(out.text, '');
    assert.match(err.text, new RegExp(`^${FILE}:${report.lines[0]}:1: error: report ${index} cannot be reproduced yet: [^\\n]+\\n$`));
    return;
  }
  assert.equal(err.text, '');
  const run = runReproduction(out.text);
  assert.deepEqual(failedExpects(run.result), [], out.text);
  const expected = expectedLines(report);
  assert.ok(printedInOrder(run.lines, expected), `report ${index} (${report.source}) read as\n  ${expected.join('\n  ')}\nits reproduction printed\n  ${run.lines.join('\n  ')}\n${out.text}`);
}

function checkCase(input: FaultLogInput): void {
  const json = new StringOutput();
  const status = explainLog(input.text, true, json);
  const reports = readFaultLog(input.text);
  assert.equal(status, reports.length > 0 ? 0 : 1, 'explain exits 0 exactly when it found a report');
  const document = JSON.parse(json.text) as { reports: unknown[] };
  assert.equal(document.reports.length, reports.length, 'one JSON entry per report');
  const again = new StringOutput();
  explainLog(input.text, true, again);
  assert.equal(again.text, json.text, 'explain twice: the same');
  const words = new StringOutput();
  assert.equal(explainLog(input.text, false, words), status, 'explain with and without --json exit alike');
  for (let index = 1; index <= Math.min(reports.length, MOST_REPORTS); index++) checkReproduction(input.text, reports, index);
}

export const faultLogFuzzer = fuzzer<FaultLogInput>({
  name: 'faultlog',
  unit: 'logs',
  testCount: 150,
  timeoutMs: 30_000,
  input: faultLogInput,
  async check(input) {
    try {
      checkCase(input);
    } catch (error) {
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      throw new Error(`[${input.kind}] ${message}`);
    }
  },
  reproduction: (input) => [{ name: 'kernel.log', text: input.text }],
});
