import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { HoverRequest, MarkupContent } from 'vscode-languageserver-protocol/node';
import { repoPath } from '../helpers/repo';
import { OpenScenario, scenarioUri } from './helpers';

/**
 * Hover in a VM's domains (examples/stage2-fault-on-table-walk.iommu and
 * vm-nic-fault-forwarded.iommu): a nested domain's access shows stage 1's walk at IPAs (each
 * descriptor's IPA and the PA stage 2 gives it), the stage-2 walk of every table fetch, and
 * the stage-2 walk that decided in full; a stage-2 domain's `map` its walk in S2AP, MemAttr
 * and XN (Arm ARM D8.3.1). A stage-2 fault names its CLASS and IPA (SMMUv3 7.3).
 */

async function hoverOn(file: string, needle: string): Promise<string[]> {
  const doc = await OpenScenario.open(readFileSync(repoPath('examples', file), 'utf8'));
  try {
    const hover = await doc.connection.sendRequest(HoverRequest.type, { textDocument: { uri: scenarioUri }, position: doc.position(needle, 2) });
    assert.ok(hover, `no hover on '${needle}'`);
    return (hover.contents as MarkupContent).value.split('\n');
  } finally {
    doc.close();
  }
}

/** The hover from its before-the-run walk on (what the run did is the prediction's, tested elsewhere). */
function beforeTheRun(lines: string[]): string[] {
  const at = lines.indexOf('_As the tables stand before the run (a handler may change them):_');
  assert.ok(at >= 0, lines.join('\n'));
  return lines.slice(at + 2);
}

test('a stage-2 fault on a stage-1 table fetch: CLASS=TT at the table\'s IPA, stage 1 at IPAs, the faulting stage-2 walk', async () => {
  const lines = await hoverOn('stage2-fault-on-table-walk.iommu', '0x1000 64');
  assert.ok(lines[0]?.startsWith('**In the run**: stage 2 translation fault at level 3 (CLASS=TT, IPA 0x40004000): stage 2 fault on the L2 table fetch at IPA 0x40004000: L3[4] is invalid; '), lines[0]);
  assert.equal(lines[2], 'read `0x1000` from nic.rx: stream 0x10 → master nic → domain guest_s1');
  // Stage 1 (48-bit, 4K) indexes IOVA 0x1000 with L0[0], L1[0], L2[0]; its tables are at IPAs 0x4000_2000 (`tables at`),
  // 0x4000_3000, 0x4000_4000. Stage 2 (40-bit, start level 0) indexes IPA 0x4000_4000 with L0[0] L1[1] L2[0] L3[4]:
  // it maps only 0x4000_0000..0x4000_3fff, so L3[4] is invalid.
  assert.deepEqual(beforeTheRun(lines), [
    '**stage 2 translation fault at level 3 (CLASS=TT, IPA 0x40004000)**: stage 2 fault on the L2 table fetch at IPA 0x40004000: L3[4] is invalid',
    '',
    "Stage 1 (the guest's tables, at IPAs):",
    '',
    '| level | index | descriptor at IPA | PA | value | meaning |',
    '|---|---|---|---|---|---|',
    '| L0 | 0 | `0x40002000` | `0x800002000` | `0x0000000040003003` | table → 0x40003000 |',
    '| L1 | 0 | `0x40003000` | `0x800003000` | `0x0000000040004003` | table → 0x40004000 |',
    '',
    'Stage 2 of each stage-1 table fetch:',
    '',
    '| fetch | IPA | stage 2 walk | PA |',
    '|---|---|---|---|',
    '| L0 | `0x40002000` | L0[0] → L1[1] → L2[0] → L3[2] | `0x800002000` |',
    '| L1 | `0x40003000` | L0[0] → L1[1] → L2[0] → L3[3] | `0x800003000` |',
    '| L2 | `0x40004000` | L0[0] → L1[1] → L2[0] → L3[4] | translation fault at level 3: L3[4] is invalid |',
    '',
    'Stage 2 of the L2 table fetch at IPA 0x4000_4000:',
    '',
    '| level | index | descriptor at | value | meaning |',
    '|---|---|---|---|---|',
    '| L0 | 0 | `0x40000000` | `0x0000000040001003` | table → 0x40001000 |',
    '| L1 | 1 | `0x40001008` | `0x0000000040002003` | table → 0x40002000 |',
    '| L2 | 0 | `0x40002000` | `0x0000000040003003` | table → 0x40003000 |',
    '| L3 | 4 | `0x40003020` | `0x0000000000000000` | invalid |',
  ]);
});

test('a nested access that translates: both stages\' leaves, every table fetch and the output IPA\'s stage-2 walk', async () => {
  const lines = await hoverOn('vm-nic-fault-forwarded.iommu', '0x1000 4');
  assert.equal(lines[2], 'write `0x1000` from nic.rx: stream 0x10 → master nic → domain guest_s1');
  // Stage 2 maps IPA 0x4000_0000 with a 1G block (L1[1]); stage 1 maps IOVA 0x1000 (L3[1]) to IPA 0x4000_1000.
  assert.deepEqual(beforeTheRun(lines), [
    '**0x1000 → 0x0008_0000_1000** (4K; stage 1 level 3 → IPA 0x4000_1000, stage 2 level 1)',
    '',
    'permissions priv rw-, unpriv rwx (stage 1 priv rw-, unpriv rwx, stage 2 priv rwx, unpriv rwx); memory Normal WB at stage 2',
    '',
    "Stage 1 (the guest's tables, at IPAs):",
    '',
    '| level | index | descriptor at IPA | PA | value | meaning |',
    '|---|---|---|---|---|---|',
    '| L0 | 0 | `0x40011000` | `0x800011000` | `0x0000000040012003` | table → 0x40012000 |',
    '| L1 | 0 | `0x40012000` | `0x800012000` | `0x0000000040013003` | table → 0x40013000 |',
    '| L2 | 0 | `0x40013000` | `0x800013000` | `0x0000000040014003` | table → 0x40014000 |',
    '| L3 | 1 | `0x40014008` | `0x800014008` | `0x0000000040001f47` | page → 0x40001000 rw, AttrIndx 1 (cached), SH inner, AF, nG |',
    '',
    'Stage 2 of each stage-1 table fetch:',
    '',
    '| fetch | IPA | stage 2 walk | PA |',
    '|---|---|---|---|',
    '| L0 | `0x40011000` | L0[0] → L1[1] | `0x800011000` |',
    '| L1 | `0x40012000` | L0[0] → L1[1] | `0x800012000` |',
    '| L2 | `0x40013000` | L0[0] → L1[1] | `0x800013000` |',
    '| L3 | `0x40014008` | L0[0] → L1[1] | `0x800014008` |',
    '',
    'Stage 2 of the output IPA 0x4000_1000:',
    '',
    '| level | index | descriptor at | value | meaning |',
    '|---|---|---|---|---|',
    '| L0 | 0 | `0x40000000` | `0x0000000040001003` | table → 0x40001000 |',
    '| L1 | 1 | `0x40001008` | `0x00000008000007fd` | block 1G → 0x800000000 S2AP=rw MemAttr=0xf (Normal WB) XN=0 SH=inner AF |',
  ]);
});

test('a nested stage-1 fault is stage 1, CLASS=IN, with no IPA', async () => {
  const lines = beforeTheRun(await hoverOn('vm-nic-fault-forwarded.iommu', '0x20_0000 4'));
  assert.equal(lines[0], '**stage 1 translation fault at level 2 (CLASS=IN)**: L2[1] is invalid');
  assert.equal(lines[8], '| L2 | 1 | `0x40013008` | `0x800013008` | `0x0000000000000000` | invalid |');
});

test('a stage-2 domain\'s map: its IPA through stage 2, in S2AP, MemAttr and XN', async () => {
  assert.deepEqual(await hoverOn('vm-nic-fault-forwarded.iommu', '0x4000_0000 ->'), [
    'the first page of this map in domain vm_s2',
    '',
    '**IPA 0x4000_0000 → 0x0008_0000_0000** (1G block, stage 2 level 1)',
    '',
    'permissions priv rwx, unpriv rwx; memory Normal WB (MemAttr 0xf)',
    '',
    '| level | index | descriptor at | value | meaning |',
    '|---|---|---|---|---|',
    '| L0 | 0 | `0x40000000` | `0x0000000040001003` | table → 0x40001000 |',
    '| L1 | 1 | `0x40001008` | `0x00000008000007fd` | block 1G → 0x800000000 S2AP=rw MemAttr=0xf (Normal WB) XN=0 SH=inner AF |',
  ]);
});

test('a nested domain\'s map: the first page through both stages', async () => {
  const lines = await hoverOn('vm-nic-fault-forwarded.iommu', '0x1000 -> 0x4000_1000');
  assert.deepEqual(lines.slice(0, 5), [
    'the first page of this map in domain guest_s1',
    '',
    '**0x1000 → 0x0008_0000_1000** (4K; stage 1 level 3 → IPA 0x4000_1000, stage 2 level 1)',
    '',
    'permissions priv rw-, unpriv rwx (stage 1 priv rw-, unpriv rwx, stage 2 priv rwx, unpriv rwx); memory Normal WB at stage 2',
  ]);
});
