import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { distPath } from '../helpers/repo';
import { runNode } from '../helpers/runNode';

/** Nothing vanishes: an engine that hangs on what nothing will answer is said, with what it never issued (on Linux 6.12, where a worker that does not answer leaves the stall). */

const cli = distPath('cli');
const scratch = mkdtempSync(path.join(tmpdir(), 'iommu-cli-unfinished-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

const file = path.join(scratch, 'hang.iommu');
writeFileSync(
  file,
  `smmu s0 { version v2 }
domain d { fault stall; hupcf on; map 0x0100_0000 -> 0x8000_0000 size 64K rw }
master m { stream 0x1; domain d; can-stall }
engine m.e { outstanding 1; read 0x0700_0000 8 as bad; repeat 3 { read 0x0100_0000 8 as next } }
handler h on d { context workqueue; log "never answered" }
expect bad stalled
kernel 6.12
`,
);
const summary = 'm.e hung at line 4: its outstanding slot is taken (#0 stalled on cb0, no RESUME); 3 transactions not issued';

test('the trace says which engine hung, on what, and how many transactions it never issued; a warning on stderr; the expects decide the status', () => {
  const run = runNode(cli, ['run', file]);
  assert.equal(run.status, 0);
  assert.deepEqual(run.stdout.trimEnd().split('\n').slice(-3), ['ended at cycle 59: transactions 1, faults 1, stalled 1', summary, 'line 6: expect bad stalled: ok (bad: stalled)']);
  assert.equal(run.stderr, `${file}: warning: ${summary}\n`);
});

test('--json lists the engine under "unfinished", with the live transaction it waits on', () => {
  const run = runNode(cli, ['run', file, '--json']);
  const json = JSON.parse(run.stdout) as { unfinished: unknown };
  assert.deepEqual(json.unfinished, [{ engine: 'm.e', issued: 1, unissued: 3, line: 4, waiting: [{ transaction: 0, why: 'stalled on cb0, no RESUME' }], summary }]);
});

test('--until: an engine still at work is not done (the run was cut, not hung), without a warning', () => {
  const run = runNode(cli, ['run', file, '--until', '10']);
  assert.equal(run.stderr, '');
  assert.ok(run.stdout.includes('\nm.e not done at line 4: its outstanding slot is taken (#0 translating); 3 transactions not issued\n'), run.stdout);
});
