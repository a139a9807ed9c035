import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { Dap, errorOf, example, scenarioFile, settle } from './helpers';

/**
 * Four transactions, each faulting its own way, on a bank that terminates (hupcf on, so
 * each one is walked): a write to a read-only page (permission), a read of a page with
 * AF=0 (access flag, while FSR holds the first fault: MULTI), two unmapped reads
 * (translation; the second while FSR is busy: MULTI). No handler: the kernel prints
 * "Unhandled context fault" and clears FSR.
 */
const faultKinds = [
  'smmu s { version v2 }',
  'domain d {',
  '  hupcf on',
  '  map 0x1000_0000 -> 0x8000_0000 size 4K r',
  '  map 0x2000_0000 -> 0x8100_0000 size 4K rw noaf',
  '}',
  'master m { stream 0x1; domain d }',
  'engine m.dma {',
  '  write 0x1000_0000 4 as ro', // line 9
  '  read 0x2000_0000 64 as noaf', // line 10
  '  read 0x3000_0000 64 as unmapped1', // line 11
  '  read 0x3000_1000 64 as unmapped2', // line 12
  '}',
  // Linux 6.6: one "Unhandled context fault" line, and FSR cleared at the cycles this story
  // needs (from 6.11 arm_smmu_print_context_fault_info adds a step before the write-back).
  'kernel 6.6',
].join('\n');

interface Seen {
  description: string | undefined;
  text: string | undefined;
  frame: string;
}

describe('stop on a fault', () => {
  let dap: Dap;
  beforeEach(async () => {
    dap = await Dap.start();
  });
  afterEach(async () => {
    await dap.stop();
  });

  /** Every stop of a run with these filters, continuing after each, until the end. */
  async function stopsWith(scenario: string, filters: string[]): Promise<Seen[]> {
    await dap.launch({ scenario }, { exceptionFilters: filters });
    await dap.client.configurationDoneRequest();
    const seen: Seen[] = [];
    const ended = dap.exitCode(8000);
    for (;;) {
      const next = await Promise.race([dap.stopped(8000), ended.then(() => undefined)]);
      if (!next) return seen;
      assert.equal(next.reason, 'exception');
      const top = await dap.topFrame(next.threadId ?? 0);
      seen.push({ description: next.description, text: next.text, frame: `${top.name} @ ${top.line}` });
      await dap.client.continueRequest({ threadId: next.threadId ?? 0 });
    }
  }

  test('a translation fault: the stop, its words, the exception info and the call stack', async () => {
    const stop = await dap.launchAndStop({ scenario: example('a530-stall-hupcf') });
    const text = 'Translation fault at level 2: L2[56] is invalid; FSR=0x40000402 TF|SS; FAR=0x7000000';
    assert.deepEqual(stop, { reason: 'exception', threadId: 1, text, description: 'Paused on translation fault', allThreadsStopped: true });
    assert.deepEqual(await dap.threads(), [
      { id: 1, name: 'gpu.cp' },
      { id: 2, name: 'gpu.tp' },
    ]);
    const info = await dap.client.exceptionInfoRequest({ threadId: 1 });
    assert.deepEqual(info.body, { exceptionId: 'Translation fault', description: text, breakMode: 'always', details: { message: text, typeName: 'translation' } });
    const frames = await dap.frames(1);
    assert.deepEqual(
      frames.map((f) => ({ name: f.name, line: f.line, column: f.column, source: f.source?.name, path: f.source?.path })),
      [
        { name: 'read 0x0700_0000 64 as bad — #1 stalled', line: 21, column: 1, source: 'a530-stall-hupcf.iommu', path: example('a530-stall-hupcf') },
        { name: 'submit 7', line: 19, column: 1, source: 'a530-stall-hupcf.iommu', path: example('a530-stall-hupcf') },
        { name: 'engine gpu.cp', line: 18, column: 1, source: 'a530-stall-hupcf.iommu', path: example('a530-stall-hupcf') },
      ],
    );
  });

  test('a fault that terminates (no stall, RAZ): the frame says raz, FSR holds TF only', async () => {
    const stop = await dap.launchAndStop({ scenario: example('a530-fault-no-stall') });
    assert.equal(stop.description, 'Paused on translation fault');
    assert.equal(stop.text, 'Translation fault at level 2: L2[56] is invalid; FSR=0x402 TF; FAR=0x7000000');
    assert.deepEqual(await dap.stack(1), ['read 0x0700_0000 64 as bad — #1 raz @ 20', 'engine gpu.cp @ 18']);
  });

  test('the scopes of the faulting frame, in order', async () => {
    await dap.launchAndStop({ scenario: example('a530-stall-hupcf') });
    const top = await dap.topFrame(1);
    const scopes = await dap.scopes(top.id);
    assert.deepEqual(
      scopes.map((s) => [s.name, s.presentationHint, s.expensive, s.indexedVariables]),
      [
        ['Transaction', 'locals', false, undefined],
        ['Fault', 'locals', false, undefined],
        ['Registers (kgsl cb0)', 'registers', false, undefined],
        ['Stalled (1)', undefined, false, undefined],
        ['Page table (gpu_dom)', undefined, false, 1],
      ],
    );
  });

  test('Transaction scope: where it goes and what became of it', async () => {
    await dap.launchAndStop({ scenario: example('a530-stall-hupcf') });
    const top = await dap.topFrame(1);
    const variables = await dap.variables((await dap.scope(top.id, 'Transaction')).variablesReference);
    assert.deepEqual(Object.fromEntries(variables.map((v) => [v.name, v.value])), {
      id: '#1',
      engine: 'gpu.cp',
      access: 'read',
      iova: '0x7000000',
      size: '64',
      sid: '0x0',
      ssid: 'none',
      status: 'stalled (by its fault)',
      pa: 'none',
      faults: '1',
      issued: 'cycle 1',
      label: 'bad',
      submit: '7',
      line: '21',
    });
    assert.equal(variables.find((v) => v.name === 'iova')?.evaluateName, 'translate(0x7000000)');
  });

  test('Fault scope: what the SMMU recorded, and the walk down to the invalid descriptor', async () => {
    await dap.launchAndStop({ scenario: example('a530-stall-hupcf') });
    const top = await dap.topFrame(1);
    const fault = (await dap.scope(top.id, 'Fault')).variablesReference;
    assert.deepEqual(await dap.values(fault), {
      kind: 'translation',
      level: '2',
      iova: '0x7000000',
      reason: 'L2[56] is invalid',
      stage: '1',
      class: 'IN',
      ipa: 'none',
      access: 'read',
      sid: '0x0',
      stalled: 'true',
      registers: 'latched in FSR/FAR/FSYNR0',
      response: 'none yet',
      cycle: '31',
      walk: 'translation fault at level 2',
    });
    const walk = await dap.variable(fault, 'walk');
    assert.deepEqual(
      (await dap.variables(walk.variablesReference)).map((v) => [v.name, v.value, v.memoryReference, v.type]),
      [
        ['L0[0]', '0x0000000040001003  table → 0x40001000', '0x40000000', 'descriptor at 0x40000000'],
        ['L1[0]', '0x0000000040002003  table → 0x40002000', '0x40001000', 'descriptor at 0x40001000'],
        ['L2[56]', '0x0000000000000000  invalid', '0x400021c0', 'descriptor at 0x400021c0'],
        ['result', 'translation fault at level 2: L2[56] is invalid', undefined, undefined],
      ],
    );
  });

  test('Registers scope: the context bank registers, each opening into fields with their meanings', async () => {
    await dap.launchAndStop({ scenario: example('a530-stall-hupcf') });
    const top = await dap.topFrame(1);
    const registers = await dap.scope(top.id, 'Registers');
    assert.equal(registers.presentationHint, 'registers');
    const list = await dap.variables(registers.variablesReference);
    assert.deepEqual(
      list.map((v) => [v.name, v.value, v.presentationHint?.attributes]),
      [
        ['SCTLR', '0x000011e7', []],
        ['FSR', '0x40000402', []],
        ['FSYNR0', '0x00000002', []],
        ['FAR', '0x0000000007000000', []],
        ['CBFRSYNRA', '0x00000000', []],
        ['TTBR0', '0x0000000040000000', ['readOnly']],
        ['TCR', '0x00803510', ['readOnly']],
        ['sGFSR', '0x00000000', ['readOnly']],
      ],
    );
    assert.equal(list.find((v) => v.name === 'TTBR0')?.memoryReference, '0x40000000');
    const fsr = list.find((v) => v.name === 'FSR');
    assert.ok(fsr);
    assert.equal(fsr.type, 'Context bank Fault Status Register (fault bits are write-one-to-clear)');
    const fields = await dap.variables(fsr.variablesReference);
    assert.deepEqual(Object.fromEntries(fields.map((f) => [f.name, f.value])), {
      TF: '1',
      AFF: '0',
      PF: '0',
      EF: '0',
      TLBMCF: '0',
      TLBLKF: '0',
      ASF: '0',
      UUT: '0',
      FORMAT: '2 (AArch64)',
      SS: '1',
      MULTI: '0',
    });
    assert.equal(fields.find((f) => f.name === 'SS')?.type, 'bits [30:30]: Stalled: a transaction is held until RESUME (read-only)');
    assert.equal(fields.find((f) => f.name === 'TF')?.type, 'bits [1:1]: Translation fault');
    const sctlr = list.find((v) => v.name === 'SCTLR');
    assert.ok(sctlr);
    const sctlrFields = await dap.variables(sctlr.variablesReference);
    assert.deepEqual(
      sctlrFields.filter((f) => f.value === '1').map((f) => f.name),
      ['M', 'TRE', 'AFE', 'CFRE', 'CFIE', 'CFCFG', 'HUPCF', 'ASIDPNE'],
    );
    assert.equal(sctlrFields.find((f) => f.name === 'HUPCF')?.type, 'bits [8:8]: Hit under previous context fault: 1 = later transactions translate while a fault is outstanding');
    const tcr = list.find((v) => v.name === 'TCR');
    assert.ok(tcr);
    assert.deepEqual(await dap.values(tcr.variablesReference), {
      T0SZ: '0x10',
      IRGN0: '1 (write-back write-allocate)',
      ORGN0: '1 (write-back write-allocate)',
      SH0: '3 (inner)',
      TG0: '0 (4K)',
      // TTBR1's fields read 0: EPD1 disables it (a `ttbr1 on` domain programs them).
      T1SZ: '0x0',
      EPD1: '1',
      IRGN1: '0 (non-cacheable)',
      ORGN1: '0 (non-cacheable)',
      SH1: '0 (non-shareable)',
      TG1: '0',
    });
  });

  test('Stalled scope: every stalled transaction, opening into its fields', async () => {
    await dap.launchAndStop({ scenario: example('a530-stall-hupcf') });
    const top = await dap.topFrame(1);
    const stalled = await dap.variables((await dap.scope(top.id, 'Stalled')).variablesReference);
    assert.deepEqual(
      stalled.map((v) => [v.name, v.value]),
      [['#1 gpu.cp', 'read 0x7000000 (bad) — stalled by its fault, 30 cycles']],
    );
    const fields = await dap.values(stalled[0]?.variablesReference ?? 0);
    assert.equal(fields['status'], 'stalled (by its fault)');
    assert.equal(fields['label'], 'bad');
  });

  test('Page table scope: lazy levels, only valid entries, paged', async () => {
    await dap.launchAndStop({ scenario: example('a530-stall-hupcf') });
    const { variable: l2 } = await dap.lookup(1, 'Page table', 'L0[0]', 'L1[0]', 'L2[8]');
    assert.ok(l2);
    assert.equal(l2.value, '0x0100_0000: table → 0x40003000');
    assert.equal(l2.memoryReference, '0x40002040');
    assert.equal(l2.indexedVariables, 256, 'a 1M map: 256 pages');
    const page = await dap.variables(l2.variablesReference, 254, 3);
    assert.deepEqual(
      page.map((v) => [v.name, v.value, v.type, v.memoryReference]),
      [
        ['L3[254]', '0x010f_e000: page → 0x800fe000 rw, AttrIndx 1 (cached), SH inner, AF, nG', '0x00000000800fef47', '0x400037f0'],
        ['L3[255]', '0x010f_f000: page → 0x800ff000 rw, AttrIndx 1 (cached), SH inner, AF, nG', '0x00000000800fff47', '0x400037f8'],
      ],
    );
    const leaf = await dap.values(page[0]?.variablesReference ?? 0);
    assert.deepEqual(leaf, {
      value: '0x00000000800fef47',
      type: 'page',
      'output address': '0x800fe000',
      AttrIndx: '1',
      'AP[2:1]': '01',
      SH: '3',
      AF: '1',
      nG: '1',
      'AP[1]': '1',
      'AP[2]': '0',
      PXN: '0',
      UXN: '0',
    });
  });

  test('filter permission: stops only on the permission fault', async () => {
    const seen = await stopsWith(scenarioFile(faultKinds), ['permission']);
    assert.deepEqual(seen, [
      { description: 'Paused on permission fault', text: 'Permission fault at level 3: write to a read-only page (AP[2]=1); FSR=0x408 PF; FAR=0x10000000', frame: 'write 0x1000_0000 4 as ro — #0 aborted @ 9' },
    ]);
  });

  test('filter access-flag: stops on the AF=0 read, and says FSR was busy with another fault', async () => {
    const seen = await stopsWith(scenarioFile(faultKinds), ['access-flag']);
    assert.deepEqual(seen, [
      {
        description: 'Paused on access-flag fault',
        text: 'Access-flag fault at level 3: L3[0] has AF=0; FSR=0x80000408 PF|MULTI; FAR=0x10000000; FSR was busy: only MULTI records it, FAR still names the earlier fault',
        frame: 'read 0x2000_0000 64 as noaf — #1 aborted @ 10',
      },
    ]);
  });

  test('filter multi: stops on each fault that found FSR busy', async () => {
    const seen = await stopsWith(scenarioFile(faultKinds), ['multi']);
    assert.deepEqual(
      seen.map((s) => [s.description, s.frame]),
      [
        ['Paused on fault while FSR was busy (MULTI)', 'read 0x3000_1000 64 as unmapped2 — #3 aborted @ 12'],
        ['Paused on fault while FSR was busy (MULTI)', 'read 0x2000_0000 64 as noaf — #1 aborted @ 10'],
      ],
    );
    assert.equal(seen[0]?.text, 'Translation fault at level 2: L2[384] is invalid; FSR=0x80000402 TF|MULTI; FAR=0x30000000; FSR was busy: only MULTI records it, FAR still names the earlier fault');
  });

  test('filter translation: the two unmapped reads, in the order they faulted', async () => {
    const seen = await stopsWith(scenarioFile(faultKinds), ['translation']);
    assert.deepEqual(
      seen.map((s) => s.frame),
      ['read 0x3000_0000 64 as unmapped1 — #2 aborted @ 11', 'read 0x3000_1000 64 as unmapped2 — #3 aborted @ 12'],
    );
    assert.equal(seen[0]?.text, 'Translation fault at level 2: L2[384] is invalid; FSR=0x402 TF; FAR=0x30000000');
  });

  test('filter terminate: a transaction aborted by its own fault says which fault', async () => {
    // hupcf is on: no transaction here is terminated because the bank held a fault; each one faulted itself.
    const seen = await stopsWith(scenarioFile(faultKinds), ['terminate']);
    assert.deepEqual(
      seen.map((s) => [s.description, s.frame]),
      [
        ['Paused on terminated transaction', 'read 0x3000_0000 64 as unmapped1 — #2 aborted @ 11'],
        ['Paused on terminated transaction', 'read 0x3000_1000 64 as unmapped2 — #3 aborted @ 12'],
        ['Paused on terminated transaction', 'write 0x1000_0000 4 as ro — #0 aborted @ 9'],
        ['Paused on terminated transaction', 'read 0x2000_0000 64 as noaf — #1 aborted @ 10'],
      ],
    );
    assert.equal(seen[0]?.text, 'Read 0x30000000 aborted after a translation fault: L2[384] is invalid');
    assert.equal(seen[1]?.text, 'Read 0x30001000 aborted after a translation fault: L2[384] is invalid');
    assert.equal(seen[2]?.text, 'Write 0x10000000 aborted after a permission fault: write to a read-only page (AP[2]=1)');
    assert.match(seen[3]?.text ?? '', /^Read 0x20000000 aborted after an? access-flag fault: L3\[0\] has AF=0$/);
  });

  test('filter terminate, RAZ: the faulting read and the reads terminated behind it (HUPCF=0)', async () => {
    const stop = await dap.launchAndStop({ scenario: example('a530-fault-no-stall') }, { exceptionFilters: ['terminate'] });
    assert.equal(stop.description, 'Paused on terminated transaction');
    assert.equal(stop.text, 'Read 0x7000000 terminated: read as zeros (RAZ) after a translation fault: L2[56] is invalid');
    await dap.client.continueRequest({ threadId: 1 });
    const second = await dap.stopped();
    assert.equal(second.text, 'Read 0x1002000 terminated: read as zeros (RAZ): its context bank held a fault (HUPCF=0)');
    assert.deepEqual(await dap.stack(second.threadId ?? 0), ['read 0x0100_2000 + i*64 64 as tex — #2 raz @ 26', 'repeat 4 (i = 0) @ 26', 'engine gpu.tp @ 23']);
  });

  test('filter stall alone: stops when the transaction stalls, and says it waits for RESUME', async () => {
    const stop = await dap.launchAndStop({ scenario: example('a530-stall-no-hupcf') }, { exceptionFilters: ['stall'] });
    const text = 'Translation fault at level 2: L2[56] is invalid; FSR=0x40000402 TF|SS; FAR=0x7000000; read 0x7000000 stalls until RESUME';
    assert.deepEqual(stop, { reason: 'exception', threadId: 1, text, description: 'Paused on stall', allThreadsStopped: true });
    const info = await dap.client.exceptionInfoRequest({ threadId: 1 });
    assert.deepEqual(info.body, { exceptionId: 'Stall', description: text, breakMode: 'always', details: { message: text, typeName: 'translation' } });
  });

  test('a filter condition (filterOptions) picks the fault: only the stray read stops', async () => {
    const launched = await dap.launch({ scenario: example('svm-map-and-retry') }, { exceptionFilters: [], filterOptions: [{ filterId: 'translation', condition: 'iova == 0x0900_0000' }] });
    assert.deepEqual(launched.exceptionBreakpoints, [{ verified: true }]);
    await dap.client.configurationDoneRequest();
    const stop = await dap.stopped();
    assert.equal(stop.text, 'Translation fault at level 2: L2[72] is invalid; FSR=0x40000402 TF|SS; FAR=0x9000000');
    assert.deepEqual(await dap.stack(1), ['read  0x0900_0000 64 as stray — #2 stalled @ 25', 'engine gpu.cp @ 21']);
    await dap.client.continueRequest({ threadId: 1 });
    assert.equal(await dap.exitCode(), 0);
    assert.equal(dap.all('stopped').length, 1);
  });

  test('a filter condition that does not parse is refused with the reason', async () => {
    const launched = await dap.launch({ scenario: example('svm-map-and-retry') }, { exceptionFilters: [], filterOptions: [{ filterId: 'translation' }, { filterId: 'stall', condition: 'iova ==' }] });
    assert.deepEqual(launched.exceptionBreakpoints, [{ verified: true }, { verified: false, message: "condition 'iova ==': expected an expression after '=='" }]);
  });

  test('an unknown filter id is answered unverified, in its place', async () => {
    const launched = await dap.launch({ scenario: example('svm-map-and-retry') }, { exceptionFilters: [], filterOptions: [{ filterId: 'no-such-filter' }, { filterId: 'translation' }] });
    assert.equal(launched.exceptionBreakpoints?.length, 2, 'one answer per filter option, in order');
    assert.equal(launched.exceptionBreakpoints?.[0]?.verified, false);
    assert.deepEqual(launched.exceptionBreakpoints?.[1], { verified: true });
  });

  test('an unknown id among `filters` is answered unverified in its place, before the filter options', async () => {
    const launched = await dap.launch({ scenario: example('svm-map-and-retry') }, { exceptionFilters: ['nope', 'stall'], filterOptions: [{ filterId: 'translation', condition: 'bogus == 1' }] });
    assert.deepEqual(launched.exceptionBreakpoints, [
      { verified: false, message: "unknown exception filter 'nope': the filters are translation, permission, access-flag, address-size, configuration, stall, terminate, multi, overflow, page-request, stale" },
      { verified: true },
      { verified: false, message: "condition 'bogus == 1': 'bogus' means nothing in an exception filter" },
    ]);
  });

  test('no filter enabled: stopOnFault true still runs to the end', async () => {
    assert.equal(await dap.launchToEnd({ scenario: example('a530-stall-hupcf') }, { exceptionFilters: [] }), 0);
    await settle(50);
    assert.equal(dap.all('stopped').length, 0);
  });

  test('exceptionInfo when the stop is not an exception is refused', async () => {
    const stop = await dap.launchAndStop({ scenario: example('a530-stall-hupcf'), stopOnEntry: true });
    assert.equal(stop.reason, 'entry');
    assert.equal(stop.description, 'Paused on entry');
    const error = await errorOf(dap.client.exceptionInfoRequest({ threadId: 1 }));
    assert.equal(error.message, 'the run did not stop on an exception');
  });
});
