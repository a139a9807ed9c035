import assert from 'node:assert/strict';
import { DebugProtocol } from '@vscode/debugprotocol';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { runNode } from '../helpers/runNode';
import { distPath } from '../helpers/repo';
import { Dap, errorOf, example, scenarioFile, settle } from './helpers';

/** `[category, text]` of every output event, in order. */
function outputs(dap: Dap): [string, string][] {
  return dap.all<DebugProtocol.OutputEvent>('output').map((e) => [e.body.category ?? 'console', e.body.output]);
}

describe('a launch with stopOnFault false runs to the end', () => {
  let dap: Dap;
  beforeEach(async () => {
    dap = await Dap.start();
  });
  afterEach(async () => {
    await dap.stop();
  });

  test('exited 0 then terminated, with the handler log and every expect result as output', async () => {
    const exitCode = await dap.launchToEnd({ scenario: example('a530-fault-no-stall'), stopOnFault: false });
    assert.equal(exitCode, 0);
    assert.deepEqual(outputs(dap), [
      ['stdout', 'fault at 0x7000000\n'],
      ['stdout', 'ended at cycle 91: transactions 6, faults 1, completed 1, raz 5, dumps 1\n'],
      ['stdout', 'line 35: expect bad raz: ok (bad: raz)\n'],
      ['stdout', 'line 36: expect raz == 5: ok (raz = 5)\n'],
    ]);
    const order = dap.events.map((e) => e.event).filter((name) => name === 'exited' || name === 'terminated' || name === 'stopped');
    assert.deepEqual(order, ['exited', 'terminated']);
  });

  test('every log statement of every handler run, in order', async () => {
    const exitCode = await dap.launchToEnd({ scenario: example('svm-map-and-retry'), stopOnFault: false });
    assert.equal(exitCode, 0);
    assert.equal(
      dap.output('stdout'),
      [
        'mapped 0x3000000 on demand',
        'mapped 0x3001000 on demand',
        'stray access at 0x9000000',
        'ended at cycle 273: transactions 3, faults 3, completed 2, aborted 1, retried 2',
        'line 40: expect fill completed: ok (fill: completed)',
        'line 41: expect fill pa 0x8800_0000: ok (fill: pa 0x88000000)',
        'line 42: expect fill2 pa 0x8800_1000: ok (fill2: pa 0x88001000)',
        'line 43: expect stray aborted: ok (stray: aborted)',
        'line 44: expect retried == 2: ok (retried = 2)',
        '',
      ].join('\n'),
    );
  });

  test('an engine hung on a stall nothing answers: said after the counters, with what it never issued', async () => {
    const scenario = scenarioFile(
      [
        'smmu s0 { version v2 }',
        'domain d { fault stall; hupcf on; map 0x0100_0000 -> 0x8000_0000 size 64K rw }',
        'master m { stream 0x1; domain d; can-stall }',
        'engine m.e { outstanding 1; read 0x0700_0000 8 as bad; repeat 3 { read 0x0100_0000 8 as next } }',
        'handler h on d { context workqueue; log "never answered" }',
        'expect bad stalled',
        'kernel 6.12', // a worker that does not answer leaves the stall before 6.16
      ].join('\n'),
      'hung',
    );
    const exitCode = await dap.launchToEnd({ scenario, stopOnFault: false });
    assert.equal(exitCode, 0);
    assert.equal(
      dap.output('stdout'),
      [
        'never answered',
        'ended at cycle 59: transactions 1, faults 1, stalled 1',
        'm.e hung at line 4: its outstanding slot is taken (#0 stalled on cb0, no RESUME); 3 transactions not issued',
        'line 6: expect bad stalled: ok (bad: stalled)',
        '',
      ].join('\n'),
    );
  });

  test('an expect that fails: exit code 1 and the failure on stderr', async () => {
    const scenario = scenarioFile(
      [
        'smmu s { version v2 }',
        'domain d { map 0x1000_0000 -> 0x8000_0000 size 2M rw }',
        'master m { stream 0x1; domain d }',
        'engine m.dma {',
        '  read 0x1000_0000 64 as good',
        '  read 0x2000_0000 64 as bad',
        '}',
        'expect good completed',
        'expect bad completed',
        'expect faults == 0',
      ].join('\n'),
    );
    const exitCode = await dap.launchToEnd({ scenario, stopOnFault: false });
    assert.equal(exitCode, 1);
    assert.deepEqual(outputs(dap), [
      ['stderr', 'arm-smmu 15000000.iommu: Unhandled context fault: fsr=0x402, iova=0x20000000, fsynr=0x2, cbfrsynra=0x1, cb=0\n'],
      ['stderr', 'arm-smmu 15000000.iommu: FSR    = 00000402 [Format=2 TF], SID=0x1\n'],
      ['stderr', 'arm-smmu 15000000.iommu: FSYNR0 = 00000002 [S1CBNDX=0 PLVL=2]\n'],
      ['stdout', 'ended at cycle 41: transactions 2, faults 1, completed 1, aborted 1\n'],
      ['stdout', 'line 8: expect good completed: ok (good: completed)\n'],
      ['stderr', 'line 9: expect bad completed: FAILED (bad: aborted)\n'],
      ['stderr', 'line 10: expect faults == 0: FAILED (faults = 1)\n'],
    ]);
  });

  test('the kernel lines name the SMMU by its `device`, as the CLI does', async () => {
    const scenario = scenarioFile(
      [
        'smmu s { version v3; device "arm-smmu-v3.0.auto"; base 0x0905_0000 }',
        'domain d { map 0x0100_0000 -> 0x8000_0000 size 4K rw }',
        'master m { stream 0x1; domain d }',
        'engine m.e { read 0x0200_0000 64 }',
      ].join('\n'),
    );
    assert.equal(await dap.launchToEnd({ scenario, stopOnFault: false }), 0);
    assert.deepEqual(outputs(dap).filter(([, text]) => text.startsWith('arm-smmu')), [
      ['stderr', 'arm-smmu-v3 arm-smmu-v3.0.auto: event 0x10 received:\n'],
      ['stderr', 'arm-smmu-v3 arm-smmu-v3.0.auto: \t0x0000000100000010\n'],
      ['stderr', 'arm-smmu-v3 arm-smmu-v3.0.auto: \t0x0000020800000000\n'],
      ['stderr', 'arm-smmu-v3 arm-smmu-v3.0.auto: \t0x0000000002000000\n'],
      ['stderr', 'arm-smmu-v3 arm-smmu-v3.0.auto: \t0x0000000000000000\n'],
      ['stderr', 'arm-smmu-v3 arm-smmu-v3.0.auto: event: F_TRANSLATION client: m sid: 0x1 ssid: 0 iova: 0x2000000 ipa: 0\n'],
      ['stderr', 'arm-smmu-v3 arm-smmu-v3.0.auto: unpriv data read s1 "Input address caused fault" stag: 0\n'],
    ]);
  });

  test('a scenario without faults or expects: exit 0 and the counters', async () => {
    const scenario = scenarioFile(
      [
        'smmu s { version v2 }',
        'domain d { map 0x1000_0000 -> 0x8000_0000 size 2M rw }',
        'master m { stream 0x1; domain d }',
        'engine m.dma { repeat 3 { read 0x1000_0000 + i*0x1000 64 } }',
      ].join('\n'),
    );
    assert.equal(await dap.launchToEnd({ scenario }), 0);
    assert.deepEqual(outputs(dap), [['stdout', 'ended at cycle 32: transactions 3, completed 3\n']]);
  });

  test('a run that cannot finish (an expression that cannot be evaluated): exit 1 and why, on stderr', async () => {
    const scenario = scenarioFile(
      [
        'smmu s { version v2 }',
        'domain d {',
        '  fault stall',
        '  map 0x1000_0000 -> 0x8000_0000 size 2M rw',
        '}',
        'master m { stream 0x1; domain d; can-stall }',
        'engine m.dma { read 0x2000_0000 64 as bad }',
        'handler h on d {',
        '  map page -> 0x9000_0000 / (iova - iova) rw',
        '  retry',
        '}',
      ].join('\n'),
    );
    assert.equal(await dap.launchToEnd({ scenario, stopOnFault: false }), 1);
    assert.deepEqual(outputs(dap), [
      // Linux 7.1: the (workqueue) handler's stall was terminated when the IRQ returned, before the work failed.
      ['stdout', 'ended at cycle 57: transactions 1, faults 1, aborted 1\n'],
      ['stderr', 'the run could not finish: division by zero (line 9)\n'],
    ]);
  });

  test('trace: the Debug Console shows exactly what the CLI prints for the same scenario', async () => {
    const scenario = example('svm-map-and-retry');
    const cli = runNode(distPath('cli'), ['run', scenario]);
    assert.equal(cli.status, 0);
    assert.equal(await dap.launchToEnd({ scenario, stopOnFault: false, trace: true }), 0);
    assert.equal(dap.output(), cli.stdout);
    assert.equal(dap.output('console'), cli.stdout.slice(0, cli.stdout.indexOf('ended at cycle')), 'with trace, log lines are part of the trace, not printed twice');
    assert.match(dap.output('stdout'), /^ended at cycle 273: /);
    assert.match(dap.output(), /^ {6}61 {2}iopf\/0 {9}qcom_adreno_smmu_resume_translation: RESUME ← retry \(TnR=0\)$/m);
  });

  test('stopOnFault false ignores the exception filters: no stop at all', async () => {
    await dap.launch({ scenario: example('a530-stall-hupcf'), stopOnFault: false }, { exceptionFilters: ['translation', 'stall', 'terminate', 'multi'] });
    await dap.client.configurationDoneRequest();
    assert.equal(await dap.exitCode(), 0);
    await settle(50);
    assert.equal(dap.all('stopped').length, 0);
  });

  test('requests after the end: threads is empty, a step is refused', async () => {
    assert.equal(await dap.launchToEnd({ scenario: example('a530-fault-no-stall'), stopOnFault: false }), 0);
    assert.deepEqual(await dap.threads(), []);
    const error = await errorOf(dap.client.nextRequest({ threadId: 1 }));
    assert.equal(error.message, 'the run has ended');
  });
});
