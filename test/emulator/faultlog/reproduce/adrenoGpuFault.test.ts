import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AdrenoGpuFault, reproduceAdrenoGpuFault } from '../../../../emulator/faultlog/reproduce/adrenoGpuFault';
import { failedExpects, runReproduction, scenarioOf } from './oracle';

/**
 * `reproduce` for drm/msm's `*** gpu fault:` line behind `impl qcom-adreno`: the run must
 * print the same line (pr_warn, no device prefix), with every expect holding.
 */

/** The line as drm/msm's format string writes it: "ttbr0=%.16llx iova=%.16lx dir=%s type=%s source=%s (%u,%u,%u,%u)". */
const gpuLine = (ttbr0: bigint, f: AdrenoGpuFault): string =>
  `*** gpu fault: ttbr0=${ttbr0.toString(16).padStart(16, '0')} iova=${f.iova.toString(16).padStart(16, '0')} dir=${f.dir} type=${f.type} source=CP (0,0,0,0)`;

/** The emulator's table pool starts at 0x4000_0000; each domain before the GPU's takes one table. */
const cases: [string, AdrenoGpuFault, bigint][] = [
  ['translation, read, no ttbr0 in the report', { iova: 0x0700_0000n, dir: 'READ', type: 'TRANSLATION' }, 0x4000_0000n],
  ['translation, write above 4G, with ttbr0', { iova: 0x1_0100_0000n, dir: 'WRITE', type: 'TRANSLATION', ttbr0: 0x4000_0000n }, 0x4000_0000n],
  ['permission, write, on 6.6', { iova: 0x0100_0040n, dir: 'WRITE', type: 'PERMISSION', kernel: '6.6' }, 0x4000_0000n],
  ['UNKNOWN: an access-flag fault', { iova: 0x0100_0000n, dir: 'READ', type: 'UNKNOWN' }, 0x4000_0000n],
  ['ttbr0 with ASID 2', { iova: 0x0700_0000n, dir: 'READ', type: 'TRANSLATION', ttbr0: 0x0002_0000_4000_2000n }, 0x0002_0000_4000_2000n],
  ['a table the kernel allocated elsewhere (pgd)', { iova: 0x1000n, dir: 'READ', type: 'TRANSLATION', ttbr0: 0x0000_0001_2345_6000n }, 0x0000_0001_2345_6000n],
  ['ASID 13: more context banks than the default 8', { iova: 0x1000n, dir: 'READ', type: 'TRANSLATION', ttbr0: 0x000d_032a_e571_d000n }, 0x000d_032a_e571_d000n],
  ['a table above 2^40 (oas 48), ASID 3, a permission fault', { iova: 0x0100_0040n, dir: 'WRITE', type: 'PERMISSION', ttbr0: 0x0003_ff00_0000_1000n }, 0x0003_ff00_0000_1000n],
];

for (const [name, fault, ttbr0] of cases) {
  test(`reproduce adreno: ${name}`, () => {
    const scenario = scenarioOf(reproduceAdrenoGpuFault(fault));
    const { lines, result } = runReproduction(scenario);
    assert.ok(lines.includes(gpuLine(ttbr0, fault)), `${gpuLine(ttbr0, fault)}\nnot in\n${lines.join('\n')}\n${scenario}`);
    assert.deepEqual(failedExpects(result), [], scenario);
  });
}

test('reproduce adreno cannot: a ttbr0 whose BADDR is not a page, or whose table sits on the page the fault maps', () => {
  assert.deepEqual(reproduceAdrenoGpuFault({ iova: 0x1000n, dir: 'READ', type: 'TRANSLATION', ttbr0: 0x0000_0001_2345_6010n }), {
    cannot: "ttbr0=0000000123456010: BADDR 0x123456010 is not a 4 KiB-aligned table address (io-pgtable's 48-bit top-level tables start on a page)",
  });
  assert.deepEqual(reproduceAdrenoGpuFault({ iova: 0x0100_0040n, dir: 'WRITE', type: 'PERMISSION', ttbr0: 0x8000_0000n }), {
    cannot: 'ttbr0=0000000080000000: the scenario\'s TTBR0 would be none (the scenario does not check: the table would sit on the page the fault maps)',
  });
});

test('reproduce adreno cannot: an external fault, another source', () => {
  assert.deepEqual(reproduceAdrenoGpuFault({ iova: 0x1000n, dir: 'READ', type: 'EXTERNAL' }), { cannot: 'type=EXTERNAL: FSR.EF, an external fault, which the emulated memory never answers with' });
  assert.deepEqual(reproduceAdrenoGpuFault({ iova: 0x1000n, dir: 'READ', type: 'TRANSLATION', source: 'TP' }), { cannot: 'the model has no FSYNR1 and no CP scratch registers: it prints only source=CP (0,0,0,0)' });
});
