import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { cdAddress, cdIpa, cdsAtIpas, streamOf } from '../../emulator/inspect/streams';
import { descriptorPa, domainTables, tableStage } from '../../emulator/inspect/tables';
import { machineBeforeRun, stage2WalkBeforeRun } from '../../emulator/inspect/tablesBeforeRun';
import { describeWalk, faultStageText } from '../../emulator/inspect/walks';
import { Machine } from '../../emulator/machine/machine';
import { repoPath } from '../helpers/repo';
import { modelOf } from './helpers/scenario';

/**
 * emulator/inspect's walks of the run's tables for the debugger and the language server,
 * on examples/stage2-fault-on-table-walk.iommu before it runs: vm_s2 (domain 0) is a
 * stage-2 table, 40-bit IPA, 4K granule, starting at level 0 (two L0 entries, Arm ARM
 * D8.2.2), at PA 0x4000_0000 with its L1, L2, L3 tables on the next pages; stage 2 maps IPA
 * 0x4000_0000..0x4000_3fff to PA 0x8_0000_0000. guest_s1 (domain 1) is nested: its stage 1
 * starts at IPA 0x4000_2000 (`tables at`), its L1 and L2 tables follow at IPAs 0x4000_3000
 * and 0x4000_4000 — the last beyond what stage 2 maps.
 */

const text = readFileSync(repoPath('examples', 'stage2-fault-on-table-walk.iommu'), 'utf8');

function machine(): Machine {
  const built = machineBeforeRun(modelOf(text));
  assert.ok(built);
  return built;
}

test('a stage-2 domain walks in stage-2 terms: S2AP, MemAttr and XN (D8.3.1, Table D8-53)', () => {
  const walked = describeWalk(machine(), 0, 0x4000_1000n);
  assert.equal(walked?.stage, 2);
  if (walked?.stage !== 2) return;
  // IPA 0x4000_1000: L0 index IPA[39] = 0, L1 IPA[38:30] = 1, L2 IPA[29:21] = 0, L3 IPA[20:12] = 1.
  assert.deepEqual(
    walked.walk.steps.map((s) => [s.level, s.index, s.descriptorAddress, s.value, s.descriptor.text]),
    [
      [0, 0, 0x4000_0000n, 0x4000_1003n, 'table → 0x40001000'],
      [1, 1, 0x4000_1008n, 0x4000_2003n, 'table → 0x40002000'],
      [2, 0, 0x4000_2000n, 0x4000_3003n, 'table → 0x40003000'],
      // lo 0x7ff: valid, page, MemAttr 0b1111 [5:2], S2AP 0b11 [7:6], SH 0b11 [9:8], AF [10].
      [3, 1, 0x4000_3008n, 0x8_0000_17ffn, 'page → 0x800001000 S2AP=rw MemAttr=0xf (Normal WB) XN=0 SH=inner AF'],
    ],
  );
  assert.deepEqual(walked.walk.outcome, {
    kind: 'success',
    pa: 0x8_0000_1000n,
    level: 3,
    size: 0x1000n,
    // S2AP=11 and XN=00: read, write and execute at EL1 and EL0 alike (Tables D8-76, D8-78).
    permissions: 0b111111,
    permissionsText: 'priv rwx, unpriv rwx',
    memAttr: 0xf,
    memory: 'Normal WB',
  });
});

test('a nested domain: stage 1 at IPAs, each table fetch through stage 2, the fault CLASS=TT at the table\'s IPA (SMMUv3 7.3)', () => {
  const walked = describeWalk(machine(), 1, 0x1000n);
  assert.equal(walked?.stage, 'nested');
  if (walked?.stage !== 'nested') return;
  const nested = walked.walk;
  // Stage 1 read L0[0] and L1[0]; the L2 fetch at IPA 0x4000_4000 never read.
  assert.deepEqual(
    nested.stage1.steps.map((s) => [s.level, s.index, s.descriptorAddress, s.value]),
    [
      [0, 0, 0x4000_2000n, 0x4000_3003n],
      [1, 0, 0x4000_3000n, 0x4000_4003n],
    ],
  );
  assert.deepEqual(
    nested.tableFetches.map((f) => [f.level, f.ipa, f.stage2.steps.map((s) => `L${s.level}[${s.index}]`).join(' '), f.stage2.outcome.kind === 'success' ? f.stage2.outcome.pa : f.stage2.outcome.reason]),
    [
      [0, 0x4000_2000n, 'L0[0] L1[1] L2[0] L3[2]', 0x8_0000_2000n],
      [1, 0x4000_3000n, 'L0[0] L1[1] L2[0] L3[3]', 0x8_0000_3000n],
      [2, 0x4000_4000n, 'L0[0] L1[1] L2[0] L3[4]', 'L3[4] is invalid'],
    ],
  );
  assert.equal(nested.output, undefined);
  assert.deepEqual(nested.outcome, {
    kind: 'translation',
    stage: 2,
    class: 'TT',
    level: 3,
    ipa: 0x4000_4000n,
    reason: 'stage 2 fault on the L2 table fetch at IPA 0x40004000: L3[4] is invalid',
  });
  assert.equal(faultStageText('translation', 3, { stage: 2, class: 'TT', ipa: 0x4000_4000n }), 'stage 2 translation fault at level 3 (CLASS=TT, IPA 0x40004000)');
  assert.equal(faultStageText('permission', 3, { stage: 1, class: 'IN', ipa: undefined }), 'stage 1 permission fault at level 3 (CLASS=IN)');
});

test('stage2WalkBeforeRun: only for stage-2 and nested domains, by name', () => {
  const built = machine();
  assert.equal(stage2WalkBeforeRun(built, 'vm_s2', 0x4000_0000n)?.stage, 2);
  assert.equal(stage2WalkBeforeRun(built, 'guest_s1', 0x1000n)?.stage, 'nested');
  assert.equal(stage2WalkBeforeRun(built, 'nothing', 0x1000n), undefined);
});

test('the Page Tables view: a nested table\'s addresses are IPAs, each with the PA stage 2 gives it', () => {
  const built = machine();
  assert.equal(tableStage(built, 0), 2);
  assert.equal(tableStage(built, 1), 'nested');
  assert.deepEqual(
    domainTables(built, 1).map((t) => [t.label, t.root, t.stage]),
    [['guest_s1 (TTBR0 default)', 0x4000_2000, 'nested']],
  );
  assert.equal(descriptorPa(built, 1, 0x4000_2000n), 0x8_0000_2000n);
  assert.equal(descriptorPa(built, 1, 0x4000_4000n), undefined);
  // A stage-2 table's addresses are PAs already.
  assert.equal(descriptorPa(built, 0, 0x4000_1008n), 0x4000_1008n);
  // The stage-2 table's root: L0 of a 40-bit IPA space holds two entries (D8.2.2), one used.
  const root = built.runtime.tables[0];
  assert.ok(root);
  assert.deepEqual(
    root.entries(0, BigInt(root.root)).map((e) => [e.index, e.descriptor.text]),
    [[0, 'table → 0x40001000']],
  );
});

test('a nested stream\'s CD is read at its IPA through stage 2 (S1ContextPtr is an IPA: SMMUv3 3.3.2)', () => {
  const built = machine();
  built.run();
  const stream = streamOf(built, 0, 0x10);
  assert.ok(stream);
  assert.equal(cdsAtIpas(built, stream), true);
  assert.equal(cdIpa(stream, 0), 0x4000_0000);
  assert.equal(cdAddress(built, stream, 0), 0x8_0000_0000);
});
