import assert from 'node:assert/strict';
import { test } from 'node:test';
import { behavioursOf, modelledKernelFor } from '../../emulator/kernel/versions';
import { compileScenario } from '../../emulator/scenario/compile';
import { modelOf, runScenario, statuses } from './helpers/scenario';

/**
 * `kernel X.Y`: the release a run follows. io-pgtable-arm stopped splitting a block on a
 * partial unmap in 6.13 (33729a5fc0ca): 6.12 splits, 7.1 refuses with a WARN_ONCE.
 */
function partialUnmap(kernel: string): string {
  return `${kernel}
smmu kgsl { version v2 }
domain gpu_dom {
  map 0x0020_0000 -> 0x8020_0000 size 2M rw
}
master gpu { stream 0x0; domain gpu_dom }
engine gpu.cp {
  read 0x0700_0000 64 as bad
  read 0x0800_0000 64 as bad2
  wait 200
  read 0x0020_1000 64 as inside
}
handler h on gpu_dom {
  context irq
  unmap 0x0020_1000 size 4K
  tlbi all
}
`;
}

test('a written release runs as the newest modelled one not newer than it; none written: the newest', () => {
  assert.equal(modelledKernelFor({ major: 6, minor: 3 }), '6.1');
  assert.equal(modelledKernelFor({ major: 6, minor: 12 }), '6.12');
  assert.equal(modelledKernelFor({ major: 6, minor: 13 }), '6.12');
  assert.equal(modelledKernelFor({ major: 8, minor: 0 }), '7.1');
  assert.equal(modelledKernelFor({ major: 5, minor: 10 }), undefined);
  assert.equal(modelOf('kernel 6.3\nsmmu s { version v2 }').kernel, '6.1');
  assert.equal(modelOf('smmu s { version v2 }').kernel, '7.1');
});

test('a release older than every modelled one is an error at the version; a malformed one a syntax error', () => {
  const old = compileScenario('kernel 5.10\nsmmu s { version v2 }');
  assert.deepEqual(
    old.diagnostics.map((d) => [d.code, d.range, d.message]),
    [['unknown-kernel', { start: 7, end: 11 }, 'Linux 5.10 is older than every kernel the model runs: the oldest is 5.15']],
  );
  const malformed = compileScenario('kernel 6\nsmmu s { version v2 }');
  assert.deepEqual(
    malformed.diagnostics.map((d) => d.message),
    ["expected a kernel version MAJOR.MINOR after 'kernel', like 'kernel 6.6'"],
  );
  const twice = compileScenario('kernel 6.6\nkernel 6.1\nsmmu s { version v2 }');
  assert.deepEqual(twice.diagnostics.map((d) => d.message), ["a scenario has one 'kernel' (the first is on line 1)"]);
});

test('6.12 splits the block and unmaps the page: the read of it faults', () => {
  const { machine, result } = runScenario(partialUnmap('kernel 6.12'));
  assert.deepEqual(statuses(result), { 'bad#0': 'aborted', 'bad2#0': 'aborted', 'inside#0': 'aborted' });
  // The split left a level-3 table with the page's entry cleared.
  assert.deepEqual(result.faults.map((f) => [f.iova, f.level, f.reason]).at(-1), [0x20_1000n, 3, 'L3[1] is invalid']);
  assert.deepEqual([...machine.journal.logs].map((l) => l.message), []);
});

test('7.1 refuses a partial unmap of the block, warns once a boot, and the read of the page completes', () => {
  const { machine, result } = runScenario(partialUnmap('kernel 7.1'));
  assert.deepEqual(statuses(result), { 'bad#0': 'aborted', 'bad2#0': 'aborted', 'inside#0': 'completed' });
  assert.deepEqual([...machine.journal.logs].map((l) => l.message), ['Unmap of a partial large IOPTE is not allowed']);
});

test('what a release selects, in words, with the commit', () => {
  const topics = (kernel: '6.12' | '7.1'): string[] => behavioursOf(kernel).map((b) => b.slice(0, b.indexOf(':')));
  assert.deepEqual(topics('7.1'), topics('6.12'), 'every release lists every behaviour');
  assert.equal(
    behavioursOf('6.12')[0],
    'unmapping part of a block: the block is split into next-level leaves and the part is unmapped (split_blk_unmap) (until 6.13, 33729a5fc0ca ("iommu/io-pgtable-arm: Remove split on unmap behavior"))',
  );
  assert.equal(
    behavioursOf('7.1')[0],
    'unmapping part of a block: refused: io-pgtable-arm warns "Unmap of a partial large IOPTE is not allowed" and unmaps nothing (since 6.13, 33729a5fc0ca ("iommu/io-pgtable-arm: Remove split on unmap behavior"))',
  );
});
