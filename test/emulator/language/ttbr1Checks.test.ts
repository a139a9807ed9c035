import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Diagnostic, RelatedLocation } from '../../../emulator/language/diagnostics';
import { Range } from '../../../emulator/language/source';
import { compileScenario } from '../../../emulator/scenario/compile';

/*
 * The checker on `ttbr1 on`, `pagetable NAME on DOMAIN` and `submit N pagetable NAME`: every
 * diagnostic of theirs, exact, with its range.
 */

/** The range of `needle` in `text`, found inside `context` (which must occur once). */
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

const ADRENO = `kernel 6.12
smmu kgsl { version v2; impl qcom-adreno }
domain gpu_dom {
  ttbr1 on
  map 0xffff_ffff_f000_0000 -> 0x8000_0000 size 1M rw
  map 0x1_0000_0000 -> 0x8100_0000 size 64K rw
}
pagetable proc7 on gpu_dom {
  asid 2
  map 0x1_0000_0000 -> 0x9000_0000 size 64K rw
}
master gpu { stream 0x0; domain gpu_dom }
engine gpu.cp {
  submit 7 pagetable proc7 { read 0x1_0000_0000 64 as mine }
}
`;

test('the contract scenario checks clean', () => {
  assert.deepEqual(compileScenario(ADRENO).diagnostics, []);
});

test('ttbr1 on an SMMUv3 domain: arm-smmu-v3 has no TTBR1 quirk; a pagetable there names the version', () => {
  const text = `smmu s { version v3 }
domain d { ttbr1 on }
pagetable p on d { }
`;
  assert.deepEqual(compileScenario(text).diagnostics, [
    error(
      'version-mismatch',
      at(text, 'ttbr1', 'ttbr1 on'),
      "'ttbr1' is io-pgtable's IO_PGTABLE_QUIRK_ARM_TTBR1, which arm-smmu (SMMUv2, Adreno's set_ttbr0_cfg) uses; domain 'd' is on an SMMUv3, whose arm-smmu-v3 driver has no TTBR1 quirk (its CDs carry TTB0 only)",
    ),
    error(
      'pagetable-version',
      at(text, 'd', 'on d {'),
      "pagetable 'p' is on domain 'd' of smmu 's', an SMMUv3: per-process TTBR0 tables are Adreno's (arm-smmu's set_ttbr0_cfg on an SMMUv2); arm-smmu-v3 has no TTBR1 quirk",
    ),
  ]);
});

test('a TTBR1 map outside the top 2^ias bytes; a TTBR1 address in a domain without ttbr1 and in a pagetable', () => {
  const text = `kernel 6.12
smmu kgsl { version v2; impl qcom-adreno }
domain gpu_dom {
  ttbr1 on
  ias 39
  map 0xffff_ff00_0000_0000 -> 0x8000_0000 size 4K rw
}
domain other { map 0xffff_ffff_f000_0000 -> 0x8000_0000 size 4K rw }
pagetable p on gpu_dom { map 0xffff_ffff_f000_0000 -> 0x9000_0000 size 4K rw }
`;
  assert.deepEqual(compileScenario(text).diagnostics, [
    error('map-range', at(text, '0xffff_ff00_0000_0000'), 'IOVA range 0xffffff0000000000–0xffffff0000000fff is not in the TTBR1 range 0xffffff8000000000–0xffffffffffffffff (the top 2^39 bytes: T1SZ = 25)'),
    error(
      'map-range',
      at(text, '0xffff_ffff_f000_0000', 'other { map 0xffff_ffff_f000_0000'),
      "IOVA range 0xfffffffff0000000–0xfffffffff0000fff goes beyond the 48-bit input range (ias 48): a TTBR1 address, and the domain has no 'ttbr1 on'",
    ),
    error(
      'map-range',
      at(text, '0xffff_ffff_f000_0000', '0xffff_ffff_f000_0000 -> 0x9000_0000'),
      "IOVA range 0xfffffffff0000000–0xfffffffff0000fff goes beyond the 39-bit input range (ias 39): a TTBR1 address, and a pagetable is a TTBR0 table (TTBR1 maps are its domain's)",
    ),
  ]);
});

test('a pagetable on a domain without ttbr1, on a plain arm-smmu, on an unknown domain', () => {
  const text = `smmu kgsl { version v2; impl qcom-adreno }
smmu plain { version v2 }
domain other { smmu kgsl }
domain arm_dom { smmu plain; ttbr1 on }
pagetable p1 on other { }
pagetable p2 on arm_dom { }
pagetable p3 on nowhere { }
`;
  assert.deepEqual(compileScenario(text).diagnostics, [
    error(
      'pagetable-no-ttbr1',
      at(text, 'other', 'p1 on other'),
      "pagetable 'p1' is on domain 'other', which has no 'ttbr1 on': per-process TTBR0 tables need the domain's globals in TTBR1 (msm_iommu_pagetable_create needs adreno_smmu_priv's set_ttbr0_cfg, which qcom gives a TTBR1 domain)",
    ),
    error(
      'pagetable-impl',
      at(text, 'arm_dom', 'p2 on arm_dom'),
      "pagetable 'p2' is on domain 'arm_dom' of smmu 'plain', which is not 'impl qcom-adreno': only qcom's Adreno SMMU gives drm/msm set_ttbr0_cfg for per-process tables",
    ),
    error('unknown-name', at(text, 'nowhere'), "unknown domain 'nowhere' (domains: other, arm_dom)"),
  ]);
});

test('submit … pagetable: an unknown pagetable; one of another domain than the master\'s', () => {
  const text = `${ADRENO}domain disp_dom { smmu kgsl; map 0x1000 -> 0x8000_0000 size 4K rw }
master disp { stream 0x1; domain disp_dom }
engine disp.mdp { submit 1 pagetable proc7 { read 0x1000 4 } }
engine gpu.tp { submit 2 pagetable proc9 { read 0x1_0000_0000 4 } }
`;
  assert.deepEqual(compileScenario(text).diagnostics, [
    error(
      'submit-pagetable-domain',
      at(text, 'proc7', 'submit 1 pagetable proc7'),
      "pagetable 'proc7' is a table of domain 'gpu_dom', but master 'disp' is attached to domain 'disp_dom': the CP can only switch the TTBR0 of its own context bank",
      [{ range: at(text, 'gpu_dom', 'proc7 on gpu_dom'), message: "the pagetable's domain" }],
    ),
    {
      ...error('unknown-name', at(text, 'proc9'), "unknown pagetable 'proc9' (pagetables: proc7); did you mean 'proc7'?"),
      fix: { title: "Change to 'proc7'", edits: [{ range: at(text, 'proc9'), newText: 'proc7' }] },
    },
  ]);
});

test('the model: TTBR1 maps apart, the pagetable with its ASID, the submit naming it', () => {
  const model = compileScenario(ADRENO).model;
  assert.ok(model);
  const [domain] = model.domains;
  assert.deepEqual(
    [domain?.ttbr1, domain?.maps.map((m) => m.iova), domain?.ttbr1Maps.map((m) => m.iova)],
    [true, [0x1_0000_0000n], [0xffff_ffff_f000_0000n]],
  );
  assert.deepEqual(
    model.pagetables.map((p) => [p.name, p.domain, p.asid, p.maps.map((m) => m.pa)]),
    [['proc7', 0, 2, [0x9000_0000n]]],
  );
  const submit = model.engines[0]?.program[0];
  assert.deepEqual(submit?.op === 'submit' ? [submit.id, submit.pagetable] : undefined, [7n, 0]);
});
