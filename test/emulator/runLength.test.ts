import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultMaxEvents, programmedTransactions } from '../../emulator/machine/budget';
import { DEFAULT_JOURNAL_RECORDS } from '../../emulator/machine/journal';
import { Machine } from '../../emulator/machine/machine';
import { RUNAWAY_FAULTS } from '../../emulator/machine/transactions';
import { modelOf, runScenario } from './helpers/scenario';

/**
 * A run of any length holds bounded memory and always ends with a reason: the journal keeps
 * the newest records, the expects count what they need, a transaction that faults forever
 * is stopped at once, and the event and time budgets stop everything else.
 */

const v2 = (body: string): string => `
smmu s0 { version v2 }
domain d { fault stall; hupcf on; map 0x0100_0000 -> 0x8000_0000 size 64K rw }
master m { stream 0x1; domain d; can-stall }
${body}`;

test('a handler that answers retry without mapping anything is stopped after 10,000 faults of its transaction, with the reason', () => {
  // A worker's retry reaches RESUME before 6.16 (resume_translation); a threaded handler's on every release.
  const { machine, stop } = runScenario(v2('engine m.e { read 0x0700_0000 64 as bad }\nhandler h on d { context thread; retry }'));
  assert.ok(stop.reason === 'budget');
  assert.equal(RUNAWAY_FAULTS, 10_000);
  assert.match(stop.message, /^the run was stopped at cycle \d+: transaction #0 of m\.e \(line 5\) has faulted 10000 times — a handler keeps answering retry without fixing what faults$/);
  assert.equal(machine.state.counters.faults, 10_000);
  assert.ok(machine.state.events < 20 * RUNAWAY_FAULTS, `${machine.state.events} events: the loop is caught at its 10,000th fault, not at the event budget`);
  assert.deepEqual(machine.step(), stop, 'the machine stays stopped');
});

test('the journal keeps the newest records of a long run; ids stay ids, and the expects still count every transaction', () => {
  const text = v2(`engine m.e { outstanding 8; repeat 30000 { read 0x0100_0000 + (i % 3) * 0x1000 8 as chunk } }
expect chunk completed
expect chunk pa 0x8000_0000
expect completed == 30000`);
  const { machine, stop, result } = runScenario(text, { journalRecords: 1000 });
  assert.deepEqual(stop, { reason: 'finished' });
  assert.equal(machine.journal.ended.length, 30_000, 'every labelled transaction was journalled');
  assert.equal([...machine.journal.ended].length, 1000, 'the newest thousand are kept');
  assert.equal(machine.journal.ended.get(29_999)?.id, 29_999);
  assert.equal(machine.journal.ended.get(28_999), undefined);
  assert.equal(result.transactions.length, 1000);
  assert.deepEqual(
    result.expects.map((e) => [e.ok, e.detail]),
    [
      [true, 'chunk: 30000 completed'],
      [false, 'chunk: pa 10000 0x80000000, 10000 0x80001000, 10000 0x80002000'],
      [true, 'completed = 30000'],
    ],
  );
});

test('a label with more distinct PAs than a tally names: the first eight, then how many others', () => {
  const text = v2(`engine m.e { repeat 12 { read 0x0100_0000 + i * 0x1000 8 as page } }
expect page pa 0x8000_0000`);
  const [expect] = runScenario(text).result.expects;
  assert.deepEqual(expect, {
    line: 6,
    text: 'page pa 0x8000_0000',
    ok: false,
    detail: 'page: pa 1 0x80000000, 1 0x80001000, 1 0x80002000, 1 0x80003000, 1 0x80004000, 1 0x80005000, 1 0x80006000, 1 0x80007000, 4 others',
  });
});

test('a stalled fault outlives the journal: its handler reads the fault it was given after a thousand more were recorded', () => {
  // One stall answered late; meanwhile a terminating domain records over a thousand faults, far more than the journal keeps.
  const text = `
smmu s0 { version v2 }
domain slow { fault stall; hupcf on; map 0x0100_0000 -> 0x8000_0000 size 64K rw }
domain storm { fault terminate; map 0x0100_0000 -> 0x9000_0000 size 64K rw }
master gpu { stream 0x1; domain slow; can-stall }
master dma { stream 0x2; domain storm }
timing { wq-latency 20000 }
engine gpu.cp { read 0x0700_0000 64 as bad }
engine dma.copy { outstanding 16; repeat 3000 { read 0x0900_0000 + i * 0x1000 8 } }
handler late on slow { context workqueue; log "{engine} at {iova}"; terminate }
expect bad aborted`;
  const { machine, stop, result } = runScenario(text, { journalRecords: 16 });
  assert.deepEqual(stop, { reason: 'finished' });
  assert.ok(machine.journal.faults.length > 1000, `${machine.journal.faults.length} faults`);
  assert.equal(machine.journal.faults.get(0), undefined, 'the stall\'s fault record left the journal long ago');
  assert.deepEqual(
    [...machine.journal.logs].filter((l) => l.message.startsWith('gpu')).map((l) => l.message),
    ['gpu.cp at 0x7000000'],
  );
  assert.deepEqual(result.expects.map((e) => e.ok), [true]);
});

test('the default event budget is enough for every programmed transaction: repeats multiplied out', () => {
  const model = modelOf(v2(`engine m.e { repeat 3 { repeat 4 { read 0x0100_0000 8; write 0x0100_0000 8 }; read 0x0100_0000 8 } }
engine m.f { read 0x0100_0000 8; repeat 0 { read 0x0100_0000 8 } }`));
  assert.equal(programmedTransactions(model), 3 * (4 * 2 + 1) + 1);
  assert.equal(defaultMaxEvents(model), 10_000_000 + 64 * 28);
});

test('the time budget counts only time spent running: `run` times itself, a caller that steps by hand wraps its slices', () => {
  const text = v2('engine m.e { outstanding 8; repeat 2000000 { read 0x0100_0000 8 } }');
  const timed = new Machine(modelOf(text), { maxSeconds: 0.05 });
  const stop = timed.run();
  assert.ok(stop.reason === 'budget', JSON.stringify(stop));
  assert.match(stop.message, /^the run did not end within 0\.05 s \(cycle \d+, \d+ events\); 0 faults so far$/);

  const stepped = new Machine(modelOf(text), { maxSeconds: 0.05 });
  const until = Date.now() + 100;
  let steps = 0;
  while (Date.now() < until) if (stepped.step() === undefined) steps++;
  assert.ok(steps > 0);
  assert.equal(stepped.timed(() => stepped.step()), undefined, 'stepping outside a timed slice does not count toward the budget');
});

test('the journal keeps ten thousand records of each kind by default', () => {
  assert.equal(DEFAULT_JOURNAL_RECORDS, 10_000);
  assert.equal(new Machine(modelOf(v2('engine m.e { read 0x0100_0000 8 }'))).journal.faults.capacity, 10_000);
});
