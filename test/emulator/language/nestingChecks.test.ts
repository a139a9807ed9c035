import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Diagnostic, QuickFix } from '../../../emulator/language/diagnostics';
import { Range } from '../../../emulator/language/source';
import { compileScenario } from '../../../emulator/scenario/compile';

/*
 * The checker on `nested`, `cd at` and `tables at` (SMMUv3 nesting, STE.Config=0b111): the
 * target, the SMMU, the kernel, the alignments (Arm SMMUv3 5.2 S1Fmt: a linear CD table is
 * aligned to its size; Arm ARM D8.2.3: a TTB is aligned to its table), and the predicted
 * stage-2 faults on the guest's fetches (Arm SMMUv3 3.3.2, 7.3: CLASS=CD, TT, IN with the IPA).
 */

function at(text: string, needle: string, context = needle): Range {
  const start = text.indexOf(context);
  assert.ok(start >= 0 && text.indexOf(context, start + 1) < 0, `'${context}' must occur once`);
  const offset = context.indexOf(needle);
  assert.ok(offset >= 0, `'${needle}' is not in '${context}'`);
  return { start: start + offset, end: start + offset + needle.length };
}

function error(code: string, range: Range, message: string, fix?: QuickFix): Diagnostic {
  return fix ? { severity: 'error', code, range, message, fix } : { severity: 'error', code, range, message };
}

function warning(range: Range, message: string): Diagnostic {
  return { severity: 'warning', code: 'predicted-stage2-fault', range, message };
}

const S2 = `smmu s { version v3 }
domain vm_s2 { stage 2; ias 40; oas 44; vmid 3; map 0x4000_0000 -> 0x8_0000_0000 size 1G rw }
`;

test("the contract's nested domain checks clean, with and without 'cd at' / 'tables at'", () => {
  const written = `${S2}domain guest_s1 { nested vm_s2; cd at 0x4000_0000; tables at 0x4000_2000; map 0x1000 -> 0x4000_1000 size 64K rw }
master nic { stream 0x10; domain guest_s1; can-stall }
`;
  assert.deepEqual(compileScenario(written).diagnostics, []);
  const left = `${S2}domain guest_s1 { nested vm_s2; map 0x1000 -> 0x4000_1000 size 64K rw }
master nic { stream 0x10; domain guest_s1; can-stall }
`;
  assert.deepEqual(compileScenario(left).diagnostics, []);
});

test('nesting on an SMMUv2: the model nests on SMMUv3 only', () => {
  const text = `smmu s { version v2 }
domain vm_s2 { stage 2 }
domain g { nested vm_s2 }
`;
  assert.deepEqual(compileScenario(text).diagnostics, [
    error(
      'version-mismatch',
      at(text, 'nested'),
      "'nested' is SMMUv3 nesting (STE.Config=0b111); domain 'g' is on an SMMUv2: the model nests on SMMUv3 only (arm-smmu has no nested domains; a v2 nested context bank pairs a CBAR.TYPE=0b11 bank with a stage-2 bank, which Linux never programs)",
    ),
  ]);
});

test('nested names an unknown domain, a stage-1 domain, or a stage-2 domain of another SMMU', () => {
  const unknown = `${S2}domain g { nested nowhere }
`;
  assert.deepEqual(compileScenario(unknown).diagnostics, [error('unknown-name', at(unknown, 'nowhere'), "unknown domain 'nowhere' (domains: vm_s2, g)")]);
  const stage1 = `${S2}domain plain { }
domain g { nested plain }
`;
  assert.deepEqual(compileScenario(stage1).diagnostics, [
    error('nested-target', at(stage1, 'plain', 'nested plain'), "'nested' names a stage-2 domain, and domain 'plain' is stage 1: write 'stage 2' in it"),
  ]);
  const smmus = `smmu a { version v3 }
smmu b { version v3 }
domain far { smmu b; stage 2 }
domain g { smmu a; nested far }
`;
  assert.deepEqual(compileScenario(smmus).diagnostics, [
    error('nested-smmu', at(smmus, 'far', 'nested far'), "domain 'far' is on smmu 'b' and domain 'g' on smmu 'a': a nested STE's stage 2 is its own SMMU's"),
  ]);
});

test('a kernel before 6.13 has no arm-smmu-v3 nested domains (kernel/versions.ts smmuV3Nesting)', () => {
  const text = `kernel 6.12
${S2}domain g { nested vm_s2 }
`;
  assert.deepEqual(compileScenario(text).diagnostics, [
    error(
      'nesting-kernel',
      at(text, 'vm_s2', 'nested vm_s2'),
      'domain \'g\' cannot be nested: Linux 6.12 has no arm-smmu-v3 nested domains (IOMMU_DOMAIN_NESTED, STE.Config=0b111): it came in 6.13, 1e8be08d1c91 ("iommu/arm-smmu-v3: Support IOMMU_DOMAIN_NESTED"), with "iommu/arm-smmu-v3: Support IOMMU_VIOMMU_ALLOC" (iommufd 6.13 merge window pull)',
    ),
  ]);
});

test("'cd at' and 'tables at' without 'nested'; 'pgd' on a nested domain", () => {
  const text = `${S2}domain h { cd at 0x1000; tables at 0x2000 }
domain g { nested vm_s2; pgd 0x9000_0000 }
`;
  assert.deepEqual(compileScenario(text).diagnostics, [
    error('not-nested', at(text, 'cd'), "'cd at' places a guest's structure in IPA space, which only a nested domain has: domain 'h' has no 'nested S2DOMAIN'"),
    error('not-nested', at(text, 'tables'), "'tables at' places a guest's structure in IPA space, which only a nested domain has: domain 'h' has no 'nested S2DOMAIN'"),
    error('nested-pgd', at(text, 'pgd'), "'pgd' is a PA, and the tables of nested domain 'g' are the guest's, at IPAs: write 'tables at IPA'"),
  ]);
});

test("'cd at' is aligned to the CD table (64 bytes, or 64 × 2^S1CDMax with PASIDs); 'tables at' to the top-level table", () => {
  const text = `${S2}domain g { nested vm_s2; cd at 0x4000_0020; tables at 0x4000_2100 }
`;
  assert.deepEqual(compileScenario(text).diagnostics, [
    error('cd-alignment', at(text, '0x4000_0020'), 'cd at 0x40000020 is not 64-byte aligned: a CD is 64 bytes', {
      title: 'Align it down to 0x40000000',
      edits: [{ range: at(text, '0x4000_0020'), newText: '0x40000000' }],
    }),
    error('tables-alignment', at(text, '0x4000_2100'), 'tables at 0x40002100 is not 4K-aligned: a top-level table is a 4 KiB page', {
      title: 'Align it down to 0x40002000',
      edits: [{ range: at(text, '0x4000_2100'), newText: '0x40002000' }],
    }),
  ]);
  // A master binds PASIDs: the STE's S1CDMax is the SMMU's 8 SubstreamID bits, 256 CDs, 16 KiB.
  const pasids = `${S2}domain g { nested vm_s2; cd at 0x4000_1000 }
domain other { nested vm_s2 }
master nic { stream 0x10; domain g; pasid 1 -> other }
`;
  assert.deepEqual(compileScenario(pasids).diagnostics, [
    error('cd-alignment', at(pasids, '0x4000_1000'), 'cd at 0x40001000 is not 16K-aligned: the CD table of 2^8 CDs is 16384 bytes, and a linear CD table is aligned to its size', {
      title: 'Align it down to 0x40000000',
      edits: [{ range: at(pasids, '0x4000_1000'), newText: '0x40000000' }],
    }),
  ]);
});

test('predicted stage-2 faults: a CD, a top-level table or a map output that stage 2 does not map (warnings)', () => {
  const text = `${S2}domain g { nested vm_s2; cd at 0x8000_0000; tables at 0x3fff_f000; map 0x1000 -> 0x7fff_f000 size 64K rw }
`;
  assert.deepEqual(compileScenario(text).diagnostics, [
    warning(at(text, '0x8000_0000'), "predicted stage-2 fault, CLASS=CD at IPA 0x80000000: no map of domain 'vm_s2' covers the CD of domain 'g'"),
    warning(at(text, '0x3fff_f000'), "predicted stage-2 fault, CLASS=TT at IPA 0x3ffff000: no map of domain 'vm_s2' covers the top-level stage-1 table of domain 'g'"),
    // 0x7fff_f000 + 64K runs 0xf000 past the end of the 1G map at 0x4000_0000: the first IPA beyond it faults.
    warning(at(text, '0x7fff_f000'), "predicted stage-2 fault, CLASS=IN at IPA 0x80000000: no map of domain 'vm_s2' covers the output of this map (IPAs 0x7ffff000–0x8000efff)"),
  ]);
});

test('a stage 2 that maps nothing: the placement it picks (IPA 0, then 0x2000 past the buffer at 0x1000) faults, said at the nested line', () => {
  const text = `smmu s { version v3 }
domain empty { stage 2 }
domain e { nested empty; map 0x1000 -> 0x1000 size 4K rw }
`;
  assert.deepEqual(compileScenario(text).diagnostics, [
    warning(at(text, 'empty', 'nested empty'), "predicted stage-2 fault, CLASS=CD at IPA 0x0: no map of domain 'empty' covers the CD of domain 'e'"),
    warning(at(text, 'empty', 'nested empty'), "predicted stage-2 fault, CLASS=TT at IPA 0x2000: no map of domain 'empty' covers the top-level stage-1 table of domain 'e'"),
    warning(at(text, '0x1000', '-> 0x1000'), "predicted stage-2 fault, CLASS=IN at IPA 0x1000: no map of domain 'empty' covers the output of this map (IPAs 0x1000–0x1fff)"),
  ]);
});

test("'cd' and 'tables' are two-word settings: without 'at' a syntax error, and the statement is skipped", () => {
  const text = `${S2}domain g { nested vm_s2; cd 0x4000_0000 }
`;
  assert.deepEqual(compileScenario(text).diagnostics, [error('syntax', at(text, '0x4000_0000', 'cd 0x4000_0000'), "expected 'at' after 'cd': cd at ADDRESS")]);
  const end = `${S2}domain g { nested vm_s2; tables }
`;
  const after = at(end, 'tables', 'tables }').end;
  assert.deepEqual(compileScenario(end).diagnostics, [error('syntax', { start: after, end: after }, "expected 'at' after 'tables': tables at ADDRESS")]);
});
