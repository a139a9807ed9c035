import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isExpandable, queueChildren, queueRoots, QueueRow, rowDescription, rowId, rowLabel } from '../../client/views/queueRows';
import { QueueView, SmmuQueuesView } from '../../debug-adapter/protocol';

function queue(name: QueueView['name'], fields: Partial<QueueView> = {}): QueueView {
  return { name, base: '0x40007000', ipa: null, entries: 4, prod: '0x00000000', cons: '0x00000000', pointers: '', overflow: false, dropped: 0, pending: [], ...fields };
}

const record = {
  index: 0,
  address: '0x40007000',
  text: 'F_TRANSLATION sid 0x1 read 0x1010000',
  fields: [
    { name: 'ID', bits: '[7:0]', value: '0x10', meaning: 'F_TRANSLATION: translation fault' },
    { name: 'InputAddr', bits: '[191:128]', value: '0x1010000', meaning: '0x1010000' },
  ],
  dwords: ['0x0000000100000010', '0x0000020800000000', '0x0000000001010000', '0x0000000000000000'],
};

const smmu0: SmmuQueuesView = {
  smmu: 'smmu0',
  queues: [queue('event', { prod: '0x80000004', pending: [record], overflow: true, dropped: 2 }), queue('pri', { base: '0x40008000' }), queue('command', { prod: '0x00000002', cons: '0x00000002' })],
  stalls: [{ stag: '0x0', sid: '0x10', transaction: 3 }],
  pageRequestGroups: [],
};

function show(rows: QueueRow[]): string[] {
  return rows.map((r) => `${rowLabel(r)} → ${rowDescription(r)}${isExpandable(r) ? ' ▸' : ''}`);
}

test('one row per queue, `smmu0 · event queue`, with PROD, CONS, how many wait, and OVERFLOW', () => {
  assert.deepEqual(show(queueRoots([smmu0])), [
    'smmu0 · event queue → PROD 0x80000004 CONS 0x00000000 · 1 pending · OVERFLOW · 2 dropped ▸',
    'smmu0 · PRI queue → PROD 0x00000000 CONS 0x00000000 · empty',
    'smmu0 · command queue → PROD 0x00000002 CONS 0x00000002 · empty',
    'smmu0 · stalls → 1 waiting for CMD_RESUME ▸',
  ]);
});

test('a queue opens into its entries, an entry into its fields (a meaning that repeats the value is left out)', () => {
  const [eventq] = queueRoots([smmu0]);
  assert.ok(eventq);
  const entries = queueChildren(eventq);
  assert.deepEqual(show(entries), ['[0] F_TRANSLATION sid 0x1 read 0x1010000 → slot at 0x40007000 ▸']);
  const [entry] = entries;
  assert.ok(entry);
  assert.deepEqual(show(queueChildren(entry)), ['ID → 0x10 · F_TRANSLATION: translation fault', 'InputAddr → 0x1010000']);
  assert.deepEqual(queueChildren(entry).map(rowId), ['queue-smmu0-event-0-ID', 'queue-smmu0-event-0-InputAddr']);
});

test('what waits: stalls by STAG, page request groups by PRG index; nothing listed when nothing waits', () => {
  const groups: SmmuQueuesView = { ...smmu0, stalls: [], pageRequestGroups: [{ prgi: '0x1', sid: '0x100', transactions: [1, 3] }] };
  const roots = queueRoots([groups]);
  assert.deepEqual(show(roots).slice(3), ['smmu0 · page request groups → 1 waiting for CMD_PRI_RESP ▸']);
  const waits = roots[3];
  assert.ok(waits);
  assert.deepEqual(show(queueChildren(waits)), ['PRGI 0x1 → sid 0x100 · #1, #3']);
  const stalls = queueRoots([smmu0])[3];
  assert.ok(stalls);
  assert.deepEqual(show(queueChildren(stalls)), ['STAG 0x0 → #3 · sid 0x10']);
  assert.deepEqual(queueRoots([]), []);
});

test("a VM's virtual queue says the IPA its guest put it at", () => {
  const guest = queue('event', { base: '0x800015000', ipa: '0x40015000' });
  assert.equal(rowDescription({ kind: 'queue', smmu: 'guest0 (virtual SMMUv3, guest memory)', queue: guest }), 'PROD 0x00000000 CONS 0x00000000 · empty · at IPA 0x40015000');
});
