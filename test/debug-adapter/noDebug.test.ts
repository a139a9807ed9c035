import assert from 'node:assert/strict';
import { DebugProtocol } from '@vscode/debugprotocol';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { RunEndedEventBody } from '../../debug-adapter/protocol';
import { Dap, example, lineOf, scenarioFile } from './helpers';

/** `[category, text]` of every output event, in order. */
function outputs(dap: Dap): [string, string][] {
  return dap.all<DebugProtocol.OutputEvent>('output').map((e) => [e.body.category ?? 'console', e.body.output]);
}

const faulting = [
  'smmu s { version v2 }',
  'domain d { fault stall; hupcf on; map 0x1000_0000 -> 0x8000_0000 size 2M rw }',
  'master m { stream 0x1; domain d; can-stall }',
  'engine m.dma {',
  '  read 0x1000_0000 64 as good',
  '  read 0x2000_0000 64 as bad',
  '}',
  'handler h on d {',
  '  context thread',
  '  log "fault at {iova}"',
  '  terminate',
  '}',
  'expect good completed',
  'expect bad completed',
].join('\n');

describe('noDebug: Run without debugging goes to the end without stopping', () => {
  let dap: Dap;
  beforeEach(async () => {
    dap = await Dap.start();
  });
  afterEach(async () => {
    await dap.stop();
  });

  test('no stopped event despite breakpoints, function breakpoints, exception filters and stopOnEntry; the result in the right categories', async () => {
    const scenario = scenarioFile(faulting, 'nodebug');
    const launched = await dap.launch(
      { scenario, noDebug: true, stopOnEntry: true },
      {
        breakpoints: [{ line: lineOf(faulting, 'as good') }, { line: lineOf(faulting, 'log "fault') }],
        functionBreakpoints: [{ name: 'h' }],
        exceptionFilters: ['translation', 'stall', 'terminate'],
      },
    );
    assert.deepEqual(
      launched.breakpoints.map((b) => b.verified),
      [true, true],
    );
    await dap.client.configurationDoneRequest();
    assert.equal(await dap.exitCode(), 1);
    assert.deepEqual(dap.all('stopped'), []);
    assert.deepEqual(outputs(dap), [
      ['stdout', 'fault at 0x20000000\n'],
      ['stdout', 'ended at cycle 42: transactions 2, faults 1, completed 1, aborted 1\n'],
      ['stdout', 'line 13: expect good completed: ok (good: completed)\n'],
      ['stderr', 'line 14: expect bad completed: FAILED (bad: aborted)\n'],
    ]);
    const order = dap.events.map((e) => e.event).filter((name) => name === 'iommu/ended' || name === 'exited' || name === 'terminated' || name === 'stopped');
    assert.deepEqual(order, ['iommu/ended', 'exited', 'terminated']);
  });

  test('the example that stops on a translation fault when debugged runs to exit 0, its expects passing in the normal colour', async () => {
    assert.equal(await dap.launchToEnd({ scenario: example('a530-fault-no-stall'), noDebug: true }, { exceptionFilters: ['translation', 'stall'] }), 0);
    assert.deepEqual(dap.all('stopped'), []);
    assert.deepEqual(outputs(dap), [
      ['stdout', 'fault at 0x7000000\n'],
      ['stdout', 'ended at cycle 91: transactions 6, faults 1, completed 1, raz 5, dumps 1\n'],
      ['stdout', 'line 35: expect bad raz: ok (bad: raz)\n'],
      ['stdout', 'line 36: expect raz == 5: ok (raz = 5)\n'],
    ]);
  });

  test('iommu/ended carries the last state: cycle, counters, expects, faults, dumps with their text, the timeline at the last cycle', async () => {
    const scenario = example('a530-fault-no-stall');
    await dap.launchToEnd({ scenario, noDebug: true });
    const [ended] = dap.all('iommu/ended');
    const body = ended?.body as RunEndedEventBody;
    assert.equal(body.path, scenario);
    assert.equal(body.cycle, 91);
    assert.equal(body.how, 'finished');
    assert.equal(body.error, null);
    assert.deepEqual(body.counters, [
      { name: 'transactions', value: 6 },
      { name: 'faults', value: 1 },
      { name: 'completed', value: 1 },
      { name: 'raz', value: 5 },
      { name: 'dumps', value: 1 },
    ]);
    assert.deepEqual(body.expects, [
      { line: 35, text: 'bad raz', ok: true, detail: 'bad: raz' },
      { line: 36, text: 'raz == 5', ok: true, detail: 'raz = 5' },
    ]);
    assert.deepEqual(
      body.faults.faults.map((f) => [f.kind, f.iova, f.line, f.engine]),
      [['translation', '0x7000000', 20, 'gpu.cp']],
    );
    assert.deepEqual(
      body.dumps.map((d) => [d.id, d.handler]),
      [[0, 'gpu_fault']],
    );
    assert.match(body.dumps[0]?.text ?? '', /FSR/);
    assert.equal(body.timeline.now, 91);
    assert.deepEqual(body.stalled.transactions, []);
    assert.deepEqual(
      body.domains.domains.map((d) => d.name),
      ['gpu_dom'],
    );
    assert.equal(body.pageTables[0]?.domain, 'gpu_dom');
    assert.ok(body.pageTables.length > 1, 'the tables under the root are there too');
    assert.deepEqual(
      body.smmu.smmus.flatMap((s) => s.contextBanks.map((b) => b.variablesReference)),
      [0],
    );
  });

  test('a debugged run sends iommu/ended too, when it finishes', async () => {
    await dap.launchToEnd({ scenario: example('a530-fault-no-stall'), stopOnFault: false });
    assert.equal((dap.all('iommu/ended')[0]?.body as RunEndedEventBody).cycle, 91);
  });
});
