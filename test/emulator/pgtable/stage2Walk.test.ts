import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { PhysicalMemory } from '../../../emulator/memory/physicalMemory';
import { Access, accessCode, Level, levelSize, Prot } from '../../../emulator/pgtable/descriptor';
import { GRANULE_16K, GRANULE_4K, GRANULE_64K, GRANULES } from '../../../emulator/pgtable/granule';
import { IoPgtable } from '../../../emulator/pgtable/ioPgtable';
import { HotStage2Walker, Stage2TableConfig, Stage2WalkResult, walkStage2 } from '../../../emulator/pgtable/stage2Walker';
import { TableAllocator } from '../../../emulator/pgtable/tableAllocator';
import { HotWalkResult, WALK_ACCESS_FLAG_FAULT, WALK_ADDRESS_SIZE_FAULT, WALK_OK, WALK_PERMISSION_FAULT, WALK_TRANSLATION_FAULT } from '../../../emulator/pgtable/walker';

const STATUS_OF_KIND: Record<string, number> = {
  success: WALK_OK,
  translation: WALK_TRANSLATION_FAULT,
  'address-size': WALK_ADDRESS_SIZE_FAULT,
  'access-flag': WALK_ACCESS_FLAG_FAULT,
  permission: WALK_PERMISSION_FAULT,
};

const READ: Access = { write: false, exec: false, priv: false };
const WRITE: Access = { write: true, exec: false, priv: false };
const FETCH: Access = { write: false, exec: true, priv: false };
const PRIV = (access: Access): Access => ({ ...access, priv: true });

/** Both stage-2 walkers on one IPA: they must agree; the describing result is returned. */
function walkBoth(memory: PhysicalMemory, config: Stage2TableConfig, ipa: bigint, access: Access, hot = new HotStage2Walker(memory, config)): Stage2WalkResult {
  const described = walkStage2(memory, config, ipa, access);
  const out = new HotWalkResult();
  const status = hot.walk(Number(ipa >> 12n), accessCode(access), out);
  const outcome = described.outcome;
  const text = `IPA 0x${ipa.toString(16)}`;
  assert.equal(status, STATUS_OF_KIND[outcome.kind], `${text}: hot status for ${outcome.kind}`);
  assert.equal(out.level, outcome.level, `${text}: level`);
  const leaf = described.steps[described.steps.length - 1];
  if (outcome.kind === 'success' || outcome.kind === 'permission' || outcome.kind === 'access-flag') {
    assert.ok(leaf !== undefined);
    assert.deepEqual([out.lo, out.hi, out.descriptorAddress], [leaf.lo, leaf.hi, Number(leaf.descriptorAddress)], `${text}: leaf`);
    const size = BigInt(levelSize(leaf.level, described.granule));
    assert.equal(BigInt(out.outputPage) * 4096n + (ipa & 0xfffn), (leaf.descriptor.outputAddress & ~(size - 1n)) + (ipa % size), `${text}: output address`);
  }
  if (outcome.kind === 'success') {
    assert.equal(out.permissions, outcome.permissions, `${text}: permissions`);
    assert.equal(BigInt(out.pages) * 4096n, outcome.size, `${text}: pages`);
  }
  return described;
}

function fault(result: Stage2WalkResult): [string, number, string] | 'success' {
  const outcome = result.outcome;
  return outcome.kind === 'success' ? 'success' : [outcome.kind, outcome.level, outcome.reason];
}

/**
 * A hand-built 4K stage 2, ias 40 oas 40: two concatenated level-1 tables at 0x100000
 * (D8.2.2; Table D8-22: T0SZ 24, 2 tables, SL0 0b01), IPA 0x80_4020_3123 → L1[513] (the
 * second table's entry 1, at 0x101008) → L2 table 0x200000, L2[1] → L3 table 0x300000,
 * L3[3] (0x300018) → page 0x12_3456_7000.
 */
const ROOT = 0x10_0000;
const IPA = 0x80_4020_3123n;
const LEAF_ADDRESS = 0x30_0018;
const CONFIG: Stage2TableConfig = { root: ROOT, startLevel: 1, ias: 40, oas: 40, granule: GRANULE_4K };

function handBuilt(leafLo = 0x3456_77ff, leafHi = 0x12): PhysicalMemory {
  const memory = new PhysicalMemory();
  memory.writeDescriptor(0x10_1008, 0x20_0003, 0);
  memory.writeDescriptor(0x20_0008, 0x30_0003, 0);
  // page | AF | SH inner | S2AP rw | MemAttr 0xf: 0x7ff, as io-pgtable-arm writes IOMMU_READ|WRITE|CACHE.
  memory.writeDescriptor(LEAF_ADDRESS, leafLo, leafHi);
  return memory;
}

test('a 4K stage-2 walk through two concatenated level-1 tables (D8.2.2, Table D8-25 stage 2: SL0==1, x = 37 - T0SZ)', () => {
  const result = walkBoth(handBuilt(), CONFIG, IPA, WRITE);
  assert.deepEqual(
    result.steps.map((s) => [s.level, s.index, Number(s.tableAddress), Number(s.descriptorAddress)]),
    [
      [1, 513, 0x10_0000, 0x10_1008],
      [2, 1, 0x20_0000, 0x20_0008],
      [3, 3, 0x30_0000, 0x30_0018],
    ],
  );
  assert.equal(result.steps[2]?.descriptor.text, 'page → 0x1234567000 S2AP=rw MemAttr=0xf (Normal WB) XN=0 SH=inner AF');
  assert.equal(result.steps[0]?.descriptor.text, 'table → 0x200000');
  const outcome = result.outcome;
  assert.ok(outcome.kind === 'success');
  assert.deepEqual([outcome.pa, outcome.level, outcome.size, outcome.memAttr, outcome.memory], [0x12_3456_7123n, 3, 4096n, 0xf, 'Normal WB']);
  assert.equal(outcome.permissionsText, 'priv rwx, unpriv rwx');
});

test('S2AP gives privileged and unprivileged data accesses the same permission (Table D8-76, I HXWLL)', () => {
  const names = ['none', 'ro', 'wo', 'rw'];
  for (let s2ap = 0; s2ap < 4; s2ap++) {
    const memory = handBuilt(((0x3456_77ff & ~0xc0) | (s2ap << 6)) >>> 0);
    for (const access of [READ, WRITE, PRIV(READ), PRIV(WRITE)]) {
      const allowed = access.write ? (s2ap & 2) !== 0 : (s2ap & 1) !== 0;
      const outcome = walkBoth(memory, CONFIG, IPA, access).outcome;
      assert.equal(outcome.kind, allowed ? 'success' : 'permission', `S2AP=${names[s2ap]} ${access.write ? 'write' : 'read'} priv=${access.priv}`);
    }
  }
  assert.deepEqual(fault(walkStage2(handBuilt(0x3456_773f), CONFIG, IPA, WRITE)), ['permission', 3, 'write to a stage-2 page with no data access (S2AP=00)']);
  assert.deepEqual(fault(walkStage2(handBuilt(0x3456_777f), CONFIG, IPA, WRITE)), ['permission', 3, 'write to a stage-2 read-only page (S2AP=01)']);
  assert.deepEqual(fault(walkStage2(handBuilt(0x3456_77bf), CONFIG, IPA, READ)), ['permission', 3, 'read of a stage-2 write-only page (S2AP=10)']);
});

test('XN[1:0] with FEAT_XNX (Table D8-78) and XN alone without it (Table D8-77)', () => {
  // [XN[1:0], privileged fetch allowed, unprivileged fetch allowed] with FEAT_XNX.
  const xnx: [number, boolean, boolean][] = [
    [0b00, true, true],
    [0b01, false, true],
    [0b10, false, false],
    [0b11, true, false],
  ];
  for (const [xn, priv, unpriv] of xnx) {
    const memory = handBuilt(0x3456_77ff, 0x12 | (xn << 21));
    assert.equal(walkBoth(memory, CONFIG, IPA, PRIV(FETCH)).outcome.kind, priv ? 'success' : 'permission', `XN=${xn} priv`);
    assert.equal(walkBoth(memory, CONFIG, IPA, FETCH).outcome.kind, unpriv ? 'success' : 'permission', `XN=${xn} unpriv`);
    // Without FEAT_XNX bit 54 alone decides (bit 53 is RES0), for EL1 and EL0 alike.
    const plain = { ...CONFIG, xnx: false };
    for (const access of [FETCH, PRIV(FETCH)]) assert.equal(walkBoth(memory, plain, IPA, access).outcome.kind, xn & 2 ? 'permission' : 'success');
    // XN never stops a data access (D8.4.4 R WRCYB).
    assert.equal(walkBoth(memory, CONFIG, IPA, WRITE).outcome.kind, 'success');
  }
  // io-pgtable-arm's IOMMU_NOEXEC writes ARM_LPAE_PTE_XN, bits 54 and 53: with FEAT_XNX that is 0b11, not executable at EL0 only.
  const noexec = handBuilt(0x3456_77ff, 0x12 | (3 << 21));
  assert.deepEqual(fault(walkStage2(noexec, CONFIG, IPA, FETCH)), ['permission', 3, 'unprivileged instruction fetch from a stage-2 page not executable at EL0 (XN=0b11)']);
  assert.equal(walkStage2(noexec, CONFIG, IPA, PRIV(FETCH)).outcome.kind, 'success');
  assert.deepEqual(fault(walkStage2(noexec, { ...CONFIG, xnx: false }, IPA, PRIV(FETCH))), ['permission', 3, 'instruction fetch from a stage-2 execute-never page (XN=1)']);
});

test('stage-2 faults in D8.15.5 order: translation, address size, access flag, permission', () => {
  // IPA beyond 2^40: a level 0 Translation fault whatever SL0 says (D8.2.8.2).
  assert.deepEqual(fault(walkBoth(handBuilt(), CONFIG, 1n << 40n, READ)), ['translation', 0, 'IPA 0x10000000000 is beyond the 40-bit stage-2 input range']);
  // The first concatenated table's entry 513 - 512 = 1 is not the second table's: L1[1] at 0x100008 is empty.
  assert.deepEqual(fault(walkBoth(handBuilt(), CONFIG, 0x4020_3123n, READ)), ['translation', 1, 'L1[1] is invalid']);
  // A leaf beyond the 40-bit output range, with AF clear and no permission: address size first.
  assert.deepEqual(fault(walkBoth(handBuilt(0x3456_7003, 0x100), CONFIG, IPA, WRITE)), ['address-size', 3, 'L3[3] output address 0x10034567000 is beyond the 40-bit output range']);
  // AF clear, S2AP none: the access flag before the permission.
  assert.deepEqual(fault(walkBoth(handBuilt(0x3456_7003), CONFIG, IPA, WRITE)), ['access-flag', 3, 'L3[3] has AF=0']);
  // A table beyond the output range.
  const memory = handBuilt();
  memory.writeDescriptor(0x20_0008, 0x30_0003, 0x100);
  assert.deepEqual(fault(walkBoth(memory, CONFIG, IPA, READ)), ['address-size', 2, 'L2[1] table address 0x10000300000 is beyond the 40-bit output range']);
  // Bits [62:59] of a stage-2 table descriptor are no APTable/XNTable (Table D8-51): ignored by the walk.
  const attributes = handBuilt();
  attributes.writeDescriptor(0x10_1008, 0x20_0003, 0x7800_0000);
  assert.equal(walkBoth(attributes, CONFIG, IPA, WRITE).outcome.kind, 'success');
});

test('16K and 64K stage-2 walks from their SL0 start levels (Tables D8-31, D8-38..40, D8-34, D8-42)', () => {
  // 16K ias 48: level 1, two tables (R DXBSH): IPA 0xc000_0000_4000 → L1[0xc00] (IPA >> 36, 12 bits) → L2 → L3.
  const memory = new PhysicalMemory();
  const pgtable16 = new IoPgtable(memory, new TableAllocator(memory), { ias: 48, oas: 48, granule: GRANULE_16K, stage: 2 });
  assert.deepEqual([pgtable16.startLevel, pgtable16.rootEntries, pgtable16.root % 0x8000], [1, 4096, 0]);
  const protRw: Prot = { read: true, write: true, noexec: false, priv: false, noaf: false, memory: 'cached' };
  assert.ok(pgtable16.map(0xc000_0000_4000n, 0x8000_4000n, 0x4000n, protRw).ok);
  const walked16 = walkBoth(memory, pgtable16.stage2Config(), 0xc000_0000_4abcn, READ);
  assert.deepEqual(walked16.steps.map((s) => [s.level, s.index]), [[1, 0xc00], [2, 0], [3, 1]]);
  assert.equal(walked16.outcome.kind === 'success' && walked16.outcome.pa, 0x8000_4abcn);
  // 64K ias 42: level 2, a full 8192-entry table; a 512M block at L2[0x1ff].
  const pgtable64 = new IoPgtable(memory, new TableAllocator(memory, { base: 0x8000_0000 }), { ias: 42, oas: 42, granule: GRANULE_64K, stage: 2 });
  assert.deepEqual([pgtable64.startLevel, pgtable64.rootEntries, pgtable64.rootBytes], [2, 8192, 65536]);
  assert.ok(pgtable64.map(0x3f_e000_0000n, 0x2_0000_0000n, 0x2000_0000n, protRw).ok);
  const walked64 = walkBoth(memory, pgtable64.stage2Config(), 0x3f_e123_4567n, READ);
  assert.deepEqual(walked64.steps.map((s) => [s.level, s.index, s.descriptor.type]), [[2, 0x1ff, 'block']]);
  assert.equal(walked64.outcome.kind === 'success' && walked64.outcome.pa, 0x2_0123_4567n);
});

test('the hot stage-2 walker agrees with walkStage2 on random tables', () => {
  const prot = fc.record({
    read: fc.boolean(),
    write: fc.boolean(),
    noexec: fc.boolean(),
    priv: fc.constant(false),
    noaf: fc.boolean(),
    memory: fc.constantFrom<Prot['memory'][]>('cached', 'noncached', 'device'),
  });
  const access = fc.record({ write: fc.boolean(), exec: fc.boolean(), priv: fc.boolean() });
  fc.assert(
    fc.property(
      fc.constantFrom(...Object.values(GRANULES)),
      // ias ≤ oas, as the SMMU drivers configure stage 2 (a 4K ias 44 over oas 40 would need 32 concatenated tables).
      fc.integer({ min: 32, max: 48 }).chain((ias) => fc.tuple(fc.constant(ias), fc.constantFrom(...[40, 42, 44, 48].filter((oas) => oas >= ias)))),
      fc.constantFrom<('mandatory' | 'level0')[]>('mandatory', 'level0'),
      fc.boolean(),
      fc.array(fc.tuple(fc.bigInt({ min: 0n, max: (1n << 20n) - 1n }), fc.integer({ min: 1, max: 600 }), prot), { minLength: 1, maxLength: 6 }),
      fc.array(fc.tuple(fc.bigInt({ min: 0n, max: (1n << 48n) - 1n }), access), { minLength: 1, maxLength: 20 }),
      (granule, [ias, oas], concatenation, xnx, maps, probes) => {
        const memory = new PhysicalMemory();
        const pgtable = new IoPgtable(memory, new TableAllocator(memory), { ias, oas, granule, stage: 2, concatenation });
        const page = BigInt(granule.bytes);
        const top = 1n << BigInt(ias);
        const ipas: bigint[] = [];
        for (const [slot, pages, p] of maps) {
          const ipa = ((slot * 0x20_0000n * 97n) % top) & ~(page - 1n);
          const size = BigInt(pages) * page;
          if (ipa + size > top || !(p.read || p.write)) continue;
          pgtable.map(ipa, (ipa * 3n) % (1n << 40n) & ~(page - 1n), size, p);
          ipas.push(ipa, ipa + size - 1n);
        }
        const config = pgtable.stage2Config(xnx);
        const hot = new HotStage2Walker(memory, config, 8);
        for (const [raw, a] of probes) {
          const near = ipas.length > 0 && raw % 2n === 0n ? (ipas[Number(raw % BigInt(ipas.length))] as bigint) : raw % (top * 2n);
          walkBoth(memory, config, near, a, hot);
        }
      },
    ),
    { numRuns: 150 },
  );
});

test('walkStage2 refuses a VTTBR not aligned to its concatenated tables (D8.2.2 I YXFPJ) and an inconsistent SL0', () => {
  assert.throws(() => walkStage2(new PhysicalMemory(), { ...CONFIG, root: 0x10_1000 }, 0n), /stage-2 table base 0x101000 is not aligned to its 8192-byte table/);
  assert.throws(() => walkStage2(new PhysicalMemory(), { ...CONFIG, startLevel: 3 as Level }, 0n), /cannot start at level 3 without FEAT_TTST/);
});
