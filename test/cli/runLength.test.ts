import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { distPath } from '../helpers/repo';
import { runNode } from '../helpers/runNode';

/** The CLI at any size: output streamed as the run goes, a closed pipe, the budgets on the command line. */

const cli = distPath('cli');
const scratch = mkdtempSync(path.join(tmpdir(), 'iommu-cli-length-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

function scenarioFile(name: string, text: string): string {
  const file = path.join(scratch, name);
  writeFileSync(file, text);
  return file;
}

const storm = (reads: number): string => `
smmu s0 { version v2 }
domain d { fault terminate; hupcf on; report raz; map 0x0100_0000 -> 0x8000_0000 size 64K rw }
master m { stream 0x1; domain d }
engine m.e { outstanding 16; repeat ${reads} { read 0x0100_0000 + (i % 2) * 0x0800_0000 8 as chunk } }
handler h on d { context thread; log "fault at {iova}" }
expect chunk raz
`;

interface RunJson {
  transactions: { name: string; line: number; iova: string; status: string; pa: string | null; faults: number }[];
  faults: { kind: string; iova: string; line: number; response: string | null }[];
  expects: { ok: boolean; detail: string }[];
  counters: Record<string, number>;
  logs: { message: string }[];
}

test('--json of a 40,000-transaction storm: one valid document, every transaction in issue order and every fault, lists spooled to disk and removed', () => {
  const file = scenarioFile('storm.iommu', storm(40_000));
  const tmp = mkdtempSync(path.join(scratch, 'tmp-'));
  const run = spawnSync(process.execPath, [cli, 'run', file, '--json'], { encoding: 'utf8', env: { ...process.env, TMPDIR: tmp }, maxBuffer: 1 << 28 });
  assert.equal(run.status, 1, run.stderr); // half the reads complete: `expect chunk raz` fails
  const json = JSON.parse(run.stdout) as RunJson;
  assert.equal(json.transactions.length, 40_000);
  json.transactions.forEach((t, i) => {
    const faulted = i % 2 === 1;
    assert.deepEqual([t.iova, t.status, t.faults], faulted ? ['0x9000000', 'raz', 1] : ['0x1000000', 'completed', 0], `transaction ${i} in issue order`);
  });
  assert.equal(json.faults.length, 20_000);
  assert.ok(json.faults.every((f) => f.kind === 'translation' && f.iova === '0x9000000' && f.line === 5 && f.response === null));
  assert.equal(json.counters['faults'], 20_000);
  assert.ok(json.logs.length > 0 && json.logs.every((l) => l.message === 'fault at 0x9000000'));
  assert.deepEqual(json.expects, [{ line: 7, text: 'chunk raz', ok: false, detail: 'chunk: 20000 completed, 20000 raz' }]);
  assert.deepEqual(readdirSync(tmp), [], 'the spools\' temporary files are gone');
});

test('`run | head -1` prints the first line and stops quietly: no stack trace, exit 0', () => {
  const file = scenarioFile('long.iommu', storm(2_000_000));
  const shell = spawnSync('bash', ['-c', `set -o pipefail; "${process.execPath}" "${cli}" run "${file}" | head -1`], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(shell.stdout, 'scenario (untitled)\n');
  assert.equal(shell.stderr, '');
  assert.equal(shell.status, 0);
});

test('a handler that keeps answering retry: stopped at its 10,000th fault with the reason, exit 1', () => {
  const file = scenarioFile(
    'retry.iommu',
    'smmu s0 { version v2 }\ndomain d { fault stall; map 0x0 -> 0x8000_0000 size 64K rw }\nmaster m { stream 0x1; domain d; can-stall }\nengine m.e { read 0x0700_0000 64 as bad }\nhandler h on d { context workqueue; retry }\nkernel 6.12\n',
  );
  const run = runNode(cli, ['run', file, '--json']);
  assert.equal(run.status, 1);
  const message = /^the run was stopped at cycle \d+: transaction #0 of m\.e \(line 4\) has faulted 10000 times — a handler keeps answering retry without fixing what faults$/;
  assert.match(run.stderr.replace(`${file}: error: `, '').trimEnd(), message);
  const json = JSON.parse(run.stdout) as RunJson & { error: string };
  assert.equal(json.faults.length, 10_000);
  assert.deepEqual(json.transactions.map((t) => [t.name, t.status, t.faults]), [['bad', 'stalled', 10_000]]);
  assert.match(json.error, /has faulted 10000 times/);
});

test('--max-seconds stops a run that takes longer, says so, exit 1', () => {
  const file = scenarioFile('slow.iommu', storm(5_000_000));
  const run = runNode(cli, ['run', file, '--max-seconds', '0.2']);
  assert.equal(run.status, 1);
  assert.match(run.stderr, /: error: the run did not end within 0\.2 s \(cycle \d+, \d+ events\); \d+ faults so far\n$/);
});

test('--max-seconds and --max-events take numbers: anything else is a usage error, exit 2', () => {
  const file = scenarioFile('small.iommu', storm(1));
  for (const [args, message] of [
    [['--max-seconds', 'soon'], "iommu-debug: error: --max-seconds needs a number of seconds above 0, not 'soon'"],
    [['--max-seconds', '0'], "iommu-debug: error: --max-seconds needs a number of seconds above 0, not '0'"],
    [['--max-seconds'], 'iommu-debug: error: --max-seconds needs a number of seconds above 0, not nothing'],
    [['--max-events', '-1'], "iommu-debug: error: --max-events needs a whole number, not '-1'"],
  ] as const) {
    const run = runNode(cli, ['run', file, ...args]);
    assert.equal(run.status, 2, args.join(' '));
    assert.equal(run.stderr.split('\n')[0], message);
  }
  const fine = runNode(cli, ['run', file, '--max-seconds', '2.5', '--max-events', '100']);
  assert.equal(fine.stderr, '', 'both budgets are ample for one read');
  assert.equal(fine.status, 1, 'its one read completes: `expect chunk raz` fails');
});
