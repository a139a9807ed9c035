import assert from 'node:assert/strict';
import { DebugProtocol } from '@vscode/debugprotocol';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { Dap, example } from './helpers';

/** a530-fault-no-stall: line 26 is the texture engine's repeat, line 31 the handler's log. */
const scenario = example('a530-fault-no-stall');

describe('logpoints', () => {
  let dap: Dap;
  beforeEach(async () => {
    dap = await Dap.start();
  });
  afterEach(async () => {
    await dap.stop();
  });

  /** Runs to the end with these breakpoints and no exception filters; the console output before the summary. */
  async function logged(breakpoints: DebugProtocol.SourceBreakpoint[]): Promise<string[]> {
    const { breakpoints: answered } = await dap.launch({ scenario }, { breakpoints, exceptionFilters: [] });
    assert.ok(
      answered.every((b) => b.verified),
      JSON.stringify(answered),
    );
    await dap.client.configurationDoneRequest();
    assert.equal(await dap.exitCode(), 0);
    assert.equal(dap.all('stopped').length, 0, 'a logpoint does not stop');
    return dap
      .all<DebugProtocol.OutputEvent>('output')
      .filter((e) => e.body.category === 'console' && !e.body.output.startsWith('ended at') && !e.body.output.startsWith('line '))
      .map((e) => e.body.output);
  }

  test('`tex {iova}` on a repeat line prints each iteration\'s address and never stops', async () => {
    assert.deepEqual(await logged([{ line: 26, logMessage: 'tex {iova}' }]), ['tex 0x1002000\n', 'tex 0x1002040\n', 'tex 0x1002080\n', 'tex 0x10020c0\n']);
  });

  test('the iteration index and an expression in holes: counts in decimal, addresses in hex', async () => {
    assert.deepEqual(await logged([{ line: 26, logMessage: 'i={i} next={iova + 0x40}' }]), ['i=0 next=0x1002040\n', 'i=1 next=0x1002080\n', 'i=2 next=0x10020c0\n', 'i=3 next=0x1002100\n']);
  });

  test('on a handler line: the fault\'s fields, printed before the statement runs', async () => {
    const lines = await logged([{ line: 31, logMessage: 'handler sees {kind} at {iova} level {level}, fsr {fsr}' }]);
    assert.deepEqual(lines, ['handler sees translation at 0x7000000 level 2, fsr 0x402\n']);
    const order = dap
      .all<DebugProtocol.OutputEvent>('output')
      .map((e) => e.body.output)
      .slice(0, 2);
    assert.deepEqual(order, ['handler sees translation at 0x7000000 level 2, fsr 0x402\n', 'fault at 0x7000000\n']);
  });

  test('a logpoint with a condition logs only when it holds', async () => {
    assert.deepEqual(await logged([{ line: 26, logMessage: 'even {i}', condition: 'i % 2 == 0' }]), ['even 0\n', 'even 2\n']);
  });

  test('a logpoint with a hit count logs from that hit on', async () => {
    assert.deepEqual(await logged([{ line: 26, logMessage: 'late {i}', hitCondition: '>= 3' }]), ['late 2\n', 'late 3\n']);
  });

  test('a logpoint and a breakpoint on one line: both act', async () => {
    await dap.launch({ scenario }, { breakpoints: [{ line: 26, logMessage: 'tex {iova}' }, { line: 26 }], exceptionFilters: [] });
    await dap.client.configurationDoneRequest();
    const stop = await dap.stopped();
    assert.equal(stop.reason, 'breakpoint');
    assert.equal(stop.hitBreakpointIds?.length, 1, 'only the breakpoint counts as hit');
    assert.equal(dap.output('console'), 'tex 0x1002000\n');
  });

  test('a hole that cannot be evaluated says why on stderr, and the run goes on', async () => {
    await dap.launch({ scenario }, { breakpoints: [{ line: 26, logMessage: 'bad {1 / (i - i)}', hitCondition: '1' }], exceptionFilters: [] });
    await dap.client.configurationDoneRequest();
    assert.equal(await dap.exitCode(), 0);
    assert.equal(dap.output('stderr'), 'logpoint: division by zero\n');
  });

  test('a hole naming nothing is refused when the logpoint is set', async () => {
    const { breakpoints } = await dap.launch({ scenario }, { breakpoints: [{ line: 31, logMessage: 'where {iovaa}' }] });
    assert.equal(breakpoints[0]?.verified, false, 'a misspelt field would print its own name');
    assert.match(breakpoints[0]?.message ?? '', /'iovaa'/);
  });
});
