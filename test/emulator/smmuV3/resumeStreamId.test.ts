import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { MachineEvent } from '../../../emulator/machine/events';
import { Machine } from '../../../emulator/machine/machine';
import { v3StateOf } from '../../../emulator/smmu/smmuState';
import { decodeCommand } from '../../../emulator/smmu/v3/commands';
import { slot } from '../../../emulator/smmu/v3/queue';
import { repoPath } from '../../helpers/repo';
import { modelOf, statuses } from '../helpers/scenario';

/*
 * arm_smmu_page_response answers with master->streams[0].id, not the StreamID that
 * stalled, and sends no CMD_SYNC after it: every release from 5.14 to 7.1.
 */

const example = readFileSync(repoPath('examples', 'smmuv3-second-stream-stall-hang.iommu'), 'utf8');

function run(kernel: string): { machine: Machine; commands: string[] } {
  const machine = new Machine(modelOf(example.replace('smmu smmu0', `kernel ${kernel}\nsmmu smmu0`)));
  const commands: string[] = [];
  machine.on((event: MachineEvent) => {
    if (event.kind === 'command') commands.push(`${event.time} ${event.text}: ${event.effect}`);
  });
  machine.run();
  return { machine, commands };
}

for (const kernel of ['5.15', '7.1']) {
  test(`Linux ${kernel}: the stall on the second StreamID gets CMD_RESUME to the first, which matches nothing: it stays stalled`, () => {
    const { machine, commands } = run(kernel);
    assert.deepEqual(commands, [
      '35 CMD_RESUME sid 0x10 stag 0x0 abort: #0 aborted',
      '55 CMD_RESUME sid 0x10 stag 0x1 abort: no transaction is stalled with this StreamID and STAG: no effect',
    ]);
    assert.deepEqual(statuses(machine.result()), { 'first_stream#0': 'aborted', 'second_stream#0': 'stalled' });
    const v3 = v3StateOf(machine.state, 0);
    assert.ok(v3);
    // What the driver wrote to the command queue: two CMD_RESUMEs to StreamID 0x10, no CMD_SYNC.
    assert.equal(v3.cmdq.prod, 2);
    assert.deepEqual([0, 1].map((i) => decodeCommand(slot(machine.runtime.memory, v3.cmdq, i))), [
      { op: 'CMD_RESUME', sid: 0x10, stag: 0, action: 'abort' },
      { op: 'CMD_RESUME', sid: 0x10, stag: 1, action: 'abort' },
    ]);
    assert.deepEqual(slot(machine.runtime.memory, v3.cmdq, 1), [0x0000_0010_0000_2044n, 0x1n]);
    // The SMMU still holds the stall on 0x11 with STAG 0x1.
    assert.deepEqual(v3.stalls.map((s) => [s.sid, s.stag]), [[0x11, 1]]);
  });
}

test("the debugger's own answer names the StreamID that stalled: it frees the hung transaction", () => {
  const { machine } = run('7.1');
  const hung = machine.result().transactions.find((t) => t.label === 'second_stream');
  assert.ok(hung);
  const answer = machine.resumeTransaction(hung.id, 'abort');
  assert.deepEqual(answer, { resumed: [hung.id], written: 'CMD_RESUME sid 0x11 stag 0x1 abort: #1 aborted' });
  assert.deepEqual(statuses(machine.result()), { 'first_stream#0': 'aborted', 'second_stream#0': 'aborted' });
});
