import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileScenario } from '../../../emulator/scenario/compile';
import { runScenario, statuses } from '../helpers/scenario';

/**
 * Found by the invariants fuzzer: a master a vfio container placed reaches the domains it
 * binds at its PASIDs like any attached master, but the checker counted only masters with a
 * `domain` line of their own as a domain's users, and said `handler-never-runs` of a handler
 * the run then ran. The checker and the run now agree, for page requests and for stalls.
 */

/** Each diagnostic as `severity code 'text': message`. */
function diagnostics(text: string): string[] {
  const compiled = compileScenario(text);
  return compiled.diagnostics.map((d) => `${d.severity} ${d.code} '${text.slice(d.range.start, d.range.end)}': ${d.message}`);
}

/** The handler's log lines. */
function logs(text: string): string[] {
  return [...runScenario(text).machine.journal.logs].map((l) => l.message);
}

test('a PRI master a vfio container placed sends page requests for the terminating domain it binds at a PASID: its handler runs', () => {
  const text = `smmu s0 { version v3; pri-handling iopf }
domain app { }
master nic { stream 0x1; pri; pasid 3 -> app }
vfio pt { masters nic; map 0x0 -> 0x8000_0000 size 1M rw }
engine nic.rx { read 0x4000_0000 64 pasid 3 as rx }
handler h on app { log "page request for {iova}"; map page -> 0x9000_0000 rw; success }
`;
  assert.deepEqual(diagnostics(text), ["information vfio-placement 'nic': attached to pt"]);
  assert.deepEqual(logs(text), ['page request for 0x40000000']);
  assert.deepEqual(statuses(runScenario(text).result), { 'rx#0': 'completed' });
});

test('a can-stall master a vfio container placed stalls in the stall domain it binds at a PASID: its handler runs', () => {
  const text = `smmu s0 { version v3 }
domain app { }
master gpu { stream 0x1; can-stall; pasid 3 -> app }
vfio pt { masters gpu; map 0x0 -> 0x8000_0000 size 1M rw }
engine gpu.cp { read 0x4000_0000 64 pasid 3 as cp }
handler h on app { log "stall at {iova}"; map page -> 0x9000_0000 rw; retry }
`;
  assert.deepEqual(diagnostics(text), ["information vfio-placement 'gpu': attached to pt"]);
  assert.deepEqual(logs(text), ['stall at 0x40000000']);
  assert.deepEqual(statuses(runScenario(text).result), { 'cp#0': 'completed' });
});

test('the same master in no container is attached nowhere: its bindings are never written, and the handler never runs', () => {
  const text = `smmu s0 { version v3 }
domain app { }
master nic { stream 0x1; pri; pasid 3 -> app }
engine nic.rx { read 0x4000_0000 64 pasid 3 as rx }
handler h on app { log "page request for {iova}"; success }
`;
  assert.deepEqual(diagnostics(text), [
    "warning handler-never-runs 'app': handler 'h' never runs: no master using domain 'app' stalls (CD.S=0: Linux writes CD.S from each master's stall_enabled) on SMMUv3 's0', whose event records arm_smmu_evtq_thread only prints, and no PRI master uses it to send page requests",
  ]);
  assert.deepEqual(logs(text), []);
  assert.deepEqual(statuses(runScenario(text).result), { 'rx#0': 'aborted' });
});
