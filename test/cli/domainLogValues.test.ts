import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runText } from '../../emulator/cli/commands';
import { StringOutput } from '../../emulator/cli/output';

/*
 * `iommu-debug run FILE --dmesg` of scenarios that pin values real logs print: a context
 * bank's FSYNR0.S1CBNDX (`s1cbndx`) and a domain's table address (`pgd`).
 */

function dmesg(text: string): string[] {
  const out = new StringOutput();
  const err = new StringOutput();
  const status = runText({ kind: 'run', file: 'k.iommu', json: false, dmesg: true, until: undefined, maxEvents: undefined, maxSeconds: undefined }, text, out, err);
  assert.deepEqual({ status, err: err.text }, { status: 0, err: '' });
  return out.text.split('\n').filter((line) => line !== '');
}

test('s1cbndx 124: the unhandled context fault prints fsynr=0x7c0020 for cb=7, and 6.11+ decodes S1CBNDX=124', () => {
  // Seven domains before it take banks 0-6: the log's cb=7.
  const fillers = Array.from({ length: 7 }, (_, i) => `domain f${i} { }\nmaster m${i} { stream 0x${(0x10 + i).toString(16)}; domain f${i} }`).join('\n');
  const text = `kernel 6.12
smmu apps { version v2 }
${fillers}
domain gpu { s1cbndx 124 }
master gpu { stream 0x0; domain gpu }
engine gpu.cp { read 0x7000 4 priv }
`;
  assert.deepEqual(dmesg(text), [
    '[    0.000017] arm-smmu 15000000.iommu: Unhandled context fault: fsr=0x402, iova=0x00007000, fsynr=0x7c0020, cbfrsynra=0x0, cb=7',
    '[    0.000017] arm-smmu 15000000.iommu: FSR    = 00000402 [Format=2 TF], SID=0x0',
    '[    0.000017] arm-smmu 15000000.iommu: FSYNR0 = 007c0020 [S1CBNDX=124 PNU PLVL=0]',
  ]);
});

test("impl qcom-adreno with pgd 0x1_e7d6_7000: drm/msm's gpu fault line prints ttbr0=00000001e7d67000", () => {
  const text = `kernel 6.12
smmu kgsl { version v2; impl qcom-adreno; base 0x0500_0000 }
domain gpu_dom {
  pgd 0x1_e7d6_7000
  fault stall
  map 0x0100_0000 -> 0x8000_0000 size 1M rw
}
master gpu { stream 0x0; domain gpu_dom; can-stall }
engine gpu.cp { read 0x0700_0000 64 }
handler gpu_fault on gpu_dom { terminate }
`;
  assert.deepEqual(dmesg(text), ['[    0.000037] *** gpu fault: ttbr0=00000001e7d67000 iova=0000000007000000 dir=READ type=TRANSLATION source=CP (0,0,0,0)']);
});
