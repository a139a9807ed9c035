import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { MachineEvent } from '../../../emulator/machine/events';
import { Machine } from '../../../emulator/machine/machine';
import { repoPath } from '../../helpers/repo';
import { modelOf } from '../helpers/scenario';

function observed(example: string): { machine: Machine; events: MachineEvent[] } {
  const machine = new Machine(modelOf(readFileSync(repoPath('examples', example), 'utf8')));
  const events: MachineEvent[] = [];
  machine.on((event) => events.push(event));
  assert.deepEqual(machine.run(), { reason: 'finished' });
  return { machine, events };
}

test('event records, written or dropped, name the fault and the transaction they report', () => {
  const { events } = observed('smmuv3-eventq-overflow.iommu');
  const faults = new Map(events.flatMap((e) => (e.kind === 'fault' ? [[e.fault.id, e.fault] as const] : [])));
  const records = events.flatMap((e) => (e.kind === 'event-record' || e.kind === 'event-dropped' ? [e] : []));
  assert.equal(records.length, 8);
  for (const record of records) {
    const fault = faults.get(record.fault);
    assert.ok(fault, `${record.kind} at ${record.time} names fault #${record.fault}, which was recorded`);
    assert.equal(fault.transaction, record.transaction);
    assert.ok(record.text.includes(`0x${fault.iova.toString(16)}`), `${record.text} reports fault #${fault.id} at ${fault.iova}`);
  }
  assert.deepEqual(
    records.map((r) => [r.kind, r.fault]),
    records.map((r, i) => [r.kind, i]),
  );
});

test('page requests name their group and the transaction whose failed translation they ask for', () => {
  const { events } = observed('sva-pri-page-requests.iommu');
  const issued = new Map(events.flatMap((e) => (e.kind === 'transaction-issued' ? [[e.transaction.id, e.transaction] as const] : [])));
  const requests = events.flatMap((e) => (e.kind === 'page-request' ? [e] : []));
  assert.ok(requests.length > 0);
  for (const request of requests) {
    const transaction = issued.get(request.transaction);
    assert.ok(transaction);
    assert.equal(transaction.sid, request.sid);
    assert.ok(request.text.includes(`prgi 0x${request.prgi.toString(16)} 0x${(transaction.iova & ~0xfffn).toString(16)}`), request.text);
  }
});
