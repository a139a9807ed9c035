import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Machine } from '../../emulator/machine/machine';
import { MachineEvent } from '../../emulator/machine/events';
import { TraceFormatter } from '../../emulator/cli/trace';
import { decodeCommand, describeCommand, encodeCommand } from '../../emulator/smmu/v3/commands';
import { modelOf, statuses } from './helpers/scenario';

/**
 * TLB maintenance as Linux does it, the same in every modelled release (5.15 … 7.1):
 * iommu_unmap syncs the IOTLB before it returns (add02cfdc9bc, v4.14; the gather since
 * a7d20dc19d9e, v5.4); iommu_unmap_fast leaves a window until iommu_iotlb_sync; a lazy
 * (DMA-FQ) domain leaves one until fq_timer (IOVA_FQ_TIMEOUT 10 ms) or a full ring
 * (IOVA_FQ_SIZE 256) flushes it. A TLB hit in such a window is a stale access.
 */

const example = (name: string): string => readFileSync(join(__dirname, '..', '..', '..', 'examples', `${name}.iommu`), 'utf8');

interface Traced {
  machine: Machine;
  events: MachineEvent[];
}

function run(text: string): Traced {
  const machine = new Machine(modelOf(text));
  const events: MachineEvent[] = [];
  machine.on((event) => events.push(event));
  machine.run();
  return { machine, events };
}

/** The TLB maintenance of a run, as the trace words it: SMMUv2 register writes, SMMUv3 commands, the kernel's IOTLB steps. */
function maintenance(events: readonly MachineEvent[]): string[] {
  return events.flatMap((e) => {
    if (e.kind === 'tlb-invalidate') return [`${e.time} ${e.description}`];
    if (e.kind === 'command') return [`${e.time} ${e.text}: ${e.effect}`];
    if (e.kind === 'iotlb') return [`${e.time} ${e.description}`];
    return [];
  });
}

/** A GPU behind an SMMUv2 (HUPCF on: its reads go on while FSR holds a fault): `warm` fills the TLB, `trigger` runs the handler, `again` reads the unmapped page. */
function v2(kernel: string, domain: string, handler: string, later = 'wait 100\n  read 0x0100_0000 8 as again'): string {
  return `${kernel}
smmu kgsl { version v2 }
domain gpu_dom {
  fault terminate; hupcf on
  ${domain}
  map 0x0100_0000 -> 0x8000_0000 size 64K rw
}
master gpu { stream 0x0; domain gpu_dom }
engine gpu.cp {
  read 0x0100_0000 8 as warm
  wait 50
  read 0x0700_0000 8 as trigger
  wait 60
  read 0x0100_0000 8 as during
  ${later}
}
handler h on gpu_dom {
  context thread
  if iova == 0x0700_0000 {
    ${handler}
  }
}
`;
}

/** The same on an SMMUv3: the handler runs for the stall of `trigger` on the iopf workqueue. */
function v3(handler: string): string {
  return `smmu smmu0 { version v3 }
domain gpu_dom {
  fault stall
  map 0x0100_0000 -> 0x8000_0000 size 64K rw
}
master gpu { stream 0x10; domain gpu_dom; can-stall }
engine gpu.cp {
  read 0x0100_0000 8 as warm
  wait 50
  read 0x0700_0000 8 as trigger
}
engine gpu.tp {
  start 120
  read 0x0100_0000 8 as during
  wait 100
  read 0x0100_0000 8 as again
}
handler h on gpu_dom {
  context workqueue
  ${handler}
  terminate
}
`;
}

for (const kernel of ['kernel 5.15', 'kernel 7.1']) {
  test(`SMMUv2, ${kernel}: unmap is iommu_unmap — TLBIVAL per leaf, then TLBSYNC, before the statement ends; no stale access`, () => {
    const { machine, events } = run(v2(kernel, '', 'unmap 0x0100_0000 size 8K'));
    assert.deepEqual(maintenance(events), [
      '89 TLBIVAL 0x1000000 cb0 (posted: complete at TLBSYNC)',
      '89 TLBIVAL 0x1001000 cb0 (posted: complete at TLBSYNC)',
      '89 TLBSYNC cb0: TLBSTATUS.SACTIVE clear, 2 posted invalidations complete',
    ]);
    assert.deepEqual(statuses(machine.result()), { 'warm#0': 'completed', 'trigger#0': 'aborted', 'during#0': 'aborted', 'again#0': 'aborted' });
    assert.equal(machine.result().counters['stale-accesses'], 0);
  });
}

test('SMMUv3: unmap writes CMD_TLBI_NH_VA per page (ASID, Leaf; TG/TTL 0 without range invalidation) and CMD_SYNC into the command queue', () => {
  const { machine, events } = run(v3('unmap 0x0100_0000 size 8K'));
  const commands = events.flatMap((e) => (e.kind === 'command' ? [{ text: e.text, dwords: e.dwords }] : []));
  assert.deepEqual(commands.slice(0, 3), [
    { text: 'CMD_TLBI_NH_VA asid 1 va 0x1000000 leaf', dwords: [0x0001_0000_0000_0012n, 0x0000_0000_0100_0001n] },
    { text: 'CMD_TLBI_NH_VA asid 1 va 0x1001000 leaf', dwords: [0x0001_0000_0000_0012n, 0x0000_0000_0100_1001n] },
    { text: 'CMD_SYNC', dwords: [0x46n, 0n] },
  ]);
  // The reads after the unmap miss the TLB and stall: the handler answers them terminate (RAZ).
  assert.deepEqual(statuses(machine.result()), { 'warm#0': 'completed', 'trigger#0': 'raz', 'during#0': 'raz', 'again#0': 'raz' });
  assert.equal(machine.result().counters['stale-accesses'], 0);
});

test('SMMUv3: tlbi all and tlbi va go through the command queue too', () => {
  const { events } = run(v3('tlbi va 0x0100_0000\n  tlbi all'));
  assert.deepEqual(
    events.flatMap((e) => (e.kind === 'command' ? [e.text] : [])).slice(0, 4),
    ['CMD_TLBI_NH_VA asid 1 va 0x1000000 leaf', 'CMD_SYNC', 'CMD_TLBI_NH_ASID asid 1', 'CMD_SYNC'],
  );
});

test('CMD_TLBI_NH_VA and CMD_TLBI_NH_ASID encode, decode and describe as IHI 0070 §4.4 lays them out', () => {
  const va = encodeCommand({ op: 'CMD_TLBI_NH_VA', asid: 0xabcd, vmid: 0, address: 0xffff_f000n, leaf: false });
  assert.deepEqual(va, [0xabcd_0000_0000_0012n, 0xffff_f000n]);
  assert.deepEqual(decodeCommand(va), { op: 'CMD_TLBI_NH_VA', asid: 0xabcd, vmid: 0, address: 0xffff_f000n, leaf: false });
  assert.deepEqual(encodeCommand({ op: 'CMD_TLBI_NH_ASID', asid: 3, vmid: 0 }), [0x0003_0000_0000_0011n, 0n]);
  // VMID [47:32] (§4.4.1): a guest's context, VMID 3 ASID 1.
  assert.deepEqual(encodeCommand({ op: 'CMD_TLBI_NH_ASID', asid: 1, vmid: 3 }), [0x0001_0003_0000_0011n, 0n]);
  assert.deepEqual(decodeCommand([0x0001_0003_0000_0011n, 0n]), { op: 'CMD_TLBI_NH_ASID', asid: 1, vmid: 3 });
  assert.deepEqual(
    describeCommand(va).map((f) => `${f.name}: ${f.meaning}`),
    [
      'Opcode: CMD_TLBI_NH_VA',
      'NUM: RES0 (TG = 0: one address)',
      'SCALE: RES0 (TG = 0: one address)',
      'ASID: ASID 43981',
      'Leaf: entries of every level (walk caches too)',
      'TTL: any level',
      'TG: not a range: the page at Address',
      'Address: VA 0xfffff000',
    ],
  );
});

test('SMMUv2: unmap nosync posts TLBIVAL but the TLB translates until sync: a stale access, then the sync completes it', () => {
  const { machine, events } = run(v2('kernel 7.1', '', 'unmap 0x0100_0000 size 4K nosync\n    sleep 100\n    sync', 'wait 150\n  read 0x0100_0000 8 as again'));
  assert.deepEqual(maintenance(events), [
    '89 TLBIVAL 0x1000000 cb0 (posted: complete at TLBSYNC)',
    '89 iommu_unmap_fast(0x1000000, 0x1000): invalidation gathered, not synced: the TLB may still translate it until iommu_iotlb_sync',
    '190 TLBSYNC cb0: TLBSTATUS.SACTIVE clear, 1 posted invalidation complete',
  ]);
  assert.deepEqual(statuses(machine.result()), { 'warm#0': 'completed', 'trigger#0': 'aborted', 'during#0': 'completed', 'again#0': 'aborted' });
  const during = machine.journal.ended.findLast((t) => t.label === 'during');
  assert.deepEqual(during?.stale, {
    iova: 0x100_0000n,
    pa: 0x8000_0000n,
    mapped: undefined,
    unmap: { domain: 0, iova: 0x100_0000n, size: 0x1000n, at: 89, by: 'iommu_unmap_fast', due: undefined },
  });
  assert.equal(machine.result().counters['stale-accesses'], 1);
});

test('SMMUv3: unmap nosync puts nothing in the command queue; sync writes the gathered range, then CMD_SYNC', () => {
  const { machine, events } = run(v3('unmap 0x0100_0000 size 8K nosync\n  sleep 50\n  sync'));
  const lines = maintenance(events);
  assert.deepEqual(lines.slice(0, 4), [
    '107 iommu_unmap_fast(0x1000000, 0x2000): invalidation gathered, not synced: the TLB may still translate it until iommu_iotlb_sync',
    "158 CMD_TLBI_NH_VA asid 1 va 0x1000000 leaf: ASID 1's entries for 0x1000000 invalidated",
    "158 CMD_TLBI_NH_VA asid 1 va 0x1001000 leaf: ASID 1's entries for 0x1001000 invalidated",
    '158 CMD_SYNC: every command before it has completed',
  ]);
  assert.deepEqual(statuses(machine.result()), { 'warm#0': 'completed', 'during#0': 'completed', 'again#0': 'raz', 'trigger#0': 'raz' });
  assert.equal(machine.result().counters['stale-accesses'], 1);
});

test('a stale access is a trace line naming the IOVA, the freed PA, the unmap and when the flush is due', () => {
  const machine = new Machine(modelOf(example('lazy-flush-use-after-unmap')));
  const trace = new TraceFormatter(machine);
  const lines: string[] = [];
  machine.on((event) => {
    if (event.kind === 'stale-access') lines.push(trace.format(event) ?? '');
  });
  machine.run();
  assert.deepEqual(lines, [
    '     101  gpu.vfd        read  0x1000000 64 as stale (line 28) stale TLB entry: IOVA 0x1000000 → PA 0x80000000, unmapped at cycle 89 (queued for the lazy flush, due at cycle 10089): use-after-unmap',
  ]);
});

test('lazy domain: unmap queues the IOVA and invalidates nothing; fq_timer flushes it 10 ms later (TLBIASID + TLBSYNC) and the read faults', () => {
  const { machine, events } = run(example('lazy-flush-use-after-unmap'));
  assert.deepEqual(maintenance(events), [
    '89 queue_iova(0x1000000, 0x10000) (drivers/iommu/dma-iommu.c): 1 in the flush queue, not invalidated; fq_timer flushes at cycle 10089',
    '10089 fq_flush_timeout (drivers/iommu/dma-iommu.c): fq_flush_iotlb → flush_iotlb_all',
    '10089 TLBIASID cb0',
    '10089 TLBSYNC cb0: TLBSTATUS.SACTIVE clear',
    '10089 fq_flush_timeout: 1 IOVA freed',
  ]);
  const result = machine.result();
  assert.deepEqual(statuses(result), { 'first#0': 'completed', 'bad#0': 'aborted', 'stale#0': 'completed', 'after#0': 'aborted' });
  assert.equal(result.counters['stale-accesses'], 1);
  assert.ok(result.expects.every((e) => e.ok));
});

test('the strict twin: the same unmap invalidates at once, and the read after it faults instead of reaching the freed page', () => {
  const { machine, events } = run(example('lazy-flush-use-after-unmap').replace('dma lazy', 'dma strict'));
  assert.deepEqual(maintenance(events).slice(0, 2), ['89 TLBIVAL 0x1000000 cb0 (posted: complete at TLBSYNC)', '89 TLBIVAL 0x1001000 cb0 (posted: complete at TLBSYNC)']);
  assert.equal(maintenance(events)[16], '89 TLBSYNC cb0: TLBSTATUS.SACTIVE clear, 16 posted invalidations complete');
  assert.deepEqual(statuses(machine.result()), { 'first#0': 'completed', 'bad#0': 'aborted', 'stale#0': 'aborted', 'after#0': 'aborted' });
  assert.equal(machine.result().counters['stale-accesses'], 0);
});

test('5.15 keeps the flush queue in iova.c (fq_flush_timeout → iova_domain_flush); 6.1 in dma-iommu.c (f7f07484542f, v5.17)', () => {
  const flushLine = (kernel: string): string | undefined =>
    maintenance(run(`kernel ${kernel}\n${example('lazy-flush-use-after-unmap')}`).events).find((l) => l.includes('fq_flush_timeout ('));
  assert.equal(flushLine('5.15'), '10089 fq_flush_timeout (drivers/iommu/iova.c): iova_domain_flush → flush_iotlb_all');
  assert.equal(flushLine('6.1'), '10089 fq_flush_timeout (drivers/iommu/dma-iommu.c): fq_flush_iotlb → flush_iotlb_all');
});

test('a full ring is flushed before the next IOVA is queued: with flush-queue 4, the fourth unmap flushes the three waiting', () => {
  const unmaps = [0, 1, 2, 3].map((i) => `unmap 0x0100_${i}000 size 4K`).join('\n    ');
  const { machine, events } = run(v2('kernel 7.1', 'dma lazy; flush-queue 4', unmaps));
  assert.deepEqual(maintenance(events).slice(0, 8), [
    '89 queue_iova(0x1000000, 0x1000) (drivers/iommu/dma-iommu.c): 1 in the flush queue, not invalidated; fq_timer flushes at cycle 10089',
    '90 queue_iova(0x1001000, 0x1000) (drivers/iommu/dma-iommu.c): 2 in the flush queue, not invalidated; fq_timer flushes at cycle 10089',
    '91 queue_iova(0x1002000, 0x1000) (drivers/iommu/dma-iommu.c): 3 in the flush queue, not invalidated; fq_timer flushes at cycle 10089',
    '92 queue_iova (drivers/iommu/dma-iommu.c): the ring is full (3 of 4 slots): fq_flush_iotlb → flush_iotlb_all first',
    '92 TLBIASID cb0',
    '92 TLBSYNC cb0: TLBSTATUS.SACTIVE clear',
    '92 queue_iova(0x1003000, 0x1000) (drivers/iommu/dma-iommu.c): 1 in the flush queue, not invalidated; fq_timer flushes at cycle 10089',
    '10089 fq_flush_timeout (drivers/iommu/dma-iommu.c): fq_flush_iotlb → flush_iotlb_all',
  ]);
  // `during` reads page 0 after the full-ring flush: it faults; `again` reads it too.
  assert.deepEqual(statuses(machine.result()), { 'warm#0': 'completed', 'trigger#0': 'aborted', 'during#0': 'aborted', 'again#0': 'aborted' });
});

test('the flush queue settings: default strict, 256 entries, 10000 cycles (10 ms); vfio domains are never lazy', () => {
  const model = modelOf('smmu s { version v2 }\ndomain d { }\ndomain l { dma lazy; flush-queue 8; flush-timeout 50 }');
  assert.deepEqual(model.domains.map((d) => d.dma), [
    { lazy: false, queueSize: 256, timeout: 10000 },
    { lazy: true, queueSize: 8, timeout: 50 },
  ]);
});

test('SMMUv3: iommu_unmap syncs a gather of its own — a nosync range of the same domain stays gathered until sync', () => {
  const { machine, events } = run(v3('unmap 0x0100_0000 size 4K nosync\n  unmap 0x0100_8000 size 4K\n  sleep 50\n  sync'));
  assert.deepEqual(
    events.flatMap((e) => (e.kind === 'command' ? [`${e.time} ${e.text}`] : [])).slice(0, 4),
    ['108 CMD_TLBI_NH_VA asid 1 va 0x1008000 leaf', '108 CMD_SYNC', '159 CMD_TLBI_NH_VA asid 1 va 0x1000000 leaf', '159 CMD_SYNC'],
  );
  // `during` (cycle 120) hits the entry of the page still gathered.
  assert.equal(machine.result().counters['stale-accesses'], 1);
});

test('unmapping a whole table is tlb_flush_walk, invalidated and synced at once: SMMUv2 TLBIVA per page + TLBSYNC, SMMUv3 non-leaf CMD_TLBI_NH_VA per page + CMD_SYNC', () => {
  const table = 'map 0x0020_0000 -> 0x8020_0000 size 2M rw pages 4K';
  const onV2 = run(v2('kernel 7.1', table, 'unmap 0x0020_0000 size 2M'));
  assert.deepEqual(maintenance(onV2.events), [
    '89 TLBIVA ×512 0x200000..0x3ff000 cb0',
    '89 TLBSYNC cb0: TLBSTATUS.SACTIVE clear, 512 posted invalidations complete',
    // iommu_unmap's own iotlb_sync: nothing was gathered, arm-smmu syncs all the same.
    '89 TLBSYNC cb0: TLBSTATUS.SACTIVE clear',
  ]);
  const onV3 = run(v3('unmap 0x0020_0000 size 2M').replace('size 64K rw', `size 64K rw\n  ${table}`));
  const commands = onV3.events.flatMap((e) => (e.kind === 'command' ? [e.text] : []));
  assert.deepEqual(commands.slice(0, 2), ['CMD_TLBI_NH_VA asid 1 va 0x200000', 'CMD_TLBI_NH_VA asid 1 va 0x201000']);
  assert.deepEqual(commands.slice(510, 514), ['CMD_TLBI_NH_VA asid 1 va 0x3fe000', 'CMD_TLBI_NH_VA asid 1 va 0x3ff000', 'CMD_SYNC', 'CMD_RESUME sid 0x10 stag 0x0 terminate']);
});

test('a 16K domain: tlb_flush_walk of a freed table steps by the 16K granule (ARM_LPAE_GRANULE), a TLBIVA per 16K page', () => {
  const table = 'granule 16K\n  map 0x0200_0000 -> 0x8200_0000 size 32M rw pages 16K';
  const onV2 = run(v2('kernel 7.1', table, 'unmap 0x0200_0000 size 32M'));
  assert.deepEqual(maintenance(onV2.events).map((line) => line.replace(/^\d+ /, '')), [
    'TLBIVA ×2048 0x2000000..0x3ffc000 cb0',
    'TLBSYNC cb0: TLBSTATUS.SACTIVE clear, 2048 posted invalidations complete',
    'TLBSYNC cb0: TLBSTATUS.SACTIVE clear',
  ]);
  const onV3 = run(v3('unmap 0x0200_0000 size 32M').replace('size 64K rw', `size 64K rw\n  ${table}`));
  const commands = onV3.events.flatMap((e) => (e.kind === 'command' ? [e.text] : []));
  assert.deepEqual(commands.slice(0, 2), ['CMD_TLBI_NH_VA asid 1 va 0x2000000', 'CMD_TLBI_NH_VA asid 1 va 0x2004000']);
  assert.deepEqual(commands.slice(2046, 2049), ['CMD_TLBI_NH_VA asid 1 va 0x3ff8000', 'CMD_TLBI_NH_VA asid 1 va 0x3ffc000', 'CMD_SYNC']);
});
