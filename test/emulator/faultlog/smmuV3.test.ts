import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readFaultLog } from '../../../emulator/faultlog/readFaultLog';
import { FaultReport } from '../../../emulator/faultlog/report';

/** Logs made from arm-smmu-v3.c's format strings: the header, four `\t0x%016llx` dwords, the decoded lines. */
function only(text: string): FaultReport {
  const reports = readFaultLog(text);
  assert.equal(reports.length, 1, JSON.stringify(reports));
  return reports[0] as FaultReport;
}

const dev = 'arm-smmu-v3 arm-smmu-v3.0.auto: ';
const permission = ['0x0000004200005813', '0x0000020280000007', '0x0000ffff12345000', '0x0000000000000000'];

for (const [name, indent] of [['a tab', '\t'], ['four spaces', '    '], ['no indentation', '']] as const) {
  test(`event header + four dwords indented with ${name}: decoded by eventRecord.ts, field by field`, () => {
    const report = only([`${dev}event 0x13 received:`, ...permission.map((d) => `${dev}${indent}${d}`)].join('\n'));
    assert.deepEqual(report, {
      source: 'arm-smmu-v3',
      device: 'arm-smmu-v3.0.auto',
      lines: [1, 5],
      kind: 'permission',
      event: 'F_PERMISSION',
      iova: '0xffff12345000',
      ipa: null,
      write: true,
      read: false,
      priv: true,
      instruction: false,
      level: null,
      format: null,
      s1cbndx: null,
      cb: null,
      sid: '0x42',
      ssid: '0x5',
      ssv: true,
      stall: true,
      stag: '0x7',
      stage2: false,
      class: 'IN',
      registers: {
        'dword 0': { value: '0x4200005813', fields: { ID: 0x13, SSV: 1, SubstreamID: 5, StreamID: 0x42 } },
        'dword 1': { value: '0x20280000007', fields: { STAG: 7, Stall: 1, PnU: 1, InD: 0, RnW: 0, S2: 0, CLASS: 2 } },
        'dword 2': { value: '0xffff12345000', fields: { InputAddr: '0xffff12345000' } },
        'dword 3': { value: '0x0', fields: { 'dword 3 (IPA)': '0x0' } },
      },
      explanation:
        'F_PERMISSION: a privileged write by StreamID 0x42 (SubstreamID 0x5) to IOVA 0xffff12345000 was refused by the permissions of an entry in the stage-1 table: permission fault; the transaction is stalled (STAG 0x7) until CMD_RESUME or CMD_STALL_TERM',
    });
  });
}

test('the decoded event lines after the dwords join the same report', () => {
  const report = only(
    [
      `${dev}event 0x10 received:`,
      `${dev}\t0x0000000100000010`,
      `${dev}\t0x0000020800000000`,
      `${dev}\t0x0000000001010000`,
      `${dev}\t0x0000000000000000`,
      `${dev}event: F_TRANSLATION client: 0000:01:00.0 sid: 0x1 ssid: 0 iova: 0x1010000 ipa: 0`,
      `${dev}unpriv data read s1 "Input address caused fault" stag: 0`,
    ].join('\n'),
  );
  assert.deepEqual(report.lines, [1, 7]);
  assert.deepEqual([report.event, report.sid, report.iova, report.read, report.stall, report.class, report.ssv, report.ssid], ['F_TRANSLATION', '0x1', '0x1010000', true, false, 'IN', false, null]);
});

test('the decoded lines alone (no dwords) give the event, StreamID, addresses and access', () => {
  const report = only(
    [
      `${dev}event: F_TRANSLATION client: 0000:01:00.0 sid: 0x100 ssid: 0x3 iova: 0x8000 ipa: 0x48000`,
      `${dev}priv inst read s2 "Stage 1 translation table fetch" ttd_read stall stag: 0x2`,
    ].join('\n'),
  );
  assert.deepEqual(
    [report.event, report.kind, report.sid, report.iova, report.ipa, report.priv, report.instruction, report.read, report.write, report.stage2, report.class, report.stall, report.stag, report.registers],
    ['F_TRANSLATION', 'translation', '0x100', '0x8000', '0x48000', true, true, true, false, true, 'TT', true, '0x2', {}],
  );
});

test('an event the emulator does not raise (0x07): named as Arm names it, StreamID from dword 0, the dwords raw', () => {
  const report = only([`${dev}event 0x07 received:`, `${dev}0x0000010000000007`, `${dev}0x0000000000000000`, `${dev}0x0000000000000000`, `${dev}0x0000000000000000`].join('\n'));
  assert.deepEqual([report.event, report.sid, report.iova], ['F_TRANSL_FORBIDDEN', '0x100', null]);
  assert.equal(report.explanation, 'event 0x7 F_TRANSL_FORBIDDEN: ATS-translated traffic not allowed from StreamID 0x100');
});

test('a header without its dwords is a report of the event alone, and says so', () => {
  const report = only('arm-smmu-v3 70c00000.iommu: event 0x10 received:');
  assert.deepEqual([report.event, report.kind, report.sid, report.lines], ['F_TRANSLATION', 'translation', null, [1, 1]]);
  assert.equal(report.explanation, 'event 0x10 F_TRANSLATION: translation fault (the log shows the header without the whole record)');
});

test('EVTQ and PRIQ overflow lines are overflow reports', () => {
  const reports = readFaultLog(['arm-smmu-v3 15000000.iommu: EVTQ overflow detected -- events lost', 'arm-smmu-v3 15000000.iommu: PRIQ overflow detected -- requests lost'].join('\n'));
  assert.deepEqual(
    reports.map((r) => [r.kind, r.lines, r.explanation]),
    [
      ['overflow', [1, 1], 'the event queue (EVTQ) filled faster than the kernel drained it: the SMMU dropped event records, so faults after this point may be missing from the log'],
      ['overflow', [2, 2], 'the PRI queue (PRIQ) filled faster than the kernel drained it: the SMMU dropped page requests, and the devices that sent them wait for responses that will not come'],
    ],
  );
});

test('a dword line of another device does not join the record', () => {
  const reports = readFaultLog([`${dev}event 0x13 received:`, `arm-smmu-v3 other.iommu: ${permission[0]}`, ...permission.map((d) => `${dev}${d}`)].join('\n'));
  assert.equal(reports.length, 1);
  assert.deepEqual(reports[0]?.lines, [1, 6]);
  assert.equal(reports[0]?.sid, '0x42');
});
