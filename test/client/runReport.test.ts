import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { runReport, ReportLinks } from '../../client/report/runReport';
import { KeptRun } from '../../client/session/keptRun';
import { example, scenarioFile } from '../debug-adapter/helpers';
import { endedRun } from './endedRun';

const links: ReportLinks = { line: (file, line) => `file://${file}#L${line}`, dump: (id) => `iommu-dump:/crash-dump-${id}.txt` };

async function kept(file: string, noDebug = true): Promise<KeptRun> {
  return { session: 'session-1', noDebug, ended: await endedRun(file) };
}

describe('the run report', () => {
  test('expects, counters, faults and crash dumps, each linked to its line or its document', async () => {
    const file = example('a530-fault-no-stall');
    assert.equal(
      runReport(await kept(file), links),
      [
        '# Run report: a530-fault-no-stall.iommu',
        '',
        'Ran without debugging · ended at cycle 91',
        '',
        '## Expects: 2 passed, 0 failed',
        '',
        '| Result | Line | Expect | Found |',
        '| --- | --- | --- | --- |',
        '| ok | [35][L35] | `bad raz` | bad: raz |',
        '| ok | [36][L36] | `raz == 5` | raz = 5 |',
        '',
        '## Counters',
        '',
        '| Counter | Value |',
        '| --- | --- |',
        '| transactions | 6 |',
        '| faults | 1 |',
        '| completed | 1 |',
        '| raz | 5 |',
        '| dumps | 1 |',
        '',
        '## Faults: 1',
        '',
        '| Fault | Cycle | Kind | IOVA | From | Answer | Line |',
        '| --- | --- | --- | --- | --- | --- | --- |',
        '| #0 | 31 | translation at level 2 | `0x7000000` | gpu.cp | terminated at once (no stall) | [20][L20] |',
        '',
        '## Crash dumps: 1',
        '',
        '- [Crash dump #0][dump-0]: gpu_fault on irq/kgsl at cycle 39',
        '',
        `[L35]: <file://${file}#L35>`,
        `[L36]: <file://${file}#L36>`,
        `[L20]: <file://${file}#L20>`,
        '[dump-0]: <iommu-dump:/crash-dump-0.txt>',
        '',
      ].join('\n'),
    );
  });

  test('a failed expect, an engine not done and what was still stalled; a debugged run says so', async () => {
    const file = scenarioFile(
      [
        'smmu s0 { version v2 }',
        'domain d { fault stall; hupcf on; map 0x0100_0000 -> 0x8000_0000 size 64K rw }',
        'master m { stream 0x1; domain d; can-stall }',
        'engine m.e { outstanding 1; read 0x0700_0000 8 as bad; repeat 3 { read 0x0100_0000 8 as next } }',
        'handler h on d { context workqueue; log "never answered" }',
        'expect bad completed',
        'kernel 6.12', // a worker that does not answer leaves the stall before 6.16
      ].join('\n'),
      'hung',
    );
    const report = runReport(await kept(file, false), links);
    assert.ok(report.startsWith(`# Run report: ${file.split('/').pop() ?? ''}\n\nDebugged · ended at cycle 59\n\n## Expects: 0 passed, 1 failed\n`), report);
    assert.ok(report.includes('| **FAILED** | [6][L6] | `bad completed` | bad: stalled |\n'), report);
    assert.ok(report.includes('## Engines not done\n\n- m.e hung at line 4: its outstanding slot is taken (#0 stalled on cb0, no RESUME); 3 transactions not issued\n'), report);
    assert.ok(report.includes('| #0 | 30 | translation at level 2 | `0x7000000` | m.e | stalled, not answered yet | [4][L4] |\n'), report);
    assert.ok(report.includes('## Crash dumps: 0\n\nNo handler took a crash dump.\n'), report);
    assert.ok(
      report.endsWith(
        [
          '## Still stalled: 1 transaction',
          '',
          '| Transaction | Engine | Access | Why | Line |',
          '| --- | --- | --- | --- | --- |',
          '| #0 | m.e | read `0x7000000` | translation fault at level 2: L2[56] is invalid | [4][L4] |',
          '',
          `[L6]: <file://${file}#L6>`,
          `[L4]: <file://${file}#L4>`,
          '',
        ].join('\n'),
      ),
      report,
    );
  });

  test('a run stopped by the user, one that could not finish, and one with no expect', async () => {
    const run = await kept(example('a530-fault-no-stall'), false);
    const stopped: KeptRun = { ...run, ended: { ...run.ended, how: 'terminated', error: 'division by zero (line 9)', expects: [] } };
    const report = runReport(stopped, links);
    assert.ok(report.includes('\nDebugged · stopped by the user at cycle 91\n\n**The run could not finish:** division by zero (line 9)\n\n## Expects: 0 passed, 0 failed\n\nThe scenario has no `expect`.\n'), report);
  });

  test('a | in what was written does not break its table row', async () => {
    const run = await kept(example('a530-fault-no-stall'));
    const piped: KeptRun = { ...run, ended: { ...run.ended, expects: [{ line: 3, text: 'a | b', ok: true, detail: 'x\ny' }] } };
    assert.ok(runReport(piped, links).includes('| ok | [3][L3] | `a \\| b` | x y |\n'));
  });
});
