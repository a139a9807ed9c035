import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileScenario } from '../../../emulator/scenario/compile';
import { decodeEvent, recordedSubstreamId } from '../../../emulator/smmu/v3/eventRecord';
import { slot } from '../../../emulator/smmu/v3/queue';
import { runScenario, statuses } from '../helpers/scenario';
import { v3StateOf } from '../../../emulator/smmu/smmuState';

/**
 * A SubstreamID the SMMU cannot hold (IHI 0070 6.3.2 IDR1.SSIDSIZE; 7.3.9): the SMMU raises
 * C_BAD_SUBSTREAMID and aborts the transaction; the record's 20-bit SubstreamID keeps what
 * fits. The checker predicts exactly that (issue 12, item 2).
 */

function scenario(ssidBits: number, pasid: string, expects = ''): string {
  return `smmu s0 { version v3; ssid-bits ${ssidBits} }
domain d { map 0x0 -> 0x8000_0000 size 1M rw }
domain app { }
master m { stream 0x1; domain d; pasid 5 -> app }
engine m.e { read 0x1000 64 pasid ${pasid} as x }
${expects}`;
}

/** The first record of the event queue, decoded. */
function firstRecord(text: string) {
  const { machine, stop } = runScenario(text);
  assert.deepEqual(stop, { reason: 'finished' });
  const v3 = v3StateOf(machine.state, 0);
  assert.ok(v3);
  return { machine, record: decodeEvent(slot(machine.runtime.memory, v3.eventq, 0)) };
}

/** The `pasid-unbound` warnings of a scenario, as `event: message`. */
function warnings(text: string): string[] {
  return compileScenario(text)
    .diagnostics.filter((d) => d.code === 'pasid-unbound')
    .map((d) => d.message);
}

test('the issue\'s repro: pasid 0x100000 on a 20-bit SMMU aborts with C_BAD_SUBSTREAMID; the record keeps SubstreamID bits [19:0]', () => {
  const { machine, record } = firstRecord(scenario(20, '0x100000'));
  assert.deepEqual(record, { id: 'C_BAD_SUBSTREAMID', sid: 1, ssv: true, ssid: 0, stag: 0, stall: false, pnu: false, ind: false, rnw: false, s2: false, class: 0, inputAddr: 0n });
  const result = machine.result();
  assert.deepEqual(statuses(result), { 'x#0': 'aborted' });
  const reason = "C_BAD_SUBSTREAMID: SubstreamID 0x100000 is wider than the SMMU's 20 SubstreamID bits (IDR1.SSIDSIZE=20); the record's 20-bit SubstreamID keeps bits [19:0], 0";
  assert.deepEqual(
    result.faults.map((f) => ({ kind: f.kind, ssid: f.ssid, stalled: f.stalled, reason: f.reason })),
    [{ kind: 'bad-substreamid', ssid: 0, stalled: false, reason }],
  );
  assert.deepEqual({ events: result.counters.events, aborted: result.counters.aborted, dropped: result.counters['dropped-events'] }, { events: 1, aborted: 1, dropped: 0 });
  assert.deepEqual(machine.invariantViolations(), []);
});

test('a 64-bit PASID keeps its low 20 bits in the record, never a rounded number', () => {
  assert.equal(recordedSubstreamId(0xffff_ffff_ffff_fff5n), 0xffff5);
  assert.equal(recordedSubstreamId(0x10_0005n), 5);
  assert.equal(recordedSubstreamId(0xf_ffffn), 0xf_ffff);
  const { record, machine } = firstRecord(scenario(8, '0xffff_ffff_ffff_fff5'));
  assert.deepEqual({ id: record.id, ssid: record.ssid }, { id: 'C_BAD_SUBSTREAMID', ssid: 0xffff5 });
  assert.equal(machine.result().faults[0]?.ssid, 0xffff5);
});

test('a PASID a PCIe device can send (20 bits) beyond the SMMU\'s 8 bits is C_BAD_SUBSTREAMID, recorded whole', () => {
  const { record, machine } = firstRecord(scenario(8, '0x105'));
  assert.deepEqual({ id: record.id, ssid: record.ssid }, { id: 'C_BAD_SUBSTREAMID', ssid: 0x105 });
  assert.equal(machine.result().faults[0]?.reason, "C_BAD_SUBSTREAMID: SubstreamID 0x105 is wider than the SMMU's 8 SubstreamID bits (IDR1.SSIDSIZE=8)");
});

test('the checker warns exactly what the run does: the event, and the SubstreamID the record keeps', () => {
  assert.deepEqual(warnings(scenario(20, '0x100000')), [
    "pasid 1048576 will abort with C_BAD_SUBSTREAMID: it is beyond the CD table of master 'm' (S1CDMax=20, the ssid-bits of smmu 's0'); its event record keeps SubstreamID bits [19:0], 0",
  ]);
  // Bits [19:0] of 0x100005 are 5, a bound PASID: the record reads 5, and the warning says so.
  assert.deepEqual(warnings(scenario(20, '0x100005')), [
    "pasid 1048581 will abort with C_BAD_SUBSTREAMID: it is beyond the CD table of master 'm' (S1CDMax=20, the ssid-bits of smmu 's0'); its event record keeps SubstreamID bits [19:0], 5",
  ]);
  for (const [ssidBits, pasid] of [[20, '0x100000'], [20, '0x100005'], [20, '0xf_ffff'], [8, '0x105'], [8, '0'], [8, '5'], [8, '7'], [3, '9']] as const) {
    const text = scenario(ssidBits, pasid);
    const predicted = warnings(text).map((w) => /will abort with (\w+)/.exec(w)?.[1]);
    const { record } = firstRecord(text);
    const ran = [...runScenario(text).machine.journal.faults].flatMap((f) => /^(C_BAD_\w+|F_STREAM_DISABLED):/.exec(f.reason)?.[1] ?? []);
    assert.deepEqual(predicted, ran, `ssid-bits ${ssidBits}, pasid ${pasid}`);
    if (ran.length > 0) assert.equal(record.id, ran[0]);
  }
});

test('the repro runs to its end and its expects decide the exit: aborted holds, completed does not', () => {
  const holds = runScenario(scenario(20, '0x100000', 'expect x aborted\nexpect events == 1'));
  assert.deepEqual(holds.result.expects.map((e) => [e.ok, e.detail]), [[true, 'x: aborted'], [true, 'events = 1']]);
  const fails = runScenario(scenario(20, '0x100000', 'expect x completed'));
  assert.deepEqual(fails.result.expects.map((e) => [e.ok, e.detail]), [[false, 'x: aborted']]);
});
