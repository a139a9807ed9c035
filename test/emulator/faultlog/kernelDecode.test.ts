import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readFaults } from '../../../emulator/faultlog/readFaultLog';

/*
 * The kernel's own decode (arm_smmu_print_context_fault_info's FSR / FSYNR0 lines) is the
 * oracle: what explain reads from the fsr= and fsynr= values must say the same.
 */

const FSR_FLAGS = ['MULTI', 'SS', 'UUT', 'ASF', 'TLBLKF', 'TLBMCF', 'EF', 'PF', 'AFF', 'TF'];
const FSYNR0_FLAGS = ['AFR', 'PTWF', 'NSATTR', 'IND', 'PNU', 'WNR'];

const logs = [
  [
    'arm-smmu 15000000.iommu: Unhandled context fault: fsr=0x402, iova=0x9c4b9000, fsynr=0x7c0020, cbfrsynra=0x800, cb=7',
    'arm-smmu 15000000.iommu: FSR    = 00000402 [Format=2 TF], SID=0x800',
    'arm-smmu 15000000.iommu: FSYNR0 = 007c0020 [S1CBNDX=124 PNU PLVL=0]',
  ],
  [
    'arm-smmu 15000000.iommu: Unhandled context fault: fsr=0xc0000488, iova=0x40001000, fsynr=0xd0c72, cbfrsynra=0x1f, cb=13',
    'arm-smmu 15000000.iommu: FSR    = c0000488 [MULTI SS Format=2 ASF PF], SID=0x1f',
    'arm-smmu 15000000.iommu: FSYNR0 = 000d0c72 [S1CBNDX=13 AFR PTWF IND PNU WNR PLVL=2]',
  ],
  // Qualcomm's trees: no Format, a trailing space, no SID.
  ['arm-smmu 15000000.apps-smmu: Unhandled context fault: iova=0xa09d70c8, fsr=0x40000402, fsynr=0x300003, cb=5', 'arm-smmu 15000000.apps-smmu: FSR    = 40000402 [TF SS ]'],
];

for (const log of logs) {
  test(`explain agrees with the kernel's decode: ${log[1]}`, () => {
    const faults = readFaults(log.join('\n'));
    assert.equal(faults.length, 1);
    const { report, read } = faults[0] as (typeof faults)[number];
    assert.deepEqual(report.lines, [1, log.length]);
    const fsr = report.registers.FSR?.fields ?? {};
    const fsynr0 = report.registers.FSYNR0?.fields ?? {};
    for (const { line } of read.lines) {
      if (line.kind === 'fsr-decode') {
        assert.deepEqual(
          line.flags.filter((t) => !t.startsWith('Format=')).sort(),
          FSR_FLAGS.filter((f) => fsr[f] === 1).sort(),
        );
        const format = line.flags.find((t) => t.startsWith('Format='));
        if (format !== undefined) assert.equal(format, `Format=${report.format}`);
        if (line.sid !== null) assert.equal(`0x${line.sid.toString(16)}`, report.sid);
      }
      if (line.kind === 'fsynr0-decode') {
        assert.deepEqual(line.flags.filter((t) => !t.includes('=')), FSYNR0_FLAGS.filter((f) => fsynr0[f] === 1));
        assert.ok(line.flags.includes(`S1CBNDX=${report.s1cbndx}`));
        assert.ok(line.flags.includes(`PLVL=${report.level}`));
      }
    }
    assert.equal(read.lines.filter((l) => l.line.kind === 'fsr-decode').length, 1);
  });
}
