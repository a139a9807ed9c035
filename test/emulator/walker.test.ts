import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { PhysicalMemory } from '../../emulator/memory/physicalMemory';
import { Access, accessCode, levelSize, Prot } from '../../emulator/pgtable/descriptor';
import { GRANULES } from '../../emulator/pgtable/granule';
import { IoPgtable, SZ_1G, SZ_2M, SZ_4K } from '../../emulator/pgtable/ioPgtable';
import { TableAllocator } from '../../emulator/pgtable/tableAllocator';
import {
  HotWalker,
  HotWalkResult,
  TableConfig,
  walk,
  WALK_ACCESS_FLAG_FAULT,
  WALK_ADDRESS_SIZE_FAULT,
  WALK_OK,
  WALK_PERMISSION_FAULT,
  WALK_TRANSLATION_FAULT,
  WalkResult,
} from '../../emulator/pgtable/walker';

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

const prot = (flags: string, extra: Partial<Prot> = {}): Prot => ({
  read: flags.includes('r'),
  write: flags.includes('w'),
  noexec: !flags.includes('x'),
  priv: flags.includes('p'),
  noaf: false,
  memory: 'cached',
  ...extra,
});

/** Both walkers on one IOVA: they must agree; the describing result is returned. */
function walkBoth(
  memory: PhysicalMemory,
  table: TableConfig,
  iova: bigint,
  access: Access,
  hot = new HotWalker(memory, table),
): WalkResult {
  const described = walk(memory, table, iova, access);
  const out = new HotWalkResult();
  const status = hot.walk(Number(iova >> 12n), accessCode(access), out);
  const outcome = described.outcome;
  const iovaText = `IOVA 0x${iova.toString(16)}`;
  assert.equal(status, STATUS_OF_KIND[outcome.kind], `${iovaText}: hot status for ${outcome.kind}`);
  assert.equal(out.level, outcome.level, `${iovaText}: level`);
  const leaf = described.steps[described.steps.length - 1];
  if (outcome.kind === 'success' || outcome.kind === 'permission' || outcome.kind === 'access-flag') {
    assert.ok(leaf !== undefined);
    assert.deepEqual([out.lo, out.hi, out.descriptorAddress], [leaf.lo, leaf.hi, Number(leaf.descriptorAddress)], `${iovaText}: leaf`);
    assert.equal(BigInt(out.outputPage) * 4096n + (iova & 0xfffn), translatedPa(described), `${iovaText}: output address`);
  }
  if (outcome.kind === 'success') {
    assert.equal(out.permissions, outcome.permissions, `${iovaText}: permissions`);
    assert.equal(BigInt(out.pages) * 4096n, outcome.size, `${iovaText}: the leaf's 4 KiB pages`);
  }
  return described;
}

/** The PA a leaf gives the IOVA, read off the describing walk's last step. */
function translatedPa(result: WalkResult): bigint {
  const leaf = result.steps[result.steps.length - 1];
  assert.ok(leaf !== undefined);
  const size = BigInt(levelSize(leaf.level, result.granule));
  return (leaf.descriptor.outputAddress & ~(size - 1n)) + (result.iova % size);
}

function setup(ias = 48, oas = 48): { memory: PhysicalMemory; pgtable: IoPgtable; table: TableConfig } {
  const memory = new PhysicalMemory();
  const pgtable = new IoPgtable(memory, new TableAllocator(memory), { ias, oas });
  return { memory, pgtable, table: pgtable.tableConfig() };
}

function map(pgtable: IoPgtable, iova: bigint, pa: bigint, size: bigint, p: Prot, leaf?: bigint): void {
  const result = pgtable.map(iova, pa, size, p, leaf);
  assert.ok(result.ok, result.ok ? '' : result.error.message);
}

function fault(result: WalkResult): [string, number, string] | 'success' {
  const outcome = result.outcome;
  return outcome.kind === 'success' ? 'success' : [outcome.kind, outcome.level, outcome.reason];
}

/** The descriptor address the walk of `iova` read at `level`. */
function descriptorAt(memory: PhysicalMemory, table: TableConfig, iova: bigint, level: number): number {
  const step = walk(memory, table, iova).steps.find((s) => s.level === level);
  assert.ok(step !== undefined, `no level-${level} step`);
  return Number(step.descriptorAddress);
}

test('a translation: PA, leaf level and size, permissions and memory type', () => {
  const { memory, pgtable, table } = setup();
  map(pgtable, 0x4020_0000n, 0x8020_0000n, SZ_2M, prot('rw', { memory: 'device' }));
  const result = walkBoth(memory, table, 0x4021_2345n, WRITE);
  assert.deepEqual(result.outcome, {
    kind: 'success',
    pa: 0x8021_2345n,
    level: 2,
    size: SZ_2M,
    permissions: 0b01_1011,
    permissionsText: 'priv rw-, unpriv rw-',
    attrIndx: 2,
    memory: 'device',
  });
});

test('translation faults: beyond the input range, at level 0 whatever the start level (Arm ARM D8.1)', () => {
  const { memory, table } = setup(48);
  assert.deepEqual(fault(walkBoth(memory, table, 1n << 48n, READ)), [
    'translation',
    0,
    'IOVA 0x1000000000000 is beyond the 48-bit input range',
  ]);
  const small = setup(39);
  assert.deepEqual(fault(walkBoth(small.memory, small.table, 0x80_0000_0000n, READ)), [
    'translation',
    0,
    'IOVA 0x8000000000 is beyond the 39-bit input range',
  ]);
  assert.equal(walk(small.memory, small.table, 0x80_0000_0000n).steps.length, 0);
});

test('translation faults: an invalid entry, at its level', () => {
  const { memory, pgtable, table } = setup();
  assert.deepEqual(fault(walkBoth(memory, table, 0x0n, READ)), ['translation', 0, 'L0[0] is invalid']);
  map(pgtable, 0x0n, 0x8000_0000n, SZ_4K, prot('rw'));
  assert.deepEqual(fault(walkBoth(memory, table, 56n * 0x20_0000n, READ)), ['translation', 2, 'L2[56] is invalid']);
  assert.deepEqual(fault(walkBoth(memory, table, 0x5000n, READ)), ['translation', 3, 'L3[5] is invalid']);
});

test('translation faults: a block at level 0, a level-3 entry with bit1 = 0', () => {
  const { memory, pgtable, table } = setup();
  map(pgtable, 0x0n, 0x8000_0000n, SZ_4K, prot('rw'));
  memory.writeDescriptor(descriptorAt(memory, table, 0x0n, 3) + 5 * 8, 0x8000_0f45, 0);
  assert.deepEqual(fault(walkBoth(memory, table, 0x5000n, READ)), [
    'translation',
    3,
    'L3[5] is reserved (bit1=0 at level 3)',
  ]);
  memory.writeDescriptor(table.root + 8, 0x0000_0f45, 0);
  assert.deepEqual(fault(walkBoth(memory, table, 0x80_0000_0000n, READ)), [
    'translation',
    0,
    'L0[1] is reserved (no blocks at level 0)',
  ]);
});

test('address size faults: a leaf OA, a table address, the table base beyond oas', () => {
  const { memory, pgtable, table } = setup(48, 40);
  map(pgtable, 0x0n, 0x8000_0000n, SZ_4K, prot('rw'));
  const l1 = descriptorAt(memory, table, 0x0n, 1);
  memory.writeDescriptor(l1 + 3 * 8, 0x4000_0f45, 0x100); // 1G block at OA 0x100_4000_0000
  assert.deepEqual(fault(walkBoth(memory, table, 3n * SZ_1G, READ)), [
    'address-size',
    1,
    'L1[3] output address 0x10040000000 is beyond the 40-bit output range',
  ]);
  memory.writeDescriptor(l1 + 4 * 8, 0x0000_1003, 0x180); // table at 0x180_0000_1000
  assert.deepEqual(fault(walkBoth(memory, table, 4n * SZ_1G, READ)), [
    'address-size',
    1,
    'L1[4] table address 0x18000001000 is beyond the 40-bit output range',
  ]);
  const highRoot: TableConfig = { ...table, root: 2 ** 40 };
  assert.deepEqual(fault(walkBoth(memory, highRoot, 0x0n, READ)), [
    'address-size',
    0,
    'table base 0x10000000000 is beyond the 40-bit output range',
  ]);
});

test('an access flag fault at the leaf level', () => {
  const { memory, pgtable, table } = setup();
  map(pgtable, 0x5000n, 0x8000_5000n, SZ_4K, prot('rw', { noaf: true }));
  map(pgtable, 0x20_0000n, 0x8020_0000n, SZ_2M, prot('rw', { noaf: true }));
  assert.deepEqual(fault(walkBoth(memory, table, 0x5000n, READ)), ['access-flag', 3, 'L3[5] has AF=0']);
  assert.deepEqual(fault(walkBoth(memory, table, 0x20_0040n, READ)), ['access-flag', 2, 'L2[1] has AF=0']);
  assert.equal(walk(memory, table, 0x5000n).outcome.kind, 'access-flag', 'AF is checked without an access too');
});

test('permission faults name the bit that denies the access', () => {
  const { memory, pgtable, table } = setup();
  map(pgtable, 0x1000n, 0x8000_1000n, SZ_4K, prot('r'));
  map(pgtable, 0x2000n, 0x8000_2000n, SZ_4K, prot('rwp'));
  map(pgtable, 0x3000n, 0x8000_3000n, SZ_4K, prot('rw'));
  map(pgtable, 0x4000n, 0x8000_4000n, SZ_4K, prot('rwx'));
  map(pgtable, 0x20_0000n, 0x8020_0000n, SZ_2M, prot('r'));
  const priv = (access: Access): Access => ({ ...access, priv: true });
  const reasons = [
    walkBoth(memory, table, 0x1000n, WRITE),
    walkBoth(memory, table, 0x2000n, READ),
    walkBoth(memory, table, 0x2000n, WRITE),
    walkBoth(memory, table, 0x3000n, FETCH),
    walkBoth(memory, table, 0x3000n, priv(FETCH)),
    walkBoth(memory, table, 0x4000n, priv(FETCH)),
    walkBoth(memory, table, 0x20_0000n, priv(WRITE)),
  ].map(fault);
  assert.deepEqual(reasons, [
    ['permission', 3, 'write to a read-only page (AP[2]=1)'],
    ['permission', 3, 'unprivileged access to a privileged page (AP[1]=0)'],
    ['permission', 3, 'unprivileged access to a privileged page (AP[1]=0)'],
    ['permission', 3, 'instruction fetch from an execute-never page (UXN=1)'],
    ['permission', 3, 'privileged instruction fetch from a privileged-execute-never page (PXN=1)'],
    ['permission', 3, 'privileged instruction fetch from a page writable at EL0 (AP[2:1]=01)'],
    ['permission', 2, 'write to a read-only block (AP[2]=1)'],
  ]);
  assert.equal(walkBoth(memory, table, 0x4000n, FETCH).outcome.kind, 'success');
  assert.equal(walkBoth(memory, table, 0x2000n, priv(WRITE)).outcome.kind, 'success');
  assert.equal(walk(memory, table, 0x1000n).outcome.kind, 'success', 'no access, no permission check');
});

/** Table D8-65, the rows with WXN 0 or x, as the Arm ARM prints them: UXN PXN AP[2:1]. */
const TABLE_D8_65 = `
0 0 00 PrivRead, PrivWrite, PrivExecute, UnprivExecute
0 0 01 PrivRead, PrivWrite, UnprivRead, UnprivWrite, UnprivExecute
0 0 10 PrivRead, PrivExecute, UnprivExecute
0 0 11 PrivRead, PrivExecute, UnprivRead, UnprivExecute
0 1 00 PrivRead, PrivWrite, UnprivExecute
0 1 01 PrivRead, PrivWrite, UnprivRead, UnprivWrite, UnprivExecute
0 1 10 PrivRead, UnprivExecute
0 1 11 PrivRead, UnprivRead, UnprivExecute
1 0 00 PrivRead, PrivWrite, PrivExecute
1 0 01 PrivRead, PrivWrite, UnprivRead, UnprivWrite
1 0 10 PrivRead, PrivExecute
1 0 11 PrivRead, PrivExecute, UnprivRead
1 1 00 PrivRead, PrivWrite
1 1 01 PrivRead, PrivWrite, UnprivRead, UnprivWrite
1 1 10 PrivRead
1 1 11 PrivRead, UnprivRead`;

const ACCESSES: readonly [string, Access][] = [
  ['PrivRead', { write: false, exec: false, priv: true }],
  ['PrivWrite', { write: true, exec: false, priv: true }],
  ['PrivExecute', { write: false, exec: true, priv: true }],
  ['UnprivRead', { write: false, exec: false, priv: false }],
  ['UnprivWrite', { write: true, exec: false, priv: false }],
  ['UnprivExecute', { write: false, exec: true, priv: false }],
  // A write marked as an instruction access is a data write.
  ['PrivWrite', { write: true, exec: true, priv: true }],
  ['UnprivWrite', { write: true, exec: true, priv: false }],
];

test('every UXN/PXN/AP[2:1] combination × access follows Table D8-65 (WXN=0)', () => {
  const { memory, pgtable, table } = setup();
  const rows = TABLE_D8_65.trim().split('\n');
  map(pgtable, 0x0n, 0x8000_0000n, BigInt(rows.length) * SZ_4K, prot('rw'));
  const checked: string[] = [];
  rows.forEach((row, page) => {
    const [uxn, pxn, ap, ...rest] = row.split(' ');
    const permitted = new Set(rest.join(' ').split(', '));
    const iova = BigInt(page) * SZ_4K;
    const lo = 0x8000_0000 + page * 0x1000 + (parseInt(ap ?? '', 2) << 6) + 0xf07; // AF nG SH inner AttrIndx 1 page
    const hi = (uxn === '1' ? 1 << 22 : 0) | (pxn === '1' ? 1 << 21 : 0);
    memory.writeDescriptor(descriptorAt(memory, table, iova, 3), lo, hi);
    for (const [needs, access] of ACCESSES) {
      const allowed = walkBoth(memory, table, iova + 0x10n, access).outcome.kind === 'success';
      assert.equal(allowed, permitted.has(needs), `UXN=${uxn} PXN=${pxn} AP=${ap}: ${JSON.stringify(access)} needs ${needs}`);
      checked.push(`${uxn}${pxn}${ap}${needs}`);
    }
  });
  assert.equal(checked.length, 16 * 8);
});

test('hierarchical attributes: APTable and XNTable restrict the levels below', () => {
  const { memory, pgtable, table } = setup();
  map(pgtable, 0x0n, 0x8000_0000n, SZ_4K, prot('rwx'));
  const l2 = descriptorAt(memory, table, 0x0n, 2);
  const tableLo = memory.readLo(l2);
  const priv = { write: false, exec: true, priv: true };
  const cases: [number, Access][] = [
    [1 << 29, READ], // APTable[0]: no unprivileged access
    [1 << 30, { ...WRITE, priv: true }], // APTable[1]: read-only
    [1 << 28, FETCH], // UXNTable
    [1 << 27, priv], // PXNTable
  ];
  const reasons = cases.map(([hi, access]) => {
    memory.writeDescriptor(l2, tableLo, hi);
    return fault(walkBoth(memory, table, 0x0n, access));
  });
  assert.deepEqual(reasons, [
    ['permission', 3, 'unprivileged access to a page made privileged by APTable[0]=1'],
    ['permission', 3, 'write to a page made read-only by APTable[1]=1'],
    ['permission', 3, 'instruction fetch from a page under UXNTable=1'],
    ['permission', 3, 'privileged instruction fetch from a page under PXNTable=1'],
  ]);
  // APTable[0] makes AP[2:1] = 01 effectively 00, which gives PrivExecute back (Table D8-65).
  memory.writeDescriptor(l2, tableLo, 1 << 29);
  assert.equal(walkBoth(memory, table, 0x0n, priv).outcome.kind, 'success');
});

test('fault priority: translation, then address size, then access flag, then permission', () => {
  const { memory, pgtable, table } = setup(39, 40);
  map(pgtable, 0x0n, 0x8000_0000n, SZ_4K, prot('r'));
  const l3 = descriptorAt(memory, table, 0x0n, 3);
  const l1 = descriptorAt(memory, table, 0x0n, 1);
  const beyondOas = 0x100; // OA[47:32] = 0x100: 2^40
  // IOVA beyond ias wins over a table base beyond oas.
  assert.equal(fault(walkBoth(memory, { ...table, root: 2 ** 40 }, 1n << 39n, WRITE))[0], 'translation');
  // Bit1 = 0 at level 3 with a bad OA and AF=0: translation.
  memory.writeDescriptor(l3 + 8, 0x0000_0081, beyondOas);
  assert.deepEqual(fault(walkBoth(memory, table, 0x1000n, WRITE)).slice(0, 2), ['translation', 3]);
  // A bad OA, AF=0 and a write to a read-only page: address size.
  memory.writeDescriptor(l3 + 16, 0x0000_0083, beyondOas);
  assert.deepEqual(fault(walkBoth(memory, table, 0x2000n, WRITE)).slice(0, 2), ['address-size', 3]);
  // AF=0 and a write to a read-only page: access flag.
  memory.writeDescriptor(l3 + 24, 0x8000_0883, 0);
  assert.deepEqual(fault(walkBoth(memory, table, 0x3000n, WRITE)).slice(0, 2), ['access-flag', 3]);
  // Just the write to a read-only page: permission.
  memory.writeDescriptor(l3 + 32, 0x8000_0c83, 0);
  assert.deepEqual(fault(walkBoth(memory, table, 0x4000n, WRITE)).slice(0, 2), ['permission', 3]);
  // A table address beyond oas at level 1 wins over anything below it.
  const l1Lo = memory.readLo(l1);
  memory.writeDescriptor(l1, l1Lo, beyondOas);
  assert.deepEqual(fault(walkBoth(memory, table, 0x4000n, WRITE)).slice(0, 2), ['address-size', 1]);
});

test('the describing walk refuses a table config that cannot be', () => {
  const { memory, table } = setup(48);
  assert.throws(() => walk(memory, { ...table, startLevel: 1 }, 0n), /start level 1 does not fit ias 48/);
  assert.throws(() => walk(memory, { ...table, root: 0x4000_0008 }, 0n), /4 KiB aligned/);
  assert.throws(() => new HotWalker(memory, { ...table, oas: 52 }), /oas 52/);
});

test('the hot walker sees every change to the upper tables of a page it walked before', () => {
  const { memory, pgtable, table } = setup();
  const hot = new HotWalker(memory, table);
  const pa = (result: WalkResult): bigint | string => (result.outcome.kind === 'success' ? result.outcome.pa : result.outcome.kind);
  map(pgtable, 0x20_0000n, 0x8000_0000n, SZ_4K, prot('rw'));
  assert.equal(pa(walkBoth(memory, table, 0x20_0000n, WRITE, hot)), 0x8000_0000n);
  // The 2M unmap clears the level-2 entry; the old level-3 table still holds the page.
  assert.equal(pgtable.unmap(0x20_0000n, SZ_2M), SZ_2M);
  assert.deepEqual(fault(walkBoth(memory, table, 0x20_0000n, WRITE, hot)), ['translation', 2, 'L2[1] is invalid']);
  map(pgtable, 0x20_0000n, 0x9000_0000n, SZ_4K, prot('rw'));
  assert.equal(pa(walkBoth(memory, table, 0x20_0000n, WRITE, hot)), 0x9000_0000n);
  // A table attribute set above the cached level-3 table applies at once.
  const l1 = descriptorAt(memory, table, 0x20_0000n, 1);
  memory.writeDescriptor(l1, memory.readLo(l1), 1 << 30);
  assert.deepEqual(fault(walkBoth(memory, table, 0x20_0000n, WRITE, hot)), [
    'permission',
    3,
    'write to a page made read-only by APTable[1]=1',
  ]);
  const snapshot = memory.snapshot();
  memory.writeDescriptor(l1, 0, 0);
  assert.equal(pa(walkBoth(memory, table, 0x20_0000n, READ, hot)), 'translation');
  memory.restore(snapshot);
  assert.equal(pa(walkBoth(memory, table, 0x20_0000n, READ, hot)), 0x9000_0000n);
});

test('the hot walker and the describing walker agree on random tables and accesses', () => {
  const op = fc.oneof(
    fc.record({
      kind: fc.constant('map' as const),
      page: fc.integer({ min: 0, max: 2047 }),
      pages: fc.integer({ min: 1, max: 1100 }),
      // Granule pages: any, or aligned to a block of 512 / 2048 / 8192 of them.
      frame: fc.oneof(fc.integer({ min: 0, max: 2 ** 24 - 1 }), fc.integer({ min: 0, max: 2 ** 11 - 1 }).map((f) => f * 8192), fc.integer({ min: 0, max: 2 ** 15 - 1 }).map((f) => f * 512)),
      flags: fc.constantFrom('r', 'w', 'rw', 'rwx', 'rp', 'rwp', 'rwxp'),
      noaf: fc.boolean(),
      // `pages`: a cap from the granule's pgsize_bitmap, or none.
      leaf: fc.constantFrom(SZ_4K, 0x4000n, 0x1_0000n, SZ_2M, 0x200_0000n, 0x2000_0000n, SZ_1G, undefined),
    }),
    fc.record({ kind: fc.constant('unmap' as const), page: fc.integer({ min: 0, max: 2047 }), pages: fc.integer({ min: 1, max: 600 }) }),
    // Overwrites a descriptor on the walk of `page`: `depth` steps down from the root.
    fc.record({
      kind: fc.constant('poke' as const),
      page: fc.integer({ min: 0, max: 2047 }),
      depth: fc.integer({ min: 0, max: 3 }),
      lo: fc
        .tuple(fc.nat({ max: 0xffff_ffff }), fc.constantFrom(0, 1, 3, 3))
        .map(([bits, type]) => ((bits & ~3) | type) >>> 0),
      hi: fc.oneof(
        fc.constant(0),
        fc.nat({ max: 0xffff_ffff }),
        fc.constantFrom(0x1, 0x80, 0x100, 0xffff, 0x0040_0000, 0x0020_0000, 0x0800_0000, 0x1000_0000, 0x2000_0000, 0x4000_0000),
      ),
    }),
  );
  const access = fc.record({
    kind: fc.constant('access' as const),
    page: fc.integer({ min: -4, max: 2100 }),
    offset: fc.integer({ min: 0, max: 0xffff }),
    write: fc.boolean(),
    exec: fc.boolean(),
    priv: fc.boolean(),
  });
  const scenario = fc.record({
    granule: fc.constantFrom(...Object.values(GRANULES)),
    ias: fc.constantFrom(26, 30, 32, 36, 39, 40, 47, 48),
    oas: fc.integer({ min: 32, max: 48 }),
    // Pages are spread over a window that crosses the block boundaries (4K: 1G and 2M).
    window: fc.constantFrom(0, 1, 2),
    // Table changes and walks interleaved, so the hot walker's cache meets every change.
    steps: fc.array(fc.oneof({ weight: 1, arbitrary: op }, { weight: 3, arbitrary: access }), { maxLength: 60, size: 'max' }),
  });
  fc.assert(
    fc.property(scenario, ({ granule, ias, oas, window, steps }) => {
      const memory = new PhysicalMemory();
      const pgtable = new IoPgtable(memory, new TableAllocator(memory), { ias, oas, granule });
      const table = pgtable.tableConfig();
      const hot = new HotWalker(memory, table);
      const page = BigInt(granule.bytes);
      const [smaller, largest] = [granule.pageSizes[granule.pageSizes.length - 2] ?? page, granule.pageSizes[granule.pageSizes.length - 1] ?? page];
      const base = [0n, largest - 1024n * page, 3n * largest - smaller][window] ?? 0n;
      for (const o of steps) {
        if (o.kind === 'access') {
          const at = base + BigInt(o.page) * page;
          // Pages below the window wrap to the top of the input range (and beyond it).
          const iova = (at < 0n ? at + (1n << BigInt(ias)) + 2n * page : at) + (BigInt(o.offset) % page);
          walkBoth(memory, table, iova, { write: o.write, exec: o.exec, priv: o.priv }, hot);
        } else if (o.kind === 'map') {
          const pa = (BigInt(o.frame) * page) % (1n << BigInt(oas));
          pgtable.map(base + BigInt(o.page) * page, pa, BigInt(o.pages) * page, prot(o.flags, { noaf: o.noaf }), o.leaf);
        } else if (o.kind === 'unmap') {
          pgtable.unmap(base + BigInt(o.page) * page, BigInt(o.pages) * page);
        } else {
          const steps = walk(memory, table, base + BigInt(o.page) * page).steps;
          const step = steps[Math.min(o.depth, steps.length - 1)];
          if (step !== undefined) {
            memory.writeDescriptor(Number(step.descriptorAddress), o.lo, o.hi);
          }
        }
      }
    }),
    { numRuns: 300 },
  );
});
