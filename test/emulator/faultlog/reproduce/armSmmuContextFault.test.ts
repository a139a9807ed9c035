import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ArmSmmuContextFault, reproduceArmSmmuContextFault } from '../../../../emulator/faultlog/reproduce/armSmmuContextFault';
import { failedExpects, runReproduction, scenarioOf } from './oracle';

/**
 * `reproduce` for arm-smmu's "Unhandled context fault" line: the scenario it writes must
 * check without errors, and its run must print the very line back (the run is the
 * oracle) with every expect holding.
 */

/** The line as arm_smmu_context_fault's format string writes it: "fsr=0x%x, iova=0x%08lx, fsynr=0x%x, cbfrsynra=0x%x, cb=%d". */
function kernelLine(f: ArmSmmuContextFault): string {
  const x = (v: number | bigint): string => v.toString(16);
  return `arm-smmu ${f.device}: Unhandled context fault: fsr=0x${x(f.fsr)}, iova=0x${x(f.iova).padStart(8, '0')}, fsynr=0x${x(f.fsynr)}, cbfrsynra=0x${x(f.cbfrsynra)}, cb=${f.cb}`;
}

const TF = 0x402; // TF, Format=2
const AFF = 0x404;
const PF = 0x408;
const SS = 0x4000_0000;
const MULTI = 0x8000_0000;
const WNR = 0x10;
const PNU = 0x20;
const IND = 0x40;
const cbndx = (cb: number): number => cb << 16;
const dev = '15000000.iommu';

const cases: [string, ArmSmmuContextFault][] = [
  ['translation, PLVL 0, read, cb 0', { device: dev, fsr: TF, iova: 0x1000n, fsynr: 0, cbfrsynra: 0x0, cb: 0 }],
  ['translation, PLVL 0, beyond the 48-bit input range', { device: dev, fsr: TF, iova: 0xffff_0000_1000_0000n, fsynr: 0, cbfrsynra: 0x5, cb: 0 }],
  ['translation, PLVL 1, write above 4G, cb 6 (the design example)', { device: dev, fsr: TF, iova: 0xd6550_4710n, fsynr: WNR | 1 | cbndx(6), cbfrsynra: 0x0, cb: 6 }],
  ['translation, PLVL 2, privileged read, SID 0x421', { device: dev, fsr: TF, iova: 0x2_0030_0040n, fsynr: PNU | 2, cbfrsynra: 0x421, cb: 0 }],
  ['translation, PLVL 3, write, cb 2', { device: '16000000.iommu', fsr: TF, iova: 0x0700_0000n, fsynr: WNR | 3 | cbndx(2), cbfrsynra: 0x10, cb: 2 }],
  ['translation, PLVL 3, instruction fetch', { device: dev, fsr: TF, iova: 0x8000_1ff8n, fsynr: IND | 3, cbfrsynra: 0x7, cb: 0 }],
  ['permission, level 3, write to a read-only page', { device: dev, fsr: PF, iova: 0x1_2345_6000n, fsynr: WNR | 3, cbfrsynra: 0x21, cb: 0 }],
  ['permission, level 2, unprivileged read of a privileged block', { device: dev, fsr: PF, iova: 0x4020_0100n, fsynr: 2 | cbndx(1), cbfrsynra: 0x1, cb: 1 }],
  ['permission, level 1, unprivileged instruction fetch', { device: dev, fsr: PF, iova: 0x40_8000_0000n, fsynr: IND | 1, cbfrsynra: 0x3, cb: 0 }],
  ['permission, level 3, privileged instruction fetch', { device: dev, fsr: PF, iova: 0x10_0000n, fsynr: IND | PNU | 3 | cbndx(3), cbfrsynra: 0x30, cb: 3 }],
  ['permission, level 3, privileged write', { device: 'd00000.iommu', fsr: PF, iova: 0xfff_f000n, fsynr: WNR | PNU | 3, cbfrsynra: 0x2, cb: 0 }],
  ['access flag, level 3, read', { device: dev, fsr: AFF, iova: 0x5000_0010n, fsynr: 3, cbfrsynra: 0x0, cb: 0 }],
  ['access flag, level 2, write above 4G', { device: dev, fsr: AFF, iova: 0x3_0040_0000n, fsynr: WNR | 2 | cbndx(4), cbfrsynra: 0x44, cb: 4 }],
  ['stalled translation fault, 7.1 terminates it', { device: dev, fsr: SS | TF, iova: 0x0700_0000n, fsynr: 2, cbfrsynra: 0x0, cb: 0 }],
  ['stalled translation fault on 6.12: the stall stays', { device: dev, fsr: SS | TF, iova: 0x0700_0000n, fsynr: 2, cbfrsynra: 0x0, cb: 0, kernel: '6.12' }],
  ['MULTI: a second fault while FSR holds the first', { device: dev, fsr: (MULTI | TF) >>> 0, iova: 0xd6550_4710n, fsynr: WNR | 3, cbfrsynra: 0x21, cb: 0 }],
  ['MULTI and stall', { device: dev, fsr: (MULTI | SS | PF) >>> 0, iova: 0x8000_0000n, fsynr: WNR | 3, cbfrsynra: 0x9, cb: 0 }],
  ['on 6.6: the line alone', { device: dev, fsr: TF, iova: 0x2000_0000n, fsynr: 2 | cbndx(5), cbfrsynra: 0x1, cb: 5, kernel: '6.6' }],
  ['an ACPI device name (device "arm-smmu.0.auto")', { device: 'arm-smmu.0.auto', fsr: TF, iova: 0x1000n, fsynr: 3, cbfrsynra: 0x3, cb: 0 }],
  ['a downstream device-tree node name (base 0x1500_0000, device "15000000.apps-smmu")', { device: '15000000.apps-smmu', fsr: TF, iova: 0x1000n, fsynr: 3, cbfrsynra: 0x3, cb: 0 }],
  ['S1CBNDX other than cb: pinned with s1cbndx (a Qualcomm MMU-500 reports 124 in bank 7)', { device: dev, fsr: TF, iova: 0x9c4b_9000n, fsynr: PNU | cbndx(124), cbfrsynra: 0x800, cb: 7 }],
  ['bank 127, SID 0xffff', { device: dev, fsr: TF, iova: 0x1000n, fsynr: 0 | cbndx(127), cbfrsynra: 0xffff, cb: 127 }],
];

for (const [name, fault] of cases) {
  test(`reproduce arm-smmu: ${name}`, () => {
    const scenario = scenarioOf(reproduceArmSmmuContextFault(fault));
    const { lines, result } = runReproduction(scenario);
    const expected = kernelLine(fault);
    assert.ok(lines.includes(expected), `the run did not print\n  ${expected}\nit printed\n  ${lines.join('\n  ')}\n${scenario}`);
    assert.equal(lines.filter((l) => l.includes('Unhandled context fault')).length, 1, lines.join('\n'));
    assert.deepEqual(failedExpects(result), []);
  });
}

test('reproduce arm-smmu: 7.1 prints the FSR and FSYNR0 decode lines after the line, 6.6 does not', () => {
  const fault: ArmSmmuContextFault = { device: dev, fsr: TF, iova: 0xd6550_4710n, fsynr: WNR | 1 | cbndx(6), cbfrsynra: 0x0, cb: 6 };
  assert.deepEqual(runReproduction(scenarioOf(reproduceArmSmmuContextFault(fault))).lines, [
    kernelLine(fault),
    'arm-smmu 15000000.iommu: FSR    = 00000402 [Format=2 TF], SID=0x0',
    'arm-smmu 15000000.iommu: FSYNR0 = 00060011 [S1CBNDX=6 WNR PLVL=1]',
  ]);
  assert.deepEqual(runReproduction(scenarioOf(reproduceArmSmmuContextFault({ ...fault, kernel: '6.6' }))).lines, [kernelLine(fault)]);
});

test('reproduce arm-smmu: each choice is a comment', () => {
  const scenario = scenarioOf(reproduceArmSmmuContextFault({ device: dev, fsr: TF, iova: 0xd6550_4710n, fsynr: WNR | 1 | cbndx(6), cbfrsynra: 0x0, cb: 6 }));
  assert.match(scenario, /\/\/ cb=6: six other domains take banks 0-5 first/);
  assert.match(scenario, /base 0x1500_0000 {3}\/\/ the unit address of the device name 15000000\.iommu/);
  assert.match(scenario, /\/\/ FSYNR0\.PLVL=1: the walk stops at level 1: a 4K page at 0xd_2550_4000/);
  assert.match(scenario, /kernel 7\.1 {3}\/\/ the log does not say its release: 7\.1, the newest modelled/);
});

const cannot: [string, ArmSmmuContextFault, string][] = [
  ['an external fault', { device: dev, fsr: 0x412, iova: 0x1000n, fsynr: 3, cbfrsynra: 0, cb: 0 }, 'FSR.EF (external fault): the emulated memory answers every walk and access, so no external abort reaches the SMMU'],
  ['a TLB match conflict', { device: dev, fsr: 0x422, iova: 0x1000n, fsynr: 3, cbfrsynra: 0, cb: 0 }, 'FSR.TLBMCF (TLB match conflict): the emulated TLB holds one entry per page and context, so two never match'],
  ['an address size fault', { device: dev, fsr: 0x480, iova: 0x1000n, fsynr: 3, cbfrsynra: 0, cb: 0 }, 'FSR.ASF (address size fault): it needs a table or leaf address beyond the OAS, which no `map` writes (io-pgtable refuses such a PA)'],
  ['an unsupported upstream transaction', { device: dev, fsr: 0x500, iova: 0x1000n, fsynr: 3, cbfrsynra: 0, cb: 0 }, 'FSR.UUT (unsupported upstream transaction): engines issue only reads and writes, never an atomic or a cache maintenance operation'],
  ['FSYNR0.NSATTR', { device: dev, fsr: TF, iova: 0x1000n, fsynr: 0x103, cbfrsynra: 0, cb: 0 }, "FSYNR0.NSATTR: engines cannot set a transaction's non-secure attribute"],
  ['FSYNR0.PTWF', { device: dev, fsr: TF, iova: 0x1000n, fsynr: 0x403, cbfrsynra: 0, cb: 0 }, 'FSYNR0.PTWF (fault on the page-table walk): it comes with an external or address size fault on a table read, which the emulator never has'],
  ['FSYNR0.AFR', { device: dev, fsr: TF, iova: 0x1000n, fsynr: 0x803, cbfrsynra: 0, cb: 0 }, 'FSYNR0.AFR (asynchronous fault recorded): the emulator records every fault synchronously'],
  ['an AArch32 format', { device: dev, fsr: 0x202, iova: 0x1000n, fsynr: 3, cbfrsynra: 0, cb: 0 }, "FSR.FORMAT=1: the emulator's tables are AArch64 (VMSAv8-64) only, Format=2"],
  ['a privileged read permission fault', { device: dev, fsr: PF, iova: 0x1000n, fsynr: PNU | 3, cbfrsynra: 0, cb: 0 }, 'a privileged data read never takes a permission fault in a stage-1 table Linux writes: every mapping it makes is readable at EL1 (io-pgtable-arm has no read-deny bit)'],
  ['a permission fault at level 0', { device: dev, fsr: PF, iova: 0x1000n, fsynr: WNR, cbfrsynra: 0, cb: 0 }, 'a permission fault at level 0 needs a leaf at level 0, and with the 4 KiB granule level 0 holds only tables'],
  ['a level-2 fault beyond the input range', { device: dev, fsr: TF, iova: 0x1_0000_0000_0000n, fsynr: 2, cbfrsynra: 0, cb: 0 }, "iova=0x1000000000000 is beyond a domain's 48-bit input range, where every access is a level-0 translation fault, not a translation fault at level 2"],
  ['a device name with a quote in it', { device: 'arm"smmu', fsr: TF, iova: 0x1000n, fsynr: 3, cbfrsynra: 0, cb: 0 }, "device 'arm\"smmu': a scenario's device name is one word in quotes, without quotes or backslashes"],
  ['bank 128', { device: dev, fsr: TF, iova: 0x1000n, fsynr: 3, cbfrsynra: 0, cb: 128 }, 'cb=128: an SMMU has at most 128 context banks (smmu `context-banks` 1..128)'],
  ['a release older than 5.15', { device: dev, fsr: TF, iova: 0x1000n, fsynr: 3, cbfrsynra: 0, cb: 0, kernel: '5.10' }, 'kernel 5.10 is older than every modelled release (5.15 is the oldest)'],
];

for (const [name, fault, why] of cannot) {
  test(`reproduce arm-smmu cannot: ${name}`, () => {
    assert.deepEqual(reproduceArmSmmuContextFault(fault), { cannot: why });
  });
}
