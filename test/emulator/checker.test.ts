import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { ExpectDeclaration } from '../../emulator/language/ast';
import { checkScenario } from '../../emulator/language/checker/check';
import { Diagnostic, RelatedLocation, Severity } from '../../emulator/language/diagnostics';
import { parseScenario } from '../../emulator/language/parser';
import { LineIndex, Range } from '../../emulator/language/source';
import { compileScenario } from '../../emulator/scenario/compile';
import { repoPath } from '../helpers/repo';

/*
 * Every kind of diagnostic the checker (emulator/language/checker/) emits: for each code and
 * each distinct message of a code, a scenario that differs from a clean base in one place,
 * and the exact diagnostics it gets (code, severity, message, range, related), all of them.
 *
 * Ranges are found in the text by `indexOf`, never typed as numbers.
 */

// ---------------------------------------------------------------------------------------
// Helpers

/** Ranges and line numbers of pieces of one scenario text. */
class Source {
  constructor(readonly text: string) {}

  /**
   * The range of `needle` inside `context` (default: the needle itself). `context` must occur
   * exactly once, so that a test cannot silently point at the wrong occurrence.
   */
  at(needle: string, context = needle): Range {
    const start = this.text.indexOf(context);
    if (start < 0) throw new Error(`'${context}' is not in the scenario`);
    if (this.text.indexOf(context, start + 1) >= 0) throw new Error(`'${context}' occurs more than once: give a longer context`);
    const offset = context.indexOf(needle);
    if (offset < 0) throw new Error(`'${needle}' is not in '${context}'`);
    return { start: start + offset, end: start + offset + needle.length };
  }

  /** Zero-width, right after `needle` (where something missing is reported). */
  after(needle: string, context = needle): Range {
    const { end } = this.at(needle, context);
    return { start: end, end };
  }

  /** The 1-based line `needle` starts on, as messages count lines. */
  line(needle: string, context = needle): number {
    const { start } = this.at(needle, context);
    return this.text.slice(0, start).split('\n').length;
  }
}

/** `text` with each `from` (which must occur exactly once) replaced by its `to`. */
function edit(text: string, ...pairs: string[]): string {
  assert.equal(pairs.length % 2, 0, 'edit takes from/to pairs');
  let result = text;
  for (let i = 0; i < pairs.length; i += 2) {
    const from = pairs[i] as string;
    const to = pairs[i + 1] as string;
    const first = result.indexOf(from);
    if (first < 0 || result.indexOf(from, first + 1) >= 0) throw new Error(`'${from}' must occur exactly once in:\n${result}`);
    result = result.slice(0, first) + to + result.slice(first + from.length);
  }
  return result;
}

function diagnostic(severity: Severity, code: string, range: Range, message: string, related?: RelatedLocation[]): Diagnostic {
  // The sink leaves `related` out when there is none; deepEqual (strict) tells absent from undefined.
  return related ? { severity, code, range, message, related } : { severity, code, range, message };
}

function error(code: string, range: Range, message: string, related?: RelatedLocation[]): Diagnostic {
  return diagnostic('error', code, range, message, related);
}

function warning(code: string, range: Range, message: string, related?: RelatedLocation[]): Diagnostic {
  return diagnostic('warning', code, range, message, related);
}

/** `d` with the quick fix the checker works out for it: its title and its edits. */
function withFix(d: Diagnostic, title: string, ...edits: [Range, string][]): Diagnostic {
  return { ...d, fix: { title, edits: edits.map(([range, newText]) => ({ range, newText })) } };
}

/** Where `needle` ends: a zero-width range (an insertion point). */
function endOf(range: Range): Range {
  return { start: range.end, end: range.end };
}

function information(code: string, range: Range, message: string): Diagnostic {
  return diagnostic('information', code, range, message);
}

interface Case {
  name: string;
  text: string;
  expected: Diagnostic[];
}

function scenario(name: string, text: string, expected: (s: Source) => Diagnostic[]): Case {
  return { name, text, expected: expected(new Source(text)) };
}

function clean(name: string, text: string): Case {
  return { name, text, expected: [] };
}

/** One `test` per case: the whole list of diagnostics, in source order, must be exactly the expected one. */
function runCases(cases: readonly Case[]): void {
  for (const c of cases) {
    test(c.name, () => {
      assert.deepEqual(compileScenario(c.text).diagnostics, c.expected, `scenario:\n${c.text}`);
    });
  }
}

// ---------------------------------------------------------------------------------------
// Base scenarios: clean, and each case below changes one thing in one of them.

/** SMMUv2, one domain, one master, one engine, a thread-context handler, one expect. */
const BASE = `smmu apps { version v2 }
domain gpu_dom {
  map 0x0100_0000 -> 0x8000_0000 size 1M rw
}
master gpu { stream 0x0; domain gpu_dom }
engine gpu.cp {
  read 0x0100_0000 64 as fetch0
}
handler gpu_fault on gpu_dom {
  context thread
  log "fault at {iova}"
  terminate
}
expect fetch0 completed
`;

/**
 * The same on an SMMUv3, with a PRI master (so that the handler runs: on an SMMUv3 the
 * faults of a master that cannot stall reach a handler only as page requests, and only
 * with `pri-handling iopf`, which upstream arm-smmu-v3 is not) answering 'invalid'.
 */
const V3 = edit(BASE, 'smmu apps { version v2 }', 'smmu apps { pri-handling iopf; version v3 }', 'master gpu {', 'master gpu { pri;', 'context thread', 'context workqueue', '  terminate\n', '  invalid\n');

/**
 * A stall domain, a can-stall master, a workqueue handler that always responds: the
 * worker design, which answers a stall on Linux before 6.16 (resume_translation).
 */
const STALL = edit(
  `kernel 6.12\n${BASE}`,
  '  map 0x0100_0000 -> 0x8000_0000 size 1M rw\n}',
  '  fault stall\n  map 0x0100_0000 -> 0x8000_0000 size 1M rw\n}',
  'domain gpu_dom }',
  'domain gpu_dom; can-stall }',
  'context thread',
  'context workqueue',
);

/** The same on an SMMUv3, without `fault stall`: an SMMUv3 domain has no stall setting of its own (CD.S is the master's stall_enabled). */
const V3_STALL = edit(STALL, 'kernel 6.12\n', '', 'version v2', 'version v3', '  fault stall\n', '');

/** Two SMMUs, every declaration naming its own. */
const TWO_SMMUS = edit(
  BASE,
  'smmu apps { version v2 }',
  'smmu apps { version v2 }\nsmmu other { version v2 }',
  'domain gpu_dom {\n',
  'domain gpu_dom {\n  smmu apps\n',
  'master gpu {',
  'master gpu { smmu apps;',
);

describe('base scenarios', () => {
  for (const [name, text] of [
    ['BASE (SMMUv2)', BASE],
    ['V3 (SMMUv3)', V3],
    ['STALL (stall domain, can-stall master, workqueue handler)', STALL],
    ['TWO_SMMUS', TWO_SMMUS],
  ] as const) {
    test(`${name} has no diagnostics and elaborates`, () => {
      const compiled = compileScenario(text);
      assert.deepEqual(compiled.diagnostics, []);
      assert.notEqual(compiled.model, undefined);
    });
  }

  test('every example under examples/ has no diagnostics but information (where vfio placed a master)', () => {
    const files = readdirSync(repoPath('examples')).filter((f) => f.endsWith('.iommu'));
    assert.ok(files.length > 0, 'no examples found');
    for (const file of files) {
      const diagnostics = compileScenario(readFileSync(repoPath('examples', file), 'utf8')).diagnostics;
      assert.deepEqual(diagnostics.filter((d) => d.severity !== 'information'), [], file);
    }
  });
});

// ---------------------------------------------------------------------------------------
// Names: duplicate-name, unknown-name, duplicate-declaration

describe('names', () => {
  runCases([
    scenario('duplicate-name: a second smmu with the same name', edit(BASE, 'smmu apps { version v2 }\n', 'smmu apps { version v2 }\nsmmu apps { version v3 }\n'), (s) => [
      error('duplicate-name', s.at('apps', 'smmu apps { version v3 }'), "duplicate smmu 'apps' (first declared on line 1)", [
        { range: s.at('apps', 'smmu apps { version v2 }'), message: "first smmu 'apps'" },
      ]),
    ]),
    scenario('duplicate-name: a second domain with the same name', edit(BASE, 'master gpu', 'domain gpu_dom { ias 40 }\nmaster gpu'), (s) => [
      error('duplicate-name', s.at('gpu_dom', 'domain gpu_dom { ias 40 }'), "duplicate domain 'gpu_dom' (first declared on line 2)", [
        { range: s.at('gpu_dom', 'domain gpu_dom {\n'), message: "first domain 'gpu_dom'" },
      ]),
    ]),
    scenario('duplicate-name: a second master with the same name', edit(BASE, 'engine gpu.cp', 'master gpu { stream 0x1 }\nengine gpu.cp'), (s) => [
      error('duplicate-name', s.at('gpu', 'master gpu { stream 0x1 }'), "duplicate master 'gpu' (first declared on line 5)", [
        { range: s.at('gpu', 'master gpu { stream 0x0;'), message: "first master 'gpu'" },
      ]),
    ]),
    scenario('duplicate-name: a second engine with the same master.engine', edit(BASE, 'handler gpu_fault', 'engine gpu.cp { wait 1 }\nhandler gpu_fault'), (s) => [
      error('duplicate-name', s.at('gpu.cp', 'engine gpu.cp { wait 1 }'), "duplicate engine 'gpu.cp' (first declared on line 6)", [
        { range: s.at('gpu.cp', 'engine gpu.cp {\n'), message: "first engine 'gpu.cp'" },
      ]),
    ]),
    scenario('duplicate-name: a second handler with the same name (on another domain)', edit(BASE, 'expect fetch0', 'domain spare { }\nhandler gpu_fault on spare { }\nexpect fetch0'), (s) => [
      error('duplicate-name', s.at('gpu_fault', 'handler gpu_fault on spare'), "duplicate handler 'gpu_fault' (first declared on line 9)", [
        { range: s.at('gpu_fault', 'handler gpu_fault on gpu_dom'), message: "first handler 'gpu_fault'" },
      ]),
    ]),
    scenario('duplicate-name: a second workqueue with the same name', edit(BASE, 'expect fetch0', 'workqueue wq { workers 1 }\nworkqueue wq { workers 2 }\nexpect fetch0'), (s) => [
      error('duplicate-name', s.at('wq', 'workqueue wq { workers 2 }'), `duplicate workqueue 'wq' (first declared on line ${s.line('workqueue wq { workers 1 }')})`, [
        { range: s.at('wq', 'workqueue wq { workers 1 }'), message: "first workqueue 'wq'" },
      ]),
    ]),
    scenario('duplicate-name: a second vfio container with the same name', edit(BASE, 'expect fetch0', 'vfio pt { }\nvfio pt { fault terminate }\nexpect fetch0'), (s) => [
      error('duplicate-name', s.at('pt', 'vfio pt { fault'), `duplicate vfio 'pt' (first declared on line ${s.line('vfio pt { }')})`, [
        { range: s.at('pt', 'vfio pt { }'), message: "first vfio 'pt'" },
      ]),
    ]),
    clean('declaring the built-in workqueue iopf once reconfigures it: no diagnostic', edit(BASE, 'expect fetch0', 'workqueue iopf { workers 4 }\nexpect fetch0')),
    scenario('duplicate-name: iopf declared twice (the first declaration replaced the built-in)', edit(BASE, 'expect fetch0', 'workqueue iopf { workers 4 }\nworkqueue iopf { workers 3 }\nexpect fetch0'), (s) => [
      error('duplicate-name', s.at('iopf', 'workqueue iopf { workers 3 }'), `duplicate workqueue 'iopf' (first declared on line ${s.line('workqueue iopf { workers 4 }')})`, [
        { range: s.at('iopf', 'workqueue iopf { workers 4 }'), message: "first workqueue 'iopf'" },
      ]),
    ]),

    scenario("unknown-name: a master's domain", edit(BASE, 'domain gpu_dom }', 'domain gpu_dm }'), (s) => [
      withFix(error('unknown-name', s.at('gpu_dm'), "unknown domain 'gpu_dm' (domains: gpu_dom); did you mean 'gpu_dom'?"), "Change to 'gpu_dom'", [s.at('gpu_dm'), 'gpu_dom']),
    ]),
    scenario("unknown-name: a master's smmu", edit(BASE, 'master gpu {', 'master gpu { smmu foo;'), (s) => [
      error('unknown-name', s.at('foo'), "unknown smmu 'foo' (smmus: apps)"),
    ]),
    scenario('unknown-name: the master of an engine', edit(BASE, 'engine gpu.cp', 'engine gpx.cp'), (s) => [
      withFix(error('unknown-name', s.at('gpx'), "unknown master 'gpx' (masters: gpu); did you mean 'gpu'?"), "Change to 'gpu'", [s.at('gpx'), 'gpu']),
    ]),
    scenario("unknown-name: a handler's domain", edit(BASE, 'on gpu_dom', 'on nodom'), (s) => [
      error('unknown-name', s.at('nodom'), "unknown domain 'nodom' (domains: gpu_dom)"),
    ]),
    scenario("unknown-name: a handler's queue (the built-in iopf is listed)", edit(BASE, 'context thread', 'context workqueue; queue wq'), (s) => [
      error('unknown-name', s.at('wq'), "unknown workqueue 'wq' (workqueues: iopf)"),
    ]),
    scenario("unknown-name: a vfio container's master", edit(BASE, 'expect fetch0', 'vfio pt { masters nic0 }\nexpect fetch0'), (s) => [
      error('unknown-name', s.at('nic0'), "unknown master 'nic0' (masters: gpu)"),
    ]),
    scenario('unknown-name: the domain of a PASID binding (SMMUv3)', edit(V3, 'domain gpu_dom }', 'domain gpu_dom; pasid 5 -> nodom }'), (s) => [
      error('unknown-name', s.at('nodom'), "unknown domain 'nodom' (domains: gpu_dom)"),
    ]),
    scenario('unknown-name: an smmu when there is none (and the domain has none either)', edit(BASE, 'smmu apps { version v2 }\n', '', 'master gpu {', 'master gpu { smmu foo;'), (s) => [
      error('no-smmu', s.at('gpu_dom', 'domain gpu_dom {'), "domain 'gpu_dom' needs an SMMU, and there is no 'smmu' declaration"),
      error('unknown-name', s.at('foo'), "unknown smmu 'foo' (there is no smmu)"),
    ]),

    scenario("duplicate-declaration: a second 'scenario' title", edit(BASE, 'smmu apps', 'scenario "one"\nscenario "two"\nsmmu apps'), (s) => [
      error('duplicate-declaration', s.at('scenario "two"'), "a scenario has one 'scenario' (the first is on line 1)"),
    ]),
    scenario("duplicate-declaration: a second 'timing' block", edit(BASE, 'smmu apps', 'timing { tlb-hit 1 }\ntiming { tlb-hit 2 }\nsmmu apps'), (s) => [
      error('duplicate-declaration', s.at('timing { tlb-hit 2 }'), "a scenario has one 'timing' (the first is on line 1)"),
    ]),
  ]);
});

// ---------------------------------------------------------------------------------------
// Settings: duplicate-setting, version-mismatch, bad-value

describe('settings', () => {
  runCases([
    scenario('duplicate-setting: a setting twice in an smmu', edit(BASE, 'version v2 }', 'version v2; version v3 }'), (s) => [
      error('duplicate-setting', s.at('version', 'version v3'), "'version' is set twice in smmu 'apps' (first on line 1)", [{ range: s.at('version v2'), message: "first 'version'" }]),
    ]),
    scenario('duplicate-setting: a setting twice in a domain', edit(BASE, '  map 0x0100_0000', '  report raz\n  report abort\n  map 0x0100_0000'), (s) => [
      error('duplicate-setting', s.at('report', 'report abort'), `'report' is set twice in domain 'gpu_dom' (first on line ${s.line('report raz')})`, [
        { range: s.at('report raz'), message: "first 'report'" },
      ]),
    ]),
    scenario('duplicate-setting: a setting twice in the timing block', edit(BASE, 'smmu apps', 'timing { dump 5; dump 6 }\nsmmu apps'), (s) => [
      error('duplicate-setting', s.at('dump', 'dump 6'), "'dump' is set twice in the timing block (first on line 1)", [{ range: s.at('dump 5'), message: "first 'dump'" }]),
    ]),
    scenario('duplicate-setting: a setting twice in an engine', edit(BASE, '  read 0x0100_0000 64 as fetch0', '  start 1\n  start 2\n  read 0x0100_0000 64 as fetch0'), (s) => [
      error('duplicate-setting', s.at('start', 'start 2'), `'start' is set twice in engine 'gpu.cp' (first on line ${s.line('start 1')})`, [{ range: s.at('start 1'), message: "first 'start'" }]),
    ]),
    scenario('duplicate-setting: a second stream in an engine', edit(BASE, '  read 0x0100_0000 64 as fetch0', '  stream 0x0\n  stream 0x1\n  read 0x0100_0000 64 as fetch0'), (s) => [
      error('duplicate-setting', s.at('stream 0x1'), 'an engine issues on one stream'),
    ]),

    scenario("version-mismatch: 'hupcf' in a domain on an SMMUv3", edit(V3, '  map 0x0100_0000', '  hupcf on\n  map 0x0100_0000'), (s) => [
      error('version-mismatch', s.at('hupcf'), "'hupcf' is an SMMUv2 context-bank bit; domain 'gpu_dom' is on an SMMUv3, which has no HUPCF (stalls are per transaction)"),
    ]),
    scenario("version-mismatch: 'hupcf' in a vfio container on an SMMUv3", edit(V3, 'expect fetch0', 'vfio pt { hupcf on }\nexpect fetch0'), (s) => [
      error('version-mismatch', s.at('hupcf'), "'hupcf' is an SMMUv2 context-bank bit; vfio 'pt' is on an SMMUv3, which has no HUPCF (stalls are per transaction)"),
    ]),
    scenario("version-mismatch: 'record' (an SMMUv3 setting) in a domain on an SMMUv2", edit(BASE, '  map 0x0100_0000', '  record off\n  map 0x0100_0000'), (s) => [
      error('version-mismatch', s.at('record'), "'record' is an SMMUv3 setting; domain 'gpu_dom' is on an SMMUv2"),
    ]),
    scenario("version-mismatch: 'pri' in a master on an SMMUv2", edit(BASE, 'domain gpu_dom }', 'domain gpu_dom; pri }'), (s) => [
      error('version-mismatch', s.at('pri'), "PRI is PCIe ATS page requests into an SMMUv3 PRI queue; smmu 'apps' is an SMMUv2"),
    ]),
    scenario('version-mismatch: a PASID binding in a master on an SMMUv2', edit(BASE, 'domain gpu_dom }', 'domain gpu_dom; pasid 5 -> gpu_dom }'), (s) => [
      error('version-mismatch', s.at('pasid 5 -> gpu_dom'), 'PASID bindings (SubstreamIDs) exist on SMMUv3 only'),
    ]),
    scenario('version-mismatch: a transaction with a PASID on an SMMUv2', edit(BASE, '64 as fetch0', '64 pasid 3 as fetch0'), (s) => [
      error('version-mismatch', s.at('pasid 3'), 'PASIDs (SubstreamIDs) exist on SMMUv3 only'),
    ]),
    clean('SMMUv3 settings, a PRI master, a PASID binding and a PASID transaction on an SMMUv3', edit(
      V3,
      'version v3 }',
      'version v3; stall-model stall; eventq 64; priq 16; ssid-bits 8 }',
      '  map 0x0100_0000',
      '  record off\n  map 0x0100_0000',
      'domain gpu_dom }',
      'domain gpu_dom; pasid 5 -> gpu_dom }',
      '64 as fetch0',
      '64 pasid 5 as fetch0',
    )),
    clean('SMMUv2 settings on an SMMUv2', edit(BASE, 'version v2 }', 'version v2; context-banks 4; unmatched bypass }', '  map 0x0100_0000', '  hupcf on\n  report raz\n  map 0x0100_0000')),

    scenario('bad-value: an enum setting with a word it does not take', edit(BASE, 'version v2', 'version v4'), (s) => [
      error('bad-value', s.at('v4'), "'version' must be v2 or v3, not 'v4'"),
    ]),
    scenario('bad-value: an enum setting with a number', edit(BASE, 'version v2', 'version 2'), (s) => [
      error('bad-value', s.at('2', 'version 2'), "'version' must be v2 or v3, not '2'"),
    ]),
    scenario('bad-value: an enum setting of a workqueue', edit(BASE, 'expect fetch0', 'workqueue wq { order fifo }\nexpect fetch0'), (s) => [
      error('bad-value', s.at('fifo'), "'order' must be unbound or ordered, not 'fifo'"),
    ]),
    scenario('bad-value: a number setting with a word', edit(BASE, 'version v2', 'version v2; context-banks many'), (s) => [
      error('bad-value', s.at('many'), "'context-banks' takes a number, not 'many'"),
    ]),
    scenario('bad-value: a number below its minimum', edit(BASE, 'version v2', 'version v2; context-banks 0'), (s) => [
      error('bad-value', s.at('0', 'context-banks 0'), "'context-banks' must be between 1 and 128, not 0"),
    ]),
    scenario('bad-value: a number above its maximum', edit(BASE, 'version v2', 'version v2; context-banks 129'), (s) => [
      error('bad-value', s.at('129'), "'context-banks' must be between 1 and 128, not 129"),
    ]),
    scenario('bad-value: ias below 25 bits', edit(BASE, '  map 0x0100_0000', '  ias 24\n  map 0x0100_0000'), (s) => [
      error('bad-value', s.at('24', 'ias 24'), "'ias' must be between 25 and 48, not 24"),
    ]),
    scenario('bad-value: a timing value of 0 where at least 1 cycle is needed', edit(BASE, 'smmu apps', 'timing { tlb-hit 0 }\nsmmu apps'), (s) => [
      error('bad-value', s.at('0', 'tlb-hit 0'), "'tlb-hit' must be between 1 and 4294967295, not 0"),
    ]),
    scenario('bad-value: an event queue size that is not a power of two', edit(V3, 'version v3', 'version v3; eventq 48'), (s) => [
      error('bad-value', s.at('48'), "'eventq' must be a power of two, not 48"),
    ]),
    scenario("bad-value: an empty 'device'", edit(BASE, 'version v2', 'version v2; device ""'), (s) => [
      error('bad-value', s.at('""'), "'device' cannot be empty"),
    ]),
    scenario("bad-value: a 'device' with white space", edit(BASE, 'version v2', 'version v2; device "apps smmu"'), (s) => [
      error('bad-value', s.at('"apps smmu"'), "'device' cannot hold white space (a space): the kernel prints the name as one word"),
    ]),
    scenario('duplicate-device: a second SMMU of the device name the first one\'s base gives it', edit(BASE, 'smmu apps { version v2 }', 'smmu apps { version v2 }\nsmmu other { device "15000000.iommu" }', 'master gpu {', 'master gpu { smmu apps;', 'domain gpu_dom {', 'domain gpu_dom {\n  smmu apps'), (s) => [
      error('duplicate-device', s.at('"15000000.iommu"'), `smmu 'other' has the device name "15000000.iommu" of smmu 'apps' (line 1): the kernel names each device once`, [
        { range: s.at('apps', 'smmu apps {'), message: `smmu 'apps' is "15000000.iommu"` },
      ]),
    ]),
    scenario('bad-value: a name setting with a number (domain)', edit(BASE, 'domain gpu_dom }', 'domain 5 }'), (s) => [
      error('bad-value', s.at('5', 'domain 5 }'), "'domain' takes the name of a domain, not a number"),
    ]),
    scenario('bad-value: a name setting with a number (queue)', edit(BASE, 'context thread', 'context workqueue; queue 5'), (s) => [
      error('bad-value', s.at('5', 'queue 5'), "'queue' takes the name of a workqueue, not a number"),
    ]),
  ]);

  runCases([
    scenario("version-mismatch: 'eventq' (SMMUv3) in an SMMUv2's own block", edit(BASE, 'version v2', 'version v2; eventq 32'), (s) => [
      error('version-mismatch', s.at('eventq'), "'eventq' is an SMMUv3 setting; smmu 'apps' is an SMMUv2"),
    ]),
    scenario("version-mismatch: 'context-banks' (SMMUv2) in an SMMUv3's own block", edit(V3, 'version v3', 'version v3; context-banks 4'), (s) => [
      error('version-mismatch', s.at('context-banks'), "'context-banks' is an SMMUv2 setting; smmu 'apps' is an SMMUv3"),
    ]),
    scenario("bad-value: 'smmu 5' names an SMMU", edit(BASE, 'domain gpu_dom {\n', 'domain gpu_dom {\n  smmu 5\n'), (s) => [
      error('bad-value', s.at('5', 'smmu 5'), "'smmu' takes the name of an smmu, not a number"),
    ]),
  ]);
});

// ---------------------------------------------------------------------------------------
// Which SMMU: no-smmu, missing-smmu

describe('smmu assignment', () => {
  runCases([
    scenario('no-smmu: a domain and a master when no smmu is declared', edit(BASE, 'smmu apps { version v2 }\n', ''), (s) => [
      error('no-smmu', s.at('gpu_dom', 'domain gpu_dom {'), "domain 'gpu_dom' needs an SMMU, and there is no 'smmu' declaration"),
      error('no-smmu', s.at('gpu', 'master gpu {'), "master 'gpu' needs an SMMU, and there is no 'smmu' declaration"),
    ]),
    scenario('missing-smmu: a domain and a master that do not say which of two SMMUs', edit(BASE, 'smmu apps { version v2 }', 'smmu apps { version v2 }\nsmmu other { version v2 }'), (s) => [
      error('missing-smmu', s.at('gpu_dom', 'domain gpu_dom {'), "domain 'gpu_dom' needs 'smmu NAME': there are 2 SMMUs (apps, other)"),
      error('missing-smmu', s.at('gpu', 'master gpu {'), "master 'gpu' needs 'smmu NAME': there are 2 SMMUs (apps, other)"),
    ]),
    scenario('missing-smmu: a vfio container that does not say which of two SMMUs', edit(TWO_SMMUS, 'expect fetch0', 'vfio pt { }\nexpect fetch0'), (s) => [
      error('missing-smmu', s.at('pt', 'vfio pt'), "vfio 'pt' needs 'smmu NAME': there are 2 SMMUs (apps, other)"),
    ]),
    clean('with two SMMUs a vfio container that names its smmu is fine', edit(TWO_SMMUS, 'expect fetch0', 'vfio pt { smmu apps }\nexpect fetch0')),
  ]);
});

// ---------------------------------------------------------------------------------------
// Maps: map-alignment, map-range, map-overlap, map-no-access, map-page-outside-handler, bad-value (pages)

describe('maps', () => {
  runCases([
    scenario('map-alignment: an IOVA that is not 4K-aligned', edit(BASE, 'map 0x0100_0000', 'map 0x0100_0010'), (s) => [
      withFix(error('map-alignment', s.at('0x0100_0010'), 'IOVA 0x1000010 is not 4K-aligned'), 'Align the IOVA down to 0x1000000', [s.at('0x0100_0010'), '0x1000000']),
    ]),
    scenario('map-alignment: a PA that is not 4K-aligned', edit(BASE, '-> 0x8000_0000', '-> 0x8000_0800'), (s) => [
      withFix(error('map-alignment', s.at('0x8000_0800'), 'PA 0x80000800 is not 4K-aligned'), 'Align the PA down to 0x80000000', [s.at('0x8000_0800'), '0x80000000']),
    ]),
    scenario('map-alignment: a size that is not a multiple of 4K', edit(BASE, 'size 1M', 'size 100'), (s) => [
      withFix(error('map-alignment', s.at('100', 'size 100'), 'size 0x64 is not a positive multiple of 4K'), 'Round the size up to 0x1000', [s.at('100', 'size 100'), '0x1000']),
    ]),
    scenario('map-alignment: a size of 0', edit(BASE, 'size 1M', 'size 0'), (s) => [
      withFix(error('map-alignment', s.at('0', 'size 0'), 'size 0x0 is not a positive multiple of 4K'), 'Round the size up to 0x1000', [s.at('0', 'size 0'), '0x1000']),
    ]),
    scenario('map-alignment: a misaligned IOVA in a vfio container', edit(BASE, 'expect fetch0', 'vfio pt { map 0x10 -> 0x8000_0000 size 4K rw }\nexpect fetch0'), (s) => [
      withFix(error('map-alignment', s.at('0x10', 'map 0x10'), 'IOVA 0x10 is not 4K-aligned'), 'Align the IOVA down to 0x0', [s.at('0x10', 'map 0x10'), '0x0']),
    ]),
    scenario('map-range: an IOVA range beyond ias', edit(BASE, '  map 0x0100_0000 -> 0x8000_0000 size 1M rw', '  ias 32\n  map 0xFFFF_F000 -> 0x8000_0000 size 8K rw'), (s) => [
      error('map-range', s.at('0xFFFF_F000'), 'IOVA range 0xfffff000–0x100000fff goes beyond the 32-bit input range (ias 32)'),
    ]),
    scenario('map-range: a PA range beyond oas', edit(BASE, '-> 0x8000_0000 size 1M', '-> 0xFF_FFFF_F000 size 8K'), (s) => [
      error('map-range', s.at('0xFF_FFFF_F000'), 'PA range 0xfffffff000–0x10000000fff goes beyond the 40-bit output range (oas 40)'),
    ]),
    clean('a map that ends exactly at the top of ias is fine', edit(BASE, '  map 0x0100_0000 -> 0x8000_0000 size 1M rw', '  ias 32\n  map 0xFFFF_E000 -> 0x8000_0000 size 8K rw')),
    scenario('map-overlap: a later map inside an earlier one (both places)', edit(BASE, 'size 1M rw\n', 'size 1M rw\n  map 0x0100_8000 -> 0x9000_0000 size 4K r\n'), (s) => [
      error(
        'map-overlap',
        s.at('map 0x0100_8000 -> 0x9000_0000 size 4K r'),
        "this map (0x1008000–0x1008fff) overlaps the map on line 3 in domain 'gpu_dom' (0x1000000–0x10fffff)",
        [{ range: s.at('map 0x0100_0000 -> 0x8000_0000 size 1M rw'), message: 'the map it overlaps' }],
      ),
    ]),
    scenario('map-overlap: reported on the later line even when it has the lower IOVA', edit(BASE, '  map 0x0100_0000 -> 0x8000_0000 size 1M rw\n', '  map 0x0100_8000 -> 0x9000_0000 size 4K r\n  map 0x0100_0000 -> 0x8000_0000 size 1M rw\n'), (s) => [
      error(
        'map-overlap',
        s.at('map 0x0100_0000 -> 0x8000_0000 size 1M rw'),
        "this map (0x1000000–0x10fffff) overlaps the map on line 3 in domain 'gpu_dom' (0x1008000–0x1008fff)",
        [{ range: s.at('map 0x0100_8000 -> 0x9000_0000 size 4K r'), message: 'the map it overlaps' }],
      ),
    ]),
    scenario('map-overlap: in a vfio container', edit(BASE, 'expect fetch0', 'vfio pt {\n  map 0x0 -> 0x8000_0000 size 16K rw\n  map 0x1000 -> 0x9000_0000 size 4K rw\n}\nexpect fetch0'), (s) => [
      error(
        'map-overlap',
        s.at('map 0x1000 -> 0x9000_0000 size 4K rw'),
        `this map (0x1000–0x1fff) overlaps the map on line ${s.line('map 0x0 -> 0x8000_0000')} in vfio 'pt' (0x0–0x3fff)`,
        [{ range: s.at('map 0x0 -> 0x8000_0000 size 16K rw'), message: 'the map it overlaps' }],
      ),
    ]),
    clean('adjacent maps do not overlap', edit(BASE, 'size 1M rw\n', 'size 1M rw\n  map 0x0110_0000 -> 0x9000_0000 size 4K r\n')),
    scenario('map-no-access: a map with neither r nor w', edit(BASE, 'size 1M rw', 'size 1M x'), (s) => [
      warning('map-no-access', s.at('map 0x0100_0000 -> 0x8000_0000 size 1M x'), 'a map without r or w maps nothing: io-pgtable-arm skips it (give r, w or rw)'),
    ]),
    scenario("bad-value: 'pages' that is not a leaf size", edit(BASE, 'size 1M rw', 'size 1M rw pages 8K'), (s) => [
      error('bad-value', s.at('8K'), "'pages' must be 4K, 2M or 1G, not 8K"),
    ]),
    clean("every permission word and 'pages' together", edit(BASE, 'size 1M rw', 'size 1M rwx priv noaf noncached pages 4K')),  ]);
});

// ---------------------------------------------------------------------------------------
// Granules: bad-value (granule, pages), map-alignment and pgd-alignment to the granule

describe('granules', () => {
  const sixteen = (text: string): string => edit(BASE, '  map 0x0100_0000 -> 0x8000_0000 size 1M rw', `  granule 16K\n${text}`);
  runCases([
    scenario("bad-value: a 'granule' that is no VMSAv8-64 granule", edit(BASE, '  map 0x0100_0000', '  granule 8K\n  map 0x0100_0000'), (s) => [
      error('bad-value', s.at('8K'), "'granule' must be 4K, 16K or 64K, not 8K"),
    ]),
    scenario('map-alignment: an IOVA 4K- but not 16K-aligned with a 16K granule', sixteen('  map 0x0100_1000 -> 0x8000_0000 size 1M rw'), (s) => [
      withFix(error('map-alignment', s.at('0x0100_1000'), 'IOVA 0x1001000 is not 16K-aligned'), 'Align the IOVA down to 0x1000000', [s.at('0x0100_1000'), '0x1000000']),
    ]),
    scenario('map-alignment: a PA not 64K-aligned with a 64K granule', edit(BASE, '  map 0x0100_0000 -> 0x8000_0000', '  granule 64K\n  map 0x0100_0000 -> 0x8000_c000'), (s) => [
      withFix(error('map-alignment', s.at('0x8000_c000'), 'PA 0x8000c000 is not 64K-aligned'), 'Align the PA down to 0x80000000', [s.at('0x8000_c000'), '0x80000000']),
    ]),
    scenario('map-alignment: a size that is not a multiple of 16K', sixteen('  map 0x0100_0000 -> 0x8000_0000 size 8K rw'), (s) => [
      withFix(error('map-alignment', s.at('8K', 'size 8K'), 'size 0x2000 is not a positive multiple of 16K'), 'Round the size up to 0x4000', [s.at('8K', 'size 8K'), '0x4000']),
    ]),
    scenario("bad-value: 'pages' that is not a leaf size of the 16K granule", sixteen('  map 0x0100_0000 -> 0x8000_0000 size 1M rw pages 2M'), (s) => [
      error('bad-value', s.at('2M'), "'pages' must be 16K or 32M with the 16K granule, not 2M"),
    ]),
    scenario('bad-value: ias below what any granule allows (T0SZ 39 at most: Tables D8-18, D8-28, D8-37)', edit(BASE, '  map 0x0100_0000', '  granule 64K\n  ias 24\n  map 0x0100_0000'), (s) => [
      error('bad-value', s.at('24'), "'ias' must be between 25 and 48, not 24"),
    ]),
    scenario('pgd-alignment: a 16K-granule pgd with ias 47 is a 16 KiB table', sixteen('  ias 47\n  pgd 0x4000_2000\n  map 0x0100_0000 -> 0x8000_0000 size 1M rw'), (s) => [
      withFix(
        error('pgd-alignment', s.at('0x4000_2000'), 'pgd 0x40002000 is not 16K-aligned: the top-level table of a 16K-granule domain with ias 47 is 16 KiB'),
        'Align the pgd down to 0x40000000',
        [s.at('0x4000_2000'), '0x40000000'],
      ),
    ]),
    clean('a 16K domain with a 32M map, pages 32M, and a 16 KiB aligned pgd', sixteen('  ias 47\n  pgd 0x4000_4000\n  map 0x0200_0000 -> 0x8200_0000 size 32M rw pages 32M')),
    clean('a 64K domain: 64K pages and a 512M block', edit(BASE, '  map 0x0100_0000 -> 0x8000_0000 size 1M rw', '  granule 64K\n  map 0x0100_0000 -> 0x8000_0000 size 1M rw\n  map 0x2000_0000 -> 0x2_0000_0000 size 512M rw')),
  ]);

  runCases([
    // The parser reports 'map page' outside a handler; the checker adds nothing.
    scenario("'map page' in a domain is reported once, by the parser", edit(BASE, 'map 0x0100_0000', 'map page'), (s) => [
      error('syntax', s.at('page'), "'map page' maps the faulting page: it is only allowed in a handler"),
    ]),
    scenario("'map page' in a vfio container is reported once, by the parser", edit(BASE, 'expect fetch0', 'vfio pt { map page -> 0x9000_0000 rw }\nexpect fetch0'), (s) => [
      error('syntax', s.at('page', 'map page'), "'map page' maps the faulting page: it is only allowed in a handler"),
    ]),
    scenario('map-alignment: both a misaligned IOVA and a misaligned PA are reported', edit(BASE, 'map 0x0100_0000 -> 0x8000_0000', 'map 0x0100_0010 -> 0x8000_0800'), (s) => [
      withFix(error('map-alignment', s.at('0x0100_0010'), 'IOVA 0x1000010 is not 4K-aligned'), 'Align the IOVA down to 0x1000000', [s.at('0x0100_0010'), '0x1000000']),
      withFix(error('map-alignment', s.at('0x8000_0800'), 'PA 0x80000800 is not 4K-aligned'), 'Align the PA down to 0x80000000', [s.at('0x8000_0800'), '0x80000000']),
    ]),
    scenario("map-no-access: not added to an unknown permission word ('rr' means r)", edit(BASE, 'size 1M rw', 'size 1M rr'), (s) => [
      error('bad-permission', s.at('rr'), "unknown permission 'rr'; expected r, w, x (any of them, as in 'rw') or noexec, priv, noaf, cached, noncached, device"),
    ]),
  ]);
});

// ---------------------------------------------------------------------------------------
// Domain values real logs carry: pgd-alignment, pgd-range, pgd-overlap, pgd-duplicate; s1cbndx on an SMMUv3

describe('pgd and s1cbndx', () => {
  runCases([
    clean('a pgd and an s1cbndx on an SMMUv2', edit(BASE, '  map 0x0100_0000', '  pgd 0x1_e7d6_7000\n  s1cbndx 124\n  map 0x0100_0000')),
    scenario('pgd-alignment: a pgd that is not 4K-aligned', edit(BASE, '  map 0x0100_0000', '  pgd 0x4000_0800\n  map 0x0100_0000'), (s) => [
      withFix(error('pgd-alignment', s.at('0x4000_0800'), 'pgd 0x40000800 is not 4K-aligned: a top-level table is a 4 KiB page'), 'Align the pgd down to 0x40000000', [s.at('0x4000_0800'), '0x40000000']),
    ]),
    scenario("pgd-range: a pgd beyond the domain's oas", edit(BASE, '  map 0x0100_0000', '  oas 32\n  pgd 0x1_0000_0000\n  map 0x0100_0000'), (s) => [
      error('pgd-range', s.at('0x1_0000_0000'), 'pgd 0x100000000 is beyond the 32-bit output range (oas 32): the SMMU could not fetch the table'),
    ]),
    scenario("pgd-range: the last page below 2^oas is fine, the one at 2^oas is not (default oas 40)", edit(BASE, '  map 0x0100_0000', '  pgd 0x100_0000_0000\n  map 0x0100_0000'), (s) => [
      error('pgd-range', s.at('0x100_0000_0000'), 'pgd 0x10000000000 is beyond the 40-bit output range (oas 40): the SMMU could not fetch the table'),
    ]),
    clean('a pgd on the last page below 2^oas', edit(BASE, '  map 0x0100_0000', '  pgd 0xFF_FFFF_F000\n  map 0x0100_0000')),
    scenario("bad-value: a pgd beyond the machine's 48-bit physical addresses", edit(BASE, '  map 0x0100_0000', '  pgd 0x1_0000_0000_0000\n  map 0x0100_0000'), (s) => [
      error('bad-value', s.at('0x1_0000_0000_0000'), "'pgd' must be between 0 and 281474976710655, not 281474976710656"),
    ]),
    scenario('pgd-overlap: a pgd inside a PA range its own domain maps', edit(BASE, '  map 0x0100_0000', '  pgd 0x8008_0000\n  map 0x0100_0000'), (s) => [
      error(
        'pgd-overlap',
        s.at('0x8008_0000'),
        `pgd 0x80080000 is inside the PA range 0x80000000–0x800fffff of the map on line ${s.line('map 0x0100_0000')} in domain 'gpu_dom': the table would be a device's buffer`,
        [{ range: s.at('map 0x0100_0000 -> 0x8000_0000 size 1M rw'), message: 'the map whose PA range holds the pgd' }],
      ),
    ]),
    scenario("pgd-overlap: a pgd inside another domain's mapped PA", edit(BASE, 'master gpu', 'domain other { pgd 0x800f_f000 }\nmaster gpu'), (s) => [
      error(
        'pgd-overlap',
        s.at('0x800f_f000'),
        "pgd 0x800ff000 is inside the PA range 0x80000000–0x800fffff of the map on line 3 in domain 'gpu_dom': the table would be a device's buffer",
        [{ range: s.at('map 0x0100_0000 -> 0x8000_0000 size 1M rw'), message: 'the map whose PA range holds the pgd' }],
      ),
    ]),
    scenario("pgd-overlap: a pgd inside a vfio container's mapped PA", edit(BASE, 'master gpu', 'domain other { pgd 0x9000_0000 }\nvfio pt { map 0x0 -> 0x9000_0000 size 4K rw }\nmaster gpu'), (s) => [
      error(
        'pgd-overlap',
        s.at('0x9000_0000', 'pgd 0x9000_0000'),
        `pgd 0x90000000 is inside the PA range 0x90000000–0x90000fff of the map on line ${s.line('vfio pt')} in vfio 'pt': the table would be a device's buffer`,
        [{ range: s.at('map 0x0 -> 0x9000_0000 size 4K rw'), message: 'the map whose PA range holds the pgd' }],
      ),
    ]),
    clean('a pgd on the page right after a mapped range', edit(BASE, '  map 0x0100_0000', '  pgd 0x8010_0000\n  map 0x0100_0000')),
    scenario('pgd-duplicate: two domains with the same pgd (reported on the second)', edit(BASE, 'master gpu', 'domain one { pgd 0x9000_0000 }\ndomain two { pgd 0x9000_0000 }\nmaster gpu'), (s) => [
      error(
        'pgd-duplicate',
        s.at('0x9000_0000', 'two { pgd 0x9000_0000'),
        `pgd 0x90000000 is also the pgd of domain 'one' (line ${s.line('domain one')}): each domain has a top-level table of its own`,
        [{ range: s.at('pgd 0x9000_0000', 'one { pgd 0x9000_0000'), message: 'the same pgd' }],
      ),
    ]),
    scenario("version-mismatch: 's1cbndx' in a domain on an SMMUv3", edit(V3, '  map 0x0100_0000', '  s1cbndx 124\n  map 0x0100_0000'), (s) => [
      error('version-mismatch', s.at('s1cbndx'), "'s1cbndx' is SMMUv2's FSYNR0.S1CBNDX; domain 'gpu_dom' is on an SMMUv3, which reports faults as event records (no FSYNR0)"),
    ]),
    scenario('bad-value: an s1cbndx that does not fit its 8 bits', edit(BASE, '  map 0x0100_0000', '  s1cbndx 256\n  map 0x0100_0000'), (s) => [
      error('bad-value', s.at('256'), "'s1cbndx' must be between 0 and 255, not 256"),
    ]),
    clean('a pgd on an SMMUv3', edit(V3, '  map 0x0100_0000', '  pgd 0x1_e7d6_7000\n  map 0x0100_0000')),
  ]);
});

// ---------------------------------------------------------------------------------------
// Permissions: bad-permission

describe('permissions', () => {
  runCases([
    scenario('bad-permission: an unknown word', edit(BASE, 'size 1M rw', 'size 1M rw cachd'), (s) => [
      error('bad-permission', s.at('cachd'), "unknown permission 'cachd'; expected r, w, x (any of them, as in 'rw') or noexec, priv, noaf, cached, noncached, device"),
    ]),
    scenario('bad-permission: two memory types', edit(BASE, 'size 1M rw', 'size 1M rw device cached'), (s) => [
      error('bad-permission', s.at('cached'), "'cached' contradicts 'device': a mapping has one memory type"),
    ]),
    clean('bad-permission: the same memory type twice is not a contradiction', edit(BASE, 'size 1M rw', 'size 1M rw device device')),
    scenario("bad-permission: 'x' with 'noexec'", edit(BASE, 'size 1M rw', 'size 1M rwx noexec'), (s) => [
      error('bad-permission', s.at('rwx'), "'x' contradicts 'noexec'"),
    ]),
    scenario('bad-permission: no permissions after the size (reported where they belong)', edit(BASE, 'size 1M rw', 'size 1M'), (s) => [
      error('bad-permission', s.after('size 1M'), "the map needs permissions after its size, e.g. 'rw'"),
    ]),
    scenario("bad-permission: an unknown word in a handler's map", edit(BASE, 'log "fault at {iova}"', 'map page -> 0x9000_0000 rw wat'), (s) => [
      error('bad-permission', s.at('wat'), "unknown permission 'wat'; expected r, w, x (any of them, as in 'rw') or noexec, priv, noaf, cached, noncached, device"),
    ]),
  ]);
});

// ---------------------------------------------------------------------------------------
// Streams: smr-conflict, stream-range, stream-mask-v3, stream-mask-engine, engine-stream, no-stream

describe('streams', () => {
  runCases([
    scenario('smr-conflict: two masters whose masked SMRs share a StreamID (both places)', edit(BASE, 'stream 0x0;', 'stream 0x0 mask 0x1;', 'engine gpu.cp', 'master dsp { stream 0x1 mask 0x2 }\nengine gpu.cp'), (s) => [
      error(
        'smr-conflict',
        s.at('stream 0x1 mask 0x2'),
        "stream 0x1 mask 0x2 of master 'dsp' can match the same StreamIDs as stream 0x0 mask 0x1 of master 'gpu' on smmu 'apps' (a stream match conflict, sGFSR.SMCF)",
        [{ range: s.at('stream 0x0 mask 0x1'), message: "stream 0x0 mask 0x1 of 'gpu'" }],
      ),
    ]),
    scenario('smr-conflict: a plain stream of a later master inside a masked SMR', edit(BASE, 'stream 0x0;', 'stream 0x400 mask 0x3ff;', 'engine gpu.cp', 'master dsp { stream 0x7ff }\nengine gpu.cp'), (s) => [
      error(
        'smr-conflict',
        s.at('stream 0x7ff'),
        "stream 0x7ff of master 'dsp' is covered by stream 0x400 mask 0x3ff of master 'gpu': Linux would share the stream-map entry and put both masters in one iommu_group",
        [{ range: s.at('stream 0x400 mask 0x3ff'), message: "stream 0x400 mask 0x3ff of 'gpu'" }],
      ),
    ]),
    clean('SMRs that cannot match a common StreamID do not conflict', edit(BASE, 'stream 0x0;', 'stream 0x10 mask 0xf0;', 'read 0x0100_0000 64 as fetch0', 'stream 0x10\n  read 0x0100_0000 64 as fetch0', 'engine gpu.cp', 'master dsp { stream 0x4 }\nengine gpu.cp')),
    clean('the same StreamID on two different SMMUs does not conflict', edit(TWO_SMMUS, 'engine gpu.cp', 'master dsp { smmu other; stream 0x0 }\nengine gpu.cp')),

    scenario('stream-range: a StreamID beyond 16 bits on an SMMUv2', edit(BASE, 'stream 0x0;', 'stream 0x1_0000;'), (s) => [
      error('stream-range', s.at('0x1_0000'), 'StreamID 0x10000 does not fit the 16-bit SMR.ID field'),
    ]),
    scenario('stream-range: a StreamID beyond 32 bits on an SMMUv3', edit(V3, 'stream 0x0;', 'stream 0x1_0000_0000;'), (s) => [
      error('stream-range', s.at('0x1_0000_0000'), 'StreamID 0x100000000 does not fit 32 bits'),
    ]),
    clean('a 17-bit StreamID is fine on an SMMUv3', edit(V3, 'stream 0x0;', 'stream 0x1_0000;')),
    scenario('stream-range: a mask beyond 16 bits', edit(BASE, 'stream 0x0;', 'stream 0x0 mask 0x1_0000;'), (s) => [
      error('stream-range', s.at('0x1_0000'), 'mask 0x10000 does not fit the 16-bit SMR.MASK field'),
    ]),
    scenario("stream-range: an engine's StreamID beyond 16 bits on an SMMUv2", edit(BASE, '  read 0x0100_0000 64 as fetch0', '  stream 0x1_0000\n  read 0x0100_0000 64 as fetch0'), (s) => [
      error('stream-range', s.at('0x1_0000'), 'StreamID 0x10000 does not fit the 16-bit SMR.ID field'),
    ]),
    scenario('stream-mask-v3: a master stream with a mask on an SMMUv3', edit(V3, 'stream 0x0;', 'stream 0x0 mask 0x1;'), (s) => [
      error('stream-mask-v3', s.at('0x1', 'mask 0x1'), 'SMMUv3 has no stream masks: a stream table entry per StreamID'),
    ]),
    scenario('stream-mask-engine: an engine stream with a mask', edit(BASE, '  read 0x0100_0000 64 as fetch0', '  stream 0x0 mask 0x1\n  read 0x0100_0000 64 as fetch0'), (s) => [
      error('stream-mask-engine', s.at('0x1', 'mask 0x1'), "an engine issues on one StreamID; masks belong to a master's SMRs"),
    ]),
    scenario("engine-stream: an engine stream none of its master's SMRs match (related: each of them)", edit(BASE, 'stream 0x0;', 'stream 0x0; stream 0x8;', '  read 0x0100_0000 64 as fetch0', '  stream 0x5\n  read 0x0100_0000 64 as fetch0'), (s) => [
      error('engine-stream', s.at('stream 0x5'), "stream 0x5 is not a stream of master 'gpu'", [
        { range: s.at('stream 0x0'), message: 'a stream of the master' },
        { range: s.at('stream 0x8'), message: 'a stream of the master' },
      ]),
    ]),
    clean("an engine stream that a master's masked SMR matches", edit(BASE, 'stream 0x0;', 'stream 0x0 mask 0xf;', '  read 0x0100_0000 64 as fetch0', '  stream 0x5\n  read 0x0100_0000 64 as fetch0')),
    scenario('no-stream: a master without a stream', edit(BASE, 'master gpu { stream 0x0; domain gpu_dom }', 'master gpu { domain gpu_dom }'), (s) => [
      error('no-stream', s.at('gpu', 'master gpu'), "master 'gpu' has no stream: give it 'stream ID'"),
    ]),
  ]);

  runCases([
    scenario('stream-range: a 16-bit StreamID (needs SMMUv2 EXIDS) takes a 16-bit mask as well', edit(BASE, 'stream 0x0;', 'stream 0x8000 mask 0x8000;', '  read 0x0100_0000 64 as fetch0', '  stream 0x8000\n  read 0x0100_0000 64 as fetch0'), () => []),
  ]);
});

// ---------------------------------------------------------------------------------------
// Attaching at start: attach-fails, context-banks-exhausted

describe('attach', () => {
  runCases([
    scenario('attach-fails: a stall domain and a master without can-stall', edit(BASE, '  map 0x0100_0000', '  fault stall\n  map 0x0100_0000'), (s) => [
      withFix(
        warning(
          'attach-fails',
          s.at('gpu_dom', 'domain gpu_dom }'),
          "iommu_attach_device fails: domain 'gpu_dom' stalls on faults but master 'gpu' is not 'can-stall'. The master stays unattached and its transactions fault (a VFIO container would put it in a domain of its own).",
        ),
        "Add 'can-stall' to master 'gpu'",
        [endOf(s.at('domain gpu_dom', 'domain gpu_dom }')), '; can-stall'],
      ),
    ]),
    scenario("attach-fails: a master and a domain on different SMMUs", edit(TWO_SMMUS, 'master gpu { smmu apps;', 'master gpu { smmu other;'), (s) => [
      warning(
        'attach-fails',
        s.at('gpu_dom', 'domain gpu_dom }'),
        "iommu_attach_device fails: master 'gpu' is behind smmu 'other' but domain 'gpu_dom' uses smmu 'apps'. The master stays unattached and its transactions fault (a VFIO container would put it in a domain of its own).",
      ),
    ]),
    scenario('context-banks-exhausted: a third domain on an SMMUv2 with two context banks', edit(
      BASE,
      'version v2',
      'version v2; context-banks 2',
      'engine gpu.cp',
      'domain d2 { }\ndomain d3 { }\nmaster dsp { stream 0x1; domain d2 }\nmaster nic { stream 0x2; domain d3 }\nengine gpu.cp',
    ), (s) => [
      warning('context-banks-exhausted', s.at('d3', 'domain d3 }'), "iommu_attach_device fails: smmu 'apps' has 2 context banks and this would be domain number 3"),
    ]),
    clean('masters attached to one domain share its context bank', edit(BASE, 'version v2', 'version v2; context-banks 1', 'engine gpu.cp', 'master dsp { stream 0x1; domain gpu_dom }\nengine gpu.cp')),
    scenario('a refused attach takes no context bank', edit(
      BASE,
      'version v2',
      'version v2; context-banks 1',
      '  map 0x0100_0000',
      '  fault stall\n  map 0x0100_0000',
      'engine gpu.cp',
      'domain d2 { }\nmaster dsp { stream 0x1; domain d2 }\nengine gpu.cp',
    ), (s) => [
      withFix(
        warning(
          'attach-fails',
          s.at('gpu_dom', 'domain gpu_dom }'),
          "iommu_attach_device fails: domain 'gpu_dom' stalls on faults but master 'gpu' is not 'can-stall'. The master stays unattached and its transactions fault (a VFIO container would put it in a domain of its own).",
        ),
        "Add 'can-stall' to master 'gpu'",
        [endOf(s.at('domain gpu_dom', 'domain gpu_dom }')), '; can-stall'],
      ),
    ]),
    // Linux decides with master->stall_enabled: STALL_FORCE makes every master stall, `can-stall` or not.
    scenario('behind a force-stall SMMUv3 a master without can-stall stalls: its handler answers stalls', edit(V3, 'version v3', 'version v3; stall-model force-stall', 'master gpu { pri;', 'master gpu {'), (s) => [
      hint('response-mapping', s.at('invalid'), "on a stall of master 'gpu', 'invalid' is sent as CMD_RESUME abort (Linux's arm_smmu_page_response: SUCCESS → retry, INVALID and FAILURE → abort)"),
    ]),
    clean('SMMUv3 has no context banks to run out of', edit(V3, 'engine gpu.cp', [1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => `domain d${n} { }\nmaster m${n} { stream ${n}; domain d${n} }\n`).join('') + 'engine gpu.cp')),
  ]);

  runCases([
    scenario('context-banks-exhausted: one context bank is singular', edit(BASE, 'version v2', 'version v2; context-banks 1', 'engine gpu.cp', 'domain d2 { }\nmaster dsp { stream 0x1; domain d2 }\nengine gpu.cp'), (s) => [
      warning('context-banks-exhausted', s.at('d2', 'domain d2 }'), "iommu_attach_device fails: smmu 'apps' has 1 context bank and this would be domain number 2"),
    ]),
  ]);
});

// ---------------------------------------------------------------------------------------
// Engines: transaction-size, transaction-crosses-page, value-on-read, exec-on-write,
// i-outside-repeat, bad-value (repeat, wait)

describe('engines', () => {
  runCases([
    scenario('transaction-size: 0 bytes', edit(BASE, '0x0100_0000 64', '0x0100_0000 0'), (s) => [
      error('transaction-size', s.at('0', ' 0 as'), 'a transaction moves 1 to 4096 bytes (an AXI burst never crosses 4K), not 0'),
    ]),
    scenario('transaction-size: more than 4K', edit(BASE, '0x0100_0000 64', '0x0100_0000 8K'), (s) => [
      error('transaction-size', s.at('8K'), 'a transaction moves 1 to 4096 bytes (an AXI burst never crosses 4K), not 8192'),
    ]),
    clean('a 4096-byte transaction at a page boundary', edit(BASE, '0x0100_0000 64', '0x0100_0000 4096')),
    scenario('transaction-crosses-page: a transaction that runs into the next page', edit(BASE, '0x0100_0000 64', '0x0100_0FF0 32'), (s) => [
      warning('transaction-crosses-page', s.at('read 0x0100_0FF0 32 as fetch0'), '0x1000ff0 + 32 bytes crosses a 4K page boundary: only the first page is translated'),
    ]),
    clean('a transaction that ends exactly at the page end', edit(BASE, '0x0100_0000 64', '0x0100_0FC0 64')),
    scenario("value-on-read: 'value' on a read", edit(BASE, '64 as fetch0', '64 value 5 as fetch0'), (s) => [
      error('value-on-read', s.at('value 5'), "'value' gives the data of a write; a read has none"),
    ]),
    scenario("exec-on-write: 'exec' on a write", edit(BASE, 'read 0x0100_0000 64 as fetch0', 'write 0x0100_0000 64 exec as fetch0'), (s) => [
      error('exec-on-write', s.at('exec'), "'exec' marks an instruction fetch, which is a read"),
    ]),
    clean('a write with a value, a privileged instruction fetch', edit(BASE, 'read 0x0100_0000 64 as fetch0', 'write 0x0100_0000 4 value 0xdead as fetch0\n  read 0x0100_0040 4 priv exec')),
    scenario("i-outside-repeat: 'i' in a transaction outside any repeat", edit(BASE, 'read 0x0100_0000 64', 'read 0x0100_0000 + i*64 64'), (s) => [
      error('i-outside-repeat', s.at('i', 'i*64'), "'i' is the iteration index of 'repeat'; there is no repeat around it"),
    ]),
    scenario("i-outside-repeat: 'i' in a submit that is not inside a repeat", edit(BASE, 'read 0x0100_0000 64 as fetch0', 'submit 1 { read 0x0100_0000 + i*64 64 as fetch0 }'), (s) => [
      error('i-outside-repeat', s.at('i', 'i*64'), "'i' is the iteration index of 'repeat'; there is no repeat around it"),
    ]),
    clean("'i' in a repeat, and in a submit inside a repeat", edit(BASE, 'read 0x0100_0000 64 as fetch0', 'repeat 4 { read 0x0100_0000 + i*64 64 as fetch0 }\n  repeat 2 { submit 7 { write 0x0100_1000 + i*4 4 value i } }')),
    scenario('bad-value: a repeat count above 2^32', edit(BASE, 'read 0x0100_0000 64 as fetch0', 'read 0x0100_0000 64 as fetch0\n  repeat 0x1_0000_0001 { wait 1 }'), (s) => [
      error('bad-value', s.at('0x1_0000_0001'), 'a repeat runs at most 2^32 times, not 4294967297'),
    ]),
    clean('a repeat count of exactly 2^32', edit(BASE, 'read 0x0100_0000 64 as fetch0', 'read 0x0100_0000 64 as fetch0\n  repeat 0x1_0000_0000 { wait 1 }')),
    scenario("bad-value: a 'wait' that is a comparison, not a number", edit(BASE, 'read 0x0100_0000 64 as fetch0', 'read 0x0100_0000 64 as fetch0\n  wait 1 < 2'), (s) => [
      error('bad-value', s.at('1 < 2'), "'wait' must be a number"),
    ]),
    scenario("bad-value: a 'wait' that divides by zero (at the operator)", edit(BASE, 'read 0x0100_0000 64 as fetch0', 'read 0x0100_0000 64 as fetch0\n  wait 1/0'), (s) => [
      error('bad-value', s.at('/', '1/0'), 'division by zero'),
    ]),
    scenario('bad-value: a map size modulo zero', edit(BASE, 'size 1M rw', 'size 1M % 0 rw'), (s) => [
      error('bad-value', s.at('%'), 'division by zero'),
    ]),
  ]);
});

// ---------------------------------------------------------------------------------------
// Expressions: unknown-identifier (each scope), calls and indexing

const HANDLER_FIELDS = 'iova, pa, sid, ssid, pasid, kind, level, write, read, exec, priv, stalled, engine, master, domain, fsr, far, fsynr0, stag, prgi';

describe('expressions', () => {
  runCases([
    scenario('unknown-identifier: a name in a constant (a map size)', edit(BASE, 'size 1M rw', 'size big rw'), (s) => [
      error('unknown-identifier', s.at('big'), "'big' means nothing here: only numbers are allowed"),
    ]),
    scenario("unknown-identifier: 'i' in a constant", edit(BASE, 'size 1M rw', 'size i rw'), (s) => [
      error('unknown-identifier', s.at('i', ' i rw'), "'i' means nothing here: only numbers are allowed"),
    ]),
    scenario('unknown-identifier: a name in an engine outside repeat', edit(BASE, 'read 0x0100_0000 64', 'read base 64'), (s) => [
      error('unknown-identifier', s.at('base'), "'base' means nothing in an engine outside repeat: only numbers"),
    ]),
    scenario('unknown-identifier: a name in an engine inside repeat', edit(BASE, 'read 0x0100_0000 64 as fetch0', 'repeat 2 { read base + i 64 as fetch0 }'), (s) => [
      error('unknown-identifier', s.at('base'), "'base' means nothing in an engine: only numbers and the iteration index i"),
    ]),
    scenario('unknown-identifier: a name in the value of an expect', edit(BASE, 'expect fetch0 completed', 'expect fetch0 pa foo'), (s) => [
      error('unknown-identifier', s.at('foo'), "'foo' means nothing here: only numbers are allowed"),
    ]),
    scenario('unknown-identifier: a name in a handler condition lists the fault fields', edit(BASE, 'log "fault at {iova}"', 'if addr > 0 { dump }'), (s) => [
      error('unknown-identifier', s.at('addr'), `'addr' means nothing in a handler (fields: ${HANDLER_FIELDS})`),
    ]),
    scenario('unknown-identifier: a name in a log hole', edit(BASE, 'log "fault at {iova}"', 'log "fault at {addr}"'), (s) => [
      error('unknown-identifier', s.at('addr'), `'addr' means nothing in a handler (fields: ${HANDLER_FIELDS})`),
    ]),
    scenario('unknown-identifier: an engine that does not exist, in a handler', edit(BASE, 'log "fault at {iova}"', 'if engine == gpu.dma { dump }'), (s) => [
      error('unknown-identifier', s.at('gpu.dma'), "'gpu.dma' is not an engine of this scenario"),
    ]),
    scenario('unknown-identifier: a call', edit(BASE, 'log "fault at {iova}"', 'if pte(iova) { dump }'), (s) => [
      error('unknown-identifier', s.at('pte(iova)'), 'calls and indexing belong to the Debug Console, not to a scenario'),
    ]),
    scenario('unknown-identifier: indexing', edit(BASE, 'log "fault at {iova}"', 'if STE[sid] { dump }'), (s) => [
      error('unknown-identifier', s.at('STE[sid]'), 'calls and indexing belong to the Debug Console, not to a scenario'),
    ]),
    clean(
      'a handler may read fields, counters, fault kinds, v3 event names, masters, domains and engines',
      edit(
        BASE,
        'log "fault at {iova}"',
        'if engine == gpu.cp && master == gpu && domain == gpu_dom && (kind == access-flag || kind == F_TRANSLATION) && faults > 1 && !stalled { dump }\n  log "{sid} {ssid} {pasid} {level} {write} {read} {exec} {priv} {fsr} {far} {fsynr0} {stag} {prgi} {pa} {dropped-events}"',
      ),
    ),
    clean('handler statements take fault-field expressions', edit(BASE, 'log "fault at {iova}"', 'map iova & ~0xfff -> 0x9000_0000 size 4K rw\n  unmap iova size 4K\n  tlbi va iova\n  tlbi all\n  sleep 10')),
  ]);

  runCases([
    scenario('unknown-identifier: an engine name in an engine outside repeat', edit(BASE, 'read 0x0100_0000 64', 'read gpu.cp 64'), (s) => [
      error('unknown-identifier', s.at('gpu.cp', 'read gpu.cp'), "'gpu.cp' means nothing in an engine outside repeat: only numbers"),
    ]),
    // As long as a line can be: nothing in the checker recurses over an expression's depth.
    clean('a 100,000-term sum as an address, and 100,000-term conditions in a handler', edit(
      BASE,
      'read 0x0100_0000 64',
      `read 0x0100_0000${' + 0'.repeat(100_000)} 64`,
      'log "fault at {iova}"',
      `if ${Array(100_000).fill('iova > 1 && fsr != 2 || -~level == 0').join(' || ')} { dump }\n  if ${'! - ~'.repeat(30_000)}write { dump }`,
    )),
    scenario('the name at the deep end of a 100,000-term sum is found', edit(BASE, 'read 0x0100_0000 64', `read base${' + 1'.repeat(100_000)} 64`), (s) => [
      error('unknown-identifier', s.at('base'), "'base' means nothing in an engine outside repeat: only numbers"),
    ]),
    scenario("'i' at the far end of a 100,000-term sum outside repeat", edit(BASE, 'read 0x0100_0000 64', `read 0x0100_0000${' + 0'.repeat(100_000)} + i 64`), (s) => [
      error('i-outside-repeat', s.at('i', '+ i 64'), "'i' is the iteration index of 'repeat'; there is no repeat around it"),
    ]),
    scenario('unknown-identifier: a misspelt v3 event name in a handler', edit(BASE, 'log "fault at {iova}"', 'if kind == F_TRANSLATON { dump }'), (s) => [
      withFix(
        error('unknown-identifier', s.at('F_TRANSLATON'), `'F_TRANSLATON' means nothing in a handler (fields: ${HANDLER_FIELDS}); did you mean 'F_TRANSLATION'?`),
        "Change to 'F_TRANSLATION'",
        [s.at('F_TRANSLATON'), 'F_TRANSLATION'],
      ),
    ]),
  ]);
});

// ---------------------------------------------------------------------------------------
// Handlers: atomic-sleep, queue-context, handler-duplicate, no-response, unreachable,
// response-kind, stall-off-no-stall

const IRQ = edit(BASE, 'context thread', 'context irq');
const NO_RESPONSE = 'without a response: on Linux 6.12 arm_smmu_context_fault never writes RESUME (it does from 6.16), so the stalled transaction stays stalled and the master hangs';
const LATE = "on Linux 7.1 RESUME is written when the context fault handler returns: this workqueue handler cannot answer the stall (arm_smmu_context_fault terminates it before the work runs; 3053a2c5086d, 6.16). Answer from context irq or thread, or give the scenario 'kernel 6.12' for the worker design";

describe('handlers', () => {
  runCases([
    scenario("atomic-sleep: 'sleep' in irq context", edit(IRQ, 'log "fault at {iova}"', 'sleep 10'), (s) => [
      withFix(error('atomic-sleep', s.at('sleep 10'), "'sleep' blocks: sleeping in atomic context (handler 'gpu_fault' runs in irq context)"), "Run handler 'gpu_fault' in thread context", [s.at('irq', 'context irq'), 'thread']),
    ]),
    scenario("atomic-sleep: 'dump' in irq context", edit(IRQ, 'log "fault at {iova}"', 'dump'), (s) => [
      withFix(error('atomic-sleep', s.at('dump'), "'dump' allocates and copies a crash dump, which may sleep: sleeping in atomic context (handler 'gpu_fault' runs in irq context)"), "Run handler 'gpu_fault' in thread context", [s.at('irq', 'context irq'), 'thread']),
    ]),
    scenario("atomic-sleep: 'map' in irq context", edit(IRQ, 'log "fault at {iova}"', 'map page -> 0x9000_0000 rw'), (s) => [
      withFix(error('atomic-sleep', s.at('map page -> 0x9000_0000 rw'), "'map' (iommu_map) allocates page tables with GFP_KERNEL, which may sleep: sleeping in atomic context (handler 'gpu_fault' runs in irq context)"), "Run handler 'gpu_fault' in thread context", [s.at('irq', 'context irq'), 'thread']),
    ]),
    scenario("atomic-sleep: inside an 'if' in irq context", edit(IRQ, 'log "fault at {iova}"', 'if write { dump }'), (s) => [
      withFix(error('atomic-sleep', s.at('dump'), "'dump' allocates and copies a crash dump, which may sleep: sleeping in atomic context (handler 'gpu_fault' runs in irq context)"), "Run handler 'gpu_fault' in thread context", [s.at('irq', 'context irq'), 'thread']),
    ]),
    clean('irq context may log, unmap, invalidate and respond', edit(IRQ, 'log "fault at {iova}"', 'log "fault at {iova}"\n  unmap iova size 4K\n  tlbi all')),
    clean("'sleep', 'dump' and 'map' in thread context", edit(BASE, 'log "fault at {iova}"', 'sleep 10\n  dump\n  map page -> 0x9000_0000 rw')),

    scenario("queue-context: 'queue' on a thread-context handler", edit(BASE, 'context thread', 'context thread; queue iopf'), (s) => [
      error('queue-context', s.at('iopf'), "'queue' picks the workqueue of a workqueue-context handler; this one runs in thread context"),
    ]),
    scenario("queue-context: an unknown 'queue' on an irq-context handler (both problems)", edit(BASE, 'context thread', 'context irq; queue wq'), (s) => [
      error('unknown-name', s.at('wq'), "unknown workqueue 'wq' (workqueues: iopf)"),
      error('queue-context', s.at('wq'), "'queue' picks the workqueue of a workqueue-context handler; this one runs in irq context"),
    ]),
    clean("'queue' without 'context' (the default is workqueue)", edit(BASE, '  context thread\n', '  queue iopf\n')),

    scenario('handler-duplicate: a second handler on one domain (related: the first handler)', edit(BASE, 'expect fetch0', 'handler other on gpu_dom { }\nexpect fetch0'), (s) => [
      error('handler-duplicate', s.at('gpu_dom', 'handler other on gpu_dom'), "domain 'gpu_dom' already has handler 'gpu_fault': iommu_set_fault_handler keeps one per domain", [
        { range: s.at('gpu_fault', 'handler gpu_fault'), message: "handler 'gpu_fault'" },
      ]),
    ]),

    scenario('no-response: a workqueue handler of a stall domain that never responds (at its name)', edit(STALL, '  terminate\n', ''), (s) => [
      warning('no-response', s.at('gpu_fault', 'handler gpu_fault'), `a path through handler 'gpu_fault' reaches its end ${NO_RESPONSE}`),
    ]),
    scenario("no-response: an 'if' without 'else' that responds only when taken (at the 'if')", edit(STALL, '  terminate\n', '  if write { retry }\n'), (s) => [
      warning('no-response', s.at('if write { retry }'), `a path through handler 'gpu_fault' reaches line ${s.line('if write')} ${NO_RESPONSE}`),
    ]),
    scenario("no-response: an 'else if' whose last branch is missing", edit(STALL, '  terminate\n', '  if write { retry } else if read { terminate }\n'), (s) => [
      warning('no-response', s.at('if read { terminate }'), `a path through handler 'gpu_fault' reaches line ${s.line('if write')} ${NO_RESPONSE}`),
    ]),
    scenario("no-response: statements after an 'if' end at the handler's end", edit(STALL, '  terminate\n', '  if write { retry }\n  log "after"\n'), (s) => [
      warning('no-response', s.at('gpu_fault', 'handler gpu_fault'), `a path through handler 'gpu_fault' reaches its end ${NO_RESPONSE}`),
    ]),
    clean('no-response: every branch responds', edit(STALL, '  terminate\n', '  if write { retry } else { terminate }\n')),
    clean('no-response: on Linux 7.1 a thread-context handler may return without a response (that terminates)', edit(STALL, 'kernel 6.12\n', '', 'context workqueue', 'context thread', '  terminate\n', '')),
    scenario('irq-stall-answer: on Linux 6.12 a thread-context handler cannot answer a stall (resume_translation before FSR is written back)', edit(STALL, 'context workqueue', 'context thread'), (s) => [
      warning(
        'irq-stall-answer',
        s.at('thread', 'context thread'),
        "on Linux 6.12 arm_smmu_context_fault never writes RESUME (it does from 6.16, 3053a2c5086d): this thread handler's answer goes through resume_translation before FSR is written back, and MMU-500 ignores it, so the stall stays and the master hangs. Answer from context workqueue",
      ),
    ]),
    scenario('workqueue-stall-answer: on Linux 7.1 a workqueue handler of a stall domain answers too late (at its context)', edit(STALL, 'kernel 6.12\n', ''), (s) => [
      warning('workqueue-stall-answer', s.at('workqueue', 'context workqueue'), LATE),
    ]),
    scenario('workqueue-stall-answer: on Linux 7.1 one warning, whatever its paths answer (no no-response)', edit(STALL, 'kernel 6.12\n', '', '  terminate\n', '  if write { retry }\n'), (s) => [
      warning('workqueue-stall-answer', s.at('workqueue', 'context workqueue'), LATE),
    ]),
    clean('workqueue-stall-answer: 7.1 says nothing about a workqueue handler of a terminate domain', edit(BASE, 'context thread', 'context workqueue')),
    scenario("hupcf-adreno: 'hupcf off' on qcom's Adreno SMMU is overridden", edit(BASE, 'version v2 }', 'version v2; impl qcom-adreno }', '  map 0x0100', '  hupcf off\n  map 0x0100'), (s) => [
      warning('hupcf-adreno', s.at('off', 'hupcf off'), "qcom's Adreno SMMU sets SCTLR.HUPCF on every context bank (qcom_adreno_smmu_write_sctlr, \"to keep the GPU from hanging\"): 'hupcf off' is overridden and later transactions translate while a fault is outstanding"),
    ]),
    scenario("adreno-context: on Linux 6.12 drm/msm's handler runs in its fault worker, whatever 'context' says", edit(`kernel 6.12\n${BASE}`, 'version v2 }', 'version v2; impl qcom-adreno }'), (s) => [
      warning(
        'adreno-context',
        s.at('thread', 'context thread'),
        "on Linux 6.12 qcom's Adreno SMMU takes its context fault in a hard IRQ (threaded only from 6.16) and drm/msm captures the crash state in its fault worker, where the handler runs: 'context thread' runs as 'context workqueue'",
      ),
    ]),
    scenario("adreno-context: on Linux 7.1 drm/msm's handler runs in the threaded IRQ", edit(BASE, 'version v2 }', 'version v2; impl qcom-adreno }', 'context thread', 'context workqueue'), (s) => [
      warning('adreno-context', s.at('workqueue', 'context workqueue'), "on Linux 7.1 qcom's Adreno SMMU takes its context fault in a threaded IRQ (1650620774fa, 6.16) and drm/msm's handler runs there: 'context workqueue' runs as 'context thread'"),
    ]),
    clean("adreno-context: 'context thread' on Linux 7.1 is where it runs", edit(BASE, 'version v2 }', 'version v2; impl qcom-adreno }')),
    scenario('stall-unanswered: on Linux 6.12 a stall domain without a handler is never answered (at its fault)', edit(STALL, 'handler gpu_fault on gpu_dom', 'handler gpu_fault on nowhere'), (s) => [
      warning(
        'stall-unanswered',
        s.at('stall', 'fault stall'),
        "on Linux 6.12 arm_smmu_context_fault never writes RESUME (it does from 6.16, 3053a2c5086d) and domain 'gpu_dom' has no handler to answer through resume_translation: a stalled transaction stays stalled and its master hangs",
      ),
      error('unknown-name', s.at('nowhere'), "unknown domain 'nowhere' (domains: gpu_dom)"),
    ]),
    clean('stall-unanswered: on Linux 7.1 the IRQ terminates the stall of a domain without a handler', edit(STALL, 'kernel 6.12\n', '', 'handler gpu_fault on gpu_dom {\n  context workqueue\n  log "fault at {iova}"\n  terminate\n}\n', '')),
    clean('no-response: a terminate domain has nothing stalled', edit(BASE, 'context thread', 'context workqueue', '  terminate\n', '')),

    scenario('unreachable: a statement after a response', edit(BASE, '  terminate\n', '  terminate\n  log "after"\n  dump\n'), (s) => [
      warning('unreachable', s.at('log "after"'), 'unreachable: the handler has already responded and returned'),
    ]),
    scenario("unreachable: inside an 'if' block", edit(BASE, '  terminate\n', '  if write { retry; dump }\n  terminate\n'), (s) => [
      warning('unreachable', s.at('dump'), 'unreachable: the handler has already responded and returned'),
    ]),

    scenario("response-kind: a PRI response ('success') on an SMMUv2", edit(BASE, '  terminate\n', '  success\n'), (s) => [
      error('response-kind', s.at('success'), "'success' answers a PRI page request group (CMD_PRI_RESP); there is no PRI on an SMMUv2"),
    ]),
    scenario("response-kind: 'invalid' and 'failure' on an SMMUv2", edit(BASE, '  terminate\n', '  if write { invalid } else { failure }\n'), (s) => [
      error('response-kind', s.at('invalid'), "'invalid' answers a PRI page request group (CMD_PRI_RESP); there is no PRI on an SMMUv2"),
      error('response-kind', s.at('failure'), "'failure' answers a PRI page request group (CMD_PRI_RESP); there is no PRI on an SMMUv2"),
    ]),
    clean('PRI responses on an SMMUv3', edit(V3, '  invalid\n', '  if write { success } else { failure }\n')),

    scenario("stall-off-no-stall: 'stall off' on a domain that does not stall", edit(BASE, 'log "fault at {iova}"', 'stall off for 100'), (s) => [
      warning('stall-off-no-stall', s.at('stall off for 100'), "the domain does not stall on faults: 'stall off' changes nothing"),
    ]),
    clean("'stall off' on a stall domain", edit(STALL, 'log "fault at {iova}"', 'stall off for 100')),
  ]);

  runCases([
    scenario("no-response: an 'if' with no response in either branch is reported once", edit(STALL, '  terminate\n', '  if write { log "w" } else { dump }\n'), (s) => [
      warning('no-response', s.at('if write { log "w" } else { dump }'), `a path through handler 'gpu_fault' reaches line ${s.line('if write')} ${NO_RESPONSE}`),
    ]),
    scenario("unreachable: a statement after an 'if'/'else' whose branches both respond", edit(BASE, '  terminate\n', '  if write { retry } else { terminate }\n  log "after"\n'), (s) => [
      warning('unreachable', s.at('log "after"'), 'unreachable: the handler has already responded and returned'),
    ]),
    scenario("stall-off-no-stall: not reported when the handler's domain is unknown", edit(BASE, 'on gpu_dom', 'on nodom', 'log "fault at {iova}"', 'stall off for 5'), (s) => [
      error('unknown-name', s.at('nodom'), "unknown domain 'nodom' (domains: gpu_dom)"),
    ]),
    scenario("syntax: a handler 'map' without 'size' is reported once (by the parser)", edit(BASE, 'log "fault at {iova}"', 'map 0x5000 -> 0x9000_0000 rw'), (s) => [
      error('syntax', s.at('rw', '0x9000_0000 rw'), "expected 'size' after the physical address"),
    ]),
  ]);
});

// ---------------------------------------------------------------------------------------
// Expects: expect-label, expect-status, expect-counter, expect-operator, bad-value

describe('expects', () => {
  runCases([
    scenario('expect-label: a label no transaction carries (lists the labels)', edit(BASE, 'expect fetch0 completed', 'expect fetch1 completed'), (s) => [
      withFix(error('expect-label', s.at('fetch1'), "no transaction is labelled 'fetch1' (labels: fetch0); did you mean 'fetch0'?"), "Change to 'fetch0'", [s.at('fetch1'), 'fetch0']),
    ]),
    scenario('expect-label: the pa form', edit(BASE, 'expect fetch0 completed', 'expect fetch1 pa 0x8000_0000'), (s) => [
      withFix(error('expect-label', s.at('fetch1'), "no transaction is labelled 'fetch1' (labels: fetch0); did you mean 'fetch0'?"), "Change to 'fetch0'", [s.at('fetch1'), 'fetch0']),
    ]),
    scenario('expect-label: when no transaction has a label', edit(BASE, '64 as fetch0', '64'), (s) => [
      error('expect-label', s.at('fetch0'), "no transaction is labelled 'fetch0'; label one with 'as NAME'"),
    ]),
    scenario('expect-status: an unknown status', edit(BASE, 'expect fetch0 completed', 'expect fetch0 complete'), (s) => [
      withFix(error('expect-status', s.at('complete'), "unknown status 'complete'; expected completed, aborted, raz, stalled or pending; did you mean 'completed'?"), "Change to 'completed'", [s.at('complete'), 'completed']),
    ]),
    scenario('expect-label and expect-status together', edit(BASE, 'expect fetch0 completed', 'expect fetch1 complete'), (s) => [
      withFix(error('expect-label', s.at('fetch1'), "no transaction is labelled 'fetch1' (labels: fetch0); did you mean 'fetch0'?"), "Change to 'fetch0'", [s.at('fetch1'), 'fetch0']),
      withFix(error('expect-status', s.at('complete'), "unknown status 'complete'; expected completed, aborted, raz, stalled or pending; did you mean 'completed'?"), "Change to 'completed'", [s.at('complete'), 'completed']),
    ]),
    scenario('expect-counter: an unknown counter', edit(BASE, 'expect fetch0 completed', 'expect fault == 1'), (s) => [
      withFix(
        error(
          'expect-counter',
          s.at('fault', 'expect fault =='),
          "unknown counter 'fault'; expected transactions, faults, completed, aborted, raz, stalled, retried, dumps, events, dropped-events, page-requests, stale-accesses, forwarded or lost-vevents (or a label followed by a status); did you mean 'faults'?",
        ),
        "Change to 'faults'",
        [s.at('fault', 'expect fault =='), 'faults'],
      ),
    ]),
    scenario('bad-value: an expected count that divides by zero', edit(BASE, 'expect fetch0 completed', 'expect faults == 1/0'), (s) => [
      error('bad-value', s.at('/', '1/0'), 'division by zero'),
    ]),
    scenario('bad-value: an expected PA that is a comparison', edit(BASE, 'expect fetch0 completed', 'expect fetch0 pa 1 < 2'), (s) => [
      error('bad-value', s.at('1 < 2'), 'the expected PA must be a number'),
    ]),
    clean(
      'every status, every counter, every comparison, a label inside repeat',
      edit(
        BASE,
        'read 0x0100_0000 64 as fetch0',
        'repeat 2 { read 0x0100_0000 64 as fetch0 }',
        'expect fetch0 completed',
        [
          'expect fetch0 completed',
          'expect fetch0 aborted',
          'expect fetch0 raz',
          'expect fetch0 stalled',
          'expect fetch0 pending',
          'expect fetch0 pa 0x8000_0000',
          'expect transactions == 2',
          'expect faults != 1',
          'expect completed < 3',
          'expect aborted <= 3',
          'expect raz > 0',
          'expect stalled >= 0',
          'expect retried == 0',
          'expect dumps == 0',
          'expect events == 0',
          'expect dropped-events == 0',
          'expect page-requests == 0',
        ].join('\n'),
      ),
    ),
  ]);

  test('expect-operator: a counter compared with an operator that is not a comparison (checker on a hand-edited tree)', () => {
    // The parser only ever builds counter checks with ==, !=, <, <=, > or >= (parser.ts:300),
    // so no text reaches this diagnostic: the tree is edited after parsing.
    const text = edit(BASE, 'expect fetch0 completed', 'expect faults == 1');
    const s = new Source(text);
    const parsed = parseScenario(text);
    assert.deepEqual(parsed.diagnostics, []);
    const expect = parsed.file.declarations.find((d): d is ExpectDeclaration => d.kind === 'expect');
    assert.equal(expect?.check?.kind, 'counter');
    if (expect?.check?.kind !== 'counter') return;
    expect.check.operator = '+';
    assert.deepEqual(checkScenario(parsed.file, new LineIndex(text)).diagnostics, [
      error('expect-operator', s.at('=='), "'+' is not a comparison; expected ==, !=, <, <=, > or >="),
    ]);
  });

  runCases([
    scenario("expect-label: not added to a counter expect that did not parse ('expect faults + 1')", edit(BASE, 'expect fetch0 completed', 'expect faults + 1'), (s) => [
      error('syntax', s.at('+'), "expected a status (completed, aborted, raz, stalled, pending), 'pa' or a comparison after 'expect faults'"),
    ]),
  ]);
});

// ---------------------------------------------------------------------------------------
// SMMUv3 legality: STALL_MODEL against CD.S, PASIDs against SSIDSIZE

describe('SMMUv3 stall model and PASIDs', () => {
  runCases([
    // Linux has no per-domain stall choice on SMMUv3: CD.S is master->stall_enabled, so a
    // domain's `fault` is ignored (a warning), whatever the STALL_MODEL, and is never ILLEGAL.
    scenario('fault-per-master: a stall domain on an SMMUv3 whose STALL_MODEL is no-stall', edit(V3, 'version v3', 'version v3; stall-model no-stall', '  map 0x0100_0000', '  fault stall\n  map 0x0100_0000', 'domain gpu_dom }', 'domain gpu_dom; can-stall }'), (s) => [
      warning(
        'fault-per-master',
        s.at('stall', 'fault stall'),
        "on Linux 7.1 an SMMUv3 domain has no stall setting of its own: CD.S is each master's stall_enabled (its dma-can-stall, 'can-stall', under the STALL_MODEL of smmu 'apps'), so 'fault stall' is ignored",
      ),
    ]),
    scenario('fault-per-master: a terminating domain on an SMMUv3 whose STALL_MODEL is force-stall', edit(V3, 'version v3', 'version v3; stall-model force-stall', '  map 0x0100_0000', '  fault terminate\n  map 0x0100_0000'), (s) => [
      warning(
        'fault-per-master',
        s.at('terminate', 'fault terminate'),
        "on Linux 7.1 an SMMUv3 domain has no stall setting of its own: CD.S is each master's stall_enabled (its dma-can-stall, 'can-stall', under the STALL_MODEL of smmu 'apps'), so 'fault terminate' is ignored",
      ),
    ]),
    scenario('fault-per-master on Linux 6.6: the domain takes its first master\'s stall_enabled', edit(V3, 'smmu apps', 'kernel 6.6\nsmmu apps', '  map 0x0100_0000', '  fault stall\n  map 0x0100_0000'), (s) => [
      warning(
        'fault-per-master',
        s.at('stall', 'fault stall'),
        "on Linux 6.6 an SMMUv3 domain has no stall setting of its own: the domain takes stall_enabled from the first master attached to it, and a master that differs is refused (its dma-can-stall, 'can-stall', under the STALL_MODEL of smmu 'apps'), so 'fault stall' is ignored",
      ),
    ]),
    scenario('attach-fails on Linux 6.6: a master that cannot stall, after one that stalls, in one SMMUv3 domain', edit(V3_STALL, 'smmu apps', 'kernel 6.6\nsmmu apps', 'engine gpu.cp', 'master dsp { stream 0x7; domain gpu_dom }\nengine gpu.cp'), (s) => [
      warning(
        'attach-fails',
        s.at('gpu_dom', 'domain gpu_dom }'),
        "iommu_attach_device fails: on Linux 6.6 SMMUv3 domain 'gpu_dom' took stall_enabled from the first master attached to it ('gpu', which stalls) and master 'dsp' is not 'can-stall': arm_smmu_attach_dev fails -EINVAL. The master stays unattached and its transactions fault (a VFIO container would put it in a domain of its own).",
      ),
    ]),
    clean('no attach-fails on Linux 7.1: CD.S is per master, the two share the domain', edit(V3_STALL, 'engine gpu.cp', 'master dsp { stream 0x7; domain gpu_dom }\nengine gpu.cp')),
    scenario('iopf-multiple-streams: a stalling master with two StreamIDs and a handler (7.1: arm_smmu_enable_iopf)', edit(V3_STALL, 'master gpu {', 'master gpu { stream 0x9;'), (s) => [
      warning(
        'iopf-multiple-streams',
        s.at('gpu', 'master gpu'),
        "on Linux 7.1 arm_smmu_enable_iopf enables IOPF only for a master with exactly one StreamID, and master 'gpu' has 2: handler 'gpu_fault' never sees its stalls. The IOMMU core aborts each with CMD_RESUME to its first StreamID 0x9 (master->streams[0]), so a stall on any other stream is never resumed",
      ),
    ]),
    scenario('iopf-multiple-streams on Linux 6.12: arm_smmu_master_iopf_supported', edit(V3_STALL, 'smmu apps', 'kernel 6.12\nsmmu apps', 'master gpu {', 'master gpu { stream 0x9;'), (s) => [
      warning(
        'iopf-multiple-streams',
        s.at('gpu', 'master gpu'),
        "on Linux 6.12 arm_smmu_master_iopf_supported enables IOPF only for a master with exactly one StreamID, and master 'gpu' has 2: handler 'gpu_fault' never sees its stalls. The IOMMU core aborts each with CMD_RESUME to its first StreamID 0x9 (master->streams[0]), so a stall on any other stream is never resumed",
      ),
    ]),
    scenario('iopf-multiple-streams: a PRI master with two StreamIDs behind pri-handling iopf', edit(V3, 'master gpu { pri;', 'master gpu { pri; stream 0x9;'), (s) => [
      warning(
        'iopf-multiple-streams',
        s.at('gpu', 'master gpu'),
        "on Linux 7.1 arm_smmu_enable_iopf enables IOPF only for a master with exactly one StreamID, and master 'gpu' has 2: handler 'gpu_fault' never sees its page request groups. The IOMMU core answers each with CMD_PRI_RESP to its first StreamID 0x9 (master->streams[0])",
      ),
    ]),
    scenario('pri-denied: upstream arm-smmu-v3 never hands page requests to a handler', edit(V3, 'pri-handling iopf; ', ''), (s) => [
      warning(
        'pri-denied',
        s.at('gpu_dom', 'on gpu_dom'),
        "handler 'gpu_fault' never sees the page requests of master 'gpu': upstream arm-smmu-v3 (every release, Linux 7.1 too) logs \"unexpected PRI request received\" and denies each group (CMD_PRI_RESP PRI_RESP_DENY); 'pri-handling iopf' on smmu 'apps' runs the never-merged iopf path instead",
      ),
    ]),
    scenario('a PASID binding beyond ssid-bits', edit(V3, 'version v3', 'version v3; ssid-bits 2', 'domain gpu_dom }', 'domain gpu_dom; pasid 5 -> gpu_dom }'), (s) => [
      error('pasid-range', s.at('5', 'pasid 5'), "PASID 5 does not fit the 2 SubstreamID bits of smmu 'apps' (ssid-bits 2)"),
    ]),
    scenario('pasid-zero: PASID 0 is IOMMU_NO_PASID, CD 0 the master\'s own domain', edit(V3, 'engine gpu.cp', 'domain app { }\nengine gpu.cp', 'domain gpu_dom }', 'domain gpu_dom; pasid 0 -> app; pasid 1 -> app }'), (s) => [
      error(
        'pasid-zero',
        s.at('pasid 0 -> app'),
        "PASID 0 is Linux's IOMMU_NO_PASID, which no binding gets: SubstreamID 0 is the traffic of master 'gpu' without a PASID, which its STE (S1DSS=SSID0) translates with CD 0, the master's own domain; bind a PASID from 1",
      ),
    ]),
  ]);
});

// ---------------------------------------------------------------------------------------
// SMMUv3 fault delivery: handler-never-runs, response-mapping, stall-off-v3, pasid-unbound, oas-ips

/** A stall domain on an SMMUv3: a can-stall master (no PRI), a workqueue handler answering 'terminate'. */
const STALL_HINT = "(Linux's arm_smmu_page_response: SUCCESS → retry, INVALID and FAILURE → abort)";
const PRI_HINT = '(retry → Success, terminate → InvalidRequest, abort → ResponseFailure)';
const CONTEXT_V3 = (word: string) =>
  `'context ${word}' has no effect on an SMMUv3: the IOMMU core runs every fault handler from its iopf workqueue (iommu_report_device_fault queues the fault group), where it may sleep`;

function hint(code: string, range: Range, message: string): Diagnostic {
  return diagnostic('hint', code, range, message);
}

describe('SMMUv3 fault delivery and PASID traffic', () => {
  runCases([
    clean('V3_STALL: a stall domain on an SMMUv3 answered with stall responses', V3_STALL),
    scenario('handler-never-runs: a terminating domain on an SMMUv3 without a PRI master', edit(V3, 'master gpu { pri;', 'master gpu {'), (s) => [
      warning(
        'handler-never-runs',
        s.at('gpu_dom', 'on gpu_dom'),
        "handler 'gpu_fault' never runs: no master using domain 'gpu_dom' stalls (CD.S=0: Linux writes CD.S from each master's stall_enabled) on SMMUv3 'apps', whose event records arm_smmu_evtq_thread only prints, and no PRI master uses it to send page requests",
      ),
    ]),
    clean(
      'a terminating domain reached through the PASID binding of an attached PRI master',
      edit(V3, 'master gpu { pri;', 'master gpu {', 'engine gpu.cp', 'domain nic_dom { }\nmaster nic { pri; stream 0x1; domain nic_dom; pasid 3 -> gpu_dom }\nengine gpu.cp'),
    ),
    // A master a vfio container placed uses the domains it binds at its PASIDs, as one with its own `domain` line does.
    scenario(
      'a terminating domain reached through the PASID binding of a PRI master a vfio container placed',
      edit(V3, 'master gpu { pri;', 'master gpu {', 'engine gpu.cp', 'master nic { pri; stream 0x1; pasid 3 -> gpu_dom }\nvfio pt { masters nic }\nengine gpu.cp'),
      (s) => [information('vfio-placement', s.at('nic', 'masters nic'), 'attached to pt')],
    ),
    scenario(
      'a stall domain reached through the PASID binding of a can-stall master a vfio container placed',
      edit(V3, 'master gpu { pri;', 'master gpu {', 'domain gpu_dom }', 'can-stall }', 'engine gpu.cp', 'master nic { can-stall; stream 0x1; pasid 3 -> gpu_dom }\nvfio pt { masters nic }\nengine gpu.cp'),
      (s) => [
        information('vfio-placement', s.at('nic', 'masters nic'), 'attached to pt'),
        hint('response-mapping', s.at('invalid'), `on a stall of master 'nic', 'invalid' is sent as CMD_RESUME abort ${STALL_HINT}`),
      ],
    ),
    scenario('response-mapping: page responses on a stall domain', edit(V3_STALL, '  terminate\n', '  if write { success } else { failure }\n'), (s) => [
      hint('response-mapping', s.at('success'), `on a stall of master 'gpu', 'success' is sent as CMD_RESUME retry ${STALL_HINT}`),
      hint('response-mapping', s.at('failure'), `on a stall of master 'gpu', 'failure' is sent as CMD_RESUME abort ${STALL_HINT}`),
    ]),
    scenario('response-mapping: stall responses on a page request group', edit(V3, '  invalid\n', '  if write { retry } else { abort }\n'), (s) => [
      hint('response-mapping', s.at('retry'), `on a page request group of master 'gpu', 'retry' is sent as CMD_PRI_RESP Success ${PRI_HINT}`),
      hint('response-mapping', s.at('abort'), `on a page request group of master 'gpu', 'abort' is sent as CMD_PRI_RESP ResponseFailure ${PRI_HINT}`),
    ]),
    scenario("stall-off-v3: 'stall off' in a handler of a stall domain on an SMMUv3", edit(V3_STALL, 'log "fault at {iova}"', 'stall off for 100'), (s) => [
      warning('stall-off-v3', s.at('stall off for 100'), "'stall off' does nothing on SMMUv3: msm's stall cooldown clears SCTLR.CFCFG, a context-bank bit an SMMUv3 does not have (CD.S stays as Linux wrote it)"),
    ]),
    scenario("stall-off-v3: on a terminating domain too (and not also stall-off-no-stall)", edit(V3, 'log "fault at {iova}"', 'stall off for 5'), (s) => [
      warning('stall-off-v3', s.at('stall off for 5'), "'stall off' does nothing on SMMUv3: msm's stall cooldown clears SCTLR.CFCFG, a context-bank bit an SMMUv3 does not have (CD.S stays as Linux wrote it)"),
    ]),
    scenario('no-response on an SMMUv3: a thread-context handler runs from the workqueue too, and its silence leaves the stall', edit(V3_STALL, 'context workqueue', 'context thread', '  terminate\n', ''), (s) => [
      warning('no-response', s.at('gpu_fault'), "a path through handler 'gpu_fault' reaches its end without a response: the stalled transaction stays stalled and the master hangs"),
      warning('context-v3', s.at('thread'), CONTEXT_V3('thread')),
    ]),
    scenario("context-v3: 'context thread' with a 'queue' on an SMMUv3 handler: the queue is used, no queue-context error", edit(V3_STALL, 'context workqueue', 'context thread; queue iopf'), (s) => [
      warning('context-v3', s.at('thread'), CONTEXT_V3('thread')),
    ]),
    scenario("context-v3: 'context irq' on an SMMUv3 handler, whose map then needs no atomic-sleep error", edit(V3_STALL, 'context workqueue', 'context irq', '  terminate\n', '  map iova -> 0x8800_0000 size 4K rw\n  terminate\n'), (s) => [
      warning('context-v3', s.at('irq'), CONTEXT_V3('irq')),
    ]),
    scenario('no-response on an SMMUv3: a page request group left unanswered', edit(V3, '  invalid\n', ''), (s) => [
      warning('no-response', s.at('gpu_fault'), "a path through handler 'gpu_fault' reaches its end without a response: the page request group is never answered and the device waits for it"),
    ]),
    scenario('pasid-unbound: a PASID from a master that binds none', edit(V3, '64 as fetch0', '64 pasid 3 as fetch0'), (s) => [
      warning('pasid-unbound', s.at('pasid 3'), "pasid 3 will abort with C_BAD_SUBSTREAMID: master 'gpu' binds no PASID ('pasid N -> DOMAIN'), so its STE has S1CDMax=0 (substreams disabled)"),
    ]),
    scenario('pasid-unbound: a PASID the master does not bind', edit(V3, 'domain gpu_dom }', 'domain gpu_dom; pasid 5 -> gpu_dom }', '64 as fetch0', '64 pasid 6 as fetch0'), (s) => [
      warning('pasid-unbound', s.at('pasid 6'), "pasid 6 will abort with C_BAD_CD: master 'gpu' binds no PASID 6 ('pasid 6 -> DOMAIN' is missing), so CD 6 of its CD table is invalid (V=0)"),
    ]),
    scenario('pasid-unbound: pasid 0 (SSID0 is the traffic without a PASID)', edit(V3, 'domain gpu_dom }', 'domain gpu_dom; pasid 5 -> gpu_dom }', '64 as fetch0', '64 pasid 0 as fetch0'), (s) => [
      warning(
        'pasid-unbound',
        s.at('pasid 0'),
        "pasid 0 will abort with F_STREAM_DISABLED: Linux's STE has S1DSS=0b10 (SSID0), which keeps SubstreamID 0 for traffic without a PASID; leave 'pasid' out to use the domain of master 'gpu'",
      ),
    ]),
    scenario(
      'pasid-unbound: a PASID beyond ssid-bits',
      edit(V3, 'version v3', 'version v3; ssid-bits 2', 'domain gpu_dom }', 'domain gpu_dom; pasid 3 -> gpu_dom }', '64 as fetch0', '64 pasid 4 as fetch0'),
      (s) => [
        warning('pasid-unbound', s.at('pasid 4'), "pasid 4 will abort with C_BAD_SUBSTREAMID: it is beyond the CD table of master 'gpu' (S1CDMax=2, the ssid-bits of smmu 'apps')"),
      ],
    ),
    scenario('oas-ips: an output size CD.IPS cannot encode', edit(V3, '  map 0x0100_0000', '  oas 33\n  map 0x0100_0000'), (s) => [
      error('oas-ips', s.at('33'), 'oas 33 has no CD.IPS encoding: on an SMMUv3 the output address size is 32, 36, 40, 42, 44 or 48 bits'),
    ]),
    clean('an output size of 44 bits on an SMMUv3', edit(V3, '  map 0x0100_0000', '  oas 44\n  map 0x0100_0000')),
  ]);
});

// ---------------------------------------------------------------------------------------
// vfio containers: vfio-placement, vfio-unattached, vfio-master-domain, vfio-master-twice,
// vfio-domain-name, handler-on-vfio (test/emulator/vfio.test.ts has the rest of the story)

describe('vfio containers', () => {
  const NIC = 'master nic { stream 0x1 }\n';
  runCases([
    scenario('vfio-placement: where each listed master lands, on its name', edit(BASE, 'expect fetch0', `${NIC}vfio pt { masters nic }\nexpect fetch0`), (s) => [
      information('vfio-placement', s.at('nic', 'masters nic'), 'attached to pt'),
    ]),
    scenario('vfio-placement: a master without can-stall gets a new domain that does not stall', edit(BASE, 'expect fetch0', `${NIC}master nic0 { stream 0x2; can-stall }\nvfio pt { fault stall; masters nic0 nic }\nexpect fetch0`), (s) => [
      information('vfio-placement', s.at('nic0', 'masters nic0'), 'attached to pt'),
      information('vfio-placement', s.at('nic', ' nic }'), "new domain pt#2: domain 'pt' stalls on faults but master 'nic' is not 'can-stall'; pt#2 does not stall"),
    ]),
    scenario('vfio-placement: behind a force-stall SMMUv3 a master without can-stall joins the stalling container', edit(
      V3,
      'version v3',
      'version v3; stall-model force-stall',
      'master gpu { pri;',
      'master gpu {',
      'expect fetch0',
      `${NIC}vfio pt { masters nic }\nexpect fetch0`,
    ), (s) => [
      hint('response-mapping', s.at('invalid'), "on a stall of master 'gpu', 'invalid' is sent as CMD_RESUME abort (Linux's arm_smmu_page_response: SUCCESS → retry, INVALID and FAILURE → abort)"),
      information('vfio-placement', s.at('nic', 'masters nic'), 'attached to pt'),
    ]),
    scenario('vfio-placement: a master that cannot stall behind a no-stall SMMUv3 gets a copy that does not stall, and says why', edit(
      TWO_SMMUS,
      'smmu other { version v2 }',
      'smmu quiet { version v3; stall-model no-stall }',
      'expect fetch0',
      'master nic { smmu quiet; stream 0x1; can-stall }\nvfio pt { smmu apps; fault stall; masters nic }\nexpect fetch0',
    ), (s) => [
      information('vfio-placement', s.at('nic', 'masters nic'), "new domain pt#2 on smmu 'quiet': master 'nic' is behind smmu 'quiet' but domain 'pt' uses smmu 'apps'; pt#2 does not stall: master 'nic' cannot stall behind smmu 'quiet' (STALL_MODEL no-stall)"),
    ]),
    scenario('vfio-unattached: no context bank left for the container (SMMUv2)', edit(BASE, 'version v2', 'version v2; context-banks 1', 'expect fetch0', `${NIC}vfio pt { masters nic }\nexpect fetch0`), (s) => [
      warning('vfio-unattached', s.at('nic', 'masters nic'), "unattached: smmu 'apps' has 1 context bank and this would be domain number 2; a new domain would need a context bank too"),
    ]),
    scenario("vfio-master-domain: a listed master with its own 'domain' line", edit(BASE, 'expect fetch0', 'vfio pt { masters gpu }\nexpect fetch0'), (s) => [
      error('vfio-master-domain', s.at('gpu', 'masters gpu'), "master 'gpu' has its own 'domain' line: it is attached either there or by vfio 'pt', not both", [
        { range: s.at('domain gpu_dom', 'domain gpu_dom }'), message: "the 'domain' line of master 'gpu'" },
      ]),
    ]),
    scenario('vfio-master-twice: a master in two containers', edit(BASE, 'expect fetch0', `${NIC}vfio a { masters nic }\nvfio b { masters nic }\nexpect fetch0`), (s) => [
      information('vfio-placement', s.at('nic', 'vfio a { masters nic'), 'attached to a'),
      error('vfio-master-twice', s.at('nic', 'vfio b { masters nic'), `master 'nic' is already in vfio 'a' (line ${s.line('vfio a')}): a device can be in one container only`, [
        { range: s.at('nic', 'vfio a { masters nic'), message: "master 'nic' first listed here" },
      ]),
    ]),
    scenario('vfio-master-twice: a master listed twice in one container', edit(BASE, 'expect fetch0', `${NIC}vfio pt {\n  masters nic\n  masters nic\n}\nexpect fetch0`), (s) => [
      information('vfio-placement', s.at('nic', '{\n  masters nic'), 'attached to pt'),
      error('vfio-master-twice', s.at('nic', 'masters nic\n}'), `master 'nic' is listed twice in vfio 'pt' (first on line ${s.line('nic', '{\n  masters nic')})`, [
        { range: s.at('nic', '{\n  masters nic'), message: "master 'nic' first listed here" },
      ]),
    ]),
    scenario('vfio-domain-name: a container named as a declared domain', edit(BASE, 'expect fetch0', 'vfio gpu_dom { }\nexpect fetch0'), (s) => [
      error('vfio-domain-name', s.at('gpu_dom', 'vfio gpu_dom'), "vfio 'gpu_dom' makes a domain named 'gpu_dom', and domain 'gpu_dom' is declared on line 2: rename one", [
        { range: s.at('gpu_dom', 'domain gpu_dom {'), message: "domain 'gpu_dom'" },
      ]),
    ]),
    scenario('handler-on-vfio: a handler on a container', edit(BASE, 'expect fetch0', 'vfio pt { }\nhandler h on pt { terminate }\nexpect fetch0'), (s) => [
      error(
        'handler-on-vfio',
        s.at('pt', 'on pt'),
        "'pt' is a vfio container: userspace owns its devices, so no kernel handler can be on its domains and their faults take the default path (report_iommu_fault returns -ENOSYS)",
      ),
    ]),
  ]);
});

// ---------------------------------------------------------------------------------------
// Every code the checker can emit is covered above.

describe('coverage', () => {
  /** Codes asserted by the passing tests above, by hand: a new code in the checker must be added here with a test. */
  const covered = [
    'atomic-sleep',
    'attach-fails',
    'bad-permission',
    'bad-value',
    'context-banks-exhausted',
    'context-v3',
    'duplicate-declaration',
    'duplicate-device',
    'duplicate-name',
    'duplicate-setting',
    'engine-stream',
    'exec-on-write',
    'expect-counter',
    'expect-label',
    'expect-operator',
    'expect-status',
    'adreno-context',
    'handler-never-runs',
    'handler-duplicate',
    'hupcf-adreno',
    'handler-on-vfio',
    'i-outside-repeat',
    'irq-stall-answer',
    'map-alignment',
    'map-no-access',
    'map-overlap',
    'map-range',
    'missing-smmu',
    'no-response',
    'no-smmu',
    'no-stream',
    'oas-ips',
    'pasid-range',
    'pasid-unbound',
    'pasid-zero',
    'pgd-alignment',
    'pgd-duplicate',
    'pgd-overlap',
    'pgd-range',
    'queue-context',
    'response-mapping',
    'response-kind',
    'smr-conflict',
    'fault-per-master',
    'iopf-multiple-streams',
    'pagetable-impl', // test/emulator/language/ttbr1Checks.test.ts
    'pagetable-no-ttbr1', // test/emulator/language/ttbr1Checks.test.ts
    'pagetable-version', // test/emulator/language/ttbr1Checks.test.ts
    'pri-denied',
    'stall-off-no-stall',
    'stall-off-v3',
    'stall-unanswered',
    'stream-mask-engine',
    'stream-mask-v3',
    'stream-range',
    'submit-pagetable-domain', // test/emulator/language/ttbr1Checks.test.ts
    'sync-nothing-gathered', // test/server/tlbMaintenanceLanguage.test.ts
    'transaction-crosses-page',
    'transaction-size',
    'unknown-identifier',
    'unknown-kernel',
    'unknown-name',
    'unreachable',
    'value-on-read',
    'version-mismatch',
    'vfio-domain-name',
    'vfio-master-domain',
    'vfio-master-twice',
    'vfio-placement',
    'vfio-unattached',
    'workqueue-stall-answer',
    // test/emulator/language/stage2Checks.test.ts
    'duplicate-vmid',
    'stage1-pagetable',
    'stage1-setting',
    'stage2-setting',
    'vmid-range',
    // test/emulator/language/nestingChecks.test.ts
    'nested-pgd',
    'nested-smmu',
    'nested-target',
    'nesting-kernel',
    'not-nested',
    'predicted-stage2-fault',
    // test/emulator/language/vmChecks.test.ts
    'duplicate-vm-stage2',
    'fault-queue-kernel',
    'veventq-kernel',
    'vm-mismatch',
    'vm-not-nested',
    'vm-stage2',
  ];

  test('every code passed to sink.error/warning/information/report in the checker is covered', () => {
    const dir = repoPath('emulator', 'language', 'checker');
    const codes = new Set<string>();
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
      const source = readFileSync(`${dir}/${file}`, 'utf8');
      for (const match of source.matchAll(/\b(?:error|warning|information)\(\s*'([a-z0-9-]+)'/g)) codes.add(match[1] as string);
      for (const match of source.matchAll(/\breport\(\s*'[a-z]+',\s*'([a-z0-9-]+)'/g)) codes.add(match[1] as string);
      // The version rule (versionRule.ts) reports under its default code or one its caller names.
      for (const match of source.matchAll(/\bcode = '([a-z0-9-]+)'/g)) codes.add(match[1] as string);
      for (const match of source.matchAll(/\bcheckExistsOn\([^;]*?,\s*'([a-z0-9-]+)',?\s*\)/g)) codes.add(match[1] as string);
    }
    assert.deepEqual([...codes].sort(), [...covered].sort());
  });
});
