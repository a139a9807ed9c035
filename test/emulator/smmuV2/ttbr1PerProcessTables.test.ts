import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { ttbrSwitchText } from '../../../emulator/machine/ttbrSwitch';
import { walk } from '../../../emulator/pgtable/walker';
import { selectTtbr } from '../../../emulator/pgtable/ttbrSelect';
import { v2StateOf } from '../../../emulator/smmu/smmuState';
import { repoPath } from '../../helpers/repo';
import { kernelLines } from '../helpers/kernelLines';
import { statuses } from '../helpers/scenario';
import { runWithEvents } from './run';

/**
 * `ttbr1 on`, `pagetable NAME on DOMAIN` and `submit N pagetable NAME` (docs/scenario-language.md,
 * "TTBR1 and per-process tables"): TTBR selection by VA bit 55 (Arm ARM D8.2.4), the CP's
 * TTBR0 switch around a submit, the ASID-tagged TLB, and faults that name their table.
 *
 * Table placement (the pool hands out pages from 0x4000_0000 in build order): the domain's
 * default TTBR0 table first (4 pages for one 64K map: L0–L3), then each pagetable's, then the
 * TTBR1 table.
 */

const CONTRACT = `kernel 6.12
smmu kgsl { version v2; impl qcom-adreno }
domain gpu_dom {
  ttbr1 on
  map 0xffff_ffff_f000_0000 -> 0x8000_0000 size 1M rw
  map 0x0000_0001_0000_0000 -> 0x8100_0000 size 64K rw
}
pagetable proc7 on gpu_dom {
  map 0x0000_0001_0000_0000 -> 0x9000_0000 size 64K rw
}
master gpu { stream 0x0; domain gpu_dom }
engine gpu.cp {
  submit 7 pagetable proc7 {
    read 0x1_0000_0000 64 as mine
    read 0xffff_ffff_f000_0040 64 as global
  }
  read 0x1_0000_0000 64 as dflt
}
`;

test('D8.2.4: bit 55 selects TTBR1; a TTBR1 IOVA walks the low ias bits of its table (IO_PGTABLE_QUIRK_ARM_TTBR1)', () => {
  assert.deepEqual(selectTtbr(0xffff_ffff_f000_0040n, 48, true), { ttbr: 1, walkIova: 0xffff_f000_0040n, inRange: true });
  assert.deepEqual(selectTtbr(0x1_0000_0000n, 48, true), { ttbr: 0, walkIova: 0x1_0000_0000n, inRange: true });
  // Neither range: bit 55 still picks the table whose level 0 faults.
  assert.deepEqual(selectTtbr(0x0001_0000_0000_0000n, 48, true), { ttbr: 0, walkIova: 0x0001_0000_0000_0000n, inRange: false });
  assert.deepEqual(selectTtbr(0xff80_0000_0000_0000n, 48, true), { ttbr: 1, walkIova: 0n, inRange: false });
  // ias 39: T1SZ = 25, the TTBR1 range starts at 2^64 - 2^39.
  assert.deepEqual(selectTtbr(0xffff_ff80_0000_1000n, 39, true), { ttbr: 1, walkIova: 0x1000n, inRange: true });
  assert.equal(selectTtbr(0xffff_ff7f_ffff_f000n, 39, true).inRange, false);
});

test('the contract scenario: proc7 for submit 7, TTBR1 whatever TTBR0 holds, the default back after', () => {
  const { machine } = runWithEvents(CONTRACT);
  const result = machine.result();
  assert.deepEqual(
    result.transactions.map((t) => [t.label, t.pa]),
    [
      ['mine', 0x9000_0000n],
      ['global', 0x8000_0040n],
      ['dflt', 0x8100_0000n],
    ],
  );
  // The tables: default 0x4000_0000 (L0..L3), proc7 0x4000_4000.., TTBR1 0x4000_8000...
  assert.deepEqual(
    machine.runtime.tableOwners.map((o) => o.label),
    ['gpu_dom (TTBR0 default)', 'proc7 (pagetable, ASID 1)', 'gpu_dom (TTBR1)'],
  );
  assert.deepEqual(
    machine.runtime.tables.map((t) => t.root),
    [0x4000_0000, 0x4000_4000, 0x4000_8000],
  );
  assert.deepEqual(
    [...machine.journal.switches].map((r) => ttbrSwitchText(machine.runtime, r)),
    [
      'TTBR0 ← proc7 (pagetable, ASID 1) = 0x0001000040004000 (CP_SMMU_TABLE_UPDATE before submit 7)',
      'TTBR0 ← gpu_dom (TTBR0 default, ASID 0) = 0x0000000040000000 (after submit 7)',
    ],
  );
});

test('the walk of a TTBR1 address: D8.2.4 selects TTBR1, the 4K-granule walk (D8.2.1) indexes 0xffff_f000_0040 from level 0', () => {
  const { machine } = runWithEvents(CONTRACT);
  const ttbr1 = machine.runtime.tables[2];
  assert.ok(ttbr1);
  const walked = walk(machine.runtime.memory, ttbr1.tableConfig(), 0xffff_f000_0040n);
  // VA[47:39] = 0x1ff, VA[38:30] = 0x1ff, VA[29:21] = 0x180, VA[20:12] = 0.
  assert.deepEqual(
    walked.steps.map((s) => [s.level, s.index, s.descriptorAddress]),
    [
      [0, 511, 0x4000_8ff8n],
      [1, 511, 0x4000_9ff8n],
      [2, 384, 0x4000_ac00n],
      [3, 0, 0x4000_b000n],
    ],
  );
  assert.deepEqual(walked.outcome.kind === 'success' ? walked.outcome.pa : undefined, 0x8000_0040n);
});

test('SMMUv2 bank registers: TCR with EPD1=0, T1SZ=16, TG1=4K; TTBR1 the TTBR1 table; TTBR0 the default with the bank ASID', () => {
  const { machine } = runWithEvents(CONTRACT);
  const bank = v2StateOf(machine.state, 0)?.banks[0];
  // T0SZ 16 | IRGN0/ORGN0 WBWA | SH0 inner | T1SZ 16 | IRGN1/ORGN1 WBWA | SH1 inner | TG1 0b10 (4K); EPD1 (bit 23) clear.
  assert.equal(bank?.tcr, 0xb510_3510);
  assert.equal(bank?.ttbr1, 0x4000_8000n);
  assert.equal(bank?.ttbr0, 0x4000_0000n);
});

test('a domain without ttbr1 keeps TCR.EPD1=1 and TTBR1 = 0', () => {
  const { machine } = runWithEvents(`smmu s { version v2 }
domain d { map 0x1000 -> 0x8000_0000 size 4K rw }
master m { stream 0; domain d }
engine m.e { read 0x1000 4 }
`);
  const bank = v2StateOf(machine.state, 0)?.banks[0];
  assert.equal(bank?.tcr, 0x80_3510);
  assert.equal(bank?.ttbr1, 0n);
});

test('D8.2.4: an address in neither range is a level 0 translation fault of the table bit 55 selects, FAR the address as issued', () => {
  const { machine } = runWithEvents(`kernel 6.12
smmu kgsl { version v2; impl qcom-adreno }
domain gpu_dom { ttbr1 on; map 0xffff_ffff_f000_0000 -> 0x8000_0000 size 4K rw }
master gpu { stream 0x0; domain gpu_dom }
engine gpu.cp {
  read 0x0001_0000_0000_0000 8 as low
  wait 100
  read 0xff80_0000_0000_0000 8 as high
}
`);
  assert.deepEqual(statuses(machine.result()), { 'low#0': 'aborted', 'high#0': 'aborted' });
  const faults = [...machine.journal.faults].map((f) => ({ iova: f.iova, level: f.level, table: f.table, reason: f.reason }));
  assert.deepEqual(faults, [
    { iova: 0x0001_0000_0000_0000n, level: 0, table: 0, reason: 'IOVA 0x1000000000000 is in neither the TTBR0 nor the TTBR1 48-bit range (gpu_dom (TTBR0 default))' },
    { iova: 0xff80_0000_0000_0000n, level: 0, table: 1, reason: 'IOVA 0xff80000000000000 is in neither the TTBR0 nor the TTBR1 48-bit range (gpu_dom (TTBR1))' },
  ]);
  const bank = v2StateOf(machine.state, 0)?.banks[0];
  // The second fault latched after the IRQ cleared the first: FAR as issued (sign-extended), FSYNR0.PLVL = 0.
  assert.equal(bank?.far, 0xff80_0000_0000_0000n);
  assert.equal((bank?.fsynr0 ?? -1) & 3, 0);
});

test('examples/adreno-two-processes.iommu: the wrong table faults in proc7, and the gpu fault line shows proc7 live in TTBR0', () => {
  const { machine } = runWithEvents(readFileSync(repoPath('examples', 'adreno-two-processes.iommu'), 'utf8'));
  assert.deepEqual(kernelLines(machine), ['*** gpu fault: ttbr0=0001000040001000 iova=0000000100200000 dir=READ type=TRANSLATION source=CP (0,0,0,0)']);
  const [fault] = [...machine.journal.faults];
  assert.equal(machine.runtime.tableOwners[fault?.table ?? -1]?.label, 'proc7 (pagetable, ASID 1)');
  assert.equal(fault?.reason, 'L2[1] is invalid (proc7 (pagetable, ASID 1))');
  const [dump] = [...machine.journal.dumps];
  assert.equal(dump?.table, 'proc7 (pagetable, ASID 1)');
  assert.deepEqual(
    dump?.registers.filter((r) => r.name === 'TTBR0' || r.name === 'TTBR1').map((r) => [r.name, r.value]),
    [
      ['TTBR0', 0x0001_0000_4000_1000n],
      ['TTBR1', 0x4000_a000n],
    ],
  );
  assert.deepEqual(
    [...machine.journal.switches].map((r) => ttbrSwitchText(machine.runtime, r)),
    [
      'TTBR0 ← proc7 (pagetable, ASID 1) = 0x0001000040001000 (CP_SMMU_TABLE_UPDATE before submit 7)',
      'TTBR0 ← gpu_dom (TTBR0 default, ASID 0) = 0x0000000040000000 (after submit 7)',
      'TTBR0 ← proc7 (pagetable, ASID 1) = 0x0001000040001000 (CP_SMMU_TABLE_UPDATE before submit 9)',
      // The CP waits for idle: the stalled read holds the switch until it is terminated.
      'TTBR0 ← gpu_dom (TTBR0 default, ASID 0) = 0x0000000040000000 (after submit 9)',
      'TTBR0 ← proc9 (pagetable, ASID 2) = 0x0002000040005000 (CP_SMMU_TABLE_UPDATE before submit 10)',
      'TTBR0 ← gpu_dom (TTBR0 default, ASID 0) = 0x0000000040000000 (after submit 10)',
    ],
  );
  assert.deepEqual(
    [...machine.journal.switches].map((r) => r.time),
    [0, 41, 41, 151, 151, 191],
  );
});

function sharedAsid(asidB: string): string {
  return `kernel 6.12
smmu kgsl { version v2; impl qcom-adreno }
domain gpu_dom { ttbr1 on }
pagetable a on gpu_dom { asid 3; map 0x1_0000_0000 -> 0x9000_0000 size 4K rw }
pagetable b on gpu_dom { ${asidB} map 0x1_0000_0000 -> 0xa000_0000 size 4K rw }
master gpu { stream 0x0; domain gpu_dom }
engine gpu.cp {
  submit 1 pagetable a { read 0x1_0000_0000 8 as first }
  submit 2 pagetable b { read 0x1_0000_0000 8 as second }
}
`;
}

test('the TLB is tagged by ASID: b with its own ASID walks its own table', () => {
  const { machine } = runWithEvents(sharedAsid(''));
  assert.deepEqual(
    machine.result().transactions.map((t) => [t.label, t.pa]),
    [
      ['first', 0x9000_0000n],
      ['second', 0xa000_0000n],
    ],
  );
});

test('a reused ASID without invalidation: b hits the entry a cached, and reads a\'s page', () => {
  const { machine, events } = runWithEvents(sharedAsid('asid 3;'));
  assert.deepEqual(
    machine.result().transactions.map((t) => [t.label, t.pa]),
    [
      ['first', 0x9000_0000n],
      ['second', 0x9000_0000n],
    ],
  );
  const ended = events.flatMap((e) => (e.kind === 'transaction-ended' ? [e.how] : []));
  assert.deepEqual(ended, ['walk, level 3 leaf', 'TLB hit']);
});

test('handler map goes to the table the fault walked: the retried read translates through proc7, the default stays unmapped', () => {
  const { machine } = runWithEvents(`kernel 6.12
smmu kgsl { version v2; impl qcom-adreno }
domain gpu_dom { ttbr1 on; fault stall }
pagetable proc7 on gpu_dom { map 0x1_0000_0000 -> 0x9000_0000 size 4K rw }
master gpu { stream 0x0; domain gpu_dom; can-stall }
engine gpu.cp { submit 7 pagetable proc7 { read 0x1_0040_0000 8 as late } }
handler fix on gpu_dom {
  map page -> 0x9100_0000 rw
  retry
}
`);
  assert.deepEqual(machine.result().transactions.map((t) => [t.label, t.status, t.pa]), [['late', 'completed', 0x9100_0000n]]);
  assert.equal(machine.runtime.tables[1]?.iovaToPhys(0x1_0040_0000n), 0x9100_0000n);
  assert.equal(machine.runtime.tables[0]?.iovaToPhys(0x1_0040_0000n), undefined);
});
