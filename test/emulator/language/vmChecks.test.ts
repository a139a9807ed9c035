import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Diagnostic, RelatedLocation } from '../../../emulator/language/diagnostics';
import { Range } from '../../../emulator/language/source';
import { compileScenario } from '../../../emulator/scenario/compile';

/*
 * The checker on `vm NAME { stage2 …; fault-queue …; veventq … }` and a domain's `vm`: the VM's
 * stage 2, one VM per stage 2, a guest domain on its own VM's stage 2, and what the kernel's
 * iommufd has (kernel/versions.ts: IOMMU_FAULT_QUEUE_ALLOC from 6.11, IOMMU_VEVENTQ_ALLOC from 6.15).
 */

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

const CONTRACT = `smmu s { version v3 }
domain vm_s2 { stage 2; ias 40; oas 44; vmid 3; map 0x4000_0000 -> 0x8_0000_0000 size 1G rw }
vm guest0 {
  stage2 vm_s2
  fault-queue on
}
domain guest_s1 { nested vm_s2; vm guest0; map 0x1000 -> 0x4000_1000 size 64K rw }
master gpu { stream 0x20; domain guest_s1; can-stall }
handler guest_fault on guest_s1 {
  context workqueue
  map page -> 0x4010_0000 rw
  retry
}
`;

test("the contract's vm checks clean", () => {
  assert.deepEqual(compileScenario(CONTRACT).diagnostics, []);
});

test("a vm's stage2: missing, or a stage-1 domain; two vms on one stage 2", () => {
  const text = `smmu s { version v3 }
domain s2x { stage 2 }
domain plain { }
vm none { fault-queue off }
vm wrong { stage2 plain }
vm first { stage2 s2x }
vm second { stage2 s2x }
`;
  assert.deepEqual(compileScenario(text).diagnostics, [
    error('vm-stage2', at(text, 'none'), "vm 'none' needs 'stage2 DOMAIN': the stage-2 domain that is its IPA space"),
    error('vm-stage2', at(text, 'plain', 'stage2 plain'), "'stage2' names a stage-2 domain, and domain 'plain' is stage 1: write 'stage 2' in it"),
    error('duplicate-vm-stage2', at(text, 's2x', 'second { stage2 s2x'), "domain 's2x' is already the stage 2 of vm 'first' (line 6): a VM's IPA space is its own", [
      { range: at(text, 'stage2 s2x', 'first { stage2 s2x'), message: 'the same stage-2 domain' },
    ]),
  ]);
});

test("a domain's vm: only on a nested domain, and on the vm whose stage 2 it sits on", () => {
  const text = `smmu s { version v3 }
domain a { stage 2; map 0x0 -> 0x8000_0000 size 2M rw }
domain b { stage 2; map 0x0 -> 0x9000_0000 size 2M rw }
vm g0 { stage2 a }
domain flat { vm g0 }
domain g { nested b; vm g0 }
`;
  assert.deepEqual(compileScenario(text).diagnostics, [
    error('vm-not-nested', at(text, 'g0', 'flat { vm g0'), "'vm' gives a nested domain to a VM, and domain 'flat' has no 'nested S2DOMAIN': the guest's stage 1 sits on the VM's stage 2"),
    error('vm-mismatch', at(text, 'g0', 'nested b; vm g0'), "vm 'g0' has stage 2 'a', and domain 'g' is nested on 'b': a guest's stage 1 sits on its own VM's stage 2"),
  ]);
});

test('fault-queue on before 6.11, a veventq before 6.15; veventq is a power of two', () => {
  const old = `kernel 6.6
smmu s { version v3 }
domain a { stage 2 }
vm g0 { stage2 a; fault-queue on; veventq 128 }
`;
  assert.deepEqual(compileScenario(old).diagnostics, [
    error(
      'fault-queue-kernel',
      at(old, 'on', 'fault-queue on'),
      'vm \'g0\' cannot have a fault queue: Linux 6.6 has no IOMMU_FAULT_QUEUE_ALLOC: it came in 6.11, 07838f7fd529 ("iommufd: Add iommufd fault object")',
    ),
    error(
      'veventq-kernel',
      at(old, 'veventq'),
      'vm \'g0\' cannot have a vEVENTQ: Linux 6.6 has no IOMMU_VEVENTQ_ALLOC: it came in 6.15, e36ba5ab808e ("iommufd: Add IOMMUFD_OBJ_VEVENTQ and IOMMUFD_CMD_VEVENTQ_ALLOC") and e7d3fa3d29d5 ("iommu/arm-smmu-v3: Report events that belong to devices attached to vIOMMU")',
    ),
  ]);
  // 6.12 has the fault queue (6.11) but not the vEVENTQ (6.15).
  const mid = old.replace('kernel 6.6', 'kernel 6.12');
  assert.deepEqual(
    compileScenario(mid).diagnostics.map((d) => d.code),
    ['veventq-kernel'],
  );
  const depth = `smmu s { version v3 }
domain a { stage 2 }
vm g0 { stage2 a; veventq 48 }
`;
  assert.deepEqual(compileScenario(depth).diagnostics, [error('bad-value', at(depth, '48'), "'veventq' must be a power of two, not 48")]);
});

test('an unknown vm, and an unknown stage2', () => {
  const text = `smmu s { version v3 }
domain a { stage 2; map 0x0 -> 0x8000_0000 size 2M rw }
vm g0 { stage2 nowhere }
domain g { nested a; vm other }
`;
  assert.deepEqual(compileScenario(text).diagnostics, [
    error('unknown-name', at(text, 'nowhere'), "unknown domain 'nowhere' (domains: a, g)"),
    error('unknown-name', at(text, 'other'), "unknown vm 'other' (vms: g0)"),
  ]);
});
