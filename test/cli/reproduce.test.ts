import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { parseArgs, UsageError } from '../../emulator/cli/args';
import { distPath } from '../helpers/repo';

const cli = distPath('cli');

function iommuDebug(args: readonly string[], input = ''): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', input, timeout: 60_000 });
  if (run.error) throw run.error;
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

function file(name: string, text: string): string {
  const at = path.join(mkdtempSync(path.join(tmpdir(), 'reproduce-')), name);
  writeFileSync(at, text);
  return at;
}

/** The kernel lines a scenario's run prints, without dmesg's timestamps; the run must pass its expects. */
function kernelLines(scenario: string): string[] {
  const run = iommuDebug(['run', file('reproduced.iommu', scenario), '--dmesg']);
  assert.equal(run.status, 0, `${run.stdout}${run.stderr}`);
  return run.stdout.split('\n').filter((line) => line !== '').map((line) => line.replace(/^\[ *\d+\.\d{6}\] /, ''));
}

const contextFault = 'arm-smmu d0000000.iommu: Unhandled context fault: fsr=0x402, iova=0x1234567000, fsynr=0x30021, cbfrsynra=0x41, cb=3';
const v3Dump = [
  'arm-smmu-v3 9050000.iommu: event 0x10 received:',
  'arm-smmu-v3 9050000.iommu: \t0x0000000700000010',
  'arm-smmu-v3 9050000.iommu: \t0x0000020800000000',
  'arm-smmu-v3 9050000.iommu: \t0x0000000040001000',
  'arm-smmu-v3 9050000.iommu: \t0x0000000000000000',
];
const log = [
  `[ 4021.113002] ${contextFault}`,
  '[ 4021.113010] Call trace:',
  '[ 4021.113011]  dump_backtrace+0x0/0x1e0',
  ...v3Dump.map((line, i) => `[ 4022.00000${i}] ${line}`),
  '[ 4023.000000] arm-smmu-v3 9050000.iommu: EVTQ overflow detected -- events lost',
  '',
].join('\n');

test('reproduce: report 1 of a dmesg, run, prints the same context fault line', () => {
  const run = iommuDebug(['reproduce', file('dmesg.log', log)]);
  assert.equal(run.status, 0, run.stderr);
  assert.equal(run.stderr, '');
  assert.equal(kernelLines(run.stdout)[0], contextFault);
});

test('reproduce --report 2 -o OUT: the SMMUv3 record, run, dumps the same four dwords', () => {
  const out = path.join(mkdtempSync(path.join(tmpdir(), 'reproduce-')), 'event.iommu');
  const run = iommuDebug(['reproduce', file('dmesg.log', log), '--report', '2', '-o', out]);
  assert.deepEqual(run, { status: 0, stdout: '', stderr: '' });
  const lines = kernelLines(readFileSync(out, 'utf8'));
  const header = lines.indexOf(v3Dump[0] ?? '');
  assert.deepEqual(lines.slice(header, header + 5), v3Dump);
});

test('reproduce from standard input', () => {
  const run = iommuDebug(['reproduce', '-'], `${contextFault}\n`);
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /^\/\/ Reproduces: arm-smmu d0000000\.iommu: Unhandled context fault: fsr=0x402, /);
});

test('a report the language cannot say yet, or no such report: exit 1 and why, FILE:LINE:1 where there is a line', () => {
  const at = file('dmesg.log', log);
  assert.deepEqual(iommuDebug(['reproduce', at, '--report', '3']), {
    status: 1,
    stdout: '',
    stderr: `${at}:9:1: error: report 3 cannot be reproduced yet: a queue overflow is a storm of faults, not one: reproduce one of its events instead\n`,
  });
  assert.deepEqual(iommuDebug(['reproduce', at, '--report', '4']), { status: 1, stdout: '', stderr: `${at}: error: there is no report 4: the log has 3\n` });
  assert.deepEqual(iommuDebug(['reproduce', '-'], 'nothing here\n'), { status: 1, stdout: '', stderr: '<stdin>: error: no SMMU fault report found\n' });
});

test('reproduce arguments', () => {
  assert.deepEqual(parseArgs(['reproduce']), { kind: 'reproduce', file: undefined, report: 1, output: undefined });
  assert.deepEqual(parseArgs(['reproduce', 'd.log', '--report', '12', '-o', 'x.iommu']), { kind: 'reproduce', file: 'd.log', report: 12, output: 'x.iommu' });
  assert.throws(() => parseArgs(['reproduce', '--report', '0']), new UsageError("--report needs a report number from 1, not '0'"));
  assert.throws(() => parseArgs(['reproduce', '-o']), new UsageError('-o needs a file to write the scenario to'));
  assert.throws(() => parseArgs(['reproduce', '--json']), new UsageError("unknown option '--json' for reproduce"));
});
