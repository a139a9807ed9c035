import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Diagnostic, RelatedLocation } from '../../../emulator/language/diagnostics';
import { Range } from '../../../emulator/language/source';
import { compileScenario } from '../../../emulator/scenario/compile';

/*
 * The checker on `stage 2` and `vmid`: each stage's settings against the other's, the VMID's
 * width (SMMUv2 CBAR.VMID is 8 bits, SMMUv3 STE.S2VMID 16; Arm SMMUv3 5.2) and two stage-2
 * domains of one SMMU with one VMID. Every diagnostic exact, with its range.
 */

/** The range of `needle` inside `context` (which must occur once). */
function at(text: string, needle: string, context = needle): Range {
  const start = text.indexOf(context);
  assert.ok(start >= 0 && text.indexOf(context, start + 1) < 0, `'${context}' must occur once`);
  const offset = context.indexOf(needle);
  assert.ok(offset >= 0, `'${needle}' is not in '${context}'`);
  return { start: start + offset, end: start + offset + needle.length };
}

function error(code: string, range: Range, message: string, related?: RelatedLocation[]): Diagnostic {
  return related ? { severity: 'error', code, range, message, related } : { severity: 'error', code, range, message };
}

test("the contract's stage-2 domain checks clean, on an SMMUv3 and on an SMMUv2", () => {
  for (const version of ['v3', 'v2']) {
    const text = `smmu s { version ${version} }
domain vm_s2 { stage 2; ias 40; oas 44; vmid 3; map 0x4000_0000 -> 0x8_0000_0000 size 1G rw }
`;
    assert.deepEqual(compileScenario(text).diagnostics, [], version);
  }
});

test('stage-1 settings on a stage-2 domain: ttbr1, s1cbndx and a pagetable on it (SMMUv2)', () => {
  const text = `smmu s { version v2 }
domain s2 { stage 2; ttbr1 on; s1cbndx 4 }
pagetable p on s2 { }
`;
  assert.deepEqual(compileScenario(text).diagnostics, [
    error('stage1-setting', at(text, 'ttbr1'), "'ttbr1' is a stage-1 setting and domain 's2' is stage 2: TTBR1 is a stage-1 register; a stage-2 table has one base (VTTBR, STE.S2TTB)"),
    error('stage1-setting', at(text, 's1cbndx'), "'s1cbndx' is a stage-1 setting and domain 's2' is stage 2: FSYNR0.S1CBNDX names the stage-1 bank of a nested fault, and a stage-2 bank translates no stage 1"),
    error('stage1-pagetable', at(text, 's2', 'on s2 {'), "pagetable 'p' is a per-process stage-1 table, and domain 's2' is stage 2: its table translates a VM's IPAs, which no process switches"),
  ]);
});

test('stage-1 settings on a stage-2 domain: nested, cd at, tables at (SMMUv3)', () => {
  const text = `smmu s { version v3 }
domain s2 { stage 2; nested other; cd at 0x1000; tables at 0x2000 }
domain other { stage 2 }
`;
  assert.deepEqual(compileScenario(text).diagnostics, [
    error('stage1-setting', at(text, 'nested'), "'nested' is a stage-1 setting and domain 's2' is stage 2: a stage-2 domain is what a nested domain sits on ('nested' goes in the guest's stage-1 domain)"),
    error('stage1-setting', at(text, 'cd'), "'cd' is a stage-1 setting and domain 's2' is stage 2: a CD holds a stage-1 context, and a stage-2 STE (Config=0b110) fetches none"),
    error('stage1-setting', at(text, 'tables'), "'tables' is a stage-1 setting and domain 's2' is stage 2: 'tables at' places a guest's stage-1 tables in IPA space; a stage-2 table is at a PA ('pgd')"),
  ]);
});

test('vmid on a stage-1 domain', () => {
  const text = `smmu s { version v3 }
domain d { vmid 3 }
`;
  assert.deepEqual(compileScenario(text).diagnostics, [
    error('stage2-setting', at(text, 'vmid'), "'vmid' is a stage-2 setting (CBAR.VMID, STE.S2VMID) and domain 'd' is stage 1: write 'stage 2' in it, or leave the VMID out"),
  ]);
});

test("a VMID wider than SMMUv2's 8-bit CBAR.VMID; SMMUv3's S2VMID takes 16 bits, and no more", () => {
  const v2 = `smmu s { version v2 }
domain s2 { stage 2; vmid 300 }
`;
  assert.deepEqual(compileScenario(v2).diagnostics, [
    error('vmid-range', at(v2, '300'), "vmid 300 does not fit SMMUv2's 8-bit CBAR.VMID (0..255): domain 's2' is on smmu 's', an SMMUv2"),
  ]);
  assert.deepEqual(compileScenario(v2.replace('v2', 'v3')).diagnostics, []);
  const wide = `smmu s { version v3 }
domain s2 { stage 2; vmid 65536 }
`;
  assert.deepEqual(compileScenario(wide).diagnostics, [error('bad-value', at(wide, '65536'), "'vmid' must be between 0 and 65535, not 65536")]);
});

test('two stage-2 domains of one SMMU with one VMID; on two SMMUs they may share it', () => {
  const text = `smmu s { version v3 }
domain a { stage 2; vmid 3 }
domain b { stage 2; vmid 3 }
`;
  assert.deepEqual(compileScenario(text).diagnostics, [
    error(
      'duplicate-vmid',
      at(text, '3', 'b { stage 2; vmid 3'),
      "vmid 3 is also the VMID of domain 'a' (line 2) on smmu 's': two stage-2 domains of one SMMU need VMIDs of their own (TLB entries are tagged by VMID)",
      [{ range: at(text, 'vmid 3', 'a { stage 2; vmid 3'), message: 'the same VMID' }],
    ),
  ]);
  const two = `smmu s { version v3 }
smmu t { version v3 }
domain a { smmu s; stage 2; vmid 3 }
domain b { smmu t; stage 2; vmid 3 }
`;
  assert.deepEqual(compileScenario(two).diagnostics, []);
});

test('stage takes 1 or 2', () => {
  const text = `smmu s { version v3 }
domain d { stage 3 }
`;
  assert.deepEqual(compileScenario(text).diagnostics, [error('bad-value', at(text, '3', 'stage 3'), "'stage' must be between 1 and 2, not 3")]);
});
