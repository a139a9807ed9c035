import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { distPath } from '../helpers/repo';
import { runNode } from '../helpers/runNode';

/** Issue 12, item 2: `check` warns C_BAD_SUBSTREAMID for a PASID of 2^20 (and predicts it); `run` raises it and goes on. */

const cli = distPath('cli');

const repro = `smmu s0 { version v3; ssid-bits 20 }
domain d { map 0x0 -> 0x8000_0000 size 1M rw }
domain app { }
master m { stream 0x1; domain d; pasid 5 -> app }
engine m.e { read 0x1000 64 pasid 0x100000 as x }
`;

function file(text: string): string {
  const at = path.join(mkdtempSync(path.join(tmpdir(), 'iommu-ssid-')), 'wide.iommu');
  writeFileSync(at, text);
  return at;
}

test('check warns, exit 0; run records C_BAD_SUBSTREAMID and aborts the read, exit 0 when the expect says aborted', () => {
  const scenario = file(`${repro}expect x aborted\n`);
  const check = runNode(cli, ['check', scenario]);
  assert.equal(check.status, 0);
  assert.equal(
    check.stdout,
    [
      `${scenario}:5:29: warning: pasid 1048576 will abort with C_BAD_SUBSTREAMID: it is beyond the CD table of master 'm' (S1CDMax=20, the ssid-bits of smmu 's0'); its event record keeps SubstreamID bits [19:0], 0`,
      // The prediction, from a run: the same C_BAD_SUBSTREAMID the run below records.
      `${scenario}:5:19: hint: C_BAD_SUBSTREAMID: SubstreamID 0x100000 is wider than the SMMU's 20 SubstreamID bits (IDR1.SSIDSIZE=20); the record's 20-bit SubstreamID keeps bits [19:0], 0; C_BAD_SUBSTREAMID → EVTQ[0]; aborted`,
      '',
    ].join('\n'),
  );
  const run = runNode(cli, ['run', scenario, '--json']);
  assert.equal(run.status, 0, run.stderr);
  assert.equal(run.stderr, '');
  const json = JSON.parse(run.stdout) as { transactions: { status: string }[]; faults: { kind: string; ssid: number; sid: number }[]; counters: Record<string, number> };
  assert.deepEqual(json.transactions.map((t) => t.status), ['aborted']);
  assert.deepEqual(json.faults.map((f) => [f.kind, f.sid, f.ssid]), [['bad-substreamid', 1, 0]]);
  assert.equal(json.counters['events'], 1);
  const trace = runNode(cli, ['run', scenario]);
  assert.equal(trace.status, 0, trace.stderr);
  assert.ok(trace.stdout.includes('EVTQ[0] ← C_BAD_SUBSTREAMID sid 0x1 ssid 0\n'), trace.stdout);
});

test('run exits 1, not 70, when the repro expects the read to complete', () => {
  const run = runNode(cli, ['run', file(`${repro}expect x completed\n`)]);
  assert.equal(run.status, 1, run.stderr);
  assert.equal(run.stderr, '');
  assert.ok(run.stdout.includes('x: aborted'), run.stdout);
});
