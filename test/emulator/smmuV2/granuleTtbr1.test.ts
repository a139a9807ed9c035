import assert from 'node:assert/strict';
import { test } from 'node:test';
import { walk } from '../../../emulator/pgtable/walker';
import { v2StateOf } from '../../../emulator/smmu/smmuState';
import { runWithEvents } from './run';

/**
 * Granules and TTBR1 together: every table of a `ttbr1 on` domain (the default TTBR0 table,
 * a pagetable, the TTBR1 table) is walked under the domain's context bank, so with its
 * granule; TCR carries the granule twice, TG0 and TG1, each in its own encoding (D8.2.3:
 * TG0 0b10 = 16K, TG1 0b01 = 16K).
 */

const SCENARIO = `kernel 6.12
smmu kgsl { version v2; impl qcom-adreno }
domain gpu_dom {
  granule 16K
  ias 47
  ttbr1 on
  map 0xffff_ffff_f000_0000 -> 0x8000_0000 size 1M rw
  map 0x1_0000_0000 -> 0x8100_0000 size 64K rw
}
pagetable proc7 on gpu_dom {
  map 0x1_0000_0000 -> 0x9000_0000 size 64K rw
}
master gpu { stream 0x0; domain gpu_dom }
engine gpu.cp {
  submit 7 pagetable proc7 {
    read 0x1_0000_4010 64 as mine
    read 0xffff_ffff_f000_4040 64 as global
  }
  read 0x1_0000_4010 64 as dflt
}
`;

test('a 16K ttbr1 domain: TTBR0 default, pagetable and TTBR1 translate through their own 16K tables', () => {
  const { machine } = runWithEvents(SCENARIO);
  assert.deepEqual(
    machine.result().transactions.map((t) => [t.label, t.status, t.pa]),
    [
      ['mine', 'completed', 0x9000_4010n],
      ['global', 'completed', 0x8000_4040n],
      ['dflt', 'completed', 0x8100_4010n],
    ],
  );
});

test('D8.2.9 with D8.2.4: a TTBR1 address of a 16K, ias 47 domain walks VA[46:0] from level 1 with 11-bit indices', () => {
  const { machine } = runWithEvents(SCENARIO);
  const tables = machine.runtime.tables;
  const ttbr1 = tables[tables.length - 1];
  assert.ok(ttbr1);
  assert.equal(ttbr1.root % 0x4000, 0, 'a 16K table is 16K aligned');
  // 0xffff_ffff_f000_4040 in the top 2^47 bytes: VA[46:0] = 0x7fff_f000_4040.
  // L1 = VA[46:36] = 0x7ff, L2 = VA[35:25] = 0x7f8, L3 = VA[24:14] = 0x1, offset VA[13:0] = 0x40.
  const walked = walk(machine.runtime.memory, ttbr1.tableConfig(), 0x7fff_f000_4040n);
  assert.deepEqual(
    walked.steps.map((s) => [s.level, s.index]),
    [
      [1, 2047],
      [2, 2040],
      [3, 1],
    ],
  );
  assert.equal(walked.outcome.kind === 'success' ? walked.outcome.pa : undefined, 0x8000_4040n);
});

test('TCR of a 16K ttbr1 bank: T0SZ = T1SZ = 17, TG0 0b10 and TG1 0b01 (both 16K), EPD1 clear', () => {
  const { machine } = runWithEvents(SCENARIO);
  const bank = v2StateOf(machine.state, 0)?.banks[0];
  // 0x11 | IRGN0 1<<8 | ORGN0 1<<10 | SH0 3<<12 | TG0 2<<14 | T1SZ 0x11<<16 | IRGN1 1<<24 | ORGN1 1<<26 | SH1 3<<28 | TG1 1<<30
  assert.equal(bank?.tcr, 0x7511_b511);
});
