import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MachineEvent } from '../../emulator/machine/events';
import { Machine } from '../../emulator/machine/machine';
import { modelOf, runScenario, statuses } from './helpers/scenario';
import { v2StateOf } from '../../emulator/smmu/smmuState';

function base(domain: string, handler = '', engines = 'engine gpu.cp { read 0x0700_0000 64 as bad }'): string {
  return `
smmu kgsl { version v2 }
domain gpu_dom {
  ${domain}
  map 0x0100_0000 -> 0x8000_0000 size 1M rw
}
master gpu { stream 0x0; domain gpu_dom; can-stall }
${engines}
${handler}
`;
}

function bank(machine: Machine) {
  const b = v2StateOf(machine.state, 0)?.banks[0];
  assert.ok(b);
  return b;
}

function recorded(machine: Machine): MachineEvent[] {
  const events: MachineEvent[] = [];
  machine.on((event) => events.push(event));
  return events;
}

test('SCTLR is what arm_smmu_init_context_bank writes, plus the fault bits', () => {
  const sctlr = (domain: string): number => bank(new Machine(modelOf(base(domain)))).sctlr;
  assert.equal(sctlr('fault terminate'), 0x1067); // CFIE|CFRE|AFE|TRE|M|ASIDPNE
  assert.equal(sctlr('hupcf on'), 0x1167);
  assert.equal(sctlr('fault stall; hupcf on'), 0x11e7);
  assert.equal(sctlr('report raz'), 0x1047);
});

test('TTBR0, TCR and TCR2 describe the domain\'s table', () => {
  const b = bank(new Machine(modelOf(base('ias 39; oas 44'))));
  assert.equal(b.ttbr0, 0x4000_0000n); // the first table page, ASID = cbndx 0
  assert.equal(b.tcr, 25 | (1 << 8) | (1 << 10) | (3 << 12) | (1 << 23)); // T0SZ = 64 - 39
  assert.equal(b.tcr2, 4); // PASIZE: 44 bits
});

test('a translation fault latches FSR, FAR, FSYNR0 and CBFRSYNRA as an MMU-500 does', () => {
  const machine = new Machine(modelOf(base('fault stall', '', 'engine gpu.cp { write 0x0700_0040 4 priv as bad }')));
  machine.run({ untilCycle: 31 });
  const b = bank(machine);
  assert.equal(b.fsr, 0x4000_0402); // SS | FORMAT=AArch64 | TF
  assert.equal(b.far, 0x0700_0040n);
  assert.equal(b.fsynr0, 0x32); // PLVL 2 | WNR | PNU
  assert.equal(b.cbfrsynra, 0);
  assert.deepEqual(b.stalled, [0]);
});

test('a permission fault sets PF; an access-flag fault sets AFF', () => {
  const scenario = `
smmu s { version v2 }
domain d {
  fault stall
  map 0x1000 -> 0x8000_0000 size 4K r
  map 0x2000 -> 0x8000_1000 size 4K rw noaf
}
master m { stream 0x1; domain d; can-stall }
engine m.a { write 0x1000 4 as ro }
engine m.b { start 100; read 0x2000 4 as noaf }
`;
  const machine = new Machine(modelOf(scenario));
  machine.run({ untilCycle: 40 }); // the walk reads 4 levels: 40 cycles
  assert.equal(bank(machine).fsr & 0xff, 0x08);
  assert.equal(machine.journal.faults.get(0)?.reason, 'write to a read-only page (AP[2]=1)');
  machine.run();
  const kinds = machine.result().faults.map((f) => [f.kind, f.level, f.latched]);
  // No handler: Linux clears FSR and terminates, so the later fault latches afresh.
  assert.deepEqual(kinds, [
    ['permission', 3, true],
    ['access-flag', 3, true],
  ]);
  assert.deepEqual(statuses(machine.result()), { 'ro#0': 'aborted', 'noaf#0': 'aborted' });
});

test('a fault while FSR holds one sets MULTI and latches nothing', () => {
  const engines = `engine gpu.cp { outstanding 2; read 0x0700_0000 64 as a; read 0x0800_0000 64 as b }`;
  const machine = new Machine(modelOf(base('fault stall; hupcf on', '', engines)));
  machine.run({ untilCycle: 33 });
  const b = bank(machine);
  assert.equal(b.fsr >>> 0, 0xc000_0402); // MULTI | SS | FORMAT | TF
  assert.equal(b.far, 0x0700_0000n);
  assert.deepEqual(b.stalled, [0, 1]);
  assert.deepEqual([...machine.journal.faults].map((f) => f.latched), [true, false]);
});

test('RESUME is ignored while FSR still holds a fault (MULTI set after the handler read FSR)', () => {
  // b faults at cycle 37, after arm_smmu_context_fault read FSR at 35: the write-back
  // clears TF but not MULTI, so RESUME is ignored; the interrupt comes again for MULTI.
  const engines = `
engine gpu.cp { read 0x0700_0000 64 as a }
engine gpu.tp { start 7; read 0x0800_0000 64 as b }`;
  const handler = `handler h on gpu_dom { context irq; log "{iova}"; terminate }`;
  const machine = new Machine(modelOf(base('fault stall; hupcf on', handler, engines)));
  const events = recorded(machine);
  machine.run();
  const resumes = events.filter((e) => e.kind === 'resume');
  assert.deepEqual(
    resumes.map((e) => (e.kind === 'resume' ? [e.time, e.ignored, e.transactions] : [])),
    [
      [40, 'FSR=0xc0000400 still holds fault bits (MMU-500 ignores RESUME until they are cleared)', []],
      [49, undefined, [0, 1]],
    ],
  );
  const logs = [...machine.journal.logs].map((l) => [l.time, l.message]);
  assert.deepEqual(logs, [
    [37, '0x7000000'],
    [46, '0x7000000'], // the second report reads the stale FAR: only MULTI was left
  ]);
  assert.deepEqual(statuses(machine.result()), { 'a#0': 'aborted', 'b#0': 'aborted' });
});

test('stall off for N: faults terminate during the window, and stall again after it', () => {
  const engines = `
engine gpu.cp { read 0x0700_0000 64 as first }
engine gpu.tp { start 60; read 0x0800_0000 64 as during }
engine gpu.vfd { start 300; read 0x0900_0000 64 as after }`;
  const handler = `handler h on gpu_dom { context workqueue; if kind == translation && iova == 0x0700_0000 { stall off for 200 } ; terminate }`;
  const machine = new Machine(modelOf(base('fault stall; hupcf on; report abort', handler, engines)));
  const events = recorded(machine);
  machine.run();
  const modes = events.flatMap((e) => (e.kind === 'stall-mode' ? [[e.time, e.stall]] : []));
  // The fault at 30 is queued at 37; the worker starts at 57 (wq-latency 20): `if`, then `stall off`.
  assert.deepEqual(modes, [
    [58, false],
    [258, true],
  ]);
  assert.deepEqual(
    machine.result().faults.map((f) => [f.iova, f.stalled]),
    [
      [0x0700_0000n, true],
      [0x0800_0000n, false],
      [0x0900_0000n, true],
    ],
  );
  assert.deepEqual(statuses(machine.result()), { 'first#0': 'aborted', 'during#0': 'aborted', 'after#0': 'aborted' });
});

/** Two workqueue handlers that answer their stalls: the worker design of Linux before 6.16. */
function twoDomains(order: string): string {
  return `
kernel 6.12
smmu s { version v2 }
domain d0 { fault stall; map 0x1000 -> 0x8000_0000 size 4K rw }
domain d1 { fault stall; map 0x1000 -> 0x8100_0000 size 4K rw }
master m0 { stream 0x1; domain d0; can-stall }
master m1 { stream 0x2; domain d1; can-stall }
engine m0.e { read 0x5000 8 as a }
engine m1.e { read 0x5000 8 as b }
workqueue faults { ${order} }
handler h0 on d0 { queue faults; sleep 100; terminate }
handler h1 on d1 { queue faults; sleep 100; terminate }
`;
}

function handlerStarts(text: string): [string, number][] {
  const machine = new Machine(modelOf(text));
  const events = recorded(machine);
  machine.run();
  return events.flatMap((e) => (e.kind === 'handler-step' && e.statement.kind === 'sleep' ? [[machine.state.threads[e.thread - 1]?.name ?? '?', e.time]] : []));
}

test('an ordered workqueue runs one item at a time; an unbound one runs them on separate workers', () => {
  // Both faults come at 40; the hard IRQ handles them one after the other and queues
  // the work at 47 and 51; a worker may take it 20 cycles later.
  assert.deepEqual(handlerStarts(twoDomains('workers 2; order ordered')), [
    ['faults/0', 67],
    ['faults/0', 169],
  ]);
  assert.deepEqual(handlerStarts(twoDomains('workers 2; order unbound')), [
    ['faults/0', 67],
    ['faults/1', 71],
  ]);
});

test('a master without can-stall cannot attach to a stall domain: its transactions fault at the stream', () => {
  const scenario = `
smmu s { version v2 }
domain d { fault stall; map 0x1000 -> 0x8000_0000 size 4K rw }
master m { stream 0x7; domain d }
engine m.e { read 0x1000 8 as x }
`;
  const { machine, result } = runScenario(scenario);
  assert.deepEqual(machine.attachments, [{ master: 0, domain: 0, attached: false, reason: "domain 'd' stalls on faults but master 'm' is not 'can-stall'" }]);
  assert.equal(v2StateOf(machine.state, 0)?.s2crs[0]?.type, 2);
  assert.deepEqual(
    result.faults.map((f) => [f.kind, f.reason]),
    [['unattached-stream', 'StreamID 0x7 has no domain attached: S2CR.TYPE is fault']],
  );
  assert.deepEqual(statuses(result), { 'x#0': 'aborted' });
});

test('the third domain finds no context bank on an SMMU with two', () => {
  const scenario = `
smmu s { version v2; context-banks 2 }
domain d0 { map 0x1000 -> 0x8000_0000 size 4K rw }
domain d1 { map 0x1000 -> 0x8100_0000 size 4K rw }
domain d2 { map 0x1000 -> 0x8200_0000 size 4K rw }
master m0 { stream 0x0; domain d0 }
master m1 { stream 0x1; domain d1 }
master m2 { stream 0x2; domain d2 }
`;
  const machine = new Machine(modelOf(scenario));
  assert.deepEqual(
    machine.attachments.map((a) => [a.attached, a.reason]),
    [
      [true, undefined],
      [true, undefined],
      [false, "smmu 's' has 2 context banks and this would be domain number 3"],
    ],
  );
  assert.equal(v2StateOf(machine.state, 0)?.banks.length, 2);
});

// iommu_unmap always syncs (every modelled release); only iommu_unmap_fast leaves the TLB translating until a sync or an invalidation.
test('unmap nosync (iommu_unmap_fast) keeps translating; tlbi va stops it', () => {
  const engines = `
engine gpu.cp {
  read 0x0100_0000 8 as warm
  read 0x0700_0000 8 as trigger
  wait 200
  read 0x0100_0000 8 as stale
  read 0x0700_1000 8 as trigger2
  wait 200
  read 0x0100_0000 8 as gone
}`;
  const handler = `handler h on gpu_dom {
  context workqueue
  if iova == 0x0700_0000 { unmap 0x0100_0000 size 4K nosync } else { tlbi va 0x0100_0000 }
  terminate
}`;
  const { result } = runScenario(base('fault stall; hupcf on', handler, engines));
  const byLabel = Object.fromEntries(result.transactions.map((t) => [t.label, [t.status, t.pa]]));
  assert.deepEqual(byLabel['stale'], ['completed', 0x8000_0000n]);
  assert.deepEqual(byLabel['gone'], ['aborted', undefined]);
  assert.equal(result.faults.at(-1)?.reason, 'L3[0] is invalid');
});

test('a completed write stores its value; a completed read returns memory; a RAZ read returns zeros', () => {
  const engines = `
engine gpu.cp {
  outstanding 1
  write 0x0100_0010 8 value 0x1122_3344_5566_7788 as w
  read 0x0100_0010 8 as r
  read 0x0700_0000 8 as zero
}`;
  const { result } = runScenario(base('report raz', '', engines));
  const data = Object.fromEntries(result.transactions.map((t) => [t.label, [t.status, t.data]]));
  assert.deepEqual(data, {
    w: ['completed', undefined],
    r: ['completed', 0x1122_3344_5566_7788n],
    zero: ['raz', 0n],
  });
});

test('an IOVA beyond the input range is a level 0 translation fault (Arm ARM D8.1)', () => {
  const engines = 'engine gpu.cp { read 0x1_0000_0000 8 as far }';
  const { result } = runScenario(base('ias 32', '', engines));
  assert.deepEqual(
    result.faults.map((f) => [f.kind, f.level, f.reason]),
    [['translation', 0, 'IOVA 0x100000000 is beyond the 32-bit input range']],
  );
});

test('with outstanding 1 a stalled transaction blocks its engine: the rest is never issued', () => {
  const engines = 'engine gpu.cp { outstanding 1; read 0x0700_0000 8 as bad; read 0x0100_0000 8 as next }';
  // Before 6.16 nothing answers a stall the worker leaves unanswered.
  const handler = 'handler h on gpu_dom { context workqueue; log "never answered" }';
  const { result } = runScenario(`kernel 6.12${base('fault stall; hupcf on', handler, engines)}`);
  assert.equal(result.counters.transactions, 1);
  assert.deepEqual(statuses(result), { 'bad#0': 'stalled' });
  assert.equal(result.counters.stalled, 1);
});

test('a handler that retries without fixing anything is stopped by the event budget, with the reason', () => {
  // The worker's retry reaches RESUME before 6.16 (resume_translation).
  const handler = 'handler h on gpu_dom { context workqueue; retry }';
  const { stop } = runScenario(`kernel 6.12${base('fault stall; hupcf on', handler)}`, { maxEvents: 5_000 });
  assert.equal(stop.reason, 'budget');
  assert.ok(stop.reason === 'budget');
  assert.match(stop.message, /^the run did not end within 5000 events \(cycle \d+\): transaction #0 of gpu\.cp \(line 8\) has faulted \d+ times — a handler keeps answering retry without fixing what faults$/);
});

test('an expression that cannot be evaluated stops the run with its place', () => {
  const text = base('fault stall', 'handler h on gpu_dom { if iova / (level - 2) == 0 { terminate } }');
  const { stop } = runScenario(text);
  assert.ok(stop.reason === 'error');
  assert.equal(stop.message, 'division by zero');
  assert.equal(text.slice(stop.range.start, stop.range.end), '/');
});

/** Steps the machine one event at a time, as the debugger does, until an event `matches` has happened. */
function stepUntil(machine: Machine, matches: (event: MachineEvent) => boolean): void {
  let matched = false;
  const stopListening = machine.on((event) => {
    matched ||= matches(event);
  });
  try {
    while (!matched) assert.equal(machine.step(), undefined);
  } finally {
    stopListening();
  }
}

test("stepped an event at a time, the machine's events say when an engine's transaction ended or stalled, and when a thread ran a statement", () => {
  const handler = 'handler h on gpu_dom { context workqueue; log "one"; log "two"; terminate }';
  const engines = 'engine gpu.cp { interval 100; read 0x0100_0000 8 as ok; read 0x0700_0000 8 as bad }';
  const machine = new Machine(modelOf(base('fault stall; hupcf on', handler, engines)));
  const endedOrStalled = (id: number) => (event: MachineEvent) => (event.kind === 'transaction-ended' || event.kind === 'transaction-stalled') && event.transaction.id === id;
  stepUntil(machine, endedOrStalled(0));
  assert.equal(machine.now, 40);
  assert.deepEqual(statuses(machine.result()), { 'ok#0': 'completed' });
  stepUntil(machine, endedOrStalled(1));
  assert.equal(machine.now, 130);
  assert.deepEqual(statuses(machine.result()), { 'ok#0': 'completed', 'bad#0': 'stalled' });
  const worker = machine.state.threads.find((t) => t.name === 'iopf/0');
  assert.ok(worker);
  const ranStatement = (event: MachineEvent) => (event.kind === 'handler-step' || event.kind === 'kernel-step') && event.thread === worker.id;
  stepUntil(machine, ranStatement);
  assert.deepEqual([...machine.journal.logs].map((l) => l.message), ['one']);
  stepUntil(machine, ranStatement);
  assert.deepEqual([...machine.journal.logs].map((l) => l.message), ['one', 'two']);
});

test('a snapshot taken mid-run restores the machine exactly', () => {
  const handler = 'handler h on gpu_dom { context workqueue; map page -> 0x9000_0000 rw; retry }';
  const machine = new Machine(modelOf(base('fault stall; hupcf on', handler)));
  machine.run({ untilCycle: 31 });
  const snapshot = machine.snapshot();
  machine.run();
  const first = JSON.stringify(machine.result(), (_, v: unknown) => (typeof v === 'bigint' ? v.toString(16) : v));
  machine.restore(snapshot);
  assert.equal(machine.now, 31);
  assert.equal(machine.runtime.tables[0]?.iovaToPhys(0x0700_0000n), undefined);
  machine.run();
  const second = JSON.stringify(machine.result(), (_, v: unknown) => (typeof v === 'bigint' ? v.toString(16) : v));
  assert.equal(second, first);
  assert.equal(machine.runtime.tables[0]?.iovaToPhys(0x0700_0000n), 0x9000_0000n);
});

test('a report for MULTI alone describes the fault that latched the registers: its FAR and its kind', () => {
  // The write faults on permission and is latched; the read's translation fault arrives
  // while the handler runs and only sets MULTI. The second report reads FSR = SS|MULTI:
  // no type bit, the stale FAR; `kind` is the latched fault's, so the handler does not
  // take it for a translation fault it could map.
  const scenario = `
timing { walk-level 1 }
smmu s { version v2 }
domain d {
  fault stall
  hupcf on
  map 0x1000_0000 -> 0x1_0000_0000 size 0x1000 r
}
master m { stream 0x10; domain d; can-stall }
engine m.e {
  read  0x1000_0000 4               // fills the TLB with the read-only page
  wait 50
  write 0x1000_0000 4 as w          // permission fault at 52, latched; FSR read at 57
  wait 4
  read  0x3000_0000 64 as r         // translation fault at 59: MULTI only
}
handler h on d {
  context thread
  if kind == translation {
    map page -> 0x2000_0000 rw
    retry
  } else {
    log "{kind} at {iova}"
  }
}
`;
  const { machine, stop, result } = runScenario(scenario, { maxEvents: 100_000 });
  assert.deepEqual(stop, { reason: 'finished' });
  assert.deepEqual(
    [...machine.journal.logs].map((l) => l.message),
    ['permission at 0x10000000', 'permission at 0x10000000'],
  );
  assert.deepEqual(statuses(result), { 'w#0': 'aborted', 'r#0': 'aborted' });
});
