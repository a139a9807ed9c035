import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MachineEvent } from '../../../emulator/machine/events';
import { Machine } from '../../../emulator/machine/machine';
import { hasChange } from '../../../emulator/kernel/versions';
import { modelOf, statuses } from '../helpers/scenario';

/*
 * arm-smmu-v3 enables IOPF only for a master with exactly one StreamID, in every release:
 * arm_smmu_master_iopf_supported up to 6.15, arm_smmu_enable_iopf from 6.16. A stalling
 * master with two never reaches its handler: the core fails each stall at once and
 * arm_smmu_page_response aborts it with CMD_RESUME to the master's first StreamID.
 */

function scenario(kernel: string, streams: string): string {
  return `kernel ${kernel}
smmu s { version v3 }
domain d { map 0x0 -> 0x8000_0000 size 1M rw }
master cam { ${streams}; domain d; can-stall }
engine cam.isp { stream 0x10; read 0x0200_0000 64 as t }
handler h on d { log "stall at {iova}"; map page -> 0x9000_0000 rw; retry }
`;
}

function run(text: string): { machine: Machine; evtq: string[]; commands: string[] } {
  const machine = new Machine(modelOf(text));
  const evtq: string[] = [];
  const commands: string[] = [];
  machine.on((event: MachineEvent) => {
    if (event.kind === 'kernel-step' && event.step === 'arm_smmu_evtq_thread') evtq.push(event.detail);
    if (event.kind === 'command') commands.push(`${event.text}: ${event.effect}`);
  });
  machine.run();
  return { machine, evtq, commands };
}

for (const [kernel, check] of [
  ['6.12', 'arm_smmu_master_iopf_supported'],
  ['7.1', 'arm_smmu_enable_iopf'],
] as const) {
  test(`Linux ${kernel}: a stalling master with two StreamIDs gets no iopf (${check}); its stall is aborted, its handler never runs`, () => {
    const { machine, evtq, commands } = run(scenario(kernel, 'stream 0x10; stream 0x11'));
    assert.equal(
      evtq[0],
      `[0] F_TRANSLATION sid 0x10 stag 0x0 stall read 0x2000000: master 'cam' has 2 StreamIDs, so iopf is not enabled for it (${check}: num_streams != 1, Linux ${kernel}): iopf_error_response → CMD_RESUME sid 0x10 stag 0x0 abort: #0 aborted; printed`,
    );
    assert.deepEqual(commands, ['CMD_RESUME sid 0x10 stag 0x0 abort: #0 aborted']);
    assert.deepEqual([...machine.journal.logs].filter((l) => l.kernel === undefined), []);
    assert.deepEqual(statuses(machine.result()), { 't#0': 'aborted' });
  });
}

test('the same master with one StreamID gets iopf: the handler maps the page and the retry completes', () => {
  const { machine, commands } = run(scenario('7.1', 'stream 0x10'));
  assert.deepEqual([...machine.journal.logs].map((l) => l.message), ['stall at 0x2000000']);
  assert.deepEqual(commands, ['CMD_RESUME sid 0x10 stag 0x0 retry: #0 retried']);
  assert.deepEqual(statuses(machine.result()), { 't#0': 'completed' });
});

test("with 'pri-handling iopf', a PRI master with two StreamIDs gets no iopf either: its group is answered at once (CMD_PRI_RESP to streams[0])", () => {
  const text = `smmu s { version v3; ssid-bits 8; pri-handling iopf }
domain dev_dom { map 0x0 -> 0x8000_0000 size 1M rw }
domain app_mm { }
master nic { stream 0x100; stream 0x101; domain dev_dom; pri; pasid 5 -> app_mm }
engine nic.rx { stream 0x100; read 0x4000_0000 64 pasid 5 as a }
handler sva on app_mm { log "never"; success }
`;
  const { machine, commands } = run(text);
  assert.deepEqual(commands, ['CMD_PRI_RESP sid 0x100 ssid 5 prgi 0x0 invalid: #0 fail']);
  assert.deepEqual([...machine.journal.logs].filter((l) => l.kernel === undefined), []);
  assert.deepEqual(statuses(machine.result()), { 'a#0': 'aborted' });
});

test("the core's answer to a stall no handler takes, by release: 6.6's arm_smmu_handle_evt (FAILURE), 6.12's iopf_error_response (INVALID); both abort", () => {
  assert.equal(hasChange('6.6', 'iopfErrorResponse'), false);
  assert.equal(hasChange('6.12', 'iopfErrorResponse'), true);
  const old = run(scenario('6.6', 'stream 0x10; stream 0x11'));
  assert.equal(
    old.evtq[0],
    "[0] F_TRANSLATION sid 0x10 stag 0x0 stall read 0x2000000: master 'cam' has 2 StreamIDs, so iopf is not enabled for it (arm_smmu_master_iopf_supported: num_streams != 1, Linux 6.6): arm_smmu_handle_evt: nobody cared (IOMMU_PAGE_RESP_FAILURE) → CMD_RESUME sid 0x10 stag 0x0 abort: #0 aborted; printed",
  );
  assert.deepEqual(old.commands, run(scenario('6.12', 'stream 0x10; stream 0x11')).commands);
});
