import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { Machine } from '../../../emulator/machine/machine';
import { modelOf } from '../helpers/scenario';

/*
 * examples/veventq-overflow.iommu: non-stalled stage-1 events of a device a guest owns go to
 * its vEVENTQ (arm_vmaster_report_event, 6.15 on), 2 deep; a storm outruns the VMM, which
 * reads one vEVENT at a time. A lost report takes the next sequence number; while the queue's
 * LOST_EVENTS header is last the VMM reads it (8 bytes, flags LOST_EVENTS), else it sees the
 * gap in the sequence numbers.
 */

const text = readFileSync('examples/veventq-overflow.iommu', 'utf8');

function vmmReads(machine: Machine): string[] {
  const reads: string[] = [];
  machine.on((event) => {
    if (event.kind === 'kernel-step' && event.step === 'iommufd_veventq_fops_read') reads.push(event.detail);
  });
  machine.run();
  return reads;
}

test('the VMM reads each vEVENT with its sequence number; lost ones leave gaps, and a trailing LOST_EVENTS header is read as 8 bytes', () => {
  const machine = new Machine(modelOf(text));
  const reads = vmmReads(machine);
  const sequences = reads.flatMap((r) => /flags @0: 0x00000000 \(none\), sequence @4: 0x([0-9a-f]{8})/.exec(r)?.[1] ?? []).map((hex) => parseInt(hex, 16));
  // 15 reports, sequences 0..14: 4 lost (4, 6, 12, 14), 11 delivered.
  assert.deepEqual(sequences, [0, 1, 2, 3, 5, 7, 8, 9, 10, 11, 13]);
  assert.deepEqual(
    reads.filter((r) => r.includes('LOST_EVENTS')),
    ['read(veventq_fd) = 8: struct iommufd_vevent_header {flags @0: 0x00000001 (LOST_EVENTS), sequence @4: 0x0000000e}: events were lost, the last of them sequence 14'],
  );
  const result = machine.result();
  assert.equal(result.counters['lost-vevents'], 4);
  assert.equal(result.counters.faults, 15);
  // The host printed none of them: each went to the guest, whose driver printed what it got.
  assert.equal([...machine.journal.logs].filter((r) => r.kernel && r.message.startsWith('arm-smmu-v3 15000000.iommu: event 0x10 received')).length, 0);
  assert.equal([...machine.journal.logs].filter((r) => r.kernel && r.message.startsWith('arm-smmu-v3 guest0-vsmmu: event 0x10 received')).length, 11);
});

