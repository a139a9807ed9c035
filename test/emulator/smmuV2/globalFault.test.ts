import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Machine } from '../../../emulator/machine/machine';
import { v2StateOf } from '../../../emulator/smmu/smmuState';
import { modelOf } from '../helpers/scenario';
import { kernelLines } from '../helpers/kernelLines';
import { kernelSteps, runWithEvents } from './run';

/**
 * arm_smmu_global_fault, the same in 5.15 and 7.1 (read in 5.15.215 and 7.1.5): a stream
 * whose S2CR says fault (a master with no domain, Linux's disable_bypass) or that no SMR
 * matches (`unmatched fault`) sets sGFSR.USF with the StreamID in sGFSYNR1; the global
 * fault IRQ prints two lines and writes sGFSR back.
 */

function scenario(kernel: string, access: string): string {
  return `kernel ${kernel}
smmu apps { version v2; unmatched fault }
domain d { map 0x1000 -> 0x8000_0000 size 4K rw }
master m { stream 0x10; domain d }
master ghost { stream 0x7a5 }
engine ghost.dma { ${access} }
`;
}

const BLOCKED = 'arm-smmu 15000000.iommu: Blocked unknown Stream ID 0x7a5; boot with "arm-smmu.disable_bypass=0" to allow, but this may have security implications';

for (const kernel of ['5.15', '7.1']) {
  test(`${kernel}: an unmatched StreamID: "Blocked unknown Stream ID", the GFSR line, sGFSR written back`, () => {
    const { machine, events } = runWithEvents(scenario(kernel, 'read 0x1000 8 as lost'));
    assert.deepEqual(kernelLines(machine), [BLOCKED, 'arm-smmu 15000000.iommu: \tGFSR 0x00000002, GFSYNR0 0x00000000, GFSYNR1 0x000007a5, GFSYNR2 0x00000000']);
    assert.deepEqual(kernelSteps(machine, events), [
      'irq: arm_smmu_global_fault — gfsr=0x00000002, gfsynr0=0x00000000, gfsynr1=0x000007a5',
      'irq: arm_smmu_gr0_write(sGFSR) — sGFSR ← 0x00000002, now 0x00000000',
    ]);
    assert.equal(v2StateOf(machine.state, 0)?.sgfsr, 0);
  });
}

test('a write: sGFSYNR0.WNR (bit 1) in the GFSR line', () => {
  const { machine } = runWithEvents(scenario('7.1', 'write 0x1000 4 value 1 as lost'));
  assert.deepEqual(kernelLines(machine).slice(1), ['arm-smmu 15000000.iommu: \tGFSR 0x00000002, GFSYNR0 0x00000002, GFSYNR1 0x000007a5, GFSYNR2 0x00000000']);
});

test('a second unmatched transaction while sGFSR holds the first sets MULTI; one IRQ reports both bits, and clears them', () => {
  const { machine, events } = runWithEvents(scenario('7.1', 'read 0x1000 8 as a\n  read 0x2000 8 as b'));
  assert.deepEqual(kernelLines(machine), [BLOCKED, 'arm-smmu 15000000.iommu: \tGFSR 0x80000002, GFSYNR0 0x00000000, GFSYNR1 0x000007a5, GFSYNR2 0x00000000']);
  assert.equal(events.filter((e) => e.kind === 'kernel-step' && e.step === 'arm_smmu_global_fault').length, 1);
  assert.equal(v2StateOf(machine.state, 0)?.sgfsr, 0);
});

test('a stream no SMR matches (its SMR invalidated): USF too; with `unmatched bypass` (sCR0.USFCFG=0) it bypasses and nothing is printed', () => {
  for (const [unmatched, lines] of [
    ['fault', [BLOCKED, 'arm-smmu 15000000.iommu: \tGFSR 0x00000002, GFSYNR0 0x00000000, GFSYNR1 0x000007a5, GFSYNR2 0x00000000']],
    ['bypass', []],
  ] as const) {
    const machine = new Machine(modelOf(scenario('7.1', 'read 0x1000 8 as lost').replace('unmatched fault', `unmatched ${unmatched}`)));
    const smr = v2StateOf(machine.state, 0)?.smrs.find((s) => s.id === 0x7a5);
    assert.ok(smr);
    smr.valid = false;
    assert.deepEqual(machine.run(), { reason: 'finished' });
    assert.deepEqual(kernelLines(machine), lines, unmatched);
  }
});

test('two SMRs match (SMCF): "Unexpected global fault, this could be serious"', () => {
  const machine = new Machine(modelOf(scenario('6.12', 'read 0x1000 8 as lost')));
  v2StateOf(machine.state, 0)?.smrs.push({ valid: true, id: 0x7a5, mask: 0, master: 0 });
  assert.deepEqual(machine.run(), { reason: 'finished' });
  assert.deepEqual(kernelLines(machine), [
    'arm-smmu 15000000.iommu: Unexpected global fault, this could be serious',
    'arm-smmu 15000000.iommu: \tGFSR 0x00000004, GFSYNR0 0x00000000, GFSYNR1 0x000007a5, GFSYNR2 0x00000000',
  ]);
});
