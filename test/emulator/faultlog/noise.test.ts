import assert from 'node:assert/strict';
import { test } from 'node:test';
import { messageOf } from '../../../emulator/faultlog/lineText';
import { readFaultLog } from '../../../emulator/faultlog/readFaultLog';

const context = 'arm-smmu 5000000.iommu: Unhandled context fault: fsr=0x402, iova=0xff3cf000, fsynr=0x300003, cbfrsynra=0x409, cb=10';

for (const [name, prefix] of [
  ['a dmesg timestamp', '[   12.345678] '],
  ['a syslog prefix', 'Mar  3 10:00:00 host kernel: '],
  ['a journalctl prefix', 'Mar 03 10:00:00.123456 board kernel: '],
  ['a journalctl -o short-iso prefix', '2026-03-03T10:00:00+0000 board kernel: '],
  ['a vendor [pid:…] tag after the timestamp', '[    7.471032] [pid:134,cpu0,irq/13-arm-smmu]'],
  ['a hex-dump viewer prefix', '0x000000000277BBFA |   1263.468579:   '],
  ['a printk level', '<3>'],
  ['a journal prefix carrying a dmesg timestamp', 'Mar 03 10:00:00 host kernel: [   12.345678] '],
] as const) {
  test(`${name} is stripped: the message is the kernel's`, () => {
    assert.equal(messageOf(`${prefix}${context}\r`), context);
    const reports = readFaultLog(`${prefix}${context}`);
    assert.deepEqual(reports.map((r) => [r.lines, r.iova, r.sid, r.cb]), [[[1, 1], '0xff3cf000', '0x409', 10]]);
  });
}

test('a ratelimit line, a stack trace and another driver between the lines of one report do not break it', () => {
  const log = [
    '[  100.000001] arm_smmu_context_fault: 83 callbacks suppressed',
    `[  100.000002] ${context}`,
    '[  100.000003] CPU: 0 UID: 0 PID: 1582 Comm: mt76-tx Not tainted 6.12.22 #29',
    '[  100.000004] Call trace:',
    '[  100.000005]  dump_backtrace+0x98/0x120',
    '[  100.000006]  arm_smmu_context_fault+0x110/0x138',
    '[  100.000007] qcom_q6v5_pas 26300000.remoteproc: fatal error received',
    '[  100.000008] arm-smmu 5000000.iommu: FSR    = 00000402 [Format=2 TF], SID=0x409',
    '[  100.000009] arm-smmu 5000000.iommu: FSYNR0 = 00300003 [S1CBNDX=48 PLVL=3]',
    '[  100.000010] arm-smmu 5000000.iommu: soft iova-to-phys=0x0000000000000000',
  ].join('\n');
  const reports = readFaultLog(log);
  assert.deepEqual(reports.map((r) => [r.lines, r.level, r.s1cbndx]), [[[2, 9], 3, 48]]);
});

test('a field split across two lines by the terminal is read whole; the report spans both lines', () => {
  const reports = readFaultLog(['[    1.000000] arm-smmu 5000000.iommu: Unhandled context fault: fsr=0x402, iova=0xff3c', 'f000, fsynr=0x300003, cbfrsynra=0x409, cb=10', context].join('\n'));
  assert.deepEqual(reports.map((r) => [r.lines, r.iova]), [[[1, 2], '0xff3cf000'], [[3, 3], '0xff3cf000']]);
});

test('lines it cannot read are skipped, never guessed: truncated, misspelt, or half a report', () => {
  const log = [
    'arm-smmu 5000000.iommu: Unhandled context fault: fsr=0x402, iova=0xff3c', // cut, and the next line is a line of its own
    context.replace('fsr=', 'fsr '),
    context.replace('0x402', '0xzz'),
    'arm-smmu 5000000.iommu: FSR    = 00000402 [Format=2 TF], SID=0x409', // a decode line with no context fault before it
    'arm-smmu-v3 15000000.iommu: \t0x0000000100000010', // a dword with no header
    'random text iova=0x1000 fsr=0x402',
    '',
  ].join('\n');
  assert.deepEqual(readFaultLog(log), []);
});

test('CRLF line endings read like LF', () => {
  const reports = readFaultLog(`${context}\r\narm-smmu 5000000.iommu: FSR    = 00000402 [Format=2 TF], SID=0x409\r\n`);
  assert.deepEqual(reports.map((r) => r.lines), [[1, 2]]);
});
