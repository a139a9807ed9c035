import assert from 'node:assert/strict';
import { test } from 'node:test';
import { answerMessage, answersFor, rowContext, stalledDescription, stalledWhere } from '../../client/views/stalledRows';
import { StalledTransaction } from '../../debug-adapter/protocol';

function stalled(fields: Partial<StalledTransaction>): StalledTransaction {
  return {
    id: 0,
    engine: 'gpu.cp',
    threadId: 1,
    access: 'read',
    iova: '0x7000000',
    sid: 16,
    label: 'first',
    stall: 'fault',
    stag: null,
    prgi: null,
    fault: 'translation fault at level 2: L2[56] is invalid',
    smmu: 'smmu0',
    contextBank: null,
    age: 30,
    unanswerable: null,
    path: '/s.iommu',
    line: 17,
    ...fields,
  };
}

test('an SMMUv2 stall: as before, with the context bank where it waits', () => {
  const t = stalled({ smmu: 'kgsl', contextBank: 0, sid: 0, label: 'bad' });
  assert.equal(stalledDescription(t), 'read 0x7000000 (bad) · sid 0x0 · translation fault at level 2: L2[56] is invalid · 30 cycles');
  assert.equal(stalledWhere(t), 'kgsl cb0');
  assert.equal(stalledDescription(stalled({ stall: 'behind', fault: null, label: null })), 'read 0x7000000 · sid 0x10 · behind a fault (HUPCF=0) · 30 cycles');
});

test('an SMMUv3 stall shows its STAG; a PRI wait its PRG index', () => {
  const v3 = stalled({ stag: '0x1' });
  assert.equal(stalledDescription(v3), 'read 0x7000000 (first) · sid 0x10 · stag 0x1 · translation fault at level 2: L2[56] is invalid · 30 cycles');
  assert.equal(stalledWhere(v3), 'smmu0 (stag 0x1)');
  const pri = stalled({ stall: 'page-request', prgi: '0x0', sid: 256, label: 'rx', iova: '0x40000000', age: 3 });
  assert.equal(stalledDescription(pri), 'read 0x40000000 (rx) · sid 0x100 · prgi 0x0 · waits for its page request group · 3 cycles');
  assert.equal(stalledWhere(pri), 'smmu0 (prgi 0x0)');
});

test('a stall offers Retry / Terminate / Abort; a page request group Success / Invalid / Failure', () => {
  assert.deepEqual(answersFor(stalled({ stag: '0x0' })).map((a) => [a.label, a.action]), [['Retry', 'retry'], ['Terminate', 'terminate'], ['Abort', 'abort']]);
  assert.deepEqual(answersFor(stalled({ stall: 'page-request', prgi: '0x1' })).map((a) => [a.label, a.action]), [['Success', 'success'], ['Invalid', 'invalid'], ['Failure', 'failure']]);
  assert.equal(rowContext(stalled({})), 'iommu.stalledTransaction');
  assert.equal(rowContext(stalled({ stall: 'page-request' })), 'iommu.pageRequestTransaction');
});

test('a row the driver cannot answer now offers no answer at all', () => {
  const behind = 'transaction #2 is not stalled by a fault of its own: it waits behind the one ahead of it (HUPCF=0); resume that one';
  assert.equal(rowContext(stalled({ stall: 'behind', unanswerable: behind })), 'iommu.waitingTransaction');
  const open = 'page request group 0x1 is not complete: the device has not sent its last request (Last=1) yet; answer it once it has';
  assert.equal(rowContext(stalled({ stall: 'page-request', prgi: '0x1', unanswerable: open })), 'iommu.waitingTransaction');
});

test('the status bar says what was written, and the others the answer resumed', () => {
  assert.equal(answerMessage(1, { resumed: [1], written: 'FSR ← 0x2; RESUME ← retry (TnR=0)' }), 'IOMMU: FSR ← 0x2; RESUME ← retry (TnR=0)');
  assert.equal(
    answerMessage(0, { resumed: [0, 2], written: 'CMD_PRI_RESP sid 0x100 ssid 5 prgi 0x0 success: #0, #2 retry their translation' }),
    'IOMMU: CMD_PRI_RESP sid 0x100 ssid 5 prgi 0x0 success: #0, #2 retry their translation; also resumed #2',
  );
});
