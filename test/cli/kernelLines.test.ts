import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseArgs, UsageError } from '../../emulator/cli/args';
import { runText } from '../../emulator/cli/commands';
import { StringOutput } from '../../emulator/cli/output';

/** Two SMMUv2s, no fault handler: each unmatched-free read of an unmapped page is an unhandled context fault. */
function scenario(base: string): string {
  return `
smmu first { version v2${base} }
smmu second { version v2 }
domain a { smmu first }
domain b { smmu second }
master m1 { smmu first; stream 0x1; domain a }
master m2 { smmu second; stream 0x2; domain b }
engine m1.e { read 0x2000_0000 4 }
engine m2.e { start 3000000; read 0x7_0000_1000 4 }
`;
}

function run(text: string, dmesg: boolean): { stdout: string; status: number } {
  const out = new StringOutput();
  const err = new StringOutput();
  const status = runText({ kind: 'run', file: 'k.iommu', json: false, dmesg, until: undefined, maxEvents: undefined, maxSeconds: undefined }, text, out, err);
  assert.equal(err.text, '');
  return { stdout: out.text, status };
}

test('run --dmesg prints only the kernel lines, as dmesg shows them: seconds since boot, the device the base names', () => {
  assert.deepEqual(run(scenario('; base 0xd_0000_0000'), true), {
    status: 0,
    stdout: [
      '[    0.000017] arm-smmu d00000000.iommu: Unhandled context fault: fsr=0x402, iova=0x20000000, fsynr=0x0, cbfrsynra=0x1, cb=0',
      '[    0.000017] arm-smmu d00000000.iommu: FSR    = 00000402 [Format=2 TF], SID=0x1',
      '[    0.000017] arm-smmu d00000000.iommu: FSYNR0 = 00000000 [S1CBNDX=0 PLVL=0]',
      '[    3.000017] arm-smmu 16000000.iommu: Unhandled context fault: fsr=0x402, iova=0x700001000, fsynr=0x0, cbfrsynra=0x2, cb=0',
      '[    3.000017] arm-smmu 16000000.iommu: FSR    = 00000402 [Format=2 TF], SID=0x2',
      '[    3.000017] arm-smmu 16000000.iommu: FSYNR0 = 00000000 [S1CBNDX=0 PLVL=0]',
      '',
    ].join('\n'),
  });
});

test('without a base the first SMMU is 15000000.iommu; the trace marks the kernel lines apart from its own', () => {
  const lines = run(scenario(''), false).stdout.split('\n').filter((line) => line.includes('Unhandled context fault'));
  assert.equal(lines.length, 2);
  assert.match(lines[0] ?? '', /^ +17 {2}\S+ +kernel: arm-smmu 15000000\.iommu: Unhandled context fault: fsr=0x402, iova=0x20000000, /);
});

test('--dmesg and --json cannot be asked together', () => {
  assert.throws(() => parseArgs(['run', 'x.iommu', '--json', '--dmesg']), new UsageError('--json and --dmesg cannot be used together'));
  assert.deepEqual(parseArgs(['run', 'x.iommu', '--dmesg']), { kind: 'run', file: 'x.iommu', json: false, dmesg: true, until: undefined, maxEvents: undefined, maxSeconds: undefined });
});
