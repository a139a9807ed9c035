import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { QueuesResponseBody } from '../../debug-adapter/protocol';
import { Dap, example, lineOf, scenarioFile } from './helpers';

/*
 * A fault forwarded to a guest (examples/vm-nic-fault-forwarded.iommu) in the debugger: the
 * VM's threads, its virtual SMMU's queues beside the host's, and a stall the guest holds
 * answered from the guest's side.
 */

// The guest's handler maps the page but does not answer: the debugger answers for it.
const silentGuest = readFileSync(example('vm-nic-fault-forwarded'), 'utf8').replace('  map page -> 0x4010_0000 rw\n  retry\n', '  map page -> 0x4010_0000 rw\n');

describe("a guest's fault in the debugger", () => {
  let dap: Dap;
  beforeEach(async () => {
    dap = await Dap.start();
  });
  afterEach(async () => {
    await dap.stop();
  });

  test("a breakpoint in the guest's handler stops its iopf worker; the VM's threads are named for it", async () => {
    const scenario = scenarioFile(silentGuest);
    const stop = await dap.launchAndStop({ scenario }, { breakpoints: [{ line: lineOf(silentGuest, 'map page -> 0x4010_0000') }], exceptionFilters: [] });
    assert.equal(stop.reason, 'breakpoint');
    const names = (await dap.threads()).map((t) => t.name);
    assert.ok(names.includes('guest0/iopf'), names.join(', '));
    assert.equal(stop.threadId, await dap.threadId('guest0/iopf'));
  });

  test("iommu/queues lists the guest's virtual queues at IPAs and the stall its VMM injected; iommu/resume answers from the guest's side", async () => {
    const scenario = scenarioFile(silentGuest);
    await dap.launchAndStop({ scenario }, { breakpoints: [{ line: lineOf(silentGuest, 'map page -> 0x4010_0000') }], exceptionFilters: [] });
    const queues = await dap.custom<QueuesResponseBody>('iommu/queues');
    const guest = queues.smmus.find((s) => s.smmu === 'guest0 (virtual SMMUv3, guest memory)');
    assert.ok(guest, queues.smmus.map((s) => s.smmu).join(', '));
    assert.deepEqual(guest.queues.map((q) => [q.name, q.entries, q.prod, q.cons]), [
      ['event', 32, '0x00000001', '0x00000001'], // the injected record, consumed by the guest's evtq thread
      ['command', 64, '0x00000000', '0x00000000'],
    ]);
    // The guest programmed IPAs; views read (and link memory at) the PAs stage 2 maps them to.
    const ipa = BigInt(guest.queues[0]?.ipa ?? '-1');
    assert.ok(ipa >= 0x4000_0000n && ipa < 0x8000_0000n, guest.queues[0]?.ipa ?? 'no IPA');
    assert.equal(BigInt(guest.queues[0]?.base ?? '-1'), 0x8_0000_0000n + (ipa - 0x4000_0000n));
    assert.ok(queues.smmus.filter((s) => s.smmu === 'smmu0').every((s) => s.queues.every((q) => q.ipa === null)));
    assert.deepEqual(guest.stalls, [{ stag: '0x0', sid: '0x10', transaction: 1 }]);
    const answered = await dap.answer(1, 'retry');
    assert.deepEqual(answered, { resumed: [], written: 'CMD_RESUME sid 0x10 stag 0x0 retry → guest CMDQ[0]; the VMM answers the host when it has consumed it' });
    await dap.client.setBreakpointsRequest({ source: { path: scenario }, breakpoints: [] });
    await dap.client.continueRequest({ threadId: await dap.threadId('guest0/iopf') });
    assert.equal(await dap.exitCode(), 0);
  });
});
