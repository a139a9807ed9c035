import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { Dap, errorOf, example } from './helpers';

describe('evaluate and completions', () => {
  let dap: Dap;
  let frameId: number;
  beforeEach(async () => {
    dap = await Dap.start();
    // a530-stall-hupcf, stopped on the translation fault of `bad` (0x7000000) on gpu.cp.
    await dap.launchAndStop({ scenario: example('a530-stall-hupcf') });
    frameId = (await dap.topFrame(1)).id;
  });
  afterEach(async () => {
    await dap.stop();
  });

  test('translate(iova) in the Debug Console: the live translation, its walk to open, the PA as memoryReference', async () => {
    const body = await dap.evaluate('translate(0x0100_0040)', 'repl', frameId);
    assert.equal(body.result, '0x1000040 → 0x80000040 (4K page, level 3, priv rw-, unpriv rwx)');
    assert.equal(body.memoryReference, '0x80000040');
    assert.ok(body.variablesReference > 0);
    assert.deepEqual(
      (await dap.variables(body.variablesReference)).map((v) => [v.name, v.value]),
      [
        ['L0[0]', '0x0000000040001003  table → 0x40001000'],
        ['L1[0]', '0x0000000040002003  table → 0x40002000'],
        ['L2[8]', '0x0000000040003003  table → 0x40003000'],
        ['L3[0]', '0x0000000080000f47  page → 0x80000000 rw, AttrIndx 1 (cached), SH inner, AF, nG'],
        ['result', '→ 0x80000040 (level 3)'],
      ],
    );
  });

  test('translate of an address that faults: the fault in words, no memoryReference', async () => {
    const body = await dap.evaluate('translate(0x0700_0000)', 'repl', frameId);
    assert.equal(body.result, '0x7000000: translation fault at level 2: L2[56] is invalid');
    assert.equal(body.memoryReference, undefined);
  });

  test('translate(iova, sid): through the domain the stream reaches; a stream that reaches none is an error', async () => {
    assert.equal((await dap.evaluate('translate(0x0100_1000, 0x0)', 'repl', frameId)).result, '0x1001000 → 0x80001000 (4K page, level 3, priv rw-, unpriv rwx)');
    assert.equal((await errorOf(dap.evaluate('translate(0x0100_1000, 0x7)', 'repl', frameId))).message, 'stream 0x7 reaches no domain');
  });

  test('hover: a hex literal shows its live translation; another expression evaluates as usual', async () => {
    const mapped = await dap.evaluate('0x0100_0040', 'hover', frameId);
    assert.equal(mapped.result, '0x1000040 → 0x80000040 (4K page, level 3, priv rw-, unpriv rwx)');
    assert.equal(mapped.memoryReference, '0x80000040');
    const faulting = await dap.evaluate('0x0700_0000', 'hover', frameId);
    assert.equal(faulting.result, '0x7000000: translation fault at level 2: L2[56] is invalid');
    assert.equal((await dap.evaluate('iova', 'hover', frameId)).result, '0x7000000');
    assert.equal((await dap.evaluate('0x0100_0040', 'repl', frameId)).result, '0x1000040', 'outside a hover a literal is a number');
  });

  test('pte(iova): the leaf descriptor; read(pa, size): little-endian memory', async () => {
    assert.deepEqual(await dap.evaluate('pte(0x0100_0000)', 'repl', frameId), { result: '0x0000000080000f47', variablesReference: 0 });
    assert.equal((await dap.evaluate('pte(0x0700_0000)', 'repl', frameId)).result, '0x0000000000000000', 'the invalid descriptor the walk stopped at');
    assert.equal((await dap.evaluate('read(0x4000_0000, 8)', 'repl', frameId)).result, '0x40001003');
    assert.equal((await dap.evaluate('read(0x4000_0000, 1)', 'repl', frameId)).result, '0x3');
    assert.equal((await dap.evaluate('read(0x4000_0000, 2)', 'watch', frameId)).result, '0x1003');
  });

  test('register names: the frame\'s context bank as it is now', async () => {
    assert.equal((await dap.evaluate('FSR', 'repl', frameId)).result, '0x40000402');
    assert.equal((await dap.evaluate('SCTLR', 'watch', frameId)).result, '0x11e7');
    assert.equal((await dap.evaluate('FAR', 'repl', frameId)).result, '0x7000000');
    assert.equal((await dap.evaluate('TTBR0', 'repl', frameId)).result, '0x40000000');
    assert.equal((await dap.evaluate('FSR & 0x2', 'repl', frameId)).result, '0x2');
    assert.equal((await dap.evaluate('(SCTLR >> 8) & 1', 'repl', frameId)).result, '0x1');
  });

  test('fault fields in a handler frame, and expressions over them', async () => {
    await dap.client.stepInRequest({ threadId: 1 });
    const stop = await dap.stopped();
    const handler = (await dap.topFrame(stop.threadId ?? 0)).id;
    const results: Record<string, string> = {};
    for (const expression of ['iova', 'kind', 'write', 'read', 'sid', 'fsr', 'far', 'stalled', 'kind == translation', 'engine', 'domain', 'iova + 0x10', 'write && iova >= 0x0300_0000']) {
      results[expression] = (await dap.evaluate(expression, 'repl', handler)).result;
    }
    assert.deepEqual(results, {
      iova: '0x7000000',
      kind: 'translation',
      write: 'false',
      read: 'true',
      sid: '0x0',
      fsr: '0x40000400',
      far: '0x7000000',
      stalled: 'true',
      'kind == translation': 'true',
      engine: 'gpu.cp',
      domain: 'gpu_dom',
      'iova + 0x10': '0x7000010',
      'write && iova >= 0x0300_0000': 'false',
    });
  });

  test('counts print in decimal, as in log holes: level and the counters', async () => {
    assert.equal((await dap.evaluate('level', 'repl', frameId)).result, '2');
    assert.equal((await dap.evaluate('faults', 'repl', frameId)).result, '1');
    assert.equal((await dap.evaluate('transactions', 'repl', frameId)).result, '2');
  });

  test('errors for bad expressions, and the session still answers', async () => {
    const errors: Record<string, string> = {};
    for (const expression of ['1 +', 'bogus + 1', 'foo(1)', 'read(0x0, 9)', 'STE[0]', 'translate()', '(1']) {
      errors[expression] = (await errorOf(dap.evaluate(expression, 'repl', frameId))).message;
    }
    assert.deepEqual(errors, {
      '1 +': "expected an expression after '+'",
      'bogus + 1': "'bogus' means nothing here",
      'foo(1)': "there is no function 'foo' (there are translate, pte and read)",
      'read(0x0, 9)': 'read(pa, size) reads 1 to 8 bytes',
      'STE[0]': "'STE[…]': stream table entries exist on SMMUv3 only",
      'translate()': 'translate(iova[, sid[, ssid]]) needs an address',
      '(1': "expected ')' to close '('",
    });
    assert.equal((await dap.evaluate('1 + 2', 'repl', frameId)).result, '0x3');
  });

  test('completions in the Debug Console: functions, registers, fields and counters, replacing the word typed', async () => {
    const tr = await dap.client.completionsRequest({ text: 'tr', column: 3, frameId });
    assert.deepEqual(tr.body.targets, [
      { label: 'transactions', detail: 'transactions issued', type: 'variable', start: 1, length: 2 },
      {
        label: 'translate',
        text: 'translate(',
        detail: 'translate(iova[, sid[, ssid]]): the live translation of an address: through the domain of `sid` (its SMR), else the current frame\'s',
        type: 'function',
        start: 1,
        length: 2,
      },
    ]);
    const fs = await dap.client.completionsRequest({ text: 'x + FS', column: 7 });
    assert.deepEqual(
      fs.body.targets.map((t) => [t.label, t.type, t.start, t.length]),
      [
        ['FSR', 'property', 5, 2],
        ['FSYNR0', 'property', 5, 2],
      ],
    );
    const inCall = await dap.client.completionsRequest({ text: 'read(FA', column: 8 });
    assert.deepEqual(
      inCall.body.targets.map((t) => t.label),
      ['FAR'],
    );
    const all = await dap.client.completionsRequest({ text: '', column: 1 });
    const labels = all.body.targets.map((t) => t.label);
    for (const label of ['iova', 'kind', 'faults', 'SCTLR', 'TTBR0', 'translate', 'pte', 'read']) assert.ok(labels.includes(label), `${label} is offered`);
  });
});
