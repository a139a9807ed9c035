import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { MachineEvent } from '../../../emulator/machine/events';
import { Machine } from '../../../emulator/machine/machine';
import { decodeCommand } from '../../../emulator/smmu/v3/commands';
import { slot } from '../../../emulator/smmu/v3/queue';
import { repoPath } from '../../helpers/repo';
import { modelOf, statuses } from '../helpers/scenario';
import { v3StateOf } from '../../../emulator/smmu/smmuState';

/** examples/smmuv3-stalls-out-of-order.iommu: two stalls of one stream, STAG 0 and 1, answered 1 then 0. */
function run(): { machine: Machine; events: MachineEvent[] } {
  const machine = new Machine(modelOf(readFileSync(repoPath('examples', 'smmuv3-stalls-out-of-order.iommu'), 'utf8')));
  const events: MachineEvent[] = [];
  machine.on((event) => events.push(event));
  assert.deepEqual(machine.run(), { reason: 'finished' });
  return { machine, events };
}

test('each stall writes a stall record with its own STAG: byte-exact in the event queue', () => {
  const { machine } = run();
  const v3 = v3StateOf(machine.state, 0);
  assert.ok(v3);
  // F_TRANSLATION (0x10), SID 0x10 in [63:32]; Stall b31, RnW b35, CLASS=IN (2) [41:40]; InputAddr.
  assert.deepEqual(slot(machine.runtime.memory, v3.eventq, 0), [0x0000_0010_0000_0010n, 0x0000_0208_8000_0000n, 0x0700_0000n, 0n]);
  assert.deepEqual(slot(machine.runtime.memory, v3.eventq, 1), [0x0000_0010_0000_0010n, 0x0000_0208_8000_0001n, 0x0710_0000n, 0n]);
  assert.equal(v3.eventq.prod, 2);
  assert.equal(v3.eventq.cons, 2);
});

test('the iopf workqueue answers the second stall first: CMD_RESUME stag 1 terminate, then stag 0 retry', () => {
  const { machine, events } = run();
  const commands = events.flatMap((e) => (e.kind === 'command' ? [`${e.time} ${e.text}: ${e.effect}`] : []));
  assert.deepEqual(commands, [
    '60 CMD_RESUME sid 0x10 stag 0x1 terminate: #1 terminated (RAZ/WI)',
    '160 CMD_RESUME sid 0x10 stag 0x0 retry: #0 retried',
  ]);
  const v3 = v3StateOf(machine.state, 0);
  assert.ok(v3);
  // The command queue in memory holds what the driver wrote, in order: no CMD_SYNC after a CMD_RESUME (arm_smmu_page_response).
  const written = [0, 1].map((i) => decodeCommand(slot(machine.runtime.memory, v3.cmdq, i)));
  assert.deepEqual(written, [
    { op: 'CMD_RESUME', sid: 0x10, stag: 1, action: 'terminate' },
    { op: 'CMD_RESUME', sid: 0x10, stag: 0, action: 'retry' },
  ]);
  assert.equal(v3.cmdq.prod, 2);
  assert.deepEqual(statuses(machine.result()), { 'first#0': 'completed', 'second#0': 'raz' });
  assert.deepEqual(machine.invariantViolations(), []);
});

test('the handlers ran on both iopf workers at once', () => {
  const { machine, events } = run();
  const starts = events.flatMap((e) => (e.kind === 'kernel-step' && e.step === 'iommu_sva_handle_iopf' ? [`${e.time} ${machine.state.threads[e.thread - 1]?.name}: ${e.detail}`] : []));
  assert.deepEqual(starts, ['55 iopf/0: stall grpid=STAG 0x0, sid 0x10, 1 fault', '56 iopf/1: stall grpid=STAG 0x1, sid 0x10, 1 fault']);
});

test("a stall answered in Linux's words: iommu_page_response names the code, arm_smmu_page_response sends CMD_RESUME abort", () => {
  const machine = new Machine(
    modelOf(`
smmu s { version v3 }
domain d { fault stall; map 0x0 -> 0x8000_0000 size 64K rw }
master m { stream 0x3; domain d; can-stall }
engine m.e { read 0x0010_0000 64 as t }
handler h on d { invalid }
`),
  );
  const events: MachineEvent[] = [];
  machine.on((event) => events.push(event));
  machine.run();
  const answered = events.flatMap((e) => (e.kind === 'kernel-step' && e.step === 'iopf_group_response' ? [e.detail] : []));
  assert.deepEqual(answered, ['iommu_page_response(IOMMU_PAGE_RESP_INVALID = 1) → CMD_RESUME sid 0x3 stag 0x0 abort: #0 aborted']);
  assert.deepEqual(statuses(machine.result()), { 't#0': 'aborted' });
});
