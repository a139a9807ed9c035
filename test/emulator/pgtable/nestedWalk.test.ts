import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { PhysicalMemory } from '../../../emulator/memory/physicalMemory';
import { Access, Prot } from '../../../emulator/pgtable/descriptor';
import { GRANULE_4K } from '../../../emulator/pgtable/granule';
import { IoPgtable } from '../../../emulator/pgtable/ioPgtable';
import { NestedWalkResult, translateIpa, walkNested } from '../../../emulator/pgtable/nestedWalker';
import { TableAllocator } from '../../../emulator/pgtable/tableAllocator';
import { TableConfig, walk } from '../../../emulator/pgtable/walker';

const READ: Access = { write: false, exec: false, priv: false };
const WRITE: Access = { write: true, exec: false, priv: false };

const prot = (flags: string, extra: Partial<Prot> = {}): Prot => ({
  read: flags.includes('r'),
  write: flags.includes('w'),
  noexec: !flags.includes('x'),
  priv: false,
  noaf: false,
  memory: 'cached',
  ...extra,
});

/**
 * The VM: a 4K stage 2, ias 48 oas 48 (level 0, four levels, no concatenation: 4K with
 * oas 48 need not), mapping IPA 0x4000_0000 + 2M → PA 0x8_0000_0000 in 4K pages, so
 * every IPA in it takes four reads (L0[0], L1[1], L2[0], L3[n]).
 *
 * The guest's stage 1 (4K, ias 48: four levels) has its tables at IPAs 0x4000_0000 (L0),
 * 0x4000_1000 (L1), 0x4000_2000 (L2), 0x4000_3000 (L3). IOVA 0x80_4020_3123 takes
 * L0[1], L1[1], L2[1], L3[3] → page IPA 0x4010_0000.
 */
const VM_PA = 0x8_0000_0000;
const VM_IPA = 0x4000_0000;
const IOVA = 0x80_4020_3123n;
const S1: TableConfig = { root: 0x4000_0000, startLevel: 0, ias: 48, oas: 48, granule: GRANULE_4K };
/** Stage-1 page: valid | page | AttrIndx 1 | AP[1] | SH inner | AF | nG — io-pgtable-arm's IOMMU_READ|WRITE|CACHE. */
const S1_PAGE_RW = 0xf47;

function vm(): { memory: PhysicalMemory; s2: IoPgtable; atIpa: (ipa: number, lo: number, hi?: number) => void } {
  const memory = new PhysicalMemory();
  const s2 = new IoPgtable(memory, new TableAllocator(memory, { base: 0x1_0000_0000 }), { ias: 48, oas: 48, stage: 2 });
  assert.ok(s2.map(BigInt(VM_IPA), BigInt(VM_PA), 0x20_0000n, prot('rwx'), 0x1000n).ok);
  const atIpa = (ipa: number, lo: number, hi = 0): void => memory.writeDescriptor(ipa - VM_IPA + VM_PA, lo, hi);
  atIpa(0x4000_0008, 0x4000_1003);
  atIpa(0x4000_1008, 0x4000_2003);
  atIpa(0x4000_2008, 0x4000_3003);
  atIpa(0x4000_3018, 0x4010_0000 | S1_PAGE_RW);
  return { memory, s2, atIpa };
}

function nestedFault(result: NestedWalkResult): unknown {
  const o = result.outcome;
  return o.kind === 'success' ? 'success' : { kind: o.kind, stage: o.stage, class: o.class, level: o.level, ipa: o.ipa, reason: o.reason, reads: result.reads };
}

test('a nested walk: every stage-1 table fetch through stage 2, then the output — 24 reads (D8.2, SMMUv3 3.3.x)', () => {
  const { memory, s2 } = vm();
  const result = walkNested(memory, S1, s2.stage2Config(), IOVA, WRITE);
  assert.equal(result.reads, 24);
  assert.deepEqual(
    result.tableFetches.map((f) => [f.level, f.ipa, f.stage2.steps.map((s) => s.level), f.stage2.outcome.kind === 'success' && f.stage2.outcome.pa]),
    [
      [0, 0x4000_0008n, [0, 1, 2, 3], 0x8_0000_0008n],
      [1, 0x4000_1008n, [0, 1, 2, 3], 0x8_0000_1008n],
      [2, 0x4000_2008n, [0, 1, 2, 3], 0x8_0000_2008n],
      [3, 0x4000_3018n, [0, 1, 2, 3], 0x8_0000_3018n],
    ],
  );
  // Stage 1's steps are at IPAs.
  assert.deepEqual(result.stage1.steps.map((s) => s.descriptorAddress), [0x4000_0008n, 0x4000_1008n, 0x4000_2008n, 0x4000_3018n]);
  assert.deepEqual(result.output?.steps.map((s) => [s.level, s.index]), [[0, 0], [1, 1], [2, 0], [3, 0x100]]);
  const o = result.outcome;
  assert.ok(o.kind === 'success');
  assert.deepEqual([o.pa, o.ipa, o.level, o.s2Level, o.size], [0x8_0010_0123n, 0x4010_0123n, 3, 3, 0x1000n]);
  // Stage 1 AP[2:1]=01 (rw, EL0 too) and stage 2 rwx: priv rw- (no PrivExecute on an EL0-writable page), unpriv rwx.
  assert.equal(o.permissionsText, 'priv rw-, unpriv rwx');
});

test('a stage-2 fault on the L0 table fetch: stage 2, CLASS=TT, the descriptor IPA, stage 2\'s level', () => {
  const { memory, s2 } = vm();
  // The guest's root at IPA 0x5000_0000, which the VM does not map: stage 2 has no L2[128].
  const result = walkNested(memory, { ...S1, root: 0x5000_0000 }, s2.stage2Config(), IOVA, READ);
  assert.deepEqual(nestedFault(result), {
    kind: 'translation',
    stage: 2,
    class: 'TT',
    level: 2,
    ipa: 0x5000_0008n,
    reason: 'stage 2 fault on the L0 table fetch at IPA 0x50000008: L2[128] is invalid',
    reads: 3,
  });
  assert.deepEqual(result.stage1.steps, []);
});

test('stage-2 faults on the L2 table fetch: an unmapped IPA (level 2), a hole (level 3), a write-only page (permission)', () => {
  const { memory, s2, atIpa } = vm();
  atIpa(0x4000_1008, 0x4020_0003); // L1[1] → an L2 table at IPA 0x4020_0000, beyond the VM's 2M
  assert.deepEqual(nestedFault(walkNested(memory, S1, s2.stage2Config(), IOVA, READ)), {
    kind: 'translation',
    stage: 2,
    class: 'TT',
    level: 2,
    ipa: 0x4020_0008n,
    reason: 'stage 2 fault on the L2 table fetch at IPA 0x40200008: L2[1] is invalid',
    reads: 13,
  });
  atIpa(0x4000_1008, 0x4000_2003);
  assert.equal(s2.unmap(0x4000_2000n, 0x1000n), 0x1000n);
  assert.deepEqual(nestedFault(walkNested(memory, S1, s2.stage2Config(), IOVA, READ)), {
    kind: 'translation',
    stage: 2,
    class: 'TT',
    level: 3,
    ipa: 0x4000_2008n,
    reason: 'stage 2 fault on the L2 table fetch at IPA 0x40002008: L3[2] is invalid',
    reads: 14,
  });
  // The table's page write-only at stage 2: a table fetch is a read (MMURead, D8.4.2 R TVZYF).
  assert.ok(s2.map(0x4000_2000n, BigInt(VM_PA + 0x2000), 0x1000n, prot('w')).ok);
  assert.deepEqual(nestedFault(walkNested(memory, S1, s2.stage2Config(), IOVA, READ)), {
    kind: 'permission',
    stage: 2,
    class: 'TT',
    level: 3,
    ipa: 0x4000_2008n,
    reason: 'stage 2 fault on the L2 table fetch at IPA 0x40002008: read of a stage-2 write-only page (S2AP=10)',
    reads: 14,
  });
});

test('a stage-2 fault on the output IPA is CLASS=IN; a stage-1 fault is stage 1, CLASS=IN', () => {
  const { memory, s2, atIpa } = vm();
  atIpa(0x4000_3018, 0x4100_0000 | S1_PAGE_RW);
  assert.deepEqual(nestedFault(walkNested(memory, S1, s2.stage2Config(), IOVA, READ)), {
    kind: 'translation',
    stage: 2,
    class: 'IN',
    level: 2,
    ipa: 0x4100_0123n,
    reason: 'stage 2 fault on the output IPA 0x41000123: L2[8] is invalid',
    reads: 23,
  });
  atIpa(0x4000_3018, 0);
  assert.deepEqual(nestedFault(walkNested(memory, S1, s2.stage2Config(), IOVA, READ)), {
    kind: 'translation',
    stage: 1,
    class: 'IN',
    level: 3,
    ipa: undefined,
    reason: 'L3[3] is invalid',
    reads: 20,
  });
});

test('combined permissions: the intersection, stage 1 reported first (D8.4.3)', () => {
  const { memory, s2, atIpa } = vm();
  assert.ok(s2.map(0x4100_0000n, 0x9_0000_0000n, 0x1000n, prot('rx')).ok);
  atIpa(0x4000_3018, 0x4100_0000 | S1_PAGE_RW);
  const read = walkNested(memory, S1, s2.stage2Config(), IOVA, READ).outcome;
  assert.ok(read.kind === 'success');
  assert.equal(read.pa, 0x9_0000_0123n);
  assert.equal(read.permissionsText, 'priv r--, unpriv r-x');
  assert.deepEqual(nestedFault(walkNested(memory, S1, s2.stage2Config(), IOVA, WRITE)), {
    kind: 'permission',
    stage: 2,
    class: 'IN',
    level: 3,
    ipa: 0x4100_0123n,
    reason: 'stage 2 fault on the output IPA 0x41000123: write to a stage-2 read-only page (S2AP=01)',
    reads: 24,
  });
  // Read-only at stage 1 too (AP[2]=1): the stage-1 permission fault wins.
  atIpa(0x4000_3018, 0x4100_0000 | S1_PAGE_RW | 0x80);
  assert.deepEqual(nestedFault(walkNested(memory, S1, s2.stage2Config(), IOVA, WRITE)), {
    kind: 'permission',
    stage: 1,
    class: 'IN',
    level: 3,
    ipa: undefined,
    reason: 'write to a read-only page (AP[2]=1)',
    reads: 20,
  });
});

test('the combined size is the smaller leaf: a stage-1 2M block over a stage-2 2M block, and a 4K page over it', () => {
  const { memory, s2, atIpa } = vm();
  assert.ok(s2.map(0x6000_0000n, 0xa_0000_0000n, 0x20_0000n, prot('rw')).ok);
  atIpa(0x4000_3018, 0x6000_0000 | S1_PAGE_RW);
  const page = walkNested(memory, S1, s2.stage2Config(), IOVA, READ).outcome;
  assert.ok(page.kind === 'success');
  assert.deepEqual([page.pa, page.level, page.s2Level, page.size], [0xa_0000_0123n, 3, 2, 0x1000n]);
  atIpa(0x4000_2008, 0x6000_0000 | (S1_PAGE_RW & ~2)); // L2[1]: a 2M block
  const block = walkNested(memory, S1, s2.stage2Config(), IOVA, READ);
  assert.ok(block.outcome.kind === 'success');
  assert.deepEqual([block.outcome.pa, block.outcome.level, block.outcome.s2Level, block.outcome.size, block.reads], [0xa_0000_3123n, 2, 2, 0x20_0000n, 18]);
});

test('translateIpa: the CD fetch through stage 2, CLASS=CD on a fault', () => {
  const { memory, s2 } = vm();
  const config = s2.stage2Config();
  assert.deepEqual(translateIpa(memory, config, 0x4000_0040n).outcome, { kind: 'success', pa: 0x8_0000_0040n });
  assert.deepEqual(translateIpa(memory, config, 0x5000_0040n).outcome, {
    kind: 'translation',
    stage: 2,
    class: 'CD',
    level: 2,
    ipa: 0x5000_0040n,
    reason: 'stage 2 fault on the CD fetch at IPA 0x50000040: L2[128] is invalid',
  });
});

test('with stage 2 mapping IPA = PA read/write/execute, the nested walk is the stage-1 walk', () => {
  const prots = fc.record({
    read: fc.boolean(),
    write: fc.boolean(),
    noexec: fc.boolean(),
    priv: fc.boolean(),
    noaf: fc.boolean(),
    memory: fc.constantFrom<Prot['memory'][]>('cached', 'noncached', 'device'),
  });
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.integer({ min: 0, max: 1 << 20 }), fc.integer({ min: 0, max: (1 << 21) - 1 }), fc.integer({ min: 1, max: 600 }), prots), { minLength: 1, maxLength: 6 }),
      fc.array(fc.tuple(fc.bigInt({ min: 0n, max: (1n << 49n) - 1n }), fc.record({ write: fc.boolean(), exec: fc.boolean(), priv: fc.boolean() })), { minLength: 1, maxLength: 16 }),
      (maps, probes) => {
        const memory = new PhysicalMemory();
        // Stage 2: IPA [0, 16G) → PA [0, 16G) in 1G blocks (two reads a translation), its tables above.
        const s2 = new IoPgtable(memory, new TableAllocator(memory, { base: 0x8_0000_0000 }), { ias: 48, oas: 48, stage: 2 });
        assert.ok(s2.map(0n, 0n, 0x4_0000_0000n, prot('rwx')).ok);
        const s1 = new IoPgtable(memory, new TableAllocator(memory, { base: 0x4000_0000 }), { ias: 48, oas: 48 });
        const iovas: bigint[] = [];
        for (const [slot, pageOfPa, pages, p] of maps) {
          const iova = BigInt(slot) * 0x1_0000_0000n + 0x20_0000n * BigInt(slot % 7);
          const pa = 0x1_0000_0000n + BigInt(pageOfPa) * 0x1000n;
          if (s1.map(iova, pa, BigInt(pages) * 0x1000n, p).ok) iovas.push(iova, iova + BigInt(pages) * 0x1000n - 1n);
        }
        for (const [raw, access] of probes) {
          const iova = iovas.length > 0 && raw % 3n !== 0n ? (iovas[Number(raw % BigInt(iovas.length))] as bigint) : raw;
          const single = walk(memory, s1.tableConfig(), iova, access);
          const nested = walkNested(memory, s1.tableConfig(), s2.stage2Config(), iova, access);
          assert.deepEqual(nested.stage1, single);
          const o = single.outcome;
          if (o.kind === 'success') {
            assert.ok(nested.outcome.kind === 'success');
            assert.deepEqual([nested.outcome.pa, nested.outcome.level, nested.outcome.size, nested.outcome.permissions], [o.pa, o.level, o.size, o.permissions]);
            assert.equal(nested.reads, single.steps.length * 3 + 2);
          } else {
            assert.deepEqual(nested.outcome, { ...o, stage: 1, class: 'IN' });
            assert.equal(nested.reads, single.steps.length * 3);
          }
        }
      },
    ),
    { numRuns: 100 },
  );
});
