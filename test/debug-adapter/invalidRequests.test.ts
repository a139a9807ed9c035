import assert from 'node:assert/strict';
import * as path from 'node:path';
import { DebugProtocol } from '@vscode/debugprotocol';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { Dap, errorOf, example, scenarioFile } from './helpers';

const longRun = [
  'smmu s { version v2 }',
  'domain d { map 0x1000_0000 -> 0x8000_0000 size 2M rw }',
  'master m { stream 0x1; domain d }',
  'engine m.dma { repeat 1000000 { read 0x1000_0000 + (i % 512) * 0x1000 64 } }',
].join('\n');

describe('invalid requests: each one an error response with its message, and the session goes on', () => {
  let dap: Dap;
  beforeEach(async () => {
    dap = await Dap.start();
  });
  afterEach(async () => {
    await dap.stop();
  });

  /** The session still works: a launch of an example stops at its fault. */
  async function stillLaunches(): Promise<void> {
    const initialized = dap.next('initialized');
    await dap.launchRequest({ scenario: example('a530-stall-hupcf') });
    await initialized;
    await dap.client.configurationDoneRequest();
    const stop = await dap.stopped();
    assert.equal(stop.description, 'Paused on translation fault');
  }

  /** Stopped at the fault of a530-stall-hupcf (gpu.cp, thread 1). */
  async function atFault(): Promise<void> {
    await dap.launchAndStop({ scenario: example('a530-stall-hupcf') });
  }

  /** The output events of a failed launch: each error's text, and where the Debug Console links it. */
  function errorOutputs(): { output: string; source: DebugProtocol.Source | undefined; line: number | undefined; column: number | undefined }[] {
    return dap.all<DebugProtocol.OutputEvent>('output').map((e) => {
      assert.equal(e.body.category, 'stderr');
      return { output: e.body.output, source: e.body.source, line: e.body.line, column: e.body.column };
    });
  }

  test('a scenario with errors: each in the Debug Console as ./FILE:LINE:COL: error: …, linked to its line, and a launch refused in a few words', async () => {
    const scenario = scenarioFile(
      [
        'smmu s { version v2 }',
        'domain d { map 0x1000_0000 -> 0x8000_0000 size 2M rw }',
        'master m { stream 0x1; domain nowhere }',
        'engine m.dma { read 0x1000_0000 64 }',
        'engine x.y { read 0 4 }',
      ].join('\n'),
    );
    const name = path.basename(scenario);
    const source = { name, path: scenario, sourceReference: 0 };
    await dap.client.initializeRequest();
    const error = await errorOf(dap.launchRequest({ scenario }));
    assert.equal(error.message, `${name} has 2 errors, so it cannot run`);
    assert.deepEqual(errorOutputs(), [
      { output: `./${name}:3:31: error: unknown domain 'nowhere' (domains: d)\n`, source, line: 3, column: 31 },
      { output: `./${name}:5:8: error: unknown master 'x' (masters: m)\n`, source, line: 5, column: 8 },
    ]);
    assert.equal(dap.all('initialized').length, 0);
    assert.equal(dap.all('terminated').length, 0, 'the session goes on: VS Code ends it after a failed launch');
    await stillLaunches();
  });

  test('a scenario with errors: paths relative to cwd, never absolute', async () => {
    const scenario = scenarioFile(['smmu s { version v2 }', 'engine x.e { read 0 4 }'].join('\n'));
    const cwd = path.dirname(path.dirname(scenario));
    const shown = `./${path.basename(path.dirname(scenario))}/${path.basename(scenario)}`;
    await dap.client.initializeRequest();
    const error = await errorOf(dap.launchRequest({ scenario, cwd }));
    assert.equal(error.message, `${path.basename(scenario)} has an error, so it cannot run`);
    assert.deepEqual(
      errorOutputs().map((e) => e.output),
      [`${shown}:2:8: error: unknown master 'x' (there is no master)\n`],
    );
  });

  test('a scenario with many errors: every one of them', async () => {
    const scenario = scenarioFile(['smmu s { version v2 }', ...Array.from({ length: 7 }, (_, k) => `engine x${k}.e { read 0 4 }`)].join('\n'));
    await dap.client.initializeRequest();
    const error = await errorOf(dap.launchRequest({ scenario }));
    assert.equal(error.message, `${path.basename(scenario)} has 7 errors, so it cannot run`);
    assert.deepEqual(
      errorOutputs().map((e) => [e.output, e.line, e.column]),
      Array.from({ length: 7 }, (_, k) => [`./${path.basename(scenario)}:${k + 2}:8: error: unknown master 'x${k}' (there is no master)\n`, k + 2, 8]),
    );
  });

  test('a cwd that is not an absolute path', async () => {
    await dap.client.initializeRequest();
    const error = await errorOf(dap.launchRequest({ scenario: example('a530-stall-hupcf'), cwd: 'examples' }));
    assert.equal(error.message, 'launch attribute \'cwd\' must be the absolute path of a folder, not "examples"');
    await stillLaunches();
  });

  test('a missing file', async () => {
    const missing = example('no-such-scenario');
    await dap.client.initializeRequest();
    const error = await errorOf(dap.launchRequest({ scenario: missing }));
    assert.equal(error.message, `cannot read scenario ${missing}: ENOENT: no such file or directory, open '${missing}'`);
    await stillLaunches();
  });

  test('a launch attribute of the wrong type', async () => {
    await dap.client.initializeRequest();
    const error = await errorOf(dap.launchRequest({ scenario: example('a530-stall-hupcf'), trace: 1 }));
    assert.equal(error.message, "launch attribute 'trace' must be true or false, not 1");
    await stillLaunches();
  });

  test('requests before a launch', async () => {
    await dap.client.initializeRequest();
    assert.deepEqual(await dap.threads(), []);
    const messages = [
      (await errorOf(dap.client.stackTraceRequest({ threadId: 1 }))).message,
      (await errorOf(dap.client.evaluateRequest({ expression: '1', context: 'repl' }))).message,
      (await errorOf(dap.client.customRequest('iommu/stalled'))).message,
      (await errorOf(dap.client.configurationDoneRequest())).message,
    ];
    assert.deepEqual(messages, Array(4).fill('no scenario is running: launch one first'));
    await stillLaunches();
  });

  test('an unknown thread', async () => {
    await atFault();
    const messages = [
      (await errorOf(dap.client.stackTraceRequest({ threadId: 99 }))).message,
      (await errorOf(dap.client.nextRequest({ threadId: 99 }))).message,
      (await errorOf(dap.client.stepInRequest({ threadId: 99 }))).message,
      (await errorOf(dap.client.stepOutRequest({ threadId: 99 }))).message,
      (await errorOf(dap.client.pauseRequest({ threadId: 99 }))).message,
      (await errorOf(dap.client.exceptionInfoRequest({ threadId: 99 }))).message,
      (await errorOf(dap.client.stackTraceRequest({ threadId: 0 }))).message,
    ];
    assert.deepEqual(messages, [...Array(6).fill('there is no thread 99'), 'there is no thread 0']);
    assert.deepEqual(await dap.stack(1), ['read 0x0700_0000 64 as bad — #1 stalled @ 21', 'submit 7 @ 19', 'engine gpu.cp @ 18']);
  });

  test('continue with an unknown thread is refused like the other execution requests', async () => {
    await atFault();
    assert.equal((await errorOf(dap.client.continueRequest({ threadId: 99 }))).message, 'there is no thread 99');
  });

  test('a bad variablesReference, and one from an earlier stop', async () => {
    await atFault();
    assert.equal((await errorOf(dap.client.variablesRequest({ variablesReference: 9999 }))).message, "variablesReference 9999 is not one of the current stop's");
    assert.equal((await errorOf(dap.client.setVariableRequest({ variablesReference: 9999, name: 'FSR', value: '0' }))).message, "variablesReference 9999 is not one of the current stop's");
    const info = await errorOf(dap.client.dataBreakpointInfoRequest({ variablesReference: 9999, name: 'FSR' }));
    assert.equal(info.message, "variablesReference 9999 is not one of the current stop's");
    const top = await dap.topFrame(1);
    const stale = (await dap.scope(top.id, 'Registers')).variablesReference;
    await dap.client.nextRequest({ threadId: 1 });
    await dap.stopped();
    assert.equal((await errorOf(dap.client.variablesRequest({ variablesReference: stale }))).message, `variablesReference ${stale} is not one of the current stop's`);
    assert.equal((await dap.scopes((await dap.topFrame(1)).id)).length, 5, 'the new stop answers');
  });

  test('a bad frameId, and one from an earlier stop', async () => {
    await atFault();
    assert.equal((await errorOf(dap.client.scopesRequest({ frameId: 9999 }))).message, "frameId 9999 is not one of the current stop's");
    assert.equal((await errorOf(dap.client.evaluateRequest({ expression: 'iova', frameId: 9999, context: 'repl' }))).message, "frameId 9999 is not one of the current stop's");
    const old = (await dap.topFrame(1)).id;
    await dap.client.nextRequest({ threadId: 1 });
    await dap.stopped();
    assert.equal((await errorOf(dap.client.scopesRequest({ frameId: old }))).message, `frameId ${old} is not one of the current stop's`);
  });

  test('a resume of a transaction that is not stalled', async () => {
    await atFault();
    assert.equal((await errorOf(dap.custom('iommu/resume', { transaction: 0, action: 'retry' }))).message, 'transaction #0 is not stalled');
    await dap.client.continueRequest({ threadId: 1 });
    assert.equal(await dap.exitCode(), 0);
  });

  test('custom requests with arguments of the wrong type', async () => {
    await atFault();
    const messages = [
      (await errorOf(dap.custom('iommu/resume', { transaction: '1', action: 'retry' }))).message,
      (await errorOf(dap.custom('iommu/resume', { transaction: 1 }))).message,
      (await errorOf(dap.custom('iommu/resume', { transaction: Number.NaN, action: 'retry' }))).message,
      (await errorOf(dap.custom('iommu/pageTable', { domain: 5 }))).message,
      (await errorOf(dap.custom('iommu/pageTable', { domain: 'gpu_dom', table: 64 }))).message,
      (await errorOf(dap.custom('iommu/translate', { iova: 0x1000 }))).message,
      (await errorOf(dap.custom('iommu/translate', { iova: '0x1000', sid: 'zero' }))).message,
      (await errorOf(dap.custom('iommu/dump', { id: '0' }))).message,
    ];
    assert.deepEqual(messages, [
      "iommu/resume: 'transaction' must be a whole number of at least 0",
      "iommu/resume: 'action' must be a string",
      "iommu/resume: 'transaction' must be a whole number of at least 0",
      "iommu/pageTable: 'domain' must be a string",
      "iommu/pageTable: 'table' must be a string",
      "iommu/translate: 'iova' must be a string",
      "iommu/translate: 'sid' must be a whole number from 0 to 4294967295",
      "iommu/dump: 'id' must be a whole number of at least 0",
    ]);
  });

  test('custom requests with arguments that name nothing', async () => {
    await atFault();
    const messages = [
      (await errorOf(dap.custom('iommu/pageTable', { domain: 'cpu_dom' }))).message,
      (await errorOf(dap.custom('iommu/pageTable', { domain: 'gpu_dom', table: '0x40001000', level: 7 }))).message,
      (await errorOf(dap.custom('iommu/translate', { iova: 'zz' }))).message,
      (await errorOf(dap.custom('iommu/translate', { iova: '0x1000', sid: 0x55 }))).message,
      (await errorOf(dap.custom('iommu/dump', { id: 5 }))).message,
    ];
    assert.deepEqual(messages, [
      "there is no domain 'cpu_dom'",
      "level 7 is not a level of domain 'gpu_dom' (L0 to L3)",
      "iova 'zz' is not an address",
      'stream 0x55 reaches no domain: no SMR matches StreamID 0x55 (sGFSR.USF)',
      'there is no crash dump #5',
    ]);
  });

  test('an unknown custom request', async () => {
    await atFault();
    assert.equal((await errorOf(dap.client.customRequest('iommu/nope', {}))).message, "unknown request 'iommu/nope'");
    assert.equal((await errorOf(dap.client.customRequest('iommu/resume'))).message, "iommu/resume: 'action' must be a string");
    assert.deepEqual(await dap.custom('iommu/dump'), { dumps: [] });
  });

  test('execution requests while the scenario runs', async () => {
    await dap.launch({ scenario: scenarioFile(longRun) });
    await dap.client.configurationDoneRequest();
    const messages = [
      (await errorOf(dap.client.nextRequest({ threadId: 1 }))).message,
      (await errorOf(dap.client.stepInRequest({ threadId: 1 }))).message,
      (await errorOf(dap.client.continueRequest({ threadId: 1 }))).message,
      (await errorOf(dap.custom('iommu/resume', { transaction: 0, action: 'retry' }))).message,
    ];
    assert.deepEqual(messages, Array(4).fill('the scenario is running: pause it first'));
    await dap.client.pauseRequest({ threadId: 1 });
    assert.equal((await dap.stopped()).reason, 'pause');
  });
});
