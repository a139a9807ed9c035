import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hasChange } from '../../../emulator/kernel/versions';
import { formatDiagnostic } from '../../../emulator/language/diagnosticFormat';
import { Machine } from '../../../emulator/machine/machine';
import { compileScenario } from '../../../emulator/scenario/compile';
import { v3StateOf } from '../../../emulator/smmu/smmuState';
import { decodeCd } from '../../../emulator/smmu/v3/cd';
import { decodeSte } from '../../../emulator/smmu/v3/ste';
import { modelOf, statuses } from '../helpers/scenario';

/*
 * CD.S is master->stall_enabled: per master from 6.10; up to 6.9 per domain, the first
 * attached master's, and a master that differs is refused (-EINVAL). STE.S1STALLD is set for a
 * master that cannot stall where stalls are optional, in every release.
 */

/** Two masters in one domain: `first` attaches first. A `fault` line in the domain is ignored. */
function shared(kernel: string, first: 'gpu' | 'dsp', fault = ''): string {
  const gpu = 'master gpu { stream 0x1; domain d; can-stall }';
  const dsp = 'master dsp { stream 0x2; domain d }';
  return `kernel ${kernel}
smmu s { version v3 }
domain d { ${fault}map 0x0 -> 0x8000_0000 size 1M rw }
${first === 'gpu' ? `${gpu}\n${dsp}` : `${dsp}\n${gpu}`}
engine gpu.cp { read 0x0010_0000 64 as g }
engine dsp.dma { read 0x0010_0000 64 as d }
`;
}

/** Per StreamID: the STE's Config and S1STALLD, and CD 0's S bit when the STE translates. */
function streams(machine: Machine): Record<string, string> {
  const v3 = v3StateOf(machine.state, 0);
  assert.ok(v3);
  const read = (pa: number) => Array.from({ length: 8 }, (_, i) => machine.runtime.memory.readU64(pa + 8 * i));
  return Object.fromEntries(
    v3.streams.map((s) => {
      const ste = decodeSte(read(s.ste));
      const cd = s.cdTable === undefined ? undefined : decodeCd(read(s.cdTable));
      return [`0x${s.sid.toString(16)}`, `${ste.config} S1STALLD=${ste.s1Stalld ? 1 : 0}${cd ? ` CD.S=${cd.s ? 1 : 0}` : ''}`];
    }),
  );
}

function attachWarnings(text: string): string[] {
  const compiled = compileScenario(text);
  return compiled.diagnostics.filter((d) => d.code === 'attach-fails').map((d) => formatDiagnostic('t.iommu', compiled.lines, d));
}

test('the boundary is 6.10: 6.6 has a per-domain stall, 6.12 a per-master one', () => {
  assert.equal(hasChange('6.6', 'smmuV3CdStallPerMaster'), false);
  assert.equal(hasChange('6.12', 'smmuV3CdStallPerMaster'), true);
});

for (const kernel of ['6.12', '7.1']) {
  test(`Linux ${kernel}: a master that stalls and one that cannot share a domain; each CD.S is its master's`, () => {
    const machine = new Machine(modelOf(shared(kernel, 'gpu')));
    assert.deepEqual(streams(machine), { '0x1': 's1 S1STALLD=0 CD.S=1', '0x2': 's1 S1STALLD=1 CD.S=0' });
    assert.deepEqual(attachWarnings(shared(kernel, 'gpu')), []);
    machine.run();
    // Nothing is mapped at 0x100000 … both fault: gpu's read stalls and, with no handler, is aborted by CMD_RESUME; dsp's terminates.
    assert.deepEqual(statuses(machine.result()), { 'g#0': 'aborted', 'd#0': 'aborted' });
  });
}

for (const kernel of ['5.15', '6.1', '6.6']) {
  test(`Linux ${kernel}: the domain takes the first master's stall_enabled; the one that differs is refused and gets an abort STE`, () => {
    assert.deepEqual(streams(new Machine(modelOf(shared(kernel, 'gpu')))), { '0x1': 's1 S1STALLD=0 CD.S=1', '0x2': 'abort S1STALLD=0' });
    assert.deepEqual(streams(new Machine(modelOf(shared(kernel, 'dsp')))), { '0x1': 'abort S1STALLD=0', '0x2': 's1 S1STALLD=1 CD.S=0' });
  });
}

test('the attach refusal names the release, and up to 6.1 the line arm_smmu_attach_dev prints', () => {
  assert.deepEqual(attachWarnings(shared('6.1', 'gpu')), [
    "t.iommu:5:33: warning: iommu_attach_device fails: on Linux 6.1 SMMUv3 domain 'd' took stall_enabled from the first master attached to it ('gpu', which stalls) and master 'dsp' is not 'can-stall': arm_smmu_attach_dev fails -EINVAL and prints \"cannot attach to stall-enabled domain\". The master stays unattached and its transactions fault (a VFIO container would put it in a domain of its own).",
  ]);
  assert.deepEqual(attachWarnings(shared('6.6', 'dsp')), [
    "t.iommu:5:33: warning: iommu_attach_device fails: on Linux 6.6 SMMUv3 domain 'd' took stall_enabled from the first master attached to it ('dsp', which does not stall) and master 'gpu' stalls: arm_smmu_attach_dev fails -EINVAL. The master stays unattached and its transactions fault (a VFIO container would put it in a domain of its own).",
  ]);
});

for (const kernel of ['6.6', '7.1']) {
  test(`Linux ${kernel}: a domain's 'fault terminate' does not stop a can-stall master from stalling, nor 'fault stall' make another stall`, () => {
    const terminate = shared(kernel, 'gpu', 'fault terminate; ').replace('master dsp { stream 0x2; domain d }\n', '').replace('engine dsp.dma { read 0x0010_0000 64 as d }\n', '');
    assert.deepEqual(streams(new Machine(modelOf(terminate))), { '0x1': 's1 S1STALLD=0 CD.S=1' });
    const stall = shared(kernel, 'dsp', 'fault stall; ').replace('master gpu { stream 0x1; domain d; can-stall }\n', '').replace('engine gpu.cp { read 0x0010_0000 64 as g }\n', '');
    assert.deepEqual(streams(new Machine(modelOf(stall))), { '0x2': 's1 S1STALLD=1 CD.S=0' });
  });
}

test('STALL_MODEL force-stall: every master stalls, S1STALLD is never set, and no attach is refused, on 6.6 as on 7.1', () => {
  for (const kernel of ['6.6', '7.1']) {
    const text = shared(kernel, 'dsp').replace('version v3', 'version v3; stall-model force-stall');
    assert.deepEqual(streams(new Machine(modelOf(text))), { '0x1': 's1 S1STALLD=0 CD.S=1', '0x2': 's1 S1STALLD=0 CD.S=1' });
    assert.deepEqual(attachWarnings(text), []);
  }
});
