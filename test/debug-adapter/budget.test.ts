import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { DEFAULT_MAX_SECONDS, defaultMaxEvents } from '../../emulator/machine/budget';
import { Machine } from '../../emulator/machine/machine';
import { compileScenario } from '../../emulator/scenario/compile';
import { ScenarioModel } from '../../emulator/scenario/model';
import { repoPath } from '../helpers/repo';
import { Dap, IommuLaunch, scenarioFile, settle } from './helpers';
import { RawDap, refusalOf } from './rawSession';
import { retryLoops } from './retryLoops';

/** Long enough for a few thousand events of output on a slow machine. */
const RUNAWAY_TIMEOUT = 20_000;

/** Many reads that all translate: a run that ends, but takes its time. */
function manyReads(version: 'v2' | 'v3', count: number): string {
  return [
    `smmu s { version ${version} }`,
    'domain d { map 0x1000_0000 -> 0x8000_0000 size 2M rw }',
    'master m { stream 0x1; domain d }',
    `engine m.dma { repeat ${count} { read 0x1000_0000 + (i % 512) * 0x1000 64 } }`,
  ].join('\n');
}

function model(text: string): ScenarioModel {
  const compiled = compileScenario(text);
  assert.ok(compiled.model, compiled.diagnostics.map((d) => d.message).join('\n'));
  return compiled.model;
}

/** What the emulator itself says when it stops the same run: the message the Debug Console must show unchanged. */
function emulatorStop(text: string, maxEvents?: number): string {
  const stop = new Machine(model(text), maxEvents === undefined ? {} : { maxEvents }).run();
  assert.equal(stop.reason, 'budget');
  return stop.reason === 'budget' ? stop.message : '';
}

describe('run budgets: a run that does not end is stopped, and the Debug Console says why', () => {
  let dap: Dap;
  beforeEach(async () => {
    dap = await Dap.start();
  });
  afterEach(async () => {
    await dap.stop();
  });

  async function runToEnd(args: IommuLaunch, timeout = RUNAWAY_TIMEOUT): Promise<number> {
    await dap.launch(args);
    await dap.client.configurationDoneRequest();
    return dap.exitCode(timeout);
  }

  for (const { version, text } of retryLoops) {
    test(`${version}: a handler that keeps answering retry stops at the runaway limit, with the emulator's message and exit code 1`, async () => {
      const message = emulatorStop(text);
      assert.match(message, /^the run was stopped at cycle \d+: transaction #0 of m\.dma \(line \d\) has faulted 10000 times — a handler keeps answering retry without fixing what faults$/);
      assert.equal(await runToEnd({ scenario: scenarioFile(text), stopOnFault: false }), 1);
      assert.equal(dap.output('stderr'), `the run could not finish: ${message}\n`);
      assert.equal(dap.all('output').filter((e) => (e.body as { output: string }).output === 'retrying 0x20000000\n').length, 9999);
    });
  }

  for (const version of ['v2', 'v3'] as const) {
    test(`SMMU${version}: maxEvents 100 stops the run with the emulator's message`, async () => {
      const text = manyReads(version, 1000);
      const message = emulatorStop(text, 100);
      assert.match(message, /^the run did not end within 100 events \(cycle \d+\); 0 faults so far$/);
      assert.equal(await runToEnd({ scenario: scenarioFile(text), maxEvents: 100 }), 1);
      assert.equal(dap.output('stderr'), `the run could not finish: ${message}\n`);
    });
  }

  test('maxSeconds counts the time spent running: a long run is stopped with the time budget\'s message', async () => {
    assert.equal(await runToEnd({ scenario: scenarioFile(manyReads('v2', 10_000_000)), maxSeconds: 0.25 }), 1);
    assert.match(dap.output('stderr'), /^the run could not finish: the run did not end within 0\.25 s \(cycle \d+, \d+ events\); 0 faults so far\n$/);
  });

  test('maxSeconds does not count the time spent stopped', async () => {
    await dap.launch({ scenario: scenarioFile(manyReads('v2', 3)), stopOnEntry: true, maxSeconds: 0.25 });
    await dap.client.configurationDoneRequest();
    assert.equal((await dap.stopped()).reason, 'entry');
    await settle(400);
    await dap.client.continueRequest({ threadId: 1 });
    assert.equal(await dap.exitCode(), 0);
    assert.equal(dap.output('stderr'), '');
  });
});

describe('budget launch attributes', () => {
  let raw: RawDap;
  beforeEach(() => {
    raw = new RawDap();
  });
  afterEach(() => {
    raw.close();
  });

  test('a bad maxSeconds or maxEvents is refused at launch, naming the attribute', async () => {
    const scenario = scenarioFile(manyReads('v2', 3));
    const bad: [string, unknown, string][] = [
      ['maxSeconds', 0, '0'],
      ['maxSeconds', -1, '-1'],
      ['maxSeconds', 'soon', '"soon"'],
      ['maxSeconds', null, 'null'],
      ['maxEvents', 0, '0'],
      ['maxEvents', 2.5, '2.5'],
      ['maxEvents', '100', '"100"'],
    ];
    const answers = await raw.batch(bad.map(([key, value]) => ({ command: 'launch', arguments: { scenario, [key]: value } })));
    assert.deepEqual(
      answers.map(refusalOf),
      bad.map(([key, , shown]) => ({
        success: false,
        id: 1001,
        message: key === 'maxSeconds' ? `launch attribute 'maxSeconds' must be a number of seconds above 0, not ${shown}` : `launch attribute 'maxEvents' must be a whole number of events above 0, not ${shown}`,
      })),
    );
    assert.deepEqual(raw.events(), [], 'no initialized event for a refused launch');
  });

  test('the manifest declares both attributes with the emulator\'s defaults', () => {
    const manifest = JSON.parse(readFileSync(repoPath('package.json'), 'utf8')) as {
      contributes: { debuggers: { configurationAttributes: { launch: { properties: Record<string, { type: string; default?: unknown; description: string }> } } }[] };
    };
    const properties = manifest.contributes.debuggers[0]?.configurationAttributes.launch.properties ?? {};
    assert.equal(properties['maxSeconds']?.type, 'number');
    assert.equal(properties['maxSeconds']?.default, DEFAULT_MAX_SECONDS);
    // The event budget depends on the scenario: the description says how, in the emulator's numbers.
    const base = defaultMaxEvents(model(''));
    const perTransaction = defaultMaxEvents(model(manyReads('v2', 1))) - base;
    assert.equal(properties['maxEvents']?.type, 'integer');
    assert.equal(properties['maxEvents']?.default, undefined);
    assert.match(properties['maxEvents']?.description ?? '', new RegExp(`Default: ${base.toLocaleString('en-US')} plus ${perTransaction} for each transaction the scenario programs`));
  });
});
