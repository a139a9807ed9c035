import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { EndedRunError, endedAt, KeptRun, keptAnswer } from '../../client/session/keptRun';
import { example } from '../debug-adapter/helpers';
import { endedRun } from './endedRun';

describe('a kept run answers the views as its session would have at the last cycle', () => {
  let run: KeptRun;
  before(async () => {
    run = { session: 'session-1', noDebug: true, ended: await endedRun(example('a530-fault-no-stall')) };
  });

  test('the views say where it ended', () => {
    assert.equal(endedAt(run), 'ended at cycle 91');
  });

  test('stalled, faults, SMMUs, queues and the timeline: the bodies the adapter sent', () => {
    assert.deepEqual(keptAnswer(run, 'iommu/stalled', {}), { transactions: [] });
    assert.deepEqual(
      keptAnswer(run, 'iommu/faults', {}).faults.map((f) => [f.id, f.cycle, f.kind, f.iova, f.line]),
      [[0, 31, 'translation', '0x7000000', 20]],
    );
    assert.deepEqual(
      keptAnswer(run, 'iommu/smmu', {}).smmus.map((s) => [s.name, s.contextBanks.map((b) => [b.cbndx, b.domain, b.variablesReference])]),
      [['kgsl', [[0, 'gpu_dom', 0]]]],
    );
    assert.deepEqual(keptAnswer(run, 'iommu/queues', {}), { smmus: [] });
    assert.equal(keptAnswer(run, 'iommu/timeline', {}).now, 91);
  });

  test('crash dumps: the list without an id, the text with one, a refusal for one never taken', () => {
    assert.deepEqual(keptAnswer(run, 'iommu/dump', {}), { dumps: [{ id: 0, cycle: 39, handler: 'gpu_fault', thread: 'irq/kgsl' }] });
    assert.match(keptAnswer(run, 'iommu/dump', { id: 0 }).text ?? '', /FSR/);
    assert.throws(() => keptAnswer(run, 'iommu/dump', { id: 3 }), new EndedRunError('there is no crash dump #3'));
  });

  test('page tables: the root without a table, each table under it by its address', () => {
    assert.deepEqual(
      keptAnswer(run, 'iommu/domains', {}).domains.map((d) => [d.name, d.root, d.rootLevel]),
      [['gpu_dom', '0x40000000', 0]],
    );
    const root = keptAnswer(run, 'iommu/pageTable', { domain: 'gpu_dom' });
    assert.deepEqual([root.table, root.level, root.entries.length], ['0x40000000', 0, 1]);
    const next = root.entries[0]?.next;
    assert.deepEqual(next, { table: '0x40001000', level: 1, iovaBase: '0x0' });
    const leaves = keptAnswer(run, 'iommu/pageTable', { domain: 'gpu_dom', table: '0x40003000', level: 3, iovaBase: '0x1000000' });
    assert.equal(leaves.entries.length, 256);
    assert.throws(() => keptAnswer(run, 'iommu/pageTable', { domain: 'nope' }), new EndedRunError("there is no domain 'nope'"));
    assert.throws(() => keptAnswer(run, 'iommu/pageTable', { domain: 'gpu_dom', table: '0x50000000' }), new EndedRunError("domain 'gpu_dom' had no table at 0x50000000 when the run ended"));
  });

  test('what would change or walk the run live is refused, saying the run has ended', () => {
    assert.throws(() => keptAnswer(run, 'iommu/resume', { transaction: 0, action: 'retry' }), new EndedRunError('the run has ended: there is nothing left to resume'));
    assert.throws(() => keptAnswer(run, 'iommu/translate', { iova: '0x1000000', domain: 'gpu_dom' }), new EndedRunError('the run has ended: translate an address while a session runs'));
  });
});
