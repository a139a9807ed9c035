import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { DebugProtocol } from '@vscode/debugprotocol';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { example, scenarioFile, settle } from './helpers';
import { initialize, RawDap, refusalOf } from './rawSession';
import { v3Stall } from './v3Scenarios';

/** ErrorId.WrongState: a request the session cannot answer in its phase. */
const WRONG_STATE = 1012;


/** A stop on a fault of the engine that is thread 1, on each SMMU version. */
const versions = [
  { version: 'SMMUv2', scenario: () => example('a530-stall-hupcf') },
  { version: 'SMMUv3', scenario: () => scenarioFile(v3Stall, 'v3-stall') },
];

/** Every request that needs a live run, each well formed. */
const needingTheRun = [
  { command: 'stepBack', arguments: { threadId: 1 } },
  { command: 'reverseContinue', arguments: { threadId: 1 } },
  { command: 'continue', arguments: { threadId: 1 } },
  { command: 'next', arguments: { threadId: 1 } },
  { command: 'stepIn', arguments: { threadId: 1 } },
  { command: 'stepOut', arguments: { threadId: 1 } },
  { command: 'pause', arguments: { threadId: 1 } },
  { command: 'stackTrace', arguments: { threadId: 1 } },
  { command: 'scopes', arguments: { frameId: 1000 } },
  { command: 'variables', arguments: { variablesReference: 1000 } },
  { command: 'setVariable', arguments: { variablesReference: 1000, name: 'FSR', value: '0' } },
  { command: 'evaluate', arguments: { expression: 'faults', context: 'repl' } },
  { command: 'readMemory', arguments: { memoryReference: '0x40000000', count: 8 } },
  { command: 'writeMemory', arguments: { memoryReference: '0x40000000', data: 'AAAAAAAAAAA=' } },
  { command: 'iommu/resume', arguments: { transaction: 0, action: 'retry' } },
  { command: 'iommu/stalled', arguments: {} },
  { command: 'setBreakpoints', arguments: { source: { path: '/x.iommu' }, breakpoints: [] } },
  { command: 'restart', arguments: {} },
  { command: 'configurationDone', arguments: {} },
  { command: 'launch', arguments: { scenario: '/x.iommu' } },
];

/** Reads that all translate, millions of them: a run that is still running seconds later. */
const longRun = [
  'smmu s { version v2 }',
  'domain d { map 0x1000_0000 -> 0x8000_0000 size 2M rw }',
  'master m { stream 0x1; domain d }',
  'engine m.dma { repeat 10000000 { read 0x1000_0000 + (i % 512) * 0x1000 64 } }',
].join('\n');

function eventNames(raw: RawDap): string[] {
  return raw.events().map((e) => e.event);
}

describe('one lifecycle: every request consults where the session is', () => {
  let raw: RawDap;
  beforeEach(() => {
    raw = new RawDap();
  });
  afterEach(() => {
    raw.close();
  });


  for (const { version, scenario } of versions) {
    test(`${version}: after terminate, whatever needs the run is refused with the reason, threads is empty, and no event follows terminated`, async () => {
      await raw.stoppedOnFault(scenario());
      assert.equal((await raw.request('terminate')).success, true);
      assert.equal(eventNames(raw).at(-1), 'terminated');
      const eventsAtTerminated = raw.events().length;
      const answers = await raw.batch(needingTheRun);
      assert.deepEqual(
        answers.map(refusalOf),
        needingTheRun.map(() => ({ success: false, id: WRONG_STATE, message: 'the run has ended' })),
      );
      assert.deepEqual((await raw.request('threads')).body, { threads: [] });
      assert.equal((await raw.request('terminate')).success, true, 'a second terminate is answered');
      await settle();
      assert.deepEqual(eventNames(raw).slice(eventsAtTerminated), [], 'no event after terminated');
      assert.deepEqual(eventNames(raw).filter((e) => e === 'terminated'), ['terminated']);
    });

    test(`${version}: after the run ends by itself, a write is refused and sends no memory or invalidated event`, async () => {
      await raw.request('initialize', initialize);
      await raw.request('launch', { scenario: scenario(), stopOnFault: false });
      await raw.request('configurationDone');
      await raw.event('terminated');
      const eventsAtEnd = raw.events().length;
      const write = await raw.request('writeMemory', { memoryReference: '0x40000000', data: 'AAAAAAAAAAA=' });
      assert.deepEqual(refusalOf(write), { success: false, id: WRONG_STATE, message: 'the run has ended' });
      const set = await raw.request('setVariable', { variablesReference: 1000, name: 'FSR', value: '0' });
      assert.deepEqual(refusalOf(set), { success: false, id: WRONG_STATE, message: 'the run has ended' });
      await settle();
      assert.deepEqual(eventNames(raw).slice(eventsAtEnd), []);
    });

    test(`${version}: before configurationDone the run has not started: steps and writes are refused, reads are answered`, async () => {
      await raw.request('initialize', initialize);
      await raw.request('launch', { scenario: scenario() });
      const refused = await raw.batch([
        { command: 'continue', arguments: { threadId: 1 } },
        { command: 'stepBack', arguments: { threadId: 1 } },
        { command: 'pause', arguments: { threadId: 1 } },
        { command: 'writeMemory', arguments: { memoryReference: '0x40000000', data: 'AAAAAAAAAAA=' } },
      ]);
      assert.deepEqual(refused.map(refusalOf), refused.map(() => ({ success: false, id: WRONG_STATE, message: 'the run has not started: configurationDone starts it' })));
      assert.equal((await raw.request('iommu/stalled')).success, true);
      assert.equal((await raw.request('readMemory', { memoryReference: '0x40000000', count: 8 })).success, true);
      await raw.request('configurationDone');
      await raw.event('stopped');
      assert.deepEqual(refusalOf(await raw.request('configurationDone')), { success: false, id: WRONG_STATE, message: 'configurationDone was sent already: the run has started' });
      assert.deepEqual(refusalOf(await raw.request('launch', { scenario: scenario() })), {
        success: false,
        id: WRONG_STATE,
        message: 'this session has launched its scenario already: restart it, or start a new session',
      });
    });
  }

  test('a terminate that arrives while the launch reads the scenario: the launch is refused, and nothing follows terminated', async () => {
    await raw.request('initialize', initialize);
    const [launch, terminate] = await raw.batch([
      { command: 'launch', arguments: { scenario: example('a530-stall-hupcf') } },
      { command: 'terminate', arguments: {} },
    ]);
    assert.deepEqual(refusalOf(launch as DebugProtocol.Response), { success: false, id: WRONG_STATE, message: 'the session ended before its scenario was loaded' });
    assert.equal(terminate?.success, true);
    await settle();
    assert.deepEqual(eventNames(raw), ['terminated']);
  });

  test('continue and pause in one write: the run stops on the pause before it takes an event', async () => {
    await raw.stoppedOnFault(example('a530-stall-hupcf'));
    const [resumed, paused] = await raw.batch([
      { command: 'continue', arguments: { threadId: 1 } },
      { command: 'pause', arguments: { threadId: 1 } },
    ]);
    assert.equal(resumed?.success, true);
    assert.equal(paused?.success, true);
    await settle();
    const stops = raw.events().filter((e): e is DebugProtocol.StoppedEvent => e.event === 'stopped');
    assert.deepEqual(
      stops.map((e) => e.body.reason),
      ['exception', 'pause'],
    );
  });

  test('requests read in one chunk are answered in their order, a refusal behind a success too', async () => {
    await raw.request('initialize', initialize);
    await raw.request('launch', { scenario: example('a530-stall-hupcf'), stopOnEntry: true });
    const before = raw.received().length;
    await raw.batch([
      { command: 'configurationDone', arguments: {} },
      { command: 'iommu/nope', arguments: {} },
      { command: 'threads' },
      { command: 'next', arguments: { threadId: 99 } },
    ]);
    const order = raw.received().slice(before).map((m) => (m.type === 'event' ? (m as DebugProtocol.Event).event : `${(m as DebugProtocol.Response).command} ${(m as DebugProtocol.Response).success ? 'ok' : 'refused'}`));
    assert.deepEqual(order, ['stopped', 'configurationDone ok', 'iommu/nope refused', 'threads ok', 'next refused']);
  });

  test('a pause while stopped is answered and sends no second stop', async () => {
    await raw.stoppedOnFault(example('a530-stall-hupcf'));
    assert.equal((await raw.request('pause', { threadId: 1 })).success, true);
    await settle();
    assert.deepEqual(eventNames(raw).filter((e) => e === 'stopped'), ['stopped']);
  });

  test('after disconnect: threads is empty, everything else is refused, and no event is sent', async () => {
    await raw.stoppedOnFault(example('a530-stall-hupcf'));
    const eventsAtStop = raw.events().length;
    assert.equal((await raw.request('disconnect', {})).success, true);
    assert.deepEqual((await raw.request('threads')).body, { threads: [] });
    const refused = await raw.batch([{ command: 'initialize', arguments: initialize }, { command: 'completions', arguments: { text: 'tra', column: 4 } }, ...needingTheRun.slice(0, 3)]);
    assert.deepEqual(refused.map(refusalOf), refused.map(() => ({ success: false, id: WRONG_STATE, message: 'the session is disconnected' })));
    assert.equal((await raw.request('disconnect', {})).success, true);
    await settle();
    assert.deepEqual(eventNames(raw).slice(eventsAtStop), []);
  });

  test('a restart of a scenario that no longer compiles: the checker\'s messages in the Debug Console, and the session ends', async () => {
    const scenario = scenarioFile(v3Stall, 'edited');
    await raw.request('initialize', initialize);
    await raw.request('launch', { scenario, stopOnEntry: true });
    await raw.request('configurationDone');
    await raw.event('stopped');
    writeFileSync(scenario, `${v3Stall}\nengine nowhere.e { read 0 4 }`);
    const restart = await raw.request('restart', {});
    assert.deepEqual(refusalOf(restart), { success: false, id: 1003, message: `${path.basename(scenario)} has an error, so it cannot run` });
    assert.equal((restart.body as { error?: DebugProtocol.Message }).error?.showUser, false);
    assert.deepEqual(eventNames(raw), ['initialized', 'stopped', 'output', 'terminated']);
    assert.deepEqual(raw.events()[2]?.body, {
      category: 'stderr',
      output: `./${path.basename(scenario)}:9:8: error: unknown master 'nowhere' (masters: m)\n`,
      source: { name: path.basename(scenario), path: scenario, sourceReference: 0 },
      line: 9,
      column: 8,
    });
    assert.deepEqual(refusalOf(await raw.request('stackTrace', { threadId: 1 })), { success: false, id: WRONG_STATE, message: 'the run has ended' });
  });

  test('a restart drops the old run\'s references: a variablesReference from before it is refused while the new run runs', async () => {
    await raw.request('initialize', initialize);
    await raw.request('launch', { scenario: scenarioFile(longRun, 'long-run') });
    await raw.batch([
      { command: 'configurationDone', arguments: {} },
      { command: 'pause', arguments: { threadId: 1 } },
    ]);
    await raw.event('stopped');
    const stack = await raw.request('stackTrace', { threadId: 1 });
    const frameId = (stack.body as DebugProtocol.StackTraceResponse['body']).stackFrames[0]?.id;
    const scopes = await raw.request('scopes', { frameId });
    const reference = (scopes.body as DebugProtocol.ScopesResponse['body']).scopes[0]?.variablesReference;
    // The new run has millions of reads to go: it is still running when the variables request comes.
    assert.equal((await raw.request('restart', {})).success, true);
    const stale = await raw.request('variables', { variablesReference: reference });
    assert.deepEqual(refusalOf(stale), { success: false, id: 1010, message: `variablesReference ${String(reference)} is not one of the current stop's` });
    assert.deepEqual(eventNames(raw).filter((e) => e === 'stopped'), ['stopped']);
  });
});
