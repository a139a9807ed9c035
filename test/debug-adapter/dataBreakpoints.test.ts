import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { Dap, example } from './helpers';

describe('data breakpoints', () => {
  let dap: Dap;
  beforeEach(async () => {
    dap = await Dap.start();
  });
  afterEach(async () => {
    await dap.stop();
  });

  /** At the first fault of svm-map-and-retry: a data breakpoint on the walk's invalid L2[24]; its id. */
  async function watchInvalidDescriptor(): Promise<number> {
    const stop = await dap.launchAndStop({ scenario: example('svm-map-and-retry') });
    assert.equal(stop.text, 'Translation fault at level 2: L2[24] is invalid; FSR=0x40000402 TF|SS; FAR=0x3000000');
    const { container } = await dap.lookup(1, 'Fault', 'walk', 'L2[24]');
    const info = await dap.client.dataBreakpointInfoRequest({ variablesReference: container, name: 'L2[24]' });
    assert.deepEqual(info.body, { dataId: 'pa:0x400020c0:L2[24] @ 0x400020c0', description: 'descriptor L2[24] at 0x400020c0 changes', accessTypes: ['write'], canPersist: false });
    const set = await dap.client.setDataBreakpointsRequest({ breakpoints: [{ dataId: info.body.dataId ?? '' }] });
    const [breakpoint] = set.body.breakpoints;
    assert.equal(breakpoint?.verified, true);
    return breakpoint?.id ?? -1;
  }

  test('on the invalid descriptor of the walk: fires when the handler maps the page, with old → new', async () => {
    const id = await watchInvalidDescriptor();
    await dap.client.continueRequest({ threadId: 1 });
    const stop = await dap.stopped();
    assert.equal(stop.reason, 'data breakpoint');
    assert.equal(stop.description, 'Paused on data breakpoint');
    assert.equal(stop.text, 'L2[24] @ 0x400020c0 changed: 0x0 → 0x40004003');
    assert.deepEqual(stop.hitBreakpointIds, [id]);
    // The descriptor now points to a new L3 table: the walk of the faulting page reaches the new leaf.
    const walk = await dap.custom<{ steps: { level: number; index: number; value: string }[]; pa: string | null }>('iommu/translate', { iova: '0x3000000', sid: 0x400 });
    assert.deepEqual(
      walk.steps.map((s) => `L${s.level}[${s.index}] ${s.value}`),
      ['L0[0] 0x0000000040001003', 'L1[0] 0x0000000040002003', 'L2[24] 0x0000000040004003', 'L3[0] 0x0000000088000f47'],
    );
    assert.equal(walk.pa, '0x88000000');
  });

  test('the stop is on the thread whose statement changed the descriptor: the worker, after its `map`', async () => {
    await watchInvalidDescriptor();
    await dap.client.continueRequest({ threadId: 1 });
    const stop = await dap.stopped();
    assert.equal(stop.reason, 'data breakpoint');
    assert.equal(stop.threadId, await dap.threadId('iopf/0'), 'the handler on iopf/0 wrote the descriptor, not gpu.cp');
    const top = await dap.topFrame(stop.threadId ?? 0);
    assert.equal(`${top.name} @ ${top.line}`, 'log "mapped {iova} on demand" @ 32');
  });

  test('fires once per change: the next fault maps through the same table and does not touch L2[24]', async () => {
    await watchInvalidDescriptor();
    await dap.client.continueRequest({ threadId: 1 });
    assert.equal((await dap.stopped()).reason, 'data breakpoint');
    await dap.client.continueRequest({ threadId: 1 });
    const next = await dap.stopped();
    assert.equal(next.reason, 'exception');
    assert.equal(next.text, 'Translation fault at level 3: L3[1] is invalid; FSR=0x40000402 TF|SS; FAR=0x3001000');
  });

  test('removed with an empty set: no stop', async () => {
    await watchInvalidDescriptor();
    const cleared = await dap.client.setDataBreakpointsRequest({ breakpoints: [] });
    assert.deepEqual(cleared.body.breakpoints, []);
    await dap.client.continueRequest({ threadId: 1 });
    assert.equal((await dap.stopped()).reason, 'exception', 'the next stop is the next fault');
  });

  test('on a register: FSR, as the SMMU records the fault and the kernel writes it back', async () => {
    const entry = await dap.launchAndStop({ scenario: example('a530-stall-hupcf'), stopOnEntry: true }, { exceptionFilters: [] });
    assert.equal(entry.reason, 'entry');
    const top = await dap.topFrame(1);
    const registers = await dap.scope(top.id, 'Registers');
    const info = await dap.client.dataBreakpointInfoRequest({ variablesReference: registers.variablesReference, name: 'FSR' });
    assert.deepEqual(info.body, { dataId: 'reg:0:0:FSR:cb0 FSR', description: 'FSR of context bank 0 changes', accessTypes: ['write'], canPersist: false });
    const set = await dap.client.setDataBreakpointsRequest({ breakpoints: [{ dataId: info.body.dataId ?? '' }] });
    assert.equal(set.body.breakpoints[0]?.verified, true);
    await dap.client.continueRequest({ threadId: 1 });
    const recorded = await dap.stopped();
    assert.equal(recorded.reason, 'data breakpoint');
    assert.equal(recorded.text, 'cb0 FSR changed: 0x0 → 0x40000402');
    assert.equal(recorded.threadId, 1, 'the faulting transaction of gpu.cp set it');
    assert.deepEqual(await dap.stack(1), ['read 0x0700_0000 64 as bad — #1 stalled @ 21', 'submit 7 @ 19', 'engine gpu.cp @ 18']);
    await dap.client.continueRequest({ threadId: 1 });
    const writeBack = await dap.stopped();
    assert.equal(writeBack.text, 'cb0 FSR changed: 0x40000402 → 0x40000400');
    await dap.client.continueRequest({ threadId: 1 });
    const resumed = await dap.stopped();
    assert.equal(resumed.text, 'cb0 FSR changed: 0x40000400 → 0x400');
    await dap.client.continueRequest({ threadId: 1 });
    assert.equal(await dap.exitCode(), 0);
  });

  test('the FSR write-back stops on the irq thread that wrote it', async () => {
    await dap.launchAndStop({ scenario: example('a530-stall-hupcf'), stopOnEntry: true }, { exceptionFilters: [] });
    const top = await dap.topFrame(1);
    const registers = await dap.scope(top.id, 'Registers');
    const info = await dap.client.dataBreakpointInfoRequest({ variablesReference: registers.variablesReference, name: 'FSR' });
    await dap.client.setDataBreakpointsRequest({ breakpoints: [{ dataId: info.body.dataId ?? '' }] });
    await dap.client.continueRequest({ threadId: 1 });
    await dap.stopped();
    await dap.client.continueRequest({ threadId: 1 });
    const writeBack = await dap.stopped();
    assert.equal(writeBack.text, 'cb0 FSR changed: 0x40000402 → 0x40000400');
    assert.equal(writeBack.threadId, await dap.threadId('irq'), 'arm_smmu_cb_write(FSR) on the hard IRQ wrote it');
  });

  test('a change that happened with another stop (the fault) does not stop again at the next event', async () => {
    // Translation filter on: the fault stops as an exception; FSR changed in that same event.
    await dap.launchAndStop({ scenario: example('a530-stall-hupcf'), stopOnEntry: true });
    const top = await dap.topFrame(1);
    const registers = await dap.scope(top.id, 'Registers');
    const info = await dap.client.dataBreakpointInfoRequest({ variablesReference: registers.variablesReference, name: 'FSR' });
    await dap.client.setDataBreakpointsRequest({ breakpoints: [{ dataId: info.body.dataId ?? '' }] });
    await dap.client.continueRequest({ threadId: 1 });
    const fault = await dap.stopped();
    assert.equal(fault.reason, 'exception');
    assert.equal(fault.text, 'Translation fault at level 2: L2[56] is invalid; FSR=0x40000402 TF|SS; FAR=0x7000000');
    await dap.client.continueRequest({ threadId: 1 });
    const next = await dap.stopped();
    assert.equal(next.reason, 'data breakpoint');
    assert.equal(next.text, 'cb0 FSR changed: 0x40000402 → 0x40000400', 'the next change is the write-back, not the fault already shown');
  });

  test('what cannot be watched says so; a dataId the adapter did not make is unverified', async () => {
    await dap.launchAndStop({ scenario: example('a530-stall-hupcf') });
    const top = await dap.topFrame(1);
    const transaction = await dap.scope(top.id, 'Transaction');
    const info = await dap.client.dataBreakpointInfoRequest({ variablesReference: transaction.variablesReference, name: 'iova' });
    assert.deepEqual(info.body, { dataId: null, description: 'iova cannot be watched: only registers and page-table descriptors can' });
    const table = await dap.scope(top.id, 'Page table');
    const entry = await dap.client.dataBreakpointInfoRequest({ variablesReference: table.variablesReference, name: 'L0[0]' });
    assert.deepEqual(entry.body, { dataId: 'pa:0x40000000:L0[0] @ 0x40000000', description: 'descriptor L0[0] at 0x40000000 changes', accessTypes: ['write'], canPersist: false });
    const set = await dap.client.setDataBreakpointsRequest({ breakpoints: [{ dataId: 'somewhere' }] });
    assert.deepEqual(
      set.body.breakpoints.map((b) => ({ verified: b.verified, message: b.message })),
      [{ verified: false, message: "'somewhere' is not a data breakpoint this adapter made" }],
    );
  });
});
