import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { distPath, repoPath } from '../helpers/repo';
import { runNode } from '../helpers/runNode';

/* `iommu-debug run` on a scenario with a vfio container: the placements in the trace and in the JSON. */

const cli = distPath('cli');
const example = repoPath('examples', 'vfio-fallback-v2.iommu');
const STALL_REFUSED = "domain 'passthrough' stalls on faults but master 'nic1' is not 'can-stall'; passthrough#2 does not stall";

test('the trace: the attaches, then one line per placement at cycle 0 before any event, in the trace line format', () => {
  const run = runNode(cli, ['run', example]);
  assert.equal(run.status, 0, run.stderr);
  const lines = run.stdout.trimEnd().split('\n');
  assert.deepEqual(lines.slice(0, 8), [
    'scenario "VFIO on SMMUv2: a master without can-stall gets a domain of its own"',
    'attach nic0 → passthrough',
    'attach nic1 → passthrough#2',
    'attach nic2 → passthrough',
    '       0  vfio           passthrough: nic0 → passthrough (attached)',
    `       0  vfio           passthrough: nic1 → passthrough#2 (new domain: ${STALL_REFUSED})`,
    '       0  vfio           passthrough: nic2 → passthrough (attached)',
    '      30  apps/cb0       translation fault at level 2, 0x2000000 sid 0x10: L2[16] is invalid (latched in FSR/FAR)',
  ]);
  // nic1's own context bank translates and aborts while cb0 is stalled; nic2 waits behind the stall.
  assert.ok(lines.includes('      66  nic1.dma       read  0x3000000 64 as nic1_bad (line 32) aborted (translation fault, CFCFG=0: terminated)'));
  assert.ok(lines.includes('      75  nic1.dma       read  0x1000000 64 as nic1_ok (line 31) → 0x80000000 completed (walk, level 3 leaf)'));
  assert.ok(lines.includes('      94  nic0.dma       read  0x2000000 64 as nic0_bad (line 28) aborted (RESUME terminate)'));
  assert.deepEqual(
    lines.slice(-6).map((l) => /^line \d+: expect .*: ok \(/.test(l)),
    [true, true, true, true, true, true],
  );
});

test('--json: "vfio" after the usual keys, each placement with master, domain and reason', () => {
  const run = runNode(cli, ['run', example, '--json']);
  assert.equal(run.status, 0, run.stderr);
  const json = JSON.parse(run.stdout) as Record<string, unknown>;
  assert.deepEqual(Object.keys(json), ['transactions', 'faults', 'expects', 'counters', 'cycles', 'dumps', 'logs', 'vfio']);
  assert.deepEqual(json['vfio'], [
    {
      name: 'passthrough',
      placements: [
        { master: 'nic0', domain: 'passthrough', reason: 'attached to passthrough' },
        { master: 'nic1', domain: 'passthrough#2', reason: `new domain passthrough#2: ${STALL_REFUSED}` },
        { master: 'nic2', domain: 'passthrough', reason: 'attached to passthrough' },
      ],
    },
  ]);
});

test('a master left unattached: "not attached" in the trace, domain null in the JSON; its reads abort', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'iommu-cli-vfio-'));
  const file = path.join(dir, 'one-bank.iommu');
  writeFileSync(file, readFileSync(example, 'utf8').replace('context-banks 2', 'context-banks 1'));
  const why = "domain 'passthrough' stalls on faults but master 'nic1' is not 'can-stall', and a new domain cannot be attached either: smmu 'apps' has 1 context bank and this would be domain number 2";

  const trace = runNode(cli, ['run', file]);
  assert.equal(trace.status, 1, 'nic1_ok does not translate: its expect fails');
  assert.ok(trace.stdout.split('\n').includes(`       0  vfio           passthrough: nic1 not attached (${why})`));

  const run = runNode(cli, ['run', file, '--json']);
  const json = JSON.parse(run.stdout) as { vfio: unknown[]; transactions: { name: string | null; status: string }[] };
  assert.deepEqual(json.vfio, [
    {
      name: 'passthrough',
      placements: [
        { master: 'nic0', domain: 'passthrough', reason: 'attached to passthrough' },
        { master: 'nic1', domain: null, reason: `unattached: ${why}` },
        { master: 'nic2', domain: 'passthrough', reason: 'attached to passthrough' },
      ],
    },
  ]);
  assert.deepEqual(
    json.transactions.filter((t) => t.name?.startsWith('nic1')).map((t) => [t.name, t.status]),
    [
      ['nic1_ok', 'aborted'],
      ['nic1_bad', 'aborted'],
    ],
  );
});
