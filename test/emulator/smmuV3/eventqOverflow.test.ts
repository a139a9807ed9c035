import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { MachineEvent } from '../../../emulator/machine/events';
import { Machine } from '../../../emulator/machine/machine';
import { repoPath } from '../../helpers/repo';
import { modelOf, runScenario } from '../helpers/scenario';
import { v3StateOf } from '../../../emulator/smmu/smmuState';

function observed(text: string): { machine: Machine; events: MachineEvent[] } {
  const machine = new Machine(modelOf(text));
  const events: MachineEvent[] = [];
  machine.on((event) => events.push(event));
  assert.deepEqual(machine.run(), { reason: 'finished' });
  return { machine, events };
}

test('a storm of terminated faults: records that meet a full queue are dropped; OVFLG toggles once for the episode', () => {
  const { machine, events } = observed(readFileSync(repoPath('examples', 'smmuv3-eventq-overflow.iommu'), 'utf8'));
  const dropped = events.flatMap((e) => (e.kind === 'event-dropped' ? [{ time: e.time, overflow: e.overflow }] : []));
  assert.deepEqual(dropped, [
    { time: 52, overflow: true },
    { time: 53, overflow: false },
  ]);
  const result = machine.result();
  assert.equal(result.counters.events, 6);
  assert.equal(result.counters['dropped-events'], 2);
  const v3 = v3StateOf(machine.state, 0);
  assert.ok(v3);
  // Four entries (LOG2SIZE 2): 6 written, so WR = 2 with the wrap bit (bit 2) set, OVFLG (bit 31) toggled once;
  // the IRQ thread consumed all six and acknowledged: CONS.OVACKFLG = OVFLG.
  assert.equal(v3.eventq.prod >>> 0, 0x8000_0006);
  assert.equal(v3.eventq.cons >>> 0, 0x8000_0006);
  assert.equal(v3.eventq.dropped, 2);
  const logs = [...machine.journal.logs].map((l) => l.message).filter((m) => m.includes('overflow'));
  assert.deepEqual(logs, ['arm-smmu-v3 15000000.iommu: EVTQ overflow detected -- events lost']);
});

test('stall records are never dropped: the transaction waits until there is room, and causes no overflow', () => {
  const { result } = runScenario(`
smmu s { version v3; eventq 2 }
domain d { fault stall; map 0x0100_0000 -> 0x8000_0000 size 64K rw }
master m { stream 0x3; domain d; can-stall }
engine m.e { outstanding 8; repeat 6 { read 0x0200_0000 + i*0x1000 64 as bad } }
`);
  assert.equal(result.counters.faults, 6);
  assert.equal(result.counters.events, 6);
  assert.equal(result.counters['dropped-events'], 0);
  // No handler for d: the core answers each stall as iopf_error_response does, with an abort.
  assert.equal(result.counters.aborted, 6);
  assert.deepEqual(result.faults.map((f) => f.response), ['abort', 'abort', 'abort', 'abort', 'abort', 'abort']);
});

test('a record written by hand with an ID no event has: the IRQ thread prints it raw (-EOPNOTSUPP) and goes on', () => {
  const machine = new Machine(modelOf(readFileSync(repoPath('examples', 'smmuv3-eventq-overflow.iommu'), 'utf8')));
  assert.deepEqual(machine.run({ untilCycle: 48 }), { reason: 'until', cycle: 48 });
  const v3 = v3StateOf(machine.state, 0);
  assert.ok(v3);
  // The first record, not consumed yet: its ID byte becomes 0x45, as a debugger's memory write would make it.
  machine.writeMemory(v3.eventq.base, Uint8Array.of(0x45, 0x0f, 0x00, 0x90, 0, 0, 0, 0));
  assert.deepEqual(machine.run(), { reason: 'finished' });
  const lines = [...machine.journal.logs].map((l) => l.message);
  const header = lines.indexOf('arm-smmu-v3 15000000.iommu: event 0x45 received:');
  assert.deepEqual(lines.slice(header, header + 5), [
    'arm-smmu-v3 15000000.iommu: event 0x45 received:',
    'arm-smmu-v3 15000000.iommu: \t0x0000000090000f45',
    'arm-smmu-v3 15000000.iommu: \t0x0000020800000000',
    'arm-smmu-v3 15000000.iommu: \t0x0000000001010000',
    'arm-smmu-v3 15000000.iommu: \t0x0000000000000000',
  ]);
  assert.equal(machine.result().counters.aborted, 8, 'the storm goes on to its end');
});
