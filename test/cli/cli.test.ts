import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { distPath, repoPath } from '../helpers/repo';
import { runNode } from '../helpers/runNode';

const cli = distPath('cli');
const { version } = JSON.parse(readFileSync(repoPath('package.json'), 'utf8')) as { version: string };

test('dist/cli.js is an executable script with a node shebang', () => {
  assert.match(readFileSync(cli, 'utf8'), /^#!\/usr\/bin\/env node\n/);
});

test('--version prints the package version', () => {
  const run = runNode(cli, ['--version']);
  assert.equal(run.status, 0);
  assert.equal(run.stdout, `iommu-debug ${version}\n`);
  assert.equal(run.stderr, '');
});

test('no arguments prints the usage and succeeds', () => {
  const run = runNode(cli, []);
  assert.equal(run.status, 0);
  assert.match(run.stdout, /^usage: iommu-debug COMMAND/);
});

for (const argv of [['--help'], ['-h'], ['help'], ['check', '--help'], ['run', '--help'], ['run', 'x.iommu', '-h'], ['check', 'x.iommu', '--help']]) {
  test(`${argv.join(' ')} prints the usage on stdout and exits 0`, () => {
    const run = runNode(cli, argv);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /^usage: iommu-debug COMMAND/);
    assert.equal(run.stderr, '');
  });
}

test('an unknown command is a usage error: exit 2, one error line, the usage, no stack trace', () => {
  const run = runNode(cli, ['frobnicate']);
  assert.equal(run.status, 2);
  assert.equal(run.stdout, '');
  const [first] = run.stderr.split('\n');
  assert.equal(first, "iommu-debug: error: unknown command 'frobnicate'");
  assert.match(run.stderr, /usage: iommu-debug/);
  assert.doesNotMatch(run.stderr, /\n\s+at /);
});

test('an unknown option is a usage error', () => {
  const run = runNode(cli, ['--frob']);
  assert.equal(run.status, 2);
  assert.equal(run.stderr.split('\n')[0], "iommu-debug: error: unknown option '--frob'");
});

// ---------------------------------------------------------------------------------------
// run and check

function scenarioFile(name: string, text: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'iommu-cli-'));
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

const a530 = repoPath('examples', 'a530-fault-no-stall.iommu');

test('run prints a trace, one event a line with its cycle, then the expects, and exits 0 when they hold', () => {
  const run = runNode(cli, ['run', a530]);
  assert.equal(run.status, 0, run.stderr);
  const lines = run.stdout.trimEnd().split('\n');
  assert.equal(lines[0], 'scenario "Adreno 530: concurrent translations fail while a fault is outstanding"');
  assert.equal(lines[1], 'attach gpu → gpu_dom');
  assert.ok(lines.includes('      31  kgsl/cb0       translation fault at level 2, 0x7000000 sid 0x0: L2[56] is invalid (latched in FSR/FAR)'));
  assert.ok(lines.includes('      50  gpu.tp         read  0x1002000 64 as tex (line 26) raz (terminated untranslated: FSR=0x402 holds a fault and HUPCF=0)'));
  assert.deepEqual(lines.slice(-3), [
    'ended at cycle 91: transactions 6, faults 1, completed 1, raz 5, dumps 1',
    'line 35: expect bad raz: ok (bad: raz)',
    'line 36: expect raz == 5: ok (raz = 5)',
  ]);
});

test('run --json prints one object with transactions, faults, expects, counters and cycles', () => {
  const run = runNode(cli, ['run', a530, '--json']);
  assert.equal(run.status, 0, run.stderr);
  const json = JSON.parse(run.stdout) as Record<string, unknown>;
  assert.deepEqual(Object.keys(json), ['transactions', 'faults', 'expects', 'counters', 'cycles', 'dumps', 'logs']);
  const transactions = json['transactions'] as Record<string, unknown>[];
  assert.deepEqual(transactions[0], { name: 'bad', engine: 'gpu.cp', line: 20, iova: '0x7000000', status: 'raz', pa: null, faults: 1 });
  assert.equal(transactions.length, 5);
  assert.deepEqual(json['faults'], [{ kind: 'translation', iova: '0x7000000', sid: 0, ssid: 0, level: 2, stage: 1, class: 'IN', ipa: null, stalled: false, response: null, line: 20 }]);
  assert.deepEqual(json['expects'], [
    { line: 35, text: 'bad raz', ok: true, detail: 'bad: raz' },
    { line: 36, text: 'raz == 5', ok: true, detail: 'raz = 5' },
  ]);
  assert.equal(json['cycles'], 91);
  assert.deepEqual((json['counters'] as Record<string, number>)['raz'], 5);
});

test('run exits 1 when an expect fails, and says which', () => {
  const file = scenarioFile('fails.iommu', readFileSync(a530, 'utf8').replace('expect raz == 5', 'expect raz == 4'));
  const run = runNode(cli, ['run', file]);
  assert.equal(run.status, 1);
  assert.equal(run.stdout.trimEnd().split('\n').at(-1), 'line 36: expect raz == 4: FAILED (raz = 5)');
});

test('run --until stops at a cycle: what is in flight is pending, what is stalled is stalled', () => {
  const run = runNode(cli, ['run', repoPath('examples', 'a530-stall-no-hupcf.iommu'), '--json', '--until', '55']);
  const json = JSON.parse(run.stdout) as { transactions: { name: string; status: string }[]; cycles: number };
  assert.equal(json.cycles, 55);
  assert.deepEqual(
    json.transactions.map((t) => [t.name, t.status]),
    [
      ['bad', 'stalled'],
      ['tex', 'stalled'],
    ],
  );
  assert.equal(run.status, 1); // the expects do not hold yet
});

test('a file with errors: FILE:LINE:COL: error: message, one a line, exit 2, no trace, no stack', () => {
  const file = scenarioFile('bad.iommu', 'smmu s { version v4 }\ndomain d { map 0x1234 -> 0x8000_0000 size 4K rw }\n');
  const run = runNode(cli, ['run', file]);
  assert.equal(run.status, 2);
  assert.equal(run.stdout, '');
  assert.equal(
    run.stderr,
    [`${file}:1:18: error: 'version' must be v2 or v3, not 'v4'`, `${file}:2:16: error: IOVA 0x1234 is not 4K-aligned`, ''].join('\n'),
  );
});

test('check prints every diagnostic, warnings too, and exits 2 only on errors', () => {
  const warningOnly = scenarioFile('warn.iommu', 'smmu s { version v2 }\ndomain d { fault stall; map 0x1000 -> 0x8000_0000 size 4K rw }\nmaster m { stream 0x1; domain d }\n');
  const run = runNode(cli, ['check', warningOnly]);
  assert.equal(run.status, 0);
  assert.match(run.stdout, new RegExp(`^${warningOnly.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3:31: warning: iommu_attach_device fails: domain 'd' stalls on faults but master 'm' is not 'can-stall'`));
  assert.equal(runNode(cli, ['check', scenarioFile('e.iommu', 'domain d { ias 99 }')]).status, 2);
});

test('check predicts each written transaction as a hint after the diagnostics; hints never change the status', () => {
  const clean = runNode(cli, ['check', a530]);
  assert.equal(clean.status, 0);
  assert.equal(
    clean.stdout,
    [
      `${a530}:19:8: hint: completed → 0x8000_0000`,
      `${a530}:20:8: hint: translation fault at level 2: L2[56] is invalid; raz (translation fault, CFCFG=0: terminated)`,
      `${a530}:26:19: hint: raz (terminated untranslated: FSR=0x402 holds a fault and HUPCF=0) (i = 0, 0x1002000) — 4 of 4 raz`,
      '',
    ].join('\n'),
  );
  // With an error the file does not run: the static walk predicts, and says so; the error decides the status.
  const broken = scenarioFile('broken.iommu', 'smmu s { version v2 }\ndomain d { map 0x0 -> 0x8000_0000 size 4K rw; ias 99 }\nmaster m { stream 0x1; domain d }\nengine m.e { read 0x0 64; read 0x2000 64 }\n');
  const run = runNode(cli, ['check', broken]);
  assert.equal(run.status, 2);
  const lines = run.stdout.trimEnd().split('\n');
  assert.match(lines[0] ?? '', /^.*broken\.iommu:2:\d+: error: /);
  assert.deepEqual(lines.slice(1), [
    `${broken}:4:19: hint: translates → 0x8000_0000 — as the tables stand before the run (the file has errors, so it does not run)`,
    `${broken}:4:32: hint: translation fault at level 3: L3[2] is invalid — as the tables stand before the run (the file has errors, so it does not run)`,
  ]);
});

test('garbage in: errors with places, never a stack trace', () => {
  const file = scenarioFile('garbage.iommu', '\u0000\u00ff{{{ }}} engine .. -> "unterminated\n/* open');
  const run = runNode(cli, ['run', file]);
  assert.equal(run.status, 2);
  assert.doesNotMatch(run.stderr, /\n\s+at /);
  for (const line of run.stderr.trimEnd().split('\n')) assert.match(line, /^.+:\d+:\d+: error: .+$/);
});

test('a missing file is one line and exit 2', () => {
  const run = runNode(cli, ['run', '/no/such/file.iommu']);
  assert.equal(run.status, 2);
  assert.equal(run.stderr, 'iommu-debug: error: /no/such/file.iommu: no such file\n');
});

test('--max-events stops a run that does not end, with the reason, exit 1', () => {
  const text = readFileSync(repoPath('examples', 'svm-map-and-retry.iommu'), 'utf8').replace(/map page -> [^\n]*\n/, '');
  const file = scenarioFile('loop.iommu', text);
  const run = runNode(cli, ['run', file, '--max-events', '3000']);
  assert.equal(run.status, 1);
  assert.match(run.stderr, new RegExp(`: error: the run did not end within 3000 events \\(cycle \\d+\\): transaction #0 of gpu\\.cp \\(line 23\\) has faulted \\d+ times`));
});

test('an SMMUv3 scenario runs: the trace shows the STE lookup\'s result, the event record and the stall answered by CMD_RESUME', () => {
  const file = scenarioFile(
    'v3.iommu',
    'smmu s { version v3 }\ndomain d { fault stall; map 0x1000 -> 0x8000_0000 size 4K rw }\nmaster m { stream 0x1; domain d; can-stall }\nengine m.e { read 0x1000 4 as ok; read 0x3000 4 as bad }\nexpect bad aborted\n',
  );
  const run = runNode(cli, ['run', file]);
  assert.equal(run.status, 0, run.stderr);
  const lines = run.stdout.split('\n');
  assert.ok(lines.includes('      41  s              EVTQ[0] ← F_TRANSLATION sid 0x1 stag 0x0 stall read 0x3000'), run.stdout);
  assert.ok(lines.some((l) => l.endsWith('CMDQ: CMD_RESUME sid 0x1 stag 0x0 abort: #1 aborted')), run.stdout);
  assert.ok(lines.includes('line 5: expect bad aborted: ok (bad: aborted)'), run.stdout);
});

test("a530-stall-no-hupcf's handler logs its fault in words: the address, then whether it stalled", () => {
  const run = runNode(cli, ['run', repoPath('examples', 'a530-stall-no-hupcf.iommu')]);
  assert.equal(run.status, 0, run.stderr);
  const logs = run.stdout.split('\n').filter((line) => line.includes(' log: '));
  assert.deepEqual(logs.map((line) => line.slice(line.indexOf(' log: ') + 1)), ['log: fault at 0x7000000, stalled: true']);
});
