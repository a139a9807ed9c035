import { ScenarioPredictions, story } from '../analysis/prediction';
import { StaticSystem } from '../analysis/staticSystem';
import { hasErrors } from '../language/diagnostics';
import { LineIndex } from '../language/source';
import { Machine, RunStop } from '../machine/machine';
import { compileScenario } from '../scenario/compile';
import { CliCommand } from './args';
import { formatDiagnostic } from '../language/diagnosticFormat';
import { JsonRunWriter } from './jsonRun';
import { RunOutput, TextOutput } from './output';
import { TraceFormatter } from './trace';
import { dmesgTimestamp } from '../kernel/kernelTime';
import { readFaultLog, readFaults } from '../faultlog/readFaultLog';
import { reproduceReport } from '../faultlog/reproduceReport';
import { explainText as faultText } from '../faultlog/explainText';

/** Exit statuses of the CLI (docs/scenario-language.md, "Command line"). */
export const enum Exit {
  Ok = 0,
  Failed = 1,
  BadInput = 2,
  /** A bug of ours (sysexits' EX_SOFTWARE): said in one line, never as a stack trace. */
  Internal = 70,
}

export type RunCommand = Extract<CliCommand, { kind: 'run' }>;

/**
 * `check`: the file's diagnostics, one a line, then what each written transaction will do
 * (the language server's prediction, as a hint on its address). Hints never change the status.
 */
export function checkText(file: string, text: string, out: TextOutput): Exit {
  const compiled = compileScenario(text);
  for (const d of compiled.diagnostics) out.write(`${formatDiagnostic(file, compiled.lines, d)}\n`);
  const predictions = new ScenarioPredictions(compiled, () => new StaticSystem(compiled.file, compiled.check));
  for (const prediction of predictions.all()) {
    const { transaction } = prediction.site;
    const range = transaction.address?.range ?? transaction.range;
    out.write(`${formatDiagnostic(file, compiled.lines, { severity: 'hint', code: 'prediction', range, message: story(prediction) })}\n`);
  }
  return hasErrors(compiled.diagnostics) ? Exit.BadInput : Exit.Ok;
}

/** `explain`: every fault report in a kernel log, as text or one JSON document; exit 1 when there is none. */
export function explainLog(text: string, json: boolean, out: TextOutput): Exit {
  const faults = readFaults(text);
  if (json) out.write(`${JSON.stringify({ reports: faults.map((f) => f.report) }, null, 2)}\n`);
  else if (faults.length > 0) out.write(faultText(faults));
  else out.write('no SMMU fault report found\n');
  return faults.length > 0 ? Exit.Ok : Exit.Failed;
}

/**
 * `reproduce`: report `index` (1-based) of the log as a scenario, to `out`; or, to `err`,
 * `FILE:LINE:1: error: …` saying why there is none (`file` names the input, `<stdin>` for -).
 */
export function reproduceLog(file: string, text: string, index: number, out: TextOutput, err: TextOutput): Exit {
  const reports = readFaultLog(text);
  const report = reports[index - 1];
  if (!report) {
    err.write(`${file}: error: ${reports.length === 0 ? 'no SMMU fault report found' : `there is no report ${index}: the log has ${reports.length}`}\n`);
    return Exit.Failed;
  }
  const reproduction = reproduceReport(report);
  if ('cannot' in reproduction) {
    err.write(`${file}:${report.lines[0]}:1: error: report ${index} cannot be reproduced yet: ${reproduction.cannot}\n`);
    return Exit.Failed;
  }
  out.write(reproduction.scenario);
  return Exit.Ok;
}

/** The error a run that could not finish ends with, as `FILE:LINE:COL: error: …` or `FILE: error: …`. */
function stopError(file: string, lines: LineIndex, stop: RunStop): string | undefined {
  if (stop.reason === 'error') return formatDiagnostic(file, lines, { severity: 'error', code: 'runtime', range: stop.range, message: stop.message });
  if (stop.reason === 'budget') return `${file}: error: ${stop.message}`;
  return undefined;
}

/**
 * What the CLI's journal keeps of each kind of record. The CLI writes every record as it is
 * made (the trace from the machine's events, the JSON through the journal's sink) and reads
 * none back but the crash dump an event has just named, so it keeps only the newest few:
 * kept ten thousand deep, each labelled transaction would outlive ten thousand others and
 * age into the old generation, where collecting it costs a fifth of a labelled run.
 */
const CLI_JOURNAL_RECORDS = 16;

/**
 * `run`: the trace (or the JSON document) to `out` as the run goes, errors and warnings
 * to `err`. A run that ended with engines hung on what nothing will answer says so as a
 * warning: the expects decide the status, since a hang can be the story being told.
 */
export function runText(command: RunCommand, text: string, out: RunOutput, err: TextOutput): Exit {
  const compiled = compileScenario(text);
  if (!compiled.model) {
    for (const d of compiled.diagnostics.filter((d) => d.severity === 'error')) err.write(`${formatDiagnostic(command.file, compiled.lines, d)}\n`);
    return Exit.BadInput;
  }
  const json = command.json ? new JsonRunWriter(out) : undefined;
  try {
    const machine = new Machine(compiled.model, { maxEvents: command.maxEvents, maxSeconds: command.maxSeconds, sink: json, journalRecords: CLI_JOURNAL_RECORDS });
    const trace = json || command.dmesg ? undefined : new TraceFormatter(machine);
    if (json) json.begin(machine);
    if (command.dmesg) {
      machine.on((event) => {
        if (event.kind === 'kernel-log') out.write(`${dmesgTimestamp(event.time)} ${event.line}\n`);
      });
    }
    if (trace) {
      for (const line of trace.header()) out.write(`${line}\n`);
      machine.on((event) => trace.writeLine(event, out));
    }
    const stop = machine.run(command.until === undefined ? {} : { untilCycle: command.until });
    const error = stopError(command.file, compiled.lines, stop);
    const broken = machine.invariantViolations();
    if (broken.length > 0) throw new Error(`the emulator lost track of something: ${broken.join('; ')}`);
    const result = machine.result();
    if (trace) for (const line of trace.summary(result)) out.write(`${line}\n`);
    json?.finish(error);
    if (error !== undefined) err.write(`${error}\n`);
    if (stop.reason === 'finished') for (const u of result.unfinished) err.write(`${command.file}: warning: ${u.summary}\n`);
    return error !== undefined || result.expects.some((e) => !e.ok) ? Exit.Failed : Exit.Ok;
  } finally {
    json?.dispose();
  }
}
