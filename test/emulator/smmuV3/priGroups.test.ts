import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { MachineEvent } from '../../../emulator/machine/events';
import { Machine } from '../../../emulator/machine/machine';
import { decodePageRequest } from '../../../emulator/smmu/v3/priEntry';
import { slot } from '../../../emulator/smmu/v3/queue';
import { repoPath } from '../../helpers/repo';
import { modelOf, runScenario, statuses } from '../helpers/scenario';
import { v3StateOf } from '../../../emulator/smmu/smmuState';

function observed(text: string): { machine: Machine; events: MachineEvent[] } {
  const machine = new Machine(modelOf(text));
  const events: MachineEvent[] = [];
  machine.on((event) => events.push(event));
  assert.deepEqual(machine.run(), { reason: 'finished' });
  return { machine, events };
}

const sva = () => observed(readFileSync(repoPath('examples', 'sva-pri-page-requests.iommu'), 'utf8'));

test('two submits, two page request groups, interleaved in the PRI queue; group 1 gets its Last first', () => {
  const { machine } = sva();
  const v3 = v3StateOf(machine.state, 0);
  assert.ok(v3);
  const entries = [0, 1, 2, 3, 4, 5].map((i) => {
    const r = decodePageRequest(slot(machine.runtime.memory, v3.priq, i));
    return `prgi ${r.prgi} ${r.addr.toString(16)}${r.last ? ' last' : ''} sid ${r.sid.toString(16)} ssid ${r.ssv ? r.ssid : '-'}`;
  });
  assert.deepEqual(entries, [
    'prgi 0 40000000 sid 100 ssid 5',
    'prgi 1 40100000 sid 100 ssid 5',
    'prgi 1 40101000 last sid 100 ssid 5',
    'prgi 0 40001000 sid 100 ssid 5',
    'prgi 0 40002000 sid 100 ssid 5',
    'prgi 0 40003000 last sid 100 ssid 5',
  ]);
});

test('the core runs the handler once per whole group, and answers each with CMD_PRI_RESP Success', () => {
  const { events, machine } = sva();
  const groups = events.flatMap((e) => (e.kind === 'kernel-step' && e.step === 'iommu_sva_handle_iopf' ? [e.detail] : []));
  assert.deepEqual(groups, ['page requests grpid=PRGI 0x1, sid 0x100 ssid 5, 2 faults', 'page requests grpid=PRGI 0x0, sid 0x100 ssid 5, 4 faults']);
  const responses = events.flatMap((e) => (e.kind === 'command' && e.text.startsWith('CMD_PRI_RESP') ? [e.text] : []));
  assert.deepEqual(responses, ['CMD_PRI_RESP sid 0x100 ssid 5 prgi 0x1 success', 'CMD_PRI_RESP sid 0x100 ssid 5 prgi 0x0 success']);
  // The worker names the answer in Linux's words before the command it becomes.
  const answered = events.flatMap((e) => (e.kind === 'kernel-step' && e.step === 'iopf_group_response' ? [e.detail.split(' → ')[0]] : []));
  assert.deepEqual(answered, ['iommu_page_response(IOMMU_PAGE_RESP_SUCCESS = 0)', 'iommu_page_response(IOMMU_PAGE_RESP_SUCCESS = 0)']);
  assert.deepEqual(Object.values(statuses(machine.result())), ['completed', 'completed', 'completed', 'completed', 'completed', 'completed']);
  assert.deepEqual(machine.invariantViolations(), []);
});

test('an answer other than Success fails the group\'s accesses; a second miss after Success fails too', () => {
  const base = (answer: string, map: string) => `
smmu s { version v3; ssid-bits 4; pri-handling iopf }
domain dev { map 0x0 -> 0x8000_0000 size 64K rw }
domain mm { }
master nic { stream 0x1; domain dev; pri; pasid 3 -> mm }
engine nic.e { submit 1 { read 0x5000_0000 64 pasid 3 as a; read 0x5000_1000 64 pasid 3 as b } }
handler h on mm { context workqueue; ${map} ${answer} }
`;
  assert.deepEqual(statuses(runScenario(base('invalid', '')).result), { 'a#0': 'aborted', 'b#0': 'aborted' });
  assert.deepEqual(statuses(runScenario(base('success', '')).result), { 'a#0': 'aborted', 'b#0': 'aborted' });
  assert.deepEqual(statuses(runScenario(base('success', 'map page -> 0x9000_0000 rw;')).result), { 'a#0': 'completed', 'b#0': 'aborted' });
});

test('PRI queue overflow: requests are discarded, and a discarded Last gets an automatic Success so the device asks again', () => {
  const { machine, events } = observed(`
smmu s { version v3; ssid-bits 4; priq 2; pri-handling iopf }
domain dev { map 0x0 -> 0x8000_0000 size 64K rw }
domain mm { }
master nic { stream 0x1; domain dev; pri; pasid 3 -> mm }
engine nic.e { outstanding 8; repeat 4 { read 0x5000_0000 + i*0x1000 64 pasid 3 as r } }
handler h on mm { context workqueue; map page -> 0x9000_0000 + (iova - 0x5000_0000) rw; success }
`);
  const discarded = events.flatMap((e) => (e.kind === 'page-request' && e.index === undefined ? [e.text] : []));
  assert.deepEqual(discarded, ['PPR sid 0x1 ssid 3 prgi 0x2 0x50002000 last discarded: PRI queue overflow', 'PPR sid 0x1 ssid 3 prgi 0x3 0x50003000 last discarded: PRI queue overflow']);
  assert.deepEqual(Object.values(statuses(machine.result())), ['completed', 'completed', 'completed', 'completed']);
  assert.ok([...machine.journal.logs].some((l) => l.message === 'arm-smmu-v3 15000000.iommu: PRIQ overflow detected -- requests lost'));
});

test('an answer to a group whose Last the device still holds is refused, and nothing is written', () => {
  const machine = new Machine(modelOf(readFileSync(repoPath('examples', 'sva-pri-page-requests.iommu'), 'utf8')));
  // Run to the first page request in the queue: group 0x0 has sent one request and holds the next.
  let first: Extract<MachineEvent, { kind: 'page-request' }> | undefined;
  machine.on((event) => {
    if (event.kind === 'page-request') first ??= event;
  });
  while (!first) assert.equal(machine.step()?.reason ?? 'running', 'running');
  const v3 = v3StateOf(machine.state, 0);
  assert.ok(v3);
  const waiting = v3.prgWaits.find((w) => w.prgi === 0)?.transactions[0];
  assert.ok(waiting !== undefined);
  const cmdqProd = v3.cmdq.prod;
  assert.throws(() => machine.resumeTransaction(waiting, 'success'), {
    message: 'page request group 0x0 is not complete: the device has not sent its last request (Last=1) yet; answer it once it has',
  });
  assert.equal(v3.cmdq.prod, cmdqProd);
  assert.equal(machine.state.transactions.get(waiting)?.status, 'stalled');
});
