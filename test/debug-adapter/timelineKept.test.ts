import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { RunEndedEventBody, TimelineResponseBody, TimelineSpan } from '../../debug-adapter/protocol';
import { Dap, example, scenarioFile } from './helpers';
import { RawDap, refusalOf } from './rawSession';

/**
 * One read faults at cycle 30, then 100,000 reads: the breakpoint on `last` stops after all
 * of them. Linux 6.6: FSR is written back at cycle 37, and no RESUME step follows (from 6.11
 * the decode lines take a step first, from 6.16 RESUME one after).
 */
const earlyThenLong = `smmu s { version v2 }
domain d { fault terminate; map 0x0 -> 0x8000_0000 size 1M rw }
master m { stream 0x1; domain d }
engine m.e {
  read 0x70_0000 64 as early
  repeat 100000 { read 0x0 64 }
  read 0x0 64 as last
}
kernel 6.6
`;

/** 1,000 faults, one every 30 cycles, then 100,000 reads. */
const stormThenLong = `smmu s { version v2 }
domain d { fault terminate; hupcf on; map 0x0 -> 0x8000_0000 size 1M rw }
master m { stream 0x1; domain d }
engine m.e {
  outstanding 1
  repeat 1000 { read 0x70_0000 + i*0x1000 64 }
  repeat 100000 { read 0x0 64 }
  read 0x0 64 as last
}
`;

function words(span: TimelineSpan): string {
  return `${span.kind} ${span.label} ${span.start}–${span.end ?? '…'}${span.status ? ` ${span.status}` : ''}`;
}

describe('iommu/timeline keeps the spans around each fault, besides the newest', () => {
  let dap: Dap;
  beforeEach(async () => {
    dap = await Dap.start();
  });
  afterEach(async () => {
    await dap.stop();
  });

  test('after 100,000 later reads, the window around the early fault still has what ran before and after it', async () => {
    await dap.launchAndStop({ scenario: scenarioFile(earlyThenLong, 'kept') }, { breakpoints: [{ line: 7 }], exceptionFilters: [] });
    const around = await dap.custom<TimelineResponseBody>('iommu/timeline', { from: 0, to: 40 });
    assert.deepEqual(around.window, { from: 0, to: 40 });
    assert.deepEqual(around.spans.map(words), [
      'transaction read 0x700000 (early) 0–30 aborted',
      'transaction read 0x0 1–41 completed',
      'transaction read 0x0 2–42 completed',
      'transaction read 0x0 3–43 completed',
      'fault translation fault at level 2: L2[3] is invalid 30–30',
      // HUPCF=0: the reads that arrive while FSR holds the fault are terminated untranslated.
      'transaction read 0x0 30–30 aborted',
      'transaction read 0x0 31–31 aborted',
      'transaction read 0x0 32–32 aborted',
      'transaction read 0x0 33–33 aborted',
      'transaction read 0x0 34–34 aborted',
      'transaction read 0x0 35–35 aborted',
      'handler arm_smmu_context_fault 35–37',
      'transaction read 0x0 36–36 aborted',
      'transaction read 0x0 37–37 aborted',
      'transaction read 0x0 38–78 completed',
    ]);
    // 4 spans before the fault (all there were) and 200 after it: 203 transactions and the handler.
    const kept = await dap.custom<TimelineResponseBody>('iommu/timeline', { from: 0, to: 1000 });
    assert.equal(kept.spans.filter((s) => s.kind === 'transaction').length, 203);
    const last = kept.spans.at(-1);
    assert.equal(last && words(last), 'transaction read 0x0 230–231 completed', 'the 200th span after the fault: the newest spans are complete from cycle 232');
    assert.deepEqual((await dap.custom<TimelineResponseBody>('iommu/timeline', { from: 50_000, to: 50_100 })).spans, [], 'nothing is held far from a fault and from now');

    // Without a window: the newest spans, and where they are complete from.
    const newest = await dap.custom<TimelineResponseBody>('iommu/timeline', {});
    assert.equal(newest.now, 100_029);
    assert.equal(newest.spans.filter((s) => s.kind === 'transaction').length, 4000);
    assert.deepEqual(newest.spans.slice(0, 3).map(words), ['fault translation fault at level 2: L2[3] is invalid 30–30', 'handler arm_smmu_context_fault 35–37', 'transaction read 0x0 96029–96030 completed']);
    assert.deepEqual([newest.window, newest.held, newest.faults, newest.dropped], [{ from: 232, to: 100_029 }, { from: 0, to: 100_029 }, [30], 100_001 - 4000 - 203]);
  });

  test('iommu/ended carries every span held, the early fault\'s surroundings with the newest: no session is left to ask', async () => {
    await dap.launch({ scenario: scenarioFile(earlyThenLong, 'ended'), noDebug: true });
    await dap.client.configurationDoneRequest();
    assert.equal(await dap.exitCode(30_000), 0);
    const ended = (dap.all('iommu/ended')[0]?.body as RunEndedEventBody).timeline;
    assert.deepEqual([ended.now, ended.window, ended.held, ended.faults], [100_030, { from: 0, to: 100_030 }, { from: 0, to: 100_030 }, [30]]);
    // The 203 around the fault and the newest 4,000.
    assert.equal(ended.spans.filter((s) => s.kind === 'transaction').length, 4203);
    assert.equal(ended.spans[0] && words(ended.spans[0]), 'transaction read 0x700000 (early) 0–30 aborted');
  });

  test('a storm of 1,000 faults holds the surroundings of its newest 64 only: memory stays bounded', async () => {
    await dap.launchAndStop({ scenario: scenarioFile(stormThenLong, 'storm') }, { breakpoints: [{ line: 8 }], exceptionFilters: [] });
    const storm = await dap.custom<TimelineResponseBody>('iommu/timeline', { from: 0, to: 40_000 });
    const transactions = storm.spans.filter((s) => s.kind === 'transaction');
    // Each faulting read records 3 spans (read, fault, IRQ handler): 200 spans back from fault #937 reach read #870.
    assert.deepEqual(transactions.slice(0, 2).map(words), ['transaction read 0xa66000 26100–26130 aborted', 'transaction read 0xa67000 26130–26160 aborted']);
    // Reads #870…#999, and 199 of the reads after the last fault (its handler is the 200th span).
    assert.equal(transactions.length, 130 + 199);
    const last = transactions.at(-1);
    assert.equal(last && words(last), 'transaction read 0x0 30237–30238 completed');
    // The faults themselves are few spans: all 1,000 are still held, with their handler runs, among the newest of their kind.
    assert.equal(storm.faults.length, 1000);
    assert.deepEqual(storm.faults.slice(0, 3), [30, 60, 90]);
    assert.equal(storm.dropped, 101_000 - 4000 - 329);
  });
});

/** ErrorId BadArguments: a wrong type or out of range. */
const BAD_ARGUMENTS = 1011;

describe('iommu/timeline window arguments', () => {
  let raw: RawDap;
  beforeEach(() => {
    raw = new RawDap();
  });
  afterEach(() => {
    raw.close();
  });

  test('from and to: each alone or both; a window that is not one is refused naming the argument, and the session lives on', async () => {
    await raw.stoppedOnFault(example('a530-stall-hupcf'));
    const body = async (args: unknown): Promise<TimelineResponseBody> => {
      const response = await raw.request('iommu/timeline', args);
      assert.equal(response.success, true, response.message);
      return response.body as TimelineResponseBody;
    };
    // Stopped on the fault at cycle 31: the read issued at 0 ended at 40, the faulting one is open.
    const labels = async (args: unknown): Promise<string[]> => (await body(args)).spans.map((s) => `${s.kind} ${s.start}`);
    assert.deepEqual(await labels({ from: 0, to: 0 }), ['transaction 0']);
    assert.deepEqual(await labels({ from: 31 }), ['transaction 0', 'transaction 1', 'fault 31', 'stall 31']);
    assert.deepEqual(await labels({ to: 0 }), ['transaction 0']);
    assert.deepEqual((await body({ from: 5, to: 9 })).window, { from: 5, to: 9 });
    assert.deepEqual((await body({ from: 5 })).window, { from: 5, to: 31 });
    assert.deepEqual((await body({ from: 500 })).window, { from: 500, to: 500 }, 'a window after now is empty, not refused');
    const refused = await raw.batch([
      { command: 'iommu/timeline', arguments: { from: -1 } },
      { command: 'iommu/timeline', arguments: { from: 1.5, to: 9 } },
      { command: 'iommu/timeline', arguments: { from: '0' } },
      { command: 'iommu/timeline', arguments: { from: 10, to: 9 } },
      { command: 'iommu/timeline', arguments: { to: null, from: 0 } },
      { command: 'iommu/timeline', arguments: { to: -5 } },
      { command: 'iommu/timeline', arguments: [0, 9] },
    ]);
    assert.deepEqual(refused.map(refusalOf), [
      { success: false, id: BAD_ARGUMENTS, message: "iommu/timeline: 'from' must be a whole number of at least 0" },
      { success: false, id: BAD_ARGUMENTS, message: "iommu/timeline: 'from' must be a whole number of at least 0" },
      { success: false, id: BAD_ARGUMENTS, message: "iommu/timeline: 'from' must be a whole number of at least 0" },
      { success: false, id: BAD_ARGUMENTS, message: "iommu/timeline: 'to' must be a whole number of at least 10" },
      { success: false, id: BAD_ARGUMENTS, message: "iommu/timeline: 'to' must be a whole number of at least 0" },
      { success: false, id: BAD_ARGUMENTS, message: "iommu/timeline: 'to' must be a whole number of at least 0" },
      { success: false, id: BAD_ARGUMENTS, message: 'iommu/timeline: the arguments must be an object, not [0,9]' },
    ]);
    assert.deepEqual(raw.health, { gone: undefined, stderr: '' });
    assert.equal((await body({})).spans.length, 4, 'the session still answers');
  });
});
