import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GRANULE_4K, GRANULE_64K } from '../../../emulator/pgtable/granule';
import { compileScenario } from '../../../emulator/scenario/compile';
import { cdTableBytes, firstUnmappedIpa, guestPlacement } from '../../../emulator/scenario/guestPlacement';
import { DomainModel, ScenarioModel } from '../../../emulator/scenario/model';

/*
 * The contract's three examples (translation-regimes.md "Stage 2", "Nesting (SMMUv3)", "A guest
 * owns the device") elaborated to the model, and the one rule that places a guest's CD and
 * top-level table in IPA space where a scenario leaves them out.
 */

function modelOf(text: string): ScenarioModel {
  const compiled = compileScenario(text);
  assert.deepEqual(compiled.diagnostics.filter((d) => d.severity === 'error'), []);
  const model = compiled.model;
  assert.ok(model);
  return model;
}

/** The stage and nesting fields of a domain. */
function nesting(domain: DomainModel | undefined): Pick<DomainModel, 'name' | 'stage' | 'vmid' | 'nested' | 'cdAt' | 'tablesAt' | 'vm'> | undefined {
  if (!domain) return undefined;
  const { name, stage, vmid, nested, cdAt, tablesAt, vm } = domain;
  return { name, stage, vmid, nested, cdAt, tablesAt, vm };
}

const STAGE2 = `smmu s { version v3 }
domain vm_s2 {
  stage 2              // stage-2 only: IPA -> PA (v2 CBAR.TYPE=0 with a VMID; v3 STE.Config=0b110)
  ias 40; oas 44
  vmid 3
  map 0x4000_0000 -> 0x8_0000_0000 size 1G rw
}
`;

test("'Stage 2': a stage-2 domain with its VMID, sizes and map", () => {
  const model = modelOf(STAGE2);
  const [s2] = model.domains;
  assert.deepEqual(nesting(s2), { name: 'vm_s2', stage: 2, vmid: 3, nested: undefined, cdAt: undefined, tablesAt: undefined, vm: undefined });
  assert.equal(s2?.ias, 40);
  assert.equal(s2?.oas, 44);
  assert.deepEqual(
    s2?.maps.map((m) => [m.iova, m.pa, m.size]),
    [[0x4000_0000n, 0x8_0000_0000n, 0x4000_0000n]],
  );
  assert.deepEqual(model.vms, []);
});

test("'Nesting (SMMUv3)': a guest stage 1 on vm_s2, its CD and table placed by guestPlacement", () => {
  const model = modelOf(`${STAGE2}domain guest_s1 {
  nested vm_s2          // STE.Config=0b111: stage 1 (this domain) then stage 2 (vm_s2)
  map 0x1000 -> 0x4000_1000 size 64K rw      // IOVA -> IPA; its tables live at IPAs too
}
master nic { stream 0x10; domain guest_s1; can-stall }
`);
  // The CD at the first IPA vm_s2 maps (0x4000_0000); the table on the first 4K page after it
  // that the guest's own buffers (IPAs 0x4000_1000–0x4001_0fff) leave free: 0x4001_1000.
  assert.deepEqual(nesting(model.domains[1]), { name: 'guest_s1', stage: 1, vmid: undefined, nested: 0, cdAt: 0x4000_0000n, tablesAt: 0x4001_1000n, vm: undefined });
  assert.deepEqual(
    model.domains[1]?.maps.map((m) => [m.iova, m.pa, m.size]),
    [[0x1000n, 0x4000_1000n, 0x1_0000n]],
  );
});

test("'A guest owns the device': the vm, the nested domain's vm by default and as written", () => {
  const vm = `vm guest0 {
  stage2 vm_s2          // the VM's IPA space (an iommufd HWPT_PAGING)
  fault-queue on        // IOMMU_FAULT_QUEUE_ALLOC: recoverable stage-1 faults go to the VMM
}
master gpu { stream 0x20; domain guest_s1; can-stall }
handler guest_fault on guest_s1 {            // runs in the guest kernel
  context workqueue
  map page -> 0x4010_0000 rw
  retry
}
`;
  const written = modelOf(`${STAGE2}${vm}domain guest_s1 { nested vm_s2; vm guest0; fault stall; map 0x1000 -> 0x4000_1000 size 64K rw }\n`);
  assert.deepEqual(written.vms, [{ name: 'guest0', stage2: 0, faultQueue: true, veventqDepth: 64 }]);
  assert.deepEqual(nesting(written.domains[1]), { name: 'guest_s1', stage: 1, vmid: undefined, nested: 0, cdAt: 0x4000_0000n, tablesAt: 0x4001_1000n, vm: 0 });
  // Without `vm`: the one vm whose stage2 is vm_s2.
  const defaulted = modelOf(`${STAGE2}${vm}domain guest_s1 { nested vm_s2; map 0x1000 -> 0x4000_1000 size 64K rw }\n`);
  assert.equal(defaulted.domains[1]?.vm, 0);
  // The two-word settings as the contract's one-line form writes them.
  const placed = modelOf(`${STAGE2}${vm}domain guest_s1 { nested vm_s2; cd at 0x4000_0000; tables at 0x4000_2000; vm guest0; map 0x1000 -> 0x4000_1000 size 64K rw }\n`);
  assert.deepEqual(nesting(placed.domains[1]), { name: 'guest_s1', stage: 1, vmid: undefined, nested: 0, cdAt: 0x4000_0000n, tablesAt: 0x4000_2000n, vm: 0 });
  assert.equal(modelOf(`${STAGE2}vm g { stage2 vm_s2; veventq 8 }\n`).vms[0]?.veventqDepth, 8);
});

test('guestPlacement: the lowest mapped IPA for the CD, the next page after the CD table for the tables, aligned', () => {
  const maps = [
    { iova: 0x8000_0000n, size: 0x20_0000n },
    { iova: 0x4000_0000n, size: 0x10_0000n },
  ];
  assert.deepEqual(guestPlacement({ stage2Maps: maps, avoid: [], stage2Granule: GRANULE_4K, cdBytes: cdTableBytes(0), rootBytes: 0x1000n }), { cdAt: 0x4000_0000n, tablesAt: 0x4000_1000n });
  // 2^8 CDs of 64 bytes: a 16 KiB table (aligned to its size, Arm SMMUv3 5.2 S1Fmt), the tables after it.
  assert.equal(cdTableBytes(8), 0x4000n);
  assert.deepEqual(guestPlacement({ stage2Maps: maps, avoid: [], stage2Granule: GRANULE_4K, cdBytes: cdTableBytes(8), rootBytes: 0x1000n }), { cdAt: 0x4000_0000n, tablesAt: 0x4000_4000n });
  // A 64K stage-2 granule: the CD's page is 64K, the tables start on the next.
  assert.deepEqual(guestPlacement({ stage2Maps: maps, avoid: [], stage2Granule: GRANULE_64K, cdBytes: cdTableBytes(0), rootBytes: 0x1000n }), { cdAt: 0x4000_0000n, tablesAt: 0x4001_0000n });
  // What is written stays; the tables follow a written CD.
  assert.deepEqual(guestPlacement({ stage2Maps: maps, avoid: [], stage2Granule: GRANULE_4K, cdBytes: 64n, rootBytes: 0x1000n, cdAt: 0x8000_0040n }), { cdAt: 0x8000_0040n, tablesAt: 0x8000_1000n });
  assert.deepEqual(guestPlacement({ stage2Maps: maps, avoid: [], stage2Granule: GRANULE_4K, cdBytes: 64n, rootBytes: 0x1000n, tablesAt: 0x8000_8000n }), { cdAt: 0x4000_0000n, tablesAt: 0x8000_8000n });
  // The guest's buffers are never its tables: the contract's guest maps 0x4000_1000 + 64K, so the tables go above them.
  assert.deepEqual(guestPlacement({ stage2Maps: maps, avoid: [{ iova: 0x4000_1000n, size: 0x1_0000n }], stage2Granule: GRANULE_4K, cdBytes: 64n, rootBytes: 0x1000n }), { cdAt: 0x4000_0000n, tablesAt: 0x4001_1000n });
  // Nothing mapped: IPA 0, where the CD fetch faults.
  assert.deepEqual(guestPlacement({ stage2Maps: [], avoid: [], stage2Granule: GRANULE_4K, cdBytes: 64n, rootBytes: 0x1000n }), { cdAt: 0n, tablesAt: 0x1000n });
});

test('firstUnmappedIpa: the first IPA of a range no stage-2 map covers, across adjacent maps', () => {
  const maps = [
    { iova: 0x2000n, size: 0x1000n },
    { iova: 0x1000n, size: 0x1000n },
    { iova: 0x5000n, size: 0x1000n },
  ];
  assert.equal(firstUnmappedIpa(0x1000n, 0x2000n, maps), undefined);
  assert.equal(firstUnmappedIpa(0x1800n, 0x2000n, maps), 0x3000n);
  assert.equal(firstUnmappedIpa(0x0n, 0x40n, maps), 0x0n);
  assert.equal(firstUnmappedIpa(0x5000n, 0x2000n, maps), 0x6000n);
});
