import * as path from 'path';
import { KeptRun } from '../session/keptRun';
import { faultAnswer } from '../views/faultRows';
import { stalledWhy } from '../views/stalledRows';

/** Where the report's links go: a line of the scenario, a crash dump's document. */
export interface ReportLinks {
  line(file: string, line: number): string;
  dump(id: number): string;
}

/** A table cell: a `|` would end it, a line break would end the row. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  return [`| ${header.join(' | ')} |`, `|${header.map(() => ' --- |').join('')}`, ...rows.map((row) => `| ${row.map(cell).join(' | ')} |`)];
}

function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

/** The line under the title: how the run went and where it ended. */
function outcome(run: KeptRun): string {
  const { ended } = run;
  const mode = run.noDebug ? 'Ran without debugging' : 'Debugged';
  const end = ended.how === 'terminated' ? `stopped by the user at cycle ${ended.cycle}` : `ended at cycle ${ended.cycle}`;
  return `${mode} · ${end}`;
}

/**
 * The run report: what a run that ended left — its expects, counters, faults, crash dumps
 * and what was still stalled — as markdown, each with a link to its line. Pure: the links
 * are the caller's.
 */
export function runReport(run: KeptRun, links: ReportLinks): string {
  const { ended } = run;
  // Reference links, defined once at the end: the tables stay readable as text.
  const targets = new Map<string, string>();
  const line = (n: number): string => {
    targets.set(`L${n}`, links.line(ended.path, n));
    return `[${n}][L${n}]`;
  };
  const dump = (id: number): string => {
    targets.set(`dump-${id}`, links.dump(id));
    return `[Crash dump #${id}][dump-${id}]`;
  };
  const failed = ended.expects.filter((e) => !e.ok).length;
  const out = [`# Run report: ${path.basename(ended.path)}`, '', outcome(run), ''];
  if (ended.error !== null) out.push(`**The run could not finish:** ${cell(ended.error)}`, '');

  out.push(`## Expects: ${ended.expects.length - failed} passed, ${failed} failed`, '');
  if (ended.expects.length === 0) out.push('The scenario has no `expect`.');
  else out.push(...table(['Result', 'Line', 'Expect', 'Found'], ended.expects.map((e) => [e.ok ? 'ok' : '**FAILED**', line(e.line), `\`${e.text}\``, e.detail])));

  out.push('', '## Counters', '');
  if (ended.counters.length === 0) out.push('Nothing happened.');
  else out.push(...table(['Counter', 'Value'], ended.counters.map((c) => [c.name, String(c.value)])));
  if (ended.unfinished.length > 0) out.push('', '## Engines not done', '', ...ended.unfinished.map((u) => `- ${u}`));

  const faults = ended.faults.faults;
  out.push('', `## Faults: ${faults.length}`, '');
  if (faults.length === 0) out.push('No fault.');
  else {
    // Oldest first: the order they happened in (the Faults view shows the newest first).
    const rows = [...faults].reverse().map((f) => [`#${f.id}`, String(f.cycle), `${f.kind} at level ${f.level}`, `\`${f.iova}\``, f.engine, faultAnswer(f), line(f.line)]);
    out.push(...table(['Fault', 'Cycle', 'Kind', 'IOVA', 'From', 'Answer', 'Line'], rows));
  }

  out.push('', `## Crash dumps: ${ended.dumps.length}`, '');
  if (ended.dumps.length === 0) out.push('No handler took a crash dump.');
  else out.push(...ended.dumps.map((d) => `- ${dump(d.id)}: ${d.handler} on ${d.thread} at cycle ${d.cycle}`));

  const stalled = ended.stalled.transactions;
  if (stalled.length > 0) {
    out.push('', `## Still stalled: ${plural(stalled.length, 'transaction')}`, '');
    out.push(...table(['Transaction', 'Engine', 'Access', 'Why', 'Line'], stalled.map((t) => [`#${t.id}`, t.engine, `${t.access} \`${t.iova}\``, stalledWhy(t), line(t.line)])));
  }
  if (targets.size > 0) out.push('', ...[...targets].map(([label, target]) => `[${label}]: <${target}>`));
  return `${out.join('\n')}\n`;
}
