import assert from 'node:assert/strict';
import { DebugProtocol } from '@vscode/debugprotocol';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { StalledResponseBody } from '../../debug-adapter/protocol';
import { Dap, errorOf, example, scenarioFile } from './helpers';

describe('setVariable', () => {
  let dap: Dap;
  beforeEach(async () => {
    dap = await Dap.start();
  });
  afterEach(async () => {
    await dap.stop();
  });

  async function set(variablesReference: number, name: string, value: string): Promise<DebugProtocol.SetVariableResponse['body']> {
    return (await dap.client.setVariableRequest({ variablesReference, name, value })).body;
  }

  test('SCTLR.HUPCF set at the fault: the texture reads translate instead of stalling behind it', async () => {
    // a530-stall-no-hupcf; a breakpoint on the handler's `terminate` (cycle 159), long after the texture reads.
    const scenario = example('a530-stall-no-hupcf');
    await dap.launchAndStop({ scenario }, { breakpoints: [{ line: 31 }] });
    const { container: registers, variable: sctlr } = await dap.lookup(1, 'Registers', 'SCTLR');
    assert.equal(sctlr?.value, '0x000010e7');
    const fields = sctlr?.variablesReference ?? 0;
    assert.equal((await dap.values(fields))['HUPCF'], '0');
    const invalidated = dap.all('invalidated').length;
    assert.deepEqual(await set(fields, 'HUPCF', '1'), { value: '1' });
    assert.equal(dap.all('invalidated').length, invalidated + 1);
    assert.equal((await dap.variable(registers, 'SCTLR')).value, '0x000011e7');
    await dap.client.continueRequest({ threadId: 1 });
    const atTerminate = await dap.stopped();
    assert.equal(atTerminate.reason, 'breakpoint');
    const stalled = await dap.custom<StalledResponseBody>('iommu/stalled');
    assert.deepEqual(
      stalled.transactions.map((t) => [t.id, t.label, t.stall]),
      [[1, 'bad', 'fault']],
      'with HUPCF=1 only the faulting read waits',
    );
  });

  test('the same scenario without the write: the texture reads all wait behind the fault', async () => {
    await dap.launchAndStop({ scenario: example('a530-stall-no-hupcf') }, { breakpoints: [{ line: 31 }], exceptionFilters: [] });
    const stalled = await dap.custom<StalledResponseBody>('iommu/stalled');
    assert.deepEqual(
      stalled.transactions.map((t) => [t.id, t.label, t.stall]),
      [
        [1, 'bad', 'fault'],
        [2, 'tex', 'behind'],
        [3, 'tex', 'behind'],
        [4, 'tex', 'behind'],
        [5, 'tex', 'behind'],
      ],
    );
  });

  test('FSR is write-one-to-clear: writing TF clears it, SS stays', async () => {
    await dap.launchAndStop({ scenario: example('a530-stall-hupcf') });
    const { container: registers, variable: fsr } = await dap.lookup(1, 'Registers', 'FSR');
    assert.equal(fsr?.value, '0x40000402');
    assert.deepEqual(await set(fsr?.variablesReference ?? 0, 'TF', '1'), { value: '0' });
    assert.equal((await dap.variable(registers, 'FSR')).value, '0x40000400');
    // Writing the whole register: SS is read-only, TF already clear.
    assert.deepEqual(await set(registers, 'FSR', '0x40000402'), { value: '0x40000400' });
    assert.equal((await dap.evaluate('FSR', 'repl', (await dap.topFrame(1)).id)).result, '0x40000400');
  });

  test('a descriptor bit: clearing AF makes the next access to the page take an access-flag fault', async () => {
    await dap.launchAndStop({ scenario: example('a530-stall-hupcf') }, { exceptionFilters: ['translation', 'access-flag'] });
    const { variable: leaf } = await dap.lookup(1, 'Page table', 'L0[0]', 'L1[0]', 'L2[8]', 'L3[2]');
    assert.equal(leaf?.value, '0x0100_2000: page → 0x80002000 rw, AttrIndx 1 (cached), SH inner, AF, nG');
    const fields = leaf?.variablesReference ?? 0;
    assert.deepEqual(await set(fields, 'AF', '0'), { value: '0' });
    assert.deepEqual(
      dap.all<DebugProtocol.MemoryEvent>('memory').map((e) => e.body),
      [{ memoryReference: '0x40003010', offset: 0, count: 8 }],
    );
    assert.deepEqual(dap.all<DebugProtocol.InvalidatedEvent>('invalidated').at(-1)?.body, { areas: ['variables'] });
    const after = await dap.values(fields);
    assert.equal(after['value'], '0x0000000080002b47');
    assert.equal(after['AF'], '0');
    assert.equal((await dap.evaluate('translate(0x0100_2000)', 'repl', (await dap.topFrame(1)).id)).result, '0x1002000: access-flag fault at level 3: L3[2] has AF=0');
    await dap.client.continueRequest({ threadId: 1 });
    const stop = await dap.stopped();
    assert.equal(stop.description, 'Paused on access-flag fault');
    assert.equal(stop.text, 'Access-flag fault at level 3: L3[2] has AF=0; FSR=0x40000404 AFF|SS; FAR=0x1002000');
    assert.deepEqual(await dap.stack(stop.threadId ?? 0), ['read 0x0100_2000 + i*64 64 as tex — #2 stalled @ 28', 'repeat 4 (i = 0) @ 28', 'engine gpu.tp @ 25']);
  });

  test('a descriptor value: the page now maps elsewhere', async () => {
    await dap.launchAndStop({ scenario: example('a530-stall-hupcf') });
    const { variable: leaf } = await dap.lookup(1, 'Page table', 'L0[0]', 'L1[0]', 'L2[8]', 'L3[2]');
    assert.deepEqual(await set(leaf?.variablesReference ?? 0, 'value', '0x0000_0000_8000_5f47'), { value: '0x0000000080005f47' });
    assert.equal((await dap.values(leaf?.variablesReference ?? 0))['output address'], '0x80005000');
    const translated = await dap.custom<{ pa: string | null }>('iommu/translate', { iova: '0x1002040', domain: 'gpu_dom' });
    assert.equal(translated.pa, '0x80005040');
  });

  test('the walk shown in the Fault scope follows a write to one of its descriptors', async () => {
    await dap.launchAndStop({ scenario: example('a530-stall-hupcf') });
    const { container: walk } = await dap.lookup(1, 'Fault', 'walk', 'L2[56]');
    await set(walk, 'L2[56]', '0x0000000090000f45');
    const values = await dap.values(walk);
    assert.equal(values['L2[56]'], '0x0000000090000f45  block 2M → 0x90000000 rw, AttrIndx 1 (cached), SH inner, AF, nG');
    assert.equal(values['result'], '→ 0x90000000 (level 2)');
  });

  test('what cannot be written says why', async () => {
    await dap.launchAndStop({ scenario: example('a530-stall-hupcf') });
    const top = await dap.topFrame(1);
    const registers = (await dap.scope(top.id, 'Registers')).variablesReference;
    const transaction = (await dap.scope(top.id, 'Transaction')).variablesReference;
    const fsr = (await dap.variable(registers, 'FSR')).variablesReference;
    const ttbr0 = (await dap.variable(registers, 'TTBR0')).variablesReference;
    const { variable: leaf } = await dap.lookup(1, 'Page table', 'L0[0]', 'L1[0]', 'L2[8]', 'L3[0]');
    const messages = [
      (await errorOf(set(registers, 'TTBR0', '0x1000'))).message,
      (await errorOf(set(ttbr0, 'BADDR', '0x1000'))).message,
      (await errorOf(set(registers, 'SCTLR', 'lots'))).message,
      (await errorOf(set(registers, 'MAIR0', '1'))).message,
      (await errorOf(set(fsr, 'XYZ', '1'))).message,
      (await errorOf(set(transaction, 'iova', '0x1000'))).message,
      (await errorOf(set(leaf?.variablesReference ?? 0, 'type', 'block'))).message,
    ];
    assert.deepEqual(messages, [
      'TTBR0 is read-only here: io-pgtable programs it',
      'TTBR0 is read-only here: io-pgtable programs it',
      "'lots' is not a number: write it in decimal or as 0x…",
      'MAIR0 is not a register of this context bank',
      'FSR has no field XYZ',
      'iova cannot be written',
      'type cannot be written: write the value, or AF, nG, AP[1], AP[2], PXN, UXN',
    ]);
    assert.deepEqual(await dap.stack(1), ['read 0x0700_0000 64 as bad — #1 stalled @ 21', 'submit 7 @ 19', 'engine gpu.cp @ 18']);
  });

  test('a write while the scenario runs is refused', async () => {
    const scenario = scenarioFile(
      [
        'smmu s { version v2 }',
        'domain d { map 0x1000_0000 -> 0x8000_0000 size 2M rw }',
        'master m { stream 0x1; domain d }',
        'engine m.dma { repeat 1000000 { read 0x1000_0000 + (i % 512) * 0x1000 64 } }',
      ].join('\n'),
    );
    await dap.launchAndStop({ scenario, stopOnEntry: true });
    const registers = (await dap.scope((await dap.topFrame(1)).id, 'Registers')).variablesReference;
    await dap.client.continueRequest({ threadId: 1 });
    assert.equal((await errorOf(set(registers, 'FAR', '0x1000'))).message, 'the scenario is running: pause it first');
    await dap.client.pauseRequest({ threadId: 1 });
    assert.equal((await dap.stopped()).reason, 'pause');
  });
});
