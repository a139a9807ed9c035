import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { parseArgs, UsageError } from '../../emulator/cli/args';
import { distPath } from '../helpers/repo';

const cli = distPath('cli');

function explain(args: readonly string[], input = ''): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, [cli, 'explain', ...args], { encoding: 'utf8', input, timeout: 60_000 });
  if (run.error) throw run.error;
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

const log = [
  '[   12.000001] arm-smmu 15000000.iommu: Unhandled context fault: fsr=0x402, iova=0xd65504710, fsynr=0x60011, cbfrsynra=0x0, cb=6',
  '[   12.000002] arm-smmu 15000000.iommu: FSR    = 00000402 [Format=2 TF], SID=0x0',
  '[   12.000003] arm-smmu 15000000.iommu: FSYNR0 = 00060011 [S1CBNDX=6 WNR PLVL=1]',
  '[   13.000000] arm-smmu-v3 15000000.iommu: EVTQ overflow detected -- events lost',
  '',
].join('\n');

function file(text: string): string {
  const at = path.join(mkdtempSync(path.join(tmpdir(), 'explain-')), 'dmesg.log');
  writeFileSync(at, text);
  return at;
}

test('explain FILE: one block per report (lines, registers with fields, explanation); exit 0', () => {
  const run = explain([file(log)]);
  assert.equal(run.status, 0, run.stderr);
  assert.equal(run.stderr, '');
  assert.equal(
    run.stdout,
    [
      'report 1: arm-smmu 15000000.iommu (lines 1-3)',
      '      1 | [   12.000001] arm-smmu 15000000.iommu: Unhandled context fault: fsr=0x402, iova=0xd65504710, fsynr=0x60011, cbfrsynra=0x0, cb=6',
      '      2 | [   12.000002] arm-smmu 15000000.iommu: FSR    = 00000402 [Format=2 TF], SID=0x0',
      '      3 | [   12.000003] arm-smmu 15000000.iommu: FSYNR0 = 00060011 [S1CBNDX=6 WNR PLVL=1]',
      '  FSR = 0x402  TF=1 AFF=0 PF=0 EF=0 TLBMCF=0 TLBLKF=0 ASF=0 UUT=0 FORMAT=2 SS=0 MULTI=0',
      '  FSYNR0 = 0x60011  PLVL=1 WNR=1 PNU=0 IND=0 NSATTR=0 PTWF=0 AFR=0 S1CBNDX=6',
      '  FAR = 0xd65504710  FADDR=0xd65504710',
      '  CBFRSYNRA = 0x0  SID=0',
      "  a write by StreamID 0x0 to IOVA 0xd65504710 found no valid level-1 entry in context bank 6's table: translation fault; the transaction was not stalled, so the device got an abort or RAZ/WI as SCTLR.CFRE says",
      '  reproduce: iommu-debug reproduce --report 1 writes a scenario that faults the same way',
      '',
      'report 2: arm-smmu-v3 15000000.iommu (line 4)',
      '      4 | [   13.000000] arm-smmu-v3 15000000.iommu: EVTQ overflow detected -- events lost',
      '  the event queue (EVTQ) filled faster than the kernel drained it: the SMMU dropped event records, so faults after this point may be missing from the log',
      '  reproduce: cannot yet: a queue overflow is a storm of faults, not one: reproduce one of its events instead',
      '',
    ].join('\n'),
  );
});

test('explain - --json reads standard input and prints {"reports": [...]} with the contract\'s keys', () => {
  const run = explain(['-', '--json'], log);
  assert.equal(run.status, 0, run.stderr);
  const doc = JSON.parse(run.stdout) as { reports: Record<string, unknown>[] };
  assert.deepEqual(Object.keys(doc), ['reports']);
  assert.equal(doc.reports.length, 2);
  const keys = ['source', 'device', 'lines', 'kind', 'event', 'iova', 'ipa', 'write', 'read', 'priv', 'instruction', 'level', 'format', 's1cbndx', 'cb', 'sid', 'ssid', 'ssv', 'stall', 'stag', 'stage2', 'class', 'registers', 'explanation'];
  for (const report of doc.reports) assert.deepEqual(Object.keys(report).sort(), [...keys].sort());
  assert.deepEqual([doc.reports[0]?.lines, doc.reports[0]?.iova, doc.reports[0]?.level, doc.reports[1]?.kind], [[1, 3], '0xd65504710', 1, 'overflow']);
});

test('explain with no FILE reads standard input too', () => {
  const run = explain([], log);
  assert.equal(run.status, 0);
  assert.match(run.stdout, /^report 1: arm-smmu 15000000.iommu \(lines 1-3\)\n/);
});

test('no report in the input: exit 1, said in one line (an empty list with --json)', () => {
  assert.deepEqual(explain(['-'], 'nothing here\n'), { status: 1, stdout: 'no SMMU fault report found\n', stderr: '' });
  const json = explain(['--json'], '');
  assert.equal(json.status, 1);
  assert.deepEqual(JSON.parse(json.stdout), { reports: [] });
});

test('an input that cannot be read: exit 2, one error line, no stack trace', () => {
  const missing = explain([path.join(tmpdir(), 'no-such-dmesg.log')]);
  assert.equal(missing.status, 2);
  assert.equal(missing.stdout, '');
  assert.equal(missing.stderr, `iommu-debug: error: ${path.join(tmpdir(), 'no-such-dmesg.log')}: no such file\n`);
  const directory = explain([tmpdir()]);
  assert.equal(directory.status, 2);
  assert.match(directory.stderr, /^iommu-debug: error: .*: cannot read \(EISDIR\)\n$/);
});

test('explain arguments: FILE, -, --json; anything else is a usage error', () => {
  assert.deepEqual(parseArgs(['explain']), { kind: 'explain', file: undefined, json: false });
  assert.deepEqual(parseArgs(['explain', '-', '--json']), { kind: 'explain', file: '-', json: true });
  assert.throws(() => parseArgs(['explain', '--dmesg']), UsageError);
  assert.throws(() => parseArgs(['explain', 'a.log', 'b.log']), UsageError);
});
