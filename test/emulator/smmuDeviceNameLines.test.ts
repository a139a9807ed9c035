import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runText } from '../../emulator/cli/commands';
import { StringOutput } from '../../emulator/cli/output';

/*
 * `device "NAME"` is the name every kernel line of the SMMU prints, in `run --dmesg` as in
 * the trace: an ACPI-probed SMMUv3 (`arm-smmu-v3.0.auto`), a downstream device-tree node
 * (`15000000.apps-smmu`), each next to a `base` that no longer names it.
 */

/** One read of an unmapped page: a translation fault with no handler. */
function scenario(smmu: string): string {
  return `${smmu}
domain d { map 0x0100_0000 -> 0x8000_0000 size 4K rw }
master m { stream 0x1; domain d }
engine m.e { read 0x0200_0000 64 }
`;
}

function run(text: string, dmesg: boolean): string {
  const out = new StringOutput();
  const err = new StringOutput();
  const status = runText({ kind: 'run', file: 'd.iommu', json: false, dmesg, until: undefined, maxEvents: undefined, maxSeconds: undefined }, text, out, err);
  assert.equal(err.text, '');
  assert.equal(status, 0);
  return out.text;
}

test('run --dmesg of an SMMUv3 named arm-smmu-v3.0.auto (ACPI): the event lines under that name, byte for byte', () => {
  assert.equal(
    run(scenario('smmu s { version v3; device "arm-smmu-v3.0.auto"; base 0x0905_0000 }'), true),
    [
      '[    0.000035] arm-smmu-v3 arm-smmu-v3.0.auto: event 0x10 received:',
      '[    0.000035] arm-smmu-v3 arm-smmu-v3.0.auto: \t0x0000000100000010',
      '[    0.000035] arm-smmu-v3 arm-smmu-v3.0.auto: \t0x0000020800000000',
      '[    0.000035] arm-smmu-v3 arm-smmu-v3.0.auto: \t0x0000000002000000',
      '[    0.000035] arm-smmu-v3 arm-smmu-v3.0.auto: \t0x0000000000000000',
      '[    0.000035] arm-smmu-v3 arm-smmu-v3.0.auto: event: F_TRANSLATION client: m sid: 0x1 ssid: 0 iova: 0x2000000 ipa: 0',
      '[    0.000035] arm-smmu-v3 arm-smmu-v3.0.auto: unpriv data read s1 "Input address caused fault" stag: 0',
      '',
    ].join('\n'),
  );
});

test('run --dmesg of an SMMUv2 named 15000000.apps-smmu (a downstream DT node): the context fault under that name, byte for byte', () => {
  assert.equal(
    run(scenario('smmu apps { version v2; device "15000000.apps-smmu" }'), true),
    [
      '[    0.000037] arm-smmu 15000000.apps-smmu: Unhandled context fault: fsr=0x402, iova=0x02000000, fsynr=0x2, cbfrsynra=0x1, cb=0',
      '[    0.000037] arm-smmu 15000000.apps-smmu: FSR    = 00000402 [Format=2 TF], SID=0x1',
      '[    0.000037] arm-smmu 15000000.apps-smmu: FSYNR0 = 00000002 [S1CBNDX=0 PLVL=2]',
      '',
    ].join('\n'),
  );
});

test('the trace marks the same kernel lines with the same name', () => {
  const kernel = run(scenario('smmu apps { version v2; device "15000000.apps-smmu" }'), false)
    .split('\n')
    .filter((line) => line.includes(' kernel: '));
  assert.deepEqual(
    kernel.map((line) => line.slice(line.indexOf(' kernel: '))),
    [
      ' kernel: arm-smmu 15000000.apps-smmu: Unhandled context fault: fsr=0x402, iova=0x02000000, fsynr=0x2, cbfrsynra=0x1, cb=0',
      ' kernel: arm-smmu 15000000.apps-smmu: FSR    = 00000402 [Format=2 TF], SID=0x1',
      ' kernel: arm-smmu 15000000.apps-smmu: FSYNR0 = 00000002 [S1CBNDX=0 PLVL=2]',
    ],
  );
});

test('without `device` the base still names the SMMU', () => {
  assert.match(run(scenario('smmu s { version v3; base 0x0905_0000 }'), true), /^\[ {4}0\.000035\] arm-smmu-v3 9050000\.iommu: event 0x10 received:\n/);
});
