import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readFaultLog, readFaults } from '../../../emulator/faultlog/readFaultLog';
import { FaultReport } from '../../../emulator/faultlog/report';

/** The logs here are made from arm-smmu.c's format strings (docs/fault-logs.md), not copied from anyone's log. */
function only(text: string): FaultReport {
  const reports = readFaultLog(text);
  assert.equal(reports.length, 1, JSON.stringify(reports));
  return reports[0] as FaultReport;
}

const nulls = { event: null, ipa: null, ssid: null, ssv: null, stag: null, stage2: null, class: null };

test('arm-smmu context fault line with its FSR and FSYNR0 decode lines: every field, one report over three lines', () => {
  const report = only(
    [
      'arm-smmu 15000000.iommu: Unhandled context fault: fsr=0x402, iova=0xd65504710, fsynr=0x60011, cbfrsynra=0x0, cb=6',
      'arm-smmu 15000000.iommu: FSR    = 00000402 [Format=2 TF], SID=0x0',
      'arm-smmu 15000000.iommu: FSYNR0 = 00060011 [S1CBNDX=6 WNR PLVL=1]',
    ].join('\n'),
  );
  assert.deepEqual(report, {
    ...nulls,
    source: 'arm-smmu',
    device: '15000000.iommu',
    lines: [1, 3],
    kind: 'translation',
    iova: '0xd65504710',
    write: true,
    read: false,
    priv: false,
    instruction: false,
    level: 1,
    format: 2,
    s1cbndx: 6,
    cb: 6,
    sid: '0x0',
    stall: false,
    registers: {
      FSR: { value: '0x402', fields: { TF: 1, AFF: 0, PF: 0, EF: 0, TLBMCF: 0, TLBLKF: 0, ASF: 0, UUT: 0, FORMAT: 2, SS: 0, MULTI: 0 } },
      FSYNR0: { value: '0x60011', fields: { PLVL: 1, WNR: 1, PNU: 0, IND: 0, NSATTR: 0, PTWF: 0, AFR: 0, S1CBNDX: 6 } },
      FAR: { value: '0xd65504710', fields: { FADDR: '0xd65504710' } },
      CBFRSYNRA: { value: '0x0', fields: { SID: 0 } },
    },
    explanation:
      "a write by StreamID 0x0 to IOVA 0xd65504710 found no valid level-1 entry in context bank 6's table: translation fault; the transaction was not stalled, so the device got an abort or RAZ/WI as SCTLR.CFRE says",
  });
});

test('a stalled permission fault on an instruction fetch: FSR.SS, FSYNR0.PNU and IND, FORMAT=1', () => {
  const report = only('arm-smmu 1d00000.iommu: Unhandled context fault: fsr=0x40000208, iova=0x1000, fsynr=0x20063, cbfrsynra=0x11, cb=2');
  assert.equal(report.kind, 'permission');
  assert.equal(report.stall, true);
  assert.equal(report.format, 1);
  assert.equal(report.priv, true);
  assert.equal(report.instruction, true);
  assert.equal(report.write, false);
  assert.equal(report.level, 3);
  assert.equal(report.s1cbndx, 2);
  assert.equal(report.sid, '0x11');
  assert.equal(
    report.explanation,
    "a privileged instruction fetch by StreamID 0x11 to IOVA 0x1000 was refused by the permissions of the level-3 entry in context bank 2's table: permission fault; the transaction is stalled (FSR.SS) until the kernel writes RESUME: it retries only when a fault handler returned -EAGAIN, else it terminates",
  );
});

test('the older field order (iova= first, no cbfrsynra) reads the same fields; the StreamID is unknown (null)', () => {
  const report = only('arm-smmu 15000000.apps-smmu: Unhandled context fault: iova=0xa09d70c8, fsr=0x40000402, fsynr=0x300003, cb=5');
  assert.deepEqual(
    [report.iova, report.registers.FSR?.value, report.registers.FSYNR0?.value, report.cb, report.sid, report.stall, report.level, report.s1cbndx, report.registers.CBFRSYNRA],
    ['0xa09d70c8', '0x40000402', '0x300003', 5, null, true, 3, 0x30, undefined],
  );
});

test("qcom-iommu's context fault line (no cbfrsynra) is read as source qcom-iommu", () => {
  const report = only('qcom-iommu-ctx 1c48000.iommu-ctx: Unhandled context fault: fsr=0x40000202, iova=0x0000000001047dc0, fsynr=0x3, cb=0');
  assert.deepEqual([report.source, report.device, report.iova, report.format, report.kind, report.stall, report.level], ['qcom-iommu', '1c48000.iommu-ctx', '0x1047dc0', 1, 'translation', true, 3]);
});

test('a context fault line with a field no format has, or a value in another form, is not read', () => {
  assert.deepEqual(readFaultLog('arm-smmu 12000000.iommu: Unhandled context fault: fsr=0x402, iova=0x1000, fsynr=0x3, cb=2, foo=1'), []);
  assert.deepEqual(readFaultLog('arm-smmu 12000000.iommu: Unhandled context fault: fsr=402, iova=0x1000, fsynr=0x3, cb=2'), []);
  assert.deepEqual(readFaultLog('arm-smmu 12000000.iommu: Unhandled context fault: fsr=0x402, iova=0x1000, fsynr=0x3, cb=0x2'), []);
  assert.deepEqual(readFaultLog('arm-smmu 12000000.iommu: Unhandled context fault: fsr=0x402, fsr=0x402, iova=0x1000, fsynr=0x3, cb=2'), []);
});

test("NVIDIA L4T's line: sid=%d(0x%x - NAME) is the StreamID; the walk's pgd/pud/pmd/pte are read past", () => {
  const report = only('arm-smmu 12000000.iommu: Unhandled context fault: iova=0x17fe0fe00, fsynr=0x220003, cb=21, sid=17(0x11 - AFI), pgd=25bec9003, pud=25bec9003, pmd=235086003, pte=0');
  assert.deepEqual([report.iova, report.sid, report.cb, report.level, report.s1cbndx, report.kind, report.stall], ['0x17fe0fe00', '0x11', 21, 3, 34, null, null]);
});

test("Qualcomm's downstream dialect: FAR and SID= on lines of their own join the context fault (FAR only when it is the iova)", () => {
  const report = only(
    [
      '[ 3440.122844] arm-smmu 15000000.apps-smmu: Unhandled context fault: iova=0xa09d70c8, fsr=0x40000402, fsynr=0x300003, cb=5',
      '[ 3440.122880] arm-smmu 15000000.apps-smmu: FAR    = 00000000a09d70c8',
      '[ 3440.122904] arm-smmu 15000000.apps-smmu: FSR    = 40000402 [TF SS ]',
      '[ 3440.122926] arm-smmu 15000000.apps-smmu: soft iova-to-phys=0x0000000000000000',
      '[ 3440.122986] arm-smmu 15000000.apps-smmu: SID=0x40',
      '[ 3440.122990] arm-smmu 15000000.apps-smmu: FAR    = 00000000a09d7000',
    ].join('\n'),
  );
  assert.deepEqual([report.lines, report.sid, report.stall, report.kind, report.registers.CBFRSYNRA], [[1, 5], '0x40', true, 'translation', undefined]);
});

test('Blocked unknown Stream ID + the GFSR line: a global fault, sGFSR.USF, the StreamID from sGFSYNR1, the access from sGFSYNR0', () => {
  const report = only(
    [
      'arm-smmu 2b500000.iommu: Blocked unknown Stream ID 0x2a; boot with "arm-smmu.disable_bypass=0" to allow, but this may have security implications',
      'arm-smmu 2b500000.iommu: \tGFSR 0x80000002, GFSYNR0 0x00000002, GFSYNR1 0x0000002a, GFSYNR2 0x00000000',
    ].join('\n'),
  );
  assert.deepEqual(report.lines, [1, 2]);
  assert.deepEqual([report.kind, report.sid, report.write, report.read, report.priv, report.instruction], ['global', '0x2a', true, false, false, false]);
  assert.deepEqual(report.registers.sGFSR, { value: '0x80000002', fields: { ICF: 0, USF: 1, SMCF: 0, UCBF: 0, UCIF: 0, CAF: 0, EF: 0, PF: 0, UUT: 0, MULTI: 1 } });
  assert.deepEqual(report.registers.sGFSYNR1, { value: '0x2a', fields: { STREAMID: 42, SSD_INDEX: 0 } });
  assert.equal(report.explanation, 'a write by StreamID 0x2a matched no stream mapping entry (sGFSR.USF: unidentified stream fault), and the SMMU does not bypass unknown streams, so it was aborted');
});

test('Unexpected global fault + the GFSR line: the set sGFSR bits named', () => {
  const report = only(
    [
      'arm-smmu 2b500000.iommu: Unexpected global fault, this could be serious',
      'arm-smmu 2b500000.iommu: \tGFSR 0x00000004, GFSYNR0 0x00000000, GFSYNR1 0x00000010, GFSYNR2 0x00000000',
    ].join('\n'),
  );
  assert.deepEqual([report.kind, report.sid, report.read], ['global', '0x10', true]);
  assert.equal(report.explanation, 'a global fault (sGFSR SMCF) by StreamID 0x10: not tied to one context bank');
});

test('decode lines whose values are not the context fault\'s (another fault\'s tail) do not join it', () => {
  const faults = readFaults(
    [
      'arm-smmu 15000000.iommu: FSYNR0 = 007c0020 [S1CBNDX=124 PNU PLVL=0]',
      'arm-smmu 15000000.iommu: Unhandled context fault: fsr=0x402, iova=0x1000, fsynr=0x3, cbfrsynra=0x800, cb=7',
      'arm-smmu 15000000.iommu: FSR    = 00000408 [Format=2 PF], SID=0x800',
    ].join('\n'),
  );
  assert.equal(faults.length, 1);
  assert.deepEqual(faults[0]?.report.lines, [2, 2]);
});

test('the older mainline line without fsr (iova=…, fsynr=…, cb=…): FSYNR0 fields, kind and stall unknown (null)', () => {
  const report = only('arm-smmu 2b400000.smmu: Unhandled context fault: iova=0x08001000, fsynr=0x20002, cb=2');
  assert.deepEqual(
    [report.source, report.iova, report.kind, report.stall, report.format, report.level, report.read, report.s1cbndx, report.cb, Object.keys(report.registers)],
    ['arm-smmu', '0x8001000', null, null, null, 2, true, 2, 2, ['FSYNR0', 'FAR']],
  );
  assert.equal(report.explanation, "a read to IOVA 0x8001000 faulted in context bank 2's table; the line has no FSR, so neither the kind of fault nor whether the transaction stalled is known");
});

test("Xen's (XEN) smmu: DT-PATH: Unhandled context fault line is a xen-smmu report", () => {
  const report = only('(XEN) smmu: /smmu@fd800000: Unhandled context fault: iova=0x80001000, fsynr=0x13, cb=1');
  assert.deepEqual([report.source, report.device, report.iova, report.write, report.level, report.cb], ['xen-smmu', '/smmu@fd800000', '0x80001000', true, 3, 1]);
});
