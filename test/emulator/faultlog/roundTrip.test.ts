import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { runText } from '../../../emulator/cli/commands';
import { StringOutput } from '../../../emulator/cli/output';
import { readFaultLog } from '../../../emulator/faultlog/readFaultLog';
import { repoPath } from '../../helpers/repo';

/** What `iommu-debug run FILE --dmesg` prints for `text`: the kernel's lines as dmesg shows them. */
function dmesg(text: string): string {
  const out = new StringOutput();
  const err = new StringOutput();
  runText({ kind: 'run', file: 'r.iommu', json: false, dmesg: true, until: undefined, maxEvents: undefined, maxSeconds: undefined }, text, out, err);
  assert.equal(err.text, '');
  return out.text;
}

/** A write to an unmapped page (level 3 has no entry), then a write to a read-only one while FSR still holds the first. */
const scenario = (kernel: string): string => `
kernel ${kernel}
smmu first { version v2; base 0xd_0000_0000 }
domain a {
  smmu first
  map 0x4000_0000 -> 0x8000_0000 size 4K r
}
master m1 { smmu first; stream 0x5; domain a }
engine m1.e { write 0x4000_2000 4; write 0x4000_0000 4 }
`;

for (const [kernel, lines] of [
  ['6.6', [1, 1]],
  ['7.1', [1, 3]],
] as const) {
  test(`the emulator's own arm-smmu lines on Linux ${kernel} read back as the same fsr, iova, fsynr, cbfrsynra and cb`, () => {
    const log = dmesg(scenario(kernel));
    assert.match(log, /Unhandled context fault: fsr=0x80000402, iova=0x40002000, fsynr=0x13, cbfrsynra=0x5, cb=0\n/);
    const [report] = readFaultLog(log);
    assert.deepEqual(
      [report?.device, report?.lines, report?.registers.FSR?.value, report?.iova, report?.registers.FSYNR0?.value, report?.registers.CBFRSYNRA?.value, report?.cb],
      ['d00000000.iommu', lines, '0x80000402', '0x40002000', '0x13', '0x5', 0],
    );
    assert.deepEqual([report?.kind, report?.write, report?.level, report?.sid], ['translation', true, 3, '0x5']);
  });
}

test("the emulator's own arm-smmu-v3 event dumps and EVTQ overflow (examples/smmuv3-eventq-overflow.iommu) read back dword for dword", () => {
  const log = dmesg(readFileSync(repoPath('examples/smmuv3-eventq-overflow.iommu'), 'utf8'));
  const reports = readFaultLog(log);
  const printed = [...log.matchAll(/\t(0x[0-9a-f]{16})$/gm)].map((m) => BigInt(m[1] ?? ''));
  const read = reports.flatMap((r) => ['dword 0', 'dword 1', 'dword 2', 'dword 3'].flatMap((d) => (r.registers[d] ? [BigInt(r.registers[d].value)] : [])));
  assert.deepEqual(read, printed);
  assert.deepEqual(
    reports.map((r) => [r.event ?? r.kind, r.sid, r.iova]),
    [
      ['F_TRANSLATION', '0x1', '0x1010000'],
      ['F_TRANSLATION', '0x1', '0x1012000'],
      ['F_TRANSLATION', '0x1', '0x1014000'],
      ['F_TRANSLATION', '0x1', '0x1016000'],
      ['F_TRANSLATION', '0x1', '0x101c000'],
      ['F_TRANSLATION', '0x1', '0x101e000'],
      ['overflow', null, null],
    ],
  );
  assert.deepEqual(reports[0]?.lines, [1, 7]);
});
