import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { DomainDeclaration, EngineDeclaration, HandlerDeclaration, MasterDeclaration } from '../../../emulator/language/ast';
import { parseScenario } from '../../../emulator/language/parser';
import { Range } from '../../../emulator/language/source';
import { corpus, damagedScenario } from '../../helpers/mutations';
import { rangeProblems, Source } from './syntaxHelpers';

function diagnosticsOf(text: string): Array<[Range, string]> {
  const result = parseScenario(text);
  for (const d of result.diagnostics) {
    assert.equal(d.code, 'syntax');
    assert.equal(d.severity, 'error');
  }
  return result.diagnostics.map((d) => [d.range, d.message]);
}

test('three errors in three blocks: exactly three diagnostics, every declaration kept', () => {
  const text = [
    'smmu apps { version v2 }',
    'domain gpu_dom {',
    '  fault stall',
    '  map 0x1000 0x2000 size 4K rw',
    '  report raz',
    '}',
    'master gpu {',
    '  stream 0x0',
    '  bogus 1',
    '  domain gpu_dom',
    '}',
    'engine gpu.cp {',
    '  read 0x1000   // no size',
    '  write 0x2000 4',
    '}',
    'handler h on gpu_dom { retry }',
    'expect faults == 0',
  ].join('\n');
  const s = new Source(text);
  const result = parseScenario(text);
  assert.deepEqual(
    result.diagnostics.map((d) => [d.range, d.message]),
    [
      [s.at('0x2000', '0x1000 0x2000'), "expected '->' after the IOVA"],
      [s.at('bogus'), "unknown setting 'bogus' in a master block; expected one of: smmu, domain, can-stall, pri, stream, pasid"],
      [s.after('read 0x1000'), "expected a size after 'read 0x1000'"],
    ],
  );
  assert.deepEqual(
    result.file.declarations.map((d) => d.kind),
    ['smmu', 'domain', 'master', 'engine', 'handler', 'expect'],
  );
  const [, domain, master, engine, handler] = result.file.declarations as [unknown, DomainDeclaration, MasterDeclaration, EngineDeclaration, HandlerDeclaration];
  assert.deepEqual(domain.range, s.span('domain gpu_dom', '}'));
  assert.deepEqual(
    domain.settings.map((x) => x.key.text),
    ['fault', 'report'],
  );
  assert.deepEqual(domain.maps.map((m) => [m.range, m.iova?.range, m.pa]), [[s.at('map 0x1000'), s.at('0x1000', 'map 0x1000'), undefined]]);
  assert.deepEqual(
    master.settings.map((x) => x.key.text),
    ['domain'],
  );
  assert.equal(master.streams.length, 1);
  assert.deepEqual(
    engine.body.map((t) => t.kind === 'transaction' && [t.access, t.range, t.size?.range]),
    [
      ['read', s.at('read 0x1000'), undefined],
      ['write', s.at('write 0x2000 4'), s.at('4', '0x2000 4')],
    ],
  );
  assert.deepEqual(handler.body, [{ kind: 'response', range: s.at('retry'), response: 'retry' }]);
  assert.deepEqual(rangeProblems(result.file, text.length), []);
});

test('a block left open at the end of the file: reported at its {, keeping what it parsed', () => {
  const text = 'smmu a { version v2 }\ndomain d {\n  fault stall\n  map 0x0 -> 0x1000 size 4K rw\n\n// the end\n';
  const s = new Source(text);
  const result = parseScenario(text);
  assert.deepEqual(
    result.diagnostics.map((d) => [d.range, d.message]),
    [[s.at('{', 'domain d {'), "'{' is never closed"]],
  );
  const domain = result.file.declarations[1] as DomainDeclaration;
  assert.deepEqual(domain.range, s.span('domain d', 'size 4K rw'));
  assert.equal(domain.settings.length, 1);
  assert.equal(domain.maps.length, 1);
});

test('a block left open before the next declaration ends there', () => {
  const text = 'domain d {\n  fault stall\nmaster gpu { stream 0 }\nexpect x completed\n';
  const s = new Source(text);
  const result = parseScenario(text);
  assert.deepEqual(result.diagnostics.map((d) => [d.range, d.message]), [[s.at('{'), "'{' is never closed"]]);
  assert.deepEqual(
    result.file.declarations.map((d) => [d.kind, d.range]),
    [
      ['domain', s.at('domain d {\n  fault stall')],
      ['master', s.at('master gpu { stream 0 }')],
      ['expect', s.at('expect x completed')],
    ],
  );
});

test('nested blocks left open are each reported; the next declaration still parses', () => {
  const text = 'engine gpu.cp {\n  repeat 4 {\n    read 0x0 4\nhandler h on d {\n  retry\n}\n';
  const s = new Source(text);
  const result = parseScenario(text);
  assert.deepEqual(
    result.diagnostics.map((d) => [d.range, d.message]),
    [
      [s.at('{', 'engine gpu.cp {'), "'{' is never closed"],
      [s.at('{', 'repeat 4 {'), "'{' is never closed"],
    ],
  );
  const [engine, handler] = result.file.declarations as [EngineDeclaration, HandlerDeclaration];
  const repeat = engine.body[0];
  assert.ok(repeat?.kind === 'repeat');
  assert.deepEqual(repeat.range, s.span('repeat 4', 'read 0x0 4'));
  assert.equal(repeat.body.length, 1);
  assert.equal(handler.kind, 'handler');
  assert.equal(handler.body.length, 1);
});

test('a block left open before the expects ends there; an expect inside a closed block is misplaced', () => {
  const open = 'handler h on d {\n  context thread\n  dump\nexpect bad raz\nexpect faults == 1\n';
  const s = new Source(open);
  const result = parseScenario(open);
  assert.deepEqual(result.diagnostics.map((d) => [d.range, d.message]), [[s.at('{'), "'{' is never closed"]]);
  assert.deepEqual(
    result.file.declarations.map((d) => [d.kind, d.range]),
    [
      ['handler', s.span('handler', 'dump')],
      ['expect', s.at('expect bad raz')],
      ['expect', s.at('expect faults == 1')],
    ],
  );

  const misplaced = 'engine gpu.cp {\n  read 0x0 4 as bad\n  expect bad raz\n}\nexpect bad completed\n';
  const m = new Source(misplaced);
  const parsed = parseScenario(misplaced);
  assert.deepEqual(
    parsed.diagnostics.map((d) => [d.range, d.message]),
    [[m.at('expect', 'expect bad raz'), "unknown statement 'expect' in an engine block; expected one of: start, interval, outstanding, stream, read, write, wait, repeat, submit"]],
  );
  assert.deepEqual(
    parsed.file.declarations.map((d) => [d.kind, d.range]),
    [
      ['engine', m.span('engine', '}')],
      ['expect', m.at('expect bad completed')],
    ],
  );
});

test('garbage at top level: one error, then parsing resumes at the next declaration line', () => {
  const text = 'smmu a { version v2 }\nthis is not a declaration\n  nor { is this }\n}\ndomain d { fault stall }\n';
  const s = new Source(text);
  const result = parseScenario(text);
  assert.deepEqual(
    result.diagnostics.map((d) => [d.range, d.message]),
    [[s.at('this'), "unexpected 'this'; expected a declaration: scenario, kernel, timing, smmu, domain, master, engine, workqueue, handler, pagetable, vfio, vm, expect"]],
  );
  assert.deepEqual(
    result.file.declarations.map((d) => d.kind),
    ['smmu', 'domain'],
  );
});

test('a misspelt declaration keyword skips its whole block', () => {
  const text = 'domian d {\n  smmu a\n  map 0x0 -> 0x0 size 4K rw\n}\nmaster m { stream 1 }';
  const s = new Source(text);
  const result = parseScenario(text);
  assert.deepEqual(result.diagnostics.map((d) => d.range), [s.at('domian')]);
  assert.deepEqual(
    result.file.declarations.map((d) => d.kind),
    ['master'],
  );
});

test('top level: a stray }, and a declaration that does not start a new line', () => {
  assert.deepEqual(diagnosticsOf('smmu a { version v2 } }'), [[{ start: 22, end: 23 }, "unexpected '}': no block is open here"]]);
  const text = 'domain a { } domain b { }';
  const result = parseScenario(text);
  assert.deepEqual(
    result.diagnostics.map((d) => [d.range, d.message]),
    [[{ start: 13, end: 19 }, "unexpected 'domain'; a declaration ends at a new line or ';'"]],
  );
  assert.deepEqual(
    result.file.declarations.map((d) => d.kind === 'domain' && d.name?.text),
    ['a', 'b'],
  );
});

/** One statement with one error: `at` is the offending text, or `after` for a zero-width range after it. */
interface ErrorCase {
  text: string;
  message: string;
  at?: string;
  after?: string;
  context?: string;
}

const errorCases: ErrorCase[] = [
  // settings
  { text: 'domain d { foo 1 }', at: 'foo', message: "unknown setting 'foo' in a domain block; expected one of: smmu, granule, ias, oas, pgd, fault, hupcf, report, record, ttbr1, s1cbndx, dma, flush-queue, flush-timeout, stage, vmid, nested, cd, tables, vm, map" },
  { text: 'domain d { 12 }', at: '12', message: "unexpected '12' in a domain block; expected one of: smmu, granule, ias, oas, pgd, fault, hupcf, report, record, ttbr1, s1cbndx, dma, flush-queue, flush-timeout, stage, vmid, nested, cd, tables, vm, map" },
  { text: 'timing { tlb-hit 1; walk 2 }', at: 'walk', message: "unknown setting 'walk' in a timing block; expected one of: tlb-hit, walk-level, irq-latency, wq-latency, statement, dump, tlb-entries" },
  { text: 'workqueue w { workers 2 order }', at: 'order', message: "unexpected 'order'; a statement ends at a new line or ';'" },
  { text: 'domain d { ias }', after: 'ias', message: "'ias' needs a value" },
  { text: 'domain d { ias\n}', after: 'ias', message: "'ias' needs a value" },
  { text: 'master m { can-stall yes }', at: 'yes', message: "'can-stall' takes no value" },
  { text: 'domain d { ias "48" }', at: '"48"', message: "'ias' takes a number or a word, not the string \"48\"" },
  { text: 'domain d { fault stall hupcf on }', at: 'hupcf', message: "unexpected 'hupcf'; a statement ends at a new line or ';'" },
  { text: 'timing { tlb-hit 1 ) }', at: ')', message: "unexpected ')'; a statement ends at a new line or ';'" },
  // map
  { text: 'domain d { map 0x1000 -> }', after: '->', message: "expected a physical address after '->'" },
  { text: 'domain d { map }', after: 'map', message: "expected an IOVA after 'map'" },
  { text: 'domain d { map 0x1 -> 0x2 4K rw }', at: '4K', message: "expected 'size' after the physical address" },
  { text: 'domain d { map 0x1 -> 0x2 size }', after: 'size', message: "expected a size after 'size'" },
  { text: 'domain d { map 0x1 -> 0x2 size 4K rw pages }', after: 'pages', message: "expected a leaf size after 'pages' (4K, 2M or 1G)" },
  { text: 'domain d { map 0x1 -> 0x2 size 4K rw pages 4K pages 2M }', at: 'pages 2M', message: "'pages' is given twice" },
  { text: 'domain d { map 0x1 -> 0x2 size 4K rw 5 }', at: '5', message: "unexpected '5' among the permissions; a map takes words such as rw, x, priv, noaf, device, and 'pages 4K'" },
  { text: 'domain d { map page -> 0x2 rw }', at: 'page', message: "'map page' maps the faulting page: it is only allowed in a handler" },
  { text: 'handler h on d { map page -> 0x2 size 4K rw }', at: 'size', message: "'map page' maps one 4K page: it takes no size" },
  // master, vfio
  { text: 'master m { stream }', after: 'stream', message: "expected a stream ID after 'stream'" },
  { text: 'master m { stream 0x400 mask }', after: 'mask', message: "expected a mask after 'mask'" },
  { text: 'master m { pasid 5 app }', at: 'app', message: "expected '->' and a domain after 'pasid 5'" },
  { text: 'master m { pasid 5 -> }', after: '->', message: "expected a domain name after '->'" },
  { text: 'master m { pasid -> d }', at: '->', message: "expected a PASID after 'pasid'" },
  { text: 'vfio v { masters }', after: 'masters', message: "expected the names of masters after 'masters'" },
  { text: 'vfio v { masters a 1 }', at: '1', message: "expected a master's name, not '1'" },
  // engines
  { text: 'engine { }', after: 'engine', message: "expected 'master.engine' after 'engine'" },
  { text: 'engine m { }', after: 'm', context: 'engine m', message: "expected '.' and the engine's name after 'm': engines are named master.engine" },
  { text: 'engine m. { }', after: 'm.', message: "expected the engine's name after 'm.'" },
  { text: 'engine m.e { read }', after: 'read', message: "expected an address after 'read'" },
  { text: 'engine m.e { read 0x1000 }', after: '0x1000', message: "expected a size after 'read 0x1000'" },
  { text: 'engine m.e { write 0x1000 +\n  i * 4 }', after: '4', context: 'i * 4', message: "expected a size after 'write 0x1000 + i * 4'" },
  { text: 'engine m.e { read 0x1000 64 as }', after: 'as', message: "expected a label after 'as'" },
  { text: 'engine m.e { read 0x1 4 foo }', at: 'foo', message: "unexpected 'foo'; after its size a transaction takes pasid N, priv, exec, value V and as NAME" },
  { text: 'engine m.e { read 0x1 4 as a as b }', at: 'b', context: 'as b', message: "the transaction is already labelled 'a'" },
  { text: 'engine m.e { read 0x1 4 pasid }', after: 'pasid', message: "expected a PASID after 'pasid'" },
  { text: 'engine m.e { read 0x1 4 value }', after: 'value', message: "expected a value after 'value'" },
  { text: 'engine m.e { read ) ) ) }', at: ')', message: "expected an address after 'read'" },
  { text: 'engine m.e { repeat { read 0x1 4 } }', after: 'repeat', message: "expected a count after 'repeat'" },
  { text: 'engine m.e { repeat 4 read 0x1 4 }', at: 'read', message: "expected '{' after 'repeat 4'" },
  { text: 'engine m.e { submit { } }', after: 'submit', message: "expected an ID after 'submit'" },
  { text: 'engine m.e { wait }', after: 'wait', message: "expected a number of cycles after 'wait'" },
  { text: 'engine m.e { repeat 2 { start 3 } }', at: 'start', message: "unknown statement 'start' in a repeat block; expected one of: read, write, wait, repeat, submit" },
  { text: 'engine m.e { jump 3 }', at: 'jump', message: "unknown statement 'jump' in an engine block; expected one of: start, interval, outstanding, stream, read, write, wait, repeat, submit" },
  // handlers
  { text: 'handler h d { }', at: 'd', context: 'h d', message: "expected 'on' and a domain after 'handler h'" },
  { text: 'handler h on { }', after: 'on', message: "expected a domain name after 'on'" },
  { text: 'handler h on d { log }', after: 'log', message: "expected a message string after 'log'" },
  { text: 'handler h on d { unmap 0x1000 4K }', at: '4K', message: "expected 'size' after the IOVA" },
  { text: 'handler h on d { unmap }', after: 'unmap', message: "expected an IOVA after 'unmap'" },
  { text: 'handler h on d { tlbi some }', at: 'some', message: "expected 'all' or 'va' after 'tlbi'" },
  { text: 'handler h on d { tlbi va }', after: 'va', message: "expected an address after 'tlbi va'" },
  { text: 'handler h on d { sleep }', after: 'sleep', message: "expected a number of cycles after 'sleep'" },
  { text: 'handler h on d { stall on }', at: 'on', context: 'stall on', message: "expected 'off' after 'stall'" },
  { text: 'handler h on d { stall off 5 }', at: '5', message: "expected 'for' after 'stall off'" },
  { text: 'handler h on d { stall off for }', after: 'for', message: "expected a number of cycles after 'stall off for'" },
  { text: 'handler h on d { if { retry } }', after: 'if', message: "expected a condition after 'if'" },
  { text: 'handler h on d { if x retry }', at: 'retry', message: "expected '{' after 'if x'" },
  { text: 'handler h on d { if x { retry } else retry }', at: 'retry', context: 'else retry', message: "expected '{' or 'if' after 'else'" },
  { text: 'handler h on d { if write && { retry } }', at: '{', context: '&& {', message: "expected an expression after '&&'" },
  { text: 'handler h on d { foo }', at: 'foo', message: "unknown statement 'foo' in a handler block; expected one of: context, queue, log, dump, map, unmap, sync, tlbi, sleep, stall, if, retry, terminate, abort, success, invalid, failure" },
  { text: 'handler h on d { if x { context irq } }', at: 'context', message: "unknown statement 'context' in an if block; expected one of: log, dump, map, unmap, sync, tlbi, sleep, stall, if, retry, terminate, abort, success, invalid, failure" },
  { text: 'handler h on d { retry now }', at: 'now', message: "unexpected 'now'; a statement ends at a new line or ';'" },
  { text: 'handler h on d { log "{}" }', at: '{}', message: "expected an expression inside '{}'" },
  // declarations
  { text: 'smmu { }', after: 'smmu', message: "expected a name after 'smmu'" },
  { text: 'smmu a version v2', at: 'version', message: "expected '{' after 'smmu a'" },
  { text: 'timing', after: 'timing', message: "expected '{' after 'timing'" },
  { text: 'scenario', after: 'scenario', message: "expected a title string after 'scenario'" },
  { text: 'scenario title', at: 'title', message: "expected a title string after 'scenario'" },
  { text: 'expect', after: 'expect', message: "expected a transaction label or a counter after 'expect'" },
  { text: 'expect bad', after: 'bad', message: "expected a status (completed, aborted, raz, stalled, pending), 'pa' or a comparison after 'expect bad'" },
  { text: 'expect bad 5', at: '5', message: "expected a status (completed, aborted, raz, stalled, pending), 'pa' or a comparison after 'expect bad'" },
  { text: 'expect faults ==', after: '==', message: "expected a value after '=='" },
  { text: 'expect x pa', after: 'pa', message: "expected a physical address after 'pa'" },
  { text: 'expect bad raz now', at: 'now', message: "unexpected 'now'; a declaration ends at a new line or ';'" },
];

test('each syntax error has its message and a precise range', () => {
  for (const c of errorCases) {
    const s = new Source(c.text);
    const range = c.at !== undefined ? s.at(c.at, c.context) : s.after(c.after ?? '', c.context);
    assert.deepEqual(diagnosticsOf(c.text), [[range, c.message]], c.text);
  }
});

test('the statement after an error parses normally', () => {
  const text = 'engine m.e {\n  read ) ( 64 as x\n  read 0x1 4 as y\n}';
  const result = parseScenario(text);
  assert.equal(result.diagnostics.length, 1);
  const engine = result.file.declarations[0] as EngineDeclaration;
  assert.deepEqual(
    engine.body.map((t) => t.kind === 'transaction' && t.label?.text),
    [undefined, 'y'],
  );
});

test('an unknown statement with a block is skipped whole', () => {
  const text = 'domain d {\n  repeat 4 {\n    fault stall\n  }\n  report raz\n}';
  const s = new Source(text);
  const result = parseScenario(text);
  assert.deepEqual(result.diagnostics.map((d) => d.range), [s.at('repeat')]);
  const domain = result.file.declarations[0] as DomainDeclaration;
  assert.deepEqual(domain.range, { start: 0, end: text.length });
  assert.deepEqual(
    domain.settings.map((x) => x.key.text),
    ['report'],
  );
});

test('a ( left open ends at the next line that starts a statement', () => {
  const text = 'engine m.e {\n  read (0x1000 64\n  write 0x2000 4\n}';
  const s = new Source(text);
  const result = parseScenario(text);
  assert.deepEqual(result.diagnostics.map((d) => [d.range, d.message]), [[s.at('64'), "expected ')' to close '('"]]);
  const engine = result.file.declarations[0] as EngineDeclaration;
  assert.deepEqual(
    engine.body.map((t) => t.kind === 'transaction' && t.access),
    ['read', 'write'],
  );
});

test('no input nests deep enough to overflow the stack: brackets and blocks beyond 100 levels are reported', () => {
  const inputs = [
    `expect faults == ${'('.repeat(10_000)}1`,
    `expect faults == ${'-('.repeat(5_000)}1`,
    `engine m.e {\n${'repeat 1 {\n'.repeat(2_000)}${'}\n'.repeat(2_000)}}`,
    `handler h on d {\n  if a { retry }${' else if a { retry }'.repeat(2_000)}\n}`,
    `expect faults == ${'a['.repeat(5_000)}`,
    `expect faults == ${'f('.repeat(5_000)}`,
  ];
  for (const text of inputs) {
    const result = parseScenario(text);
    assert.ok(
      result.diagnostics.some((d) => d.message === 'nested too deeply (more than 100 levels)'),
      text.slice(0, 40),
    );
    assert.deepEqual(rangeProblems(result.file, text.length), []);
  }
});

// ---------------------------------------------------------------------------------------
// Random damage to real scenarios

/** Every example scenario and every block of the language doc. */
test('damaged scenarios: the parser never throws and every range is in place', () => {
  fc.assert(
    fc.property(damagedScenario, (text) => {
      const result = parseScenario(text);
      const inText = (r: Range): boolean => r.start >= 0 && r.start <= r.end && r.end <= text.length;
      assert.deepEqual(rangeProblems(result.file, text.length), []);
      assert.deepEqual(result.diagnostics.filter((d) => !inText(d.range) || d.code !== 'syntax' || d.severity !== 'error'), []);
      assert.deepEqual(result.comments.filter((r) => !inText(r)), []);
      // Tokens: in order, never overlapping, each within the text.
      let previousEnd = 0;
      for (const token of result.tokens) {
        assert.ok(inText(token.range) && token.range.start >= previousEnd, `token '${token.text}' at ${token.range.start} after ${previousEnd}`);
        previousEnd = token.range.end;
      }
      assert.equal(result.tokens.at(-1)?.kind, 'end');
    }),
    { numRuns: 1500 },
  );
});

test('an undamaged corpus parses cleanly, so the damage test starts from valid files', () => {
  assert.ok(corpus.length > 11);
  for (const text of corpus.filter((t) => !t.includes('…'))) assert.deepEqual(parseScenario(text).diagnostics, [], text);
});
