import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileScenario } from '../../../emulator/scenario/compile';
import { runScenario } from '../helpers/scenario';

/**
 * The checker's `pasid-unbound` warning says what the run does (issue 12, item 2); the
 * invariants fuzzer found three places where they disagreed.
 */

function warnings(text: string): string[] {
  return compileScenario(text)
    .diagnostics.filter((d) => d.code === 'pasid-unbound')
    .map((d) => d.message);
}

/** Each configuration fault of the run: `EVENT: reason`. */
function configFaults(text: string): string[] {
  return [...runScenario(text).machine.journal.faults].flatMap((f) => (/^(C_BAD_\w+|F_STREAM_DISABLED):/.test(f.reason) ? [f.reason] : []));
}

test('a master whose attach fails gets an abort STE: its PASID traffic aborts without an event, and the checker no longer warns', () => {
  // Linux 6.6: domain d took stall_enabled from gpu, which stalls; m cannot stall, so its attach fails (-EINVAL).
  const text = `kernel 6.6
smmu s0 { version v3 }
domain d { map 0x0 -> 0x8000_0000 size 1M rw }
domain app { }
master gpu { stream 0x2; domain d; can-stall }
master m { stream 0x1; domain d; pasid 5 -> app }
engine m.e { read 0x1000 64 pasid 7 as x }
`;
  assert.deepEqual(warnings(text), []);
  assert.deepEqual(configFaults(text), []);
  assert.deepEqual(runScenario(text).result.transactions.map((t) => t.status), ['aborted']);
});

test('a master a vfio container attached translates its PASIDs: the checker warns as for a master with its own domain', () => {
  const text = `smmu s0 { version v3 }
vfio pt { masters m; map 0x0 -> 0x8000_0000 size 1M rw }
master m { stream 0x1 }
engine m.e { read 0x1000 64 pasid 3 as x }
`;
  assert.deepEqual(warnings(text), ["pasid 3 will abort with C_BAD_SUBSTREAMID: master 'm' binds no PASID ('pasid N -> DOMAIN'), so its STE has S1CDMax=0 (substreams disabled)"]);
  assert.deepEqual(configFaults(text), ['C_BAD_SUBSTREAMID: SubstreamID 3 is beyond STE.S1CDMax=0']);
});

test('an SMMU with ssid-bits 0 takes no SubstreamID, not even 0: C_BAD_SUBSTREAMID, not F_STREAM_DISABLED', () => {
  // Every binding is an error there (PASID 0 is IOMMU_NO_PASID, any other does not fit), so the checker's answer is all there is.
  const bound = `smmu s0 { version v3; ssid-bits 0 }
domain d { map 0x0 -> 0x8000_0000 size 1M rw }
domain app { }
master m { stream 0x1; domain d; pasid 0 -> app }
engine m.e { read 0x1000 64 pasid 0 as x }
`;
  assert.deepEqual(warnings(bound), ["pasid 0 will abort with C_BAD_SUBSTREAMID: smmu 's0' has ssid-bits 0 (IDR1.SSIDSIZE=0): it takes no SubstreamID"]);
  // Without the binding it runs, and the SMMU refuses the SubstreamID as the checker says.
  const text = bound.replace('; pasid 0 -> app', '');
  assert.deepEqual(warnings(text), ["pasid 0 will abort with C_BAD_SUBSTREAMID: master 'm' binds no PASID ('pasid N -> DOMAIN'), so its STE has S1CDMax=0 (substreams disabled)"]);
  assert.deepEqual(configFaults(text), ['C_BAD_SUBSTREAMID: SubstreamID 0: the SMMU takes no SubstreamIDs (IDR1.SSIDSIZE=0)']);
});

test('`pasid 0 -> DOMAIN` is an error: PASID 0 is IOMMU_NO_PASID, and CD 0 stays the master\'s own domain', () => {
  const compiled = compileScenario(`smmu s0 { version v3 }
domain d { map 0x0 -> 0x8000_0000 size 1M rw }
domain app { map 0x0 -> 0x9000_0000 size 1M rw }
master m { stream 0x1; domain d; pasid 0 -> app }
engine m.e { read 0x1000 4 as plain }
`);
  assert.deepEqual(
    compiled.diagnostics.map((d) => [d.severity, d.code, compiled.text.slice(d.range.start, d.range.end), d.message]),
    [
      [
        'error',
        'pasid-zero',
        'pasid 0 -> app',
        "PASID 0 is Linux's IOMMU_NO_PASID, which no binding gets: SubstreamID 0 is the traffic of master 'm' without a PASID, which its STE (S1DSS=SSID0) translates with CD 0, the master's own domain; bind a PASID from 1",
      ],
    ],
  );
  assert.equal(compiled.model, undefined);
});
