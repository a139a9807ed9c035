import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Diagnostic, DiagnosticSeverity } from 'vscode-languageserver-protocol/node';
import { groupResponseCommand } from '../../emulator/kernel/iopf';
import { OpenScenario } from './helpers';

/*
 * The SMMUv3 diagnostics as the server publishes them: range, severity, code and message.
 * (test/emulator/checker.test.ts holds the checker to the same messages, case by case.)
 */

/** An SMMUv3 with a stall domain and a can-stall master, and a terminating domain with a PRI master. */
const base = `smmu s { version v3; ssid-bits 4; pri-handling iopf }
domain st { map 0x0 -> 0x8000_0000 size 1M rw }
domain pr { map 0x0 -> 0x9000_0000 size 1M rw }
master gpu { stream 0x1; domain st; can-stall }
master nic { stream 0x2; domain pr; pri }
engine gpu.cp { read 0x0 64 }
engine nic.rx { read 0x0 64 }
handler on_stall on st { context workqueue; retry }
handler on_pri on pr { success }
`;

let doc: OpenScenario;

before(async () => {
  doc = await OpenScenario.open(base);
});

after(() => doc.close());

/** The published diagnostics of `text` but the predicted faults (tested in predictionsV3.test.ts). */
async function diagnosticsOf(text: string): Promise<Diagnostic[]> {
  return (await doc.change(text)).diagnostics.filter((d) => d.code !== 'predicted-fault');
}

function expected(needle: string, occurrence: number, severity: DiagnosticSeverity, code: string, message: string): Diagnostic {
  return { range: doc.range(needle, occurrence), severity, code, source: 'iommu', message };
}

/** The same for `needle` at `delta` characters into the first `context`. */
function expectedIn(needle: string, context: string, delta: number, severity: DiagnosticSeverity, code: string, message: string): Diagnostic {
  return { range: { start: doc.position(context, delta), end: doc.position(context, delta + needle.length) }, severity, code, source: 'iommu', message };
}

describe('SMMUv3 diagnostics', () => {
  test('the base scenario is clean: stall responses on a stall domain, page responses on a PRI domain', async () => {
    assert.deepEqual(await diagnosticsOf(base), []);
  });

  test("'pri' on a master behind an SMMUv2 is an error on the flag", async () => {
    const text = "smmu k { version v2 }\ndomain d { }\nmaster m { stream 0x1; domain d; pri }\n";
    assert.deepEqual(await diagnosticsOf(text), [
      expected('pri', 0, DiagnosticSeverity.Error, 'version-mismatch', "PRI is PCIe ATS page requests into an SMMUv3 PRI queue; smmu 'k' is an SMMUv2"),
    ]);
  });

  test('a transaction with a PASID its master does not bind: a warning on `pasid N` naming the event it will take', async () => {
    const text = base
      .replace('domain pr; pri }', 'domain pr; pri; pasid 3 -> pr }')
      .replace('engine gpu.cp { read 0x0 64 }', 'engine gpu.cp { read 0x0 64 pasid 1 }')
      .replace('engine nic.rx { read 0x0 64 }', 'engine nic.rx { read 0x0 64 pasid 0; read 0x0 64 pasid 2; read 0x0 64 pasid 16; read 0x0 64 pasid 3 }');
    assert.deepEqual(await diagnosticsOf(text), [
      expected('pasid 1', 0, DiagnosticSeverity.Warning, 'pasid-unbound', "pasid 1 will abort with C_BAD_SUBSTREAMID: master 'gpu' binds no PASID ('pasid N -> DOMAIN'), so its STE has S1CDMax=0 (substreams disabled)"),
      expected(
        'pasid 0',
        0,
        DiagnosticSeverity.Warning,
        'pasid-unbound',
        "pasid 0 will abort with F_STREAM_DISABLED: Linux's STE has S1DSS=0b10 (SSID0), which keeps SubstreamID 0 for traffic without a PASID; leave 'pasid' out to use the domain of master 'nic'",
      ),
      expected('pasid 2', 0, DiagnosticSeverity.Warning, 'pasid-unbound', "pasid 2 will abort with C_BAD_CD: master 'nic' binds no PASID 2 ('pasid 2 -> DOMAIN' is missing), so CD 2 of its CD table is invalid (V=0)"),
      expected('pasid 16', 0, DiagnosticSeverity.Warning, 'pasid-unbound', "pasid 16 will abort with C_BAD_SUBSTREAMID: it is beyond the CD table of master 'nic' (S1CDMax=4, the ssid-bits of smmu 's')"),
    ]);
  });

  test('a handler on a terminating domain no PRI master uses: it never runs (a warning on the domain after `on`)', async () => {
    const text = base.replace('domain pr; pri }', 'domain pr }');
    assert.deepEqual(await diagnosticsOf(text), [
      expectedIn(
        'pr',
        'on pr {',
        3,
        DiagnosticSeverity.Warning,
        'handler-never-runs',
        "handler 'on_pri' never runs: no master using domain 'pr' stalls (CD.S=0: Linux writes CD.S from each master's stall_enabled) on SMMUv3 's', whose event records arm_smmu_evtq_thread only prints, and no PRI master uses it to send page requests",
      ),
    ]);
  });

  test('a stall domain whose only user is bound at a PASID of a master that cannot stall: Linux writes CD.S=0, the handler never runs', async () => {
    const text = base
      .replace('master gpu { stream 0x1; domain st; can-stall }', 'master gpu { stream 0x1; domain pr; pasid 1 -> st }')
      .replace('engine gpu.cp { read 0x0 64 }', 'engine gpu.cp { read 0x0 64 pasid 1 }');
    assert.deepEqual(await diagnosticsOf(text), [
      expectedIn(
        'st',
        'on st {',
        3,
        DiagnosticSeverity.Warning,
        'handler-never-runs',
        "handler 'on_stall' never runs: no master using domain 'st' stalls (CD.S=0: Linux writes CD.S from each master's stall_enabled) on SMMUv3 's', whose event records arm_smmu_evtq_thread only prints, and no PRI master uses it to send page requests",
      ),
    ]);
  });

  test("'context irq' on an SMMUv3 handler has no effect: a warning on the word, and no atomic-sleep error for its map", async () => {
    const text = base.replace('handler on_stall on st { context workqueue; retry }', 'handler on_stall on st { context irq; map iova -> 0x8800_0000 size 4K rw; retry }');
    assert.deepEqual(await diagnosticsOf(text), [
      expected(
        'irq',
        0,
        DiagnosticSeverity.Warning,
        'context-v3',
        "'context irq' has no effect on an SMMUv3: the IOMMU core runs every fault handler from its iopf workqueue (iommu_report_device_fault queues the fault group), where it may sleep",
      ),
    ]);
  });

  test("the other kind of response: a hint saying what Linux sends, the same as the emulator's command", async () => {
    const text = base.replace('context workqueue; retry }', 'context workqueue; invalid }').replace('on pr { success }', 'on pr { terminate }');
    const list = await diagnosticsOf(text);
    assert.deepEqual(list, [
      expected('invalid', 0, DiagnosticSeverity.Hint, 'response-mapping', "on a stall of master 'gpu', 'invalid' is sent as CMD_RESUME abort (Linux's arm_smmu_page_response: SUCCESS → retry, INVALID and FAILURE → abort)"),
      expected('terminate', 0, DiagnosticSeverity.Hint, 'response-mapping', "on a page request group of master 'nic', 'terminate' is sent as CMD_PRI_RESP InvalidRequest (retry → Success, terminate → InvalidRequest, abort → ResponseFailure)"),
    ]);
    // What the emulator sends for these answers (kernel/iopf.ts) is what the hints say.
    const stall = groupResponseCommand({ kind: 'stall', sid: 1, ssid: undefined, grpid: 0 }, 1, 'invalid');
    const group = groupResponseCommand({ kind: 'page-request', sid: 2, ssid: undefined, grpid: 0 }, 2, 'terminate');
    assert.deepEqual([stall.op, stall.op === 'CMD_RESUME' ? stall.action : undefined], ['CMD_RESUME', 'abort']);
    assert.deepEqual([group.op, group.op === 'CMD_PRI_RESP' ? group.response : undefined], ['CMD_PRI_RESP', 'invalid']);
  });

  test('every answer on a domain that gets both stalls and page request groups: the hint names the command the emulator sends', async () => {
    const both = `smmu s { version v3; pri-handling iopf }
domain d { map 0x0 -> 0x8000_0000 size 1M rw }
master gpu { stream 0x1; domain d; can-stall }
master nic { stream 0x2; domain d; can-stall; pri }
handler h on d { ANSWER }
`;
    const priNames: Record<string, string> = { success: 'Success', invalid: 'InvalidRequest', failure: 'ResponseFailure' };
    for (const answer of ['retry', 'terminate', 'abort', 'success', 'invalid', 'failure'] as const) {
      const stall = groupResponseCommand({ kind: 'stall', sid: 1, ssid: undefined, grpid: 0 }, 1, answer);
      const group = groupResponseCommand({ kind: 'page-request', sid: 2, ssid: undefined, grpid: 0 }, 2, answer);
      assert.ok(stall.op === 'CMD_RESUME' && group.op === 'CMD_PRI_RESP');
      const native = answer === 'retry' || answer === 'terminate' || answer === 'abort';
      const message = native
        ? `on a page request group of master 'nic', '${answer}' is sent as CMD_PRI_RESP ${priNames[group.response]} (retry → Success, terminate → InvalidRequest, abort → ResponseFailure)`
        : `on a stall of master 'gpu', '${answer}' is sent as CMD_RESUME ${stall.action} (Linux's arm_smmu_page_response: SUCCESS → retry, INVALID and FAILURE → abort)`;
      const list = await diagnosticsOf(both.replace('ANSWER', answer));
      assert.deepEqual(list, [expectedIn(answer, `{ ${answer} }`, 2, DiagnosticSeverity.Hint, 'response-mapping', message)], answer);
    }
  });

  test('a handler path without an answer hangs the device on an SMMUv3 in any context: a warning on the handler', async () => {
    const text = base.replace('context workqueue; retry }', 'context thread; log "stalled" }').replace('on pr { success }', 'on pr { if write { success } }');
    assert.deepEqual(await diagnosticsOf(text), [
      expected('on_stall', 0, DiagnosticSeverity.Warning, 'no-response', "a path through handler 'on_stall' reaches its end without a response: the stalled transaction stays stalled and the master hangs"),
      expected(
        'thread',
        0,
        DiagnosticSeverity.Warning,
        'context-v3',
        "'context thread' has no effect on an SMMUv3: the IOMMU core runs every fault handler from its iopf workqueue (iommu_report_device_fault queues the fault group), where it may sleep",
      ),
      expected(
        'if write { success }',
        0,
        DiagnosticSeverity.Warning,
        'no-response',
        "a path through handler 'on_pri' reaches line 9 without a response: the page request group is never answered and the device waits for it",
      ),
    ]);
  });

  test("'stall off' in a handler of an SMMUv3 domain does nothing: a warning on the statement", async () => {
    const text = base.replace('context workqueue; retry }', 'context workqueue; stall off for 50; retry }');
    assert.deepEqual(await diagnosticsOf(text), [
      expected(
        'stall off for 50',
        0,
        DiagnosticSeverity.Warning,
        'stall-off-v3',
        "'stall off' does nothing on SMMUv3: msm's stall cooldown clears SCTLR.CFCFG, a context-bank bit an SMMUv3 does not have (CD.S stays as Linux wrote it)",
      ),
    ]);
  });

  test('an output size CD.IPS cannot encode is an error on the value (the emulator could not write the CD)', async () => {
    const text = base.replace('domain pr {', 'domain pr { oas 36; ').replace('domain st {', 'domain st { oas 38;');
    assert.deepEqual(await diagnosticsOf(text), [
      expected('38', 0, DiagnosticSeverity.Error, 'oas-ips', 'oas 38 has no CD.IPS encoding: on an SMMUv3 the output address size is 32, 36, 40, 42, 44 or 48 bits'),
    ]);
  });
});
