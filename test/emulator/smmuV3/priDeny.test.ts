import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MachineEvent } from '../../../emulator/machine/events';
import { Machine } from '../../../emulator/machine/machine';
import { v3StateOf } from '../../../emulator/smmu/smmuState';
import { slot } from '../../../emulator/smmu/v3/queue';
import { kernelLines } from '../helpers/kernelLog';
import { modelOf, statuses } from '../helpers/scenario';

/*
 * Upstream arm-smmu-v3 never hands page requests to the IOMMU core, in any release:
 * arm_smmu_handle_ppr logs each at KERN_INFO and denies the group on its Last with
 * CMD_PRI_RESP PRI_RESP_DENY (0, which CMD_PRI_RESP.Resp encodes as ResponseFailure).
 * `pri-handling iopf` runs the never-merged iopf path instead.
 */

function scenario(kernel: string, smmuExtra = ''): string {
  return `kernel ${kernel}
smmu s { version v3; ssid-bits 8${smmuExtra} }
domain dev_dom { map 0x0 -> 0x8000_0000 size 1M rw }
domain app_mm { }
master nic { stream 0x100; domain dev_dom; pri; pasid 5 -> app_mm }
engine nic.rx { submit 2 { read 0x4000_0000 64 pasid 5 as a; write 0x4000_1000 64 pasid 5 as b } }
handler sva on app_mm { log "page request group {prgi}"; map iova -> 0x9000_0000 + (iova - 0x4000_0000) size 8K rw; success }
`;
}

function run(text: string): { machine: Machine; commands: string[] } {
  const machine = new Machine(modelOf(text));
  const commands: string[] = [];
  machine.on((event: MachineEvent) => {
    if (event.kind === 'command') commands.push(`${event.text}: ${event.effect}`);
  });
  machine.run();
  return { machine, commands };
}

for (const kernel of ['5.15', '7.1']) {
  test(`Linux ${kernel}: each page request is logged, the group denied on its Last, and the handler never runs`, () => {
    const { machine, commands } = run(scenario(kernel));
    assert.deepEqual(kernelLines(machine), [
      'info: arm-smmu-v3 15000000.iommu: unexpected PRI request received:',
      'info: arm-smmu-v3 15000000.iommu: \tsid 0x00000100.0x00005: [0] unprivileged R access at iova 0x0000000040000000',
      'info: arm-smmu-v3 15000000.iommu: unexpected PRI request received:',
      'info: arm-smmu-v3 15000000.iommu: \tsid 0x00000100.0x00005: [0L] unprivileged W access at iova 0x0000000040001000',
    ]);
    // One command, no CMD_SYNC after it: PRI_RESP_DENY is Resp 0b00 (ResponseFailure), so both accesses fail.
    assert.deepEqual(commands, ['CMD_PRI_RESP sid 0x100 ssid 5 prgi 0x0 failure: #0, #1 fail']);
    const v3 = v3StateOf(machine.state, 0);
    assert.ok(v3);
    assert.equal(v3.cmdq.prod, 1);
    // opcode 0x41, SSV bit 11, SubstreamID 5 at [31:12], StreamID 0x100 at [63:32]; PRGIndex 0, Resp [77:76] = 0b00.
    assert.deepEqual(slot(machine.runtime.memory, v3.cmdq, 0), [0x0000_0100_0000_5841n, 0x0n]);
    assert.deepEqual(statuses(machine.result()), { 'a#0': 'aborted', 'b#0': 'aborted' });
    assert.deepEqual([...machine.journal.logs].filter((l) => l.kernel === undefined), []);
  });
}

test("'pri-handling iopf': the group reaches the handler, which maps the pages and answers Success", () => {
  const { machine, commands } = run(scenario('7.1', '; pri-handling iopf'));
  assert.deepEqual(kernelLines(machine), []);
  assert.deepEqual([...machine.journal.logs].map((l) => l.message), ['page request group 0']);
  assert.deepEqual(commands, ['CMD_PRI_RESP sid 0x100 ssid 5 prgi 0x0 success: #0, #1 retry their translation']);
  assert.deepEqual(statuses(machine.result()), { 'a#0': 'completed', 'b#0': 'completed' });
});
