import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { test } from 'node:test';
import { CompletionItem, CompletionItemKind, CompletionRequest, InsertTextFormat } from 'vscode-languageserver-protocol/node';
import { counterDocs, counterNames, faultFields, faultKinds, mapPermissions, settingSpec } from '../../emulator/language/schema';
import { Analysis } from '../../server/analysis';
import { completion } from '../../server/completion';
import { repoPath } from '../helpers/repo';
import { OpenScenario, scenarioUri } from './helpers';

// `▮` marks the cursor in a test text; it is taken out before the text is analysed.
const cursor = '▮';

function complete(source: string): CompletionItem[] {
  const offset = source.indexOf(cursor);
  assert.ok(offset >= 0, 'the text has no cursor');
  const text = source.slice(0, offset) + source.slice(offset + cursor.length);
  const analysis = new Analysis(scenarioUri, 1, text);
  return completion(analysis, analysis.positionAt(offset));
}

function labels(source: string): string[] {
  return complete(source)
    .map((item) => item.label)
    .sort();
}

function item(source: string, label: string): CompletionItem {
  const found = complete(source).filter((i) => i.label === label);
  assert.equal(found.length, 1, `one '${label}' item`);
  return found[0];
}

function sorted(list: readonly string[]): string[] {
  return [...list].sort();
}

/** `base` with `find` replaced (it must be there). */
function edit(base: string, find: string, replacement: string): string {
  assert.ok(base.includes(find), `'${find}' is not in the text`);
  return base.replace(find, replacement);
}

const v2 = `scenario "completion"
smmu apps { version v2 }
domain gpu_dom {
  fault stall
  map 0x0100_0000 -> 0x8000_0000 size 1M rw
}
master gpu { stream 0x0; domain gpu_dom; can-stall }
master nic { stream 0x10 }
engine gpu.cp {
  start 5
  read 0x0100_0000 64 as fetch
  repeat 2 { read 0x0100_1000 + i*64 64 as tex }
}
workqueue slow { workers 1 }
handler gpu_fault on gpu_dom {
  context workqueue
  log "fault at {iova}"
  retry
}
expect fetch completed
`;

const v3 = `smmu big { version v3 }
domain sva_dom {
  fault stall
}
domain app_dom { report abort }
master dev { stream 0x100; domain sva_dom; can-stall }
engine dev.dma { read 0x1000 4 }
handler pri_fault on sva_dom {
  log "x"
}
`;

const declarationKeywords = ['scenario', 'kernel', 'timing', 'smmu', 'domain', 'master', 'engine', 'workqueue', 'handler', 'pagetable', 'vfio', 'vm', 'expect'];
const handlerStatementsV2 = ['log', 'dump', 'map', 'unmap', 'sync', 'tlbi', 'sleep', 'stall off for', 'if', 'retry', 'terminate', 'abort'];
const engineItems = ['read', 'write', 'wait', 'repeat', 'submit'];
const permissionWords = ['r', 'w', 'x', 'rw', 'rx', 'wx', 'rwx', 'noexec', 'priv', 'noaf', 'cached', 'noncached', 'device'];

/** What a handler expression offers in `v2`: fields, counters a field does not hide, kinds, declared names. */
function handlerExpression(...declared: string[]): string[] {
  return sorted([...Object.keys(faultFields), ...counterNames.filter((c) => !(c in faultFields)), ...faultKinds, ...declared]);
}
const v2Expression = handlerExpression('gpu', 'nic', 'gpu_dom', 'gpu.cp');

// ---------------------------------------------------------------------------------------
// Over a real connection

async function requestAt(scenario: OpenScenario, position: { line: number; character: number }): Promise<CompletionItem[]> {
  const result = await scenario.connection.sendRequest(CompletionRequest.type, { textDocument: { uri: scenarioUri }, position });
  return Array.isArray(result) ? result : (result?.items ?? []);
}

test('connection: the declaration keywords at the start of a top-level line, as snippets', async () => {
  const scenario = await OpenScenario.open(`${v2}\n`);
  try {
    const items = await requestAt(scenario, scenario.position('expect fetch completed\n', 'expect fetch completed\n'.length));
    // `scenario` is there already, and a file has one.
    assert.deepEqual(items.map((i) => i.label).sort(), sorted(declarationKeywords.filter((k) => k !== 'scenario')));
    const domain = items.find((i) => i.label === 'domain');
    assert.deepEqual(
      { kind: domain?.kind, detail: domain?.detail, insertText: domain?.insertText, format: domain?.insertTextFormat },
      { kind: CompletionItemKind.Keyword, detail: 'domain NAME { … }', insertText: 'domain ${1:name} {\n\t$0\n}', format: InsertTextFormat.Snippet },
    );
    assert.equal(items.find((i) => i.label === 'handler')?.insertText, 'handler ${1:name} on ${2|gpu_dom|} {\n\t$0\n}');
    assert.equal(items.find((i) => i.label === 'engine')?.insertText, 'engine ${1|gpu,nic|}.${2:name} {\n\t$0\n}');
  } finally {
    scenario.close();
  }
});

test('connection: the values of a setting after its key, with the schema text', async () => {
  const scenario = await OpenScenario.open(edit(v2, 'fault stall', 'fault '));
  try {
    const items = await requestAt(scenario, scenario.position('fault ', 'fault '.length));
    assert.deepEqual(items.map((i) => i.label).sort(), ['stall', 'terminate']);
    const stall = items.find((i) => i.label === 'stall');
    assert.equal(stall?.kind, CompletionItemKind.EnumMember);
    assert.match(stall?.detail ?? '', /^stall: it is held until software answers/);
    // The default is marked beside its value, never as a word of its own.
    assert.deepEqual(items.find((i) => i.label === 'terminate')?.labelDetails, { detail: ' (default)' });
    assert.equal(items.find((i) => i.label === 'stall')?.labelDetails, undefined);
    assert.ok(items.every((i) => i.label !== 'default' && i.labelDetails?.description === undefined));
  } finally {
    scenario.close();
  }
});

test('connection: the granule sizes after `granule`, 4K the default', async () => {
  const scenario = await OpenScenario.open(edit(v2, 'fault stall', 'granule '));
  try {
    const items = await requestAt(scenario, scenario.position('granule ', 'granule '.length));
    assert.deepEqual(items.map((i) => i.label), ['4K', '16K', '64K']);
    assert.deepEqual(items.map((i) => i.labelDetails?.detail), [' (default)', undefined, undefined]);
    assert.ok(items.every((i) => i.kind === CompletionItemKind.EnumMember));
  } finally {
    scenario.close();
  }
});

test('connection: a handler condition offers the fault fields, counters, kinds and declared names', async () => {
  const scenario = await OpenScenario.open(edit(v2, '  retry\n', '  if write && \n'));
  try {
    const items = await requestAt(scenario, scenario.position('if write && ', 'if write && '.length));
    assert.deepEqual(items.map((i) => i.label).sort(), v2Expression);
    const iova = items.find((i) => i.label === 'iova');
    assert.deepEqual({ kind: iova?.kind, detail: iova?.detail }, { kind: CompletionItemKind.Field, detail: faultFields.iova });
  } finally {
    scenario.close();
  }
});

// ---------------------------------------------------------------------------------------
// Top level

test('top level: every declaration keyword in an empty file, and at the start of a line being typed', () => {
  assert.deepEqual(labels(cursor), sorted(declarationKeywords));
  assert.deepEqual(labels(`${v3}dom${cursor}`), sorted(declarationKeywords));
  assert.deepEqual(labels(`${cursor}${v3}`), sorted(declarationKeywords));
  assert.deepEqual(labels(`timing { }\n${cursor}`), sorted(declarationKeywords.filter((k) => k !== 'timing')));
  const expect = item(cursor, 'expect');
  assert.equal(expect.insertText, 'expect ');
  assert.equal(expect.command?.command, 'editor.action.triggerSuggest');
});

test('top level: after a whole declaration on its line, and inside a declaration header, nothing', () => {
  assert.deepEqual(labels(`smmu s { version v2 } ${cursor}`), []);
  assert.deepEqual(labels(`domain ${cursor}`), []);
  assert.deepEqual(labels(`scenario ${cursor}`), []);
  assert.deepEqual(labels(`${v2}engine gpu.${cursor}`), []);
});

test('handler NAME on ▮: the domains no other handler handles; handler NAME ▮: on', () => {
  const unhandled = edit(v3, 'handler pri_fault on sva_dom', 'handler pri_fault on app_dom');
  assert.deepEqual(labels(`${unhandled}handler other on ${cursor}`), ['sva_dom']);
  assert.deepEqual(labels(`${v3}handler other on ${cursor}`), ['app_dom']);
  // The handler being typed does not count.
  assert.deepEqual(labels(edit(v3, 'handler pri_fault on sva_dom', `handler pri_fault on sv${cursor}`)), ['app_dom', 'sva_dom']);
  assert.equal(item(`${v3}handler other on ${cursor}`, 'app_dom').kind, CompletionItemKind.Struct);
  assert.deepEqual(labels(`${v3}handler other ${cursor}`), ['on']);
  assert.deepEqual(labels(`${v3}handler ${cursor}`), []);
});

test('engine ▮: the masters, each followed by a dot', () => {
  assert.deepEqual(labels(`${v2}engine ${cursor}`), ['gpu', 'nic']);
  const gpu = item(`${v2}engine ${cursor}`, 'gpu');
  assert.deepEqual({ kind: gpu.kind, insertText: gpu.insertText }, { kind: CompletionItemKind.Class, insertText: 'gpu.' });
});

// ---------------------------------------------------------------------------------------
// Statements of each block

test('smmu block: the settings of its version only', () => {
  assert.deepEqual(labels(`smmu s {\n  version v3\n  ${cursor}\n}`), ['base', 'device', 'eventq', 'pri-handling', 'priq', 'ssid-bits', 'stall-model']);
  assert.deepEqual(labels(`smmu s {\n  version v2\n  ${cursor}\n}`), ['base', 'context-banks', 'device', 'impl', 'unmatched']);
  // Without `version` an SMMU is a v2, as the checker reads it.
  assert.deepEqual(labels(`smmu s {\n  ${cursor}\n}`), ['base', 'context-banks', 'device', 'impl', 'unmatched', 'version']);
  const banks = item(`smmu s {\n  ${cursor}\n}`, 'context-banks');
  assert.deepEqual(
    { kind: banks.kind, detail: banks.detail, insertText: banks.insertText },
    { kind: CompletionItemKind.Property, detail: settingSpec('smmu', 'context-banks')?.summary, insertText: 'context-banks ${1:8}' },
  );
});

test('domain block: settings of its SMMU version not given yet, and map', () => {
  assert.deepEqual(labels(edit(v2, '  fault stall\n', `  fault stall\n  ${cursor}\n`)), ['dma', 'flush-queue', 'flush-timeout', 'granule', 'hupcf', 'ias', 'map', 'oas', 'pgd', 'report', 's1cbndx', 'smmu', 'stage', 'ttbr1', 'vmid']);
  assert.deepEqual(labels(edit(v3, '  fault stall\n', `  fault stall\n  ${cursor}\n`)), ['cd', 'dma', 'flush-queue', 'flush-timeout', 'granule', 'ias', 'map', 'nested', 'oas', 'pgd', 'record', 'report', 'smmu', 'stage', 'tables', 'vm', 'vmid']);
  // The setting being typed is offered, even though the parser has read it.
  assert.deepEqual(labels(edit(v2, '  fault stall\n', `  fault${cursor}\n`)), ['dma', 'fault', 'flush-queue', 'flush-timeout', 'granule', 'hupcf', 'ias', 'map', 'oas', 'pgd', 'report', 's1cbndx', 'smmu', 'stage', 'ttbr1', 'vmid']);
  // Two SMMUs and no `smmu` line: the version is not known, every setting is offered.
  assert.deepEqual(labels(`smmu a { }\nsmmu b { version v3 }\ndomain d {\n  ${cursor}\n}`), ['cd', 'dma', 'fault', 'flush-queue', 'flush-timeout', 'granule', 'hupcf', 'ias', 'map', 'nested', 'oas', 'pgd', 'record', 'report', 's1cbndx', 'smmu', 'stage', 'tables', 'ttbr1', 'vm', 'vmid']);
  const fault = item(`smmu a { }\ndomain d {\n  ${cursor}\n}`, 'fault');
  assert.deepEqual(
    { kind: fault.kind, detail: fault.detail, insertText: fault.insertText, format: fault.insertTextFormat },
    { kind: CompletionItemKind.Property, detail: settingSpec('domain', 'fault')?.summary, insertText: 'fault ${1|terminate,stall|}', format: InsertTextFormat.Snippet },
  );
  const map = item(`smmu a { }\ndomain d {\n  ${cursor}\n}`, 'map');
  assert.deepEqual({ kind: map.kind, insertText: map.insertText }, { kind: CompletionItemKind.Keyword, insertText: 'map ${1:iova} -> ${2:pa} size ${3:size} ${4:rw}' });
});

test('domain block: pgd and s1cbndx have no default to insert; their documentation gives the range and the detail', () => {
  const text = `smmu a { }\ndomain d {\n  ${cursor}\n}`;
  const pgd = item(text, 'pgd');
  assert.deepEqual(
    { kind: pgd.kind, detail: pgd.detail, insertText: pgd.insertText, format: pgd.insertTextFormat },
    { kind: CompletionItemKind.Property, detail: settingSpec('domain', 'pgd')?.summary, insertText: 'pgd ${1}', format: InsertTextFormat.Snippet },
  );
  assert.deepEqual(pgd.documentation, { kind: 'markdown', value: ['`pgd N` — 0 to 281474976710655', settingSpec('domain', 'pgd')?.detail].join('\n\n') });
  const s1cbndx = item(text, 's1cbndx');
  assert.equal(s1cbndx.insertText, 's1cbndx ${1}');
  assert.deepEqual(s1cbndx.documentation, { kind: 'markdown', value: ['`s1cbndx N` — 0 to 255', settingSpec('domain', 's1cbndx')?.detail, 'SMMUv2 only.'].join('\n\n') });
});

test('master block: settings, stream, and pasid (SMMUv3 only)', () => {
  assert.deepEqual(labels(edit(v2, 'master nic { stream 0x10 }', `master nic {\n  ${cursor}\n}`)), ['can-stall', 'domain', 'smmu', 'stream']);
  assert.deepEqual(labels(edit(v3, 'master dev { stream 0x100; domain sva_dom; can-stall }', `master dev {\n  ${cursor}\n}`)), ['can-stall', 'domain', 'pasid', 'pri', 'smmu', 'stream']);
  assert.deepEqual(labels(edit(v3, 'can-stall }', `can-stall; ${cursor} }`)), ['pasid', 'pri', 'smmu', 'stream']);
  assert.equal(item(`master m {\n  ${cursor}\n}`, 'can-stall').insertText, undefined);
});

test('engine block: its settings, stream and items; repeat and submit bodies take the items', () => {
  assert.deepEqual(labels(edit(v2, '  start 5\n', `  start 5\n  ${cursor}\n`)), sorted(['interval', 'outstanding', 'stream', ...engineItems]));
  assert.deepEqual(labels(edit(v2, 'repeat 2 { read', `repeat 2 { ${cursor}\n read`)), sorted(engineItems));
  assert.deepEqual(labels(`master m { }\nengine m.e {\n  submit 3 {\n    ${cursor}\n  }\n}`), sorted(engineItems));
  assert.equal(item(`master m { }\nengine m.e {\n  ${cursor}\n}`, 'repeat').insertText, 'repeat ${1:count} {\n\t$0\n}');
});

test('timing, workqueue and vfio blocks', () => {
  assert.deepEqual(labels(`timing {\n  ${cursor}\n}`), ['dump', 'irq-latency', 'statement', 'tlb-entries', 'tlb-hit', 'walk-level', 'wq-latency']);
  assert.deepEqual(labels(`workqueue w { workers 2; ${cursor} }`), ['order']);
  assert.deepEqual(labels(`${v2}vfio pass {\n  ${cursor}\n}`), ['fault', 'hupcf', 'map', 'masters', 'report', 'smmu']);
});

test('handler block: its settings and statements; responses to PRI on an SMMUv3 only', () => {
  assert.deepEqual(labels(edit(v2, '  retry\n', `  ${cursor}\n`)), sorted(['queue', ...handlerStatementsV2]));
  assert.deepEqual(labels(edit(v3, '  log "x"\n', `  ${cursor}\n`)), sorted(['context', 'queue', ...handlerStatementsV2, 'success', 'invalid', 'failure']));
  // The domain is unknown: so is the SMMU version.
  assert.deepEqual(labels(`handler h on nowhere {\n  ${cursor}\n}`), sorted(['context', 'queue', ...handlerStatementsV2]));
  const stall = item(edit(v2, '  retry\n', `  ${cursor}\n`), 'stall off for');
  assert.deepEqual({ kind: stall.kind, insertText: stall.insertText }, { kind: CompletionItemKind.Keyword, insertText: 'stall off for ${1:cycles}' });
  assert.equal(item(edit(v2, '  retry\n', `  ${cursor}\n`), 'map').insertText, 'map page -> ${1:pa} ${2:rw}');
});

test('handler block in irq context: nothing that sleeps (sleep, dump, map), no queue', () => {
  const irq = edit(v2, 'context workqueue', 'context irq');
  const expected = sorted(handlerStatementsV2.filter((s) => s !== 'sleep' && s !== 'dump' && s !== 'map'));
  assert.deepEqual(labels(edit(irq, '  retry\n', `  ${cursor}\n`)), expected);
  assert.deepEqual(labels(edit(irq, '  retry\n', `  if write {\n    ${cursor}\n  }\n`)), expected);
});

test('if and else bodies take the handler statements, not its settings', () => {
  assert.deepEqual(labels(edit(v2, '  retry\n', `  if write {\n    ${cursor}\n  }\n`)), sorted(handlerStatementsV2));
  assert.deepEqual(labels(edit(v2, '  retry\n', `  if write {\n    retry\n  } else {\n    ${cursor}\n  }\n`)), sorted(handlerStatementsV2));
  assert.deepEqual(labels(edit(v2, '  retry\n', `  if write { retry } ${cursor}\n`)), ['else']);
  assert.deepEqual(labels(edit(v2, '  retry\n', `  if write {\n    retry\n  }\n  else ${cursor}\n`)), ['if']);
  assert.deepEqual(labels(edit(v2, 'repeat 2 { read 0x0100_1000 + i*64 64 as tex }', `repeat 2 { read 0 4 } ${cursor}`)), []);
});

// ---------------------------------------------------------------------------------------
// Values

test('setting values: enum words, names of the right kind, nothing for numbers and flags', () => {
  assert.deepEqual(labels(`smmu s {\n  version ${cursor}\n}`), ['v2', 'v3']);
  assert.deepEqual(labels(edit(v2, 'context workqueue', `context ${cursor}`)), ['irq', 'thread', 'workqueue']);
  assert.deepEqual(labels(`workqueue w { order ${cursor} }`), ['ordered', 'unbound']);
  assert.deepEqual(labels(`smmu a { }\nsmmu b { }\ndomain d {\n  smmu ${cursor}\n}`), ['a', 'b']);
  assert.deepEqual(labels(edit(v2, 'master nic { stream 0x10 }', `master nic { domain ${cursor} }`)), ['gpu_dom']);
  assert.deepEqual(labels(edit(v2, 'context workqueue', `queue ${cursor}`)), ['iopf', 'slow']);
  assert.deepEqual(labels(edit(v2, '  fault stall\n', `  ias ${cursor}\n`)), []);
  assert.deepEqual(labels(edit(v2, 'can-stall }', `can-stall ${cursor} }`)), []);
  assert.deepEqual(labels(edit(v2, '  fault stall\n', `  fault stall ${cursor}\n`)), []);
  const iopf = item(edit(v2, 'context workqueue', `queue ${cursor}`), 'iopf');
  assert.equal(iopf.kind, CompletionItemKind.Module);
  assert.match(iopf.detail ?? '', /built in/);
});

test('masters a ▮: the masters not listed yet', () => {
  const three = `smmu s { }\nmaster a { }\nmaster b { }\nmaster c { }\n`;
  assert.deepEqual(labels(`${three}vfio v {\n  masters a ${cursor}\n}`), ['b', 'c']);
  assert.deepEqual(labels(`${three}vfio v {\n  masters a\n  masters ${cursor}\n}`), ['b', 'c']);
  assert.deepEqual(labels(`${three}vfio v {\n  masters a b${cursor}\n}`), ['b', 'c']);
});

test('stream ID ▮: mask; pasid N -> ▮: the domains', () => {
  assert.deepEqual(labels(edit(v3, 'stream 0x100;', `stream 0x100 ${cursor};`)), ['mask']);
  assert.deepEqual(labels(edit(v3, 'can-stall }', `can-stall; pasid 5 -> ${cursor} }`)), ['app_dom', 'sva_dom']);
  assert.deepEqual(labels(edit(v3, 'can-stall }', `can-stall; pasid 5 ${cursor} }`)), []);
});

// ---------------------------------------------------------------------------------------
// Maps

test('after a map size: the permission words and pages; after pages: the leaf sizes', () => {
  const domainMap = (rest: string) => edit(v2, 'size 1M rw', `size 1M ${rest}`);
  assert.deepEqual(labels(domainMap(cursor)), sorted([...permissionWords, 'pages']));
  // Only words that add something: after rw, combinations that bring x; one memory type.
  assert.deepEqual(labels(domainMap(`rw device ${cursor}`)), sorted(['x', 'rx', 'wx', 'rwx', 'noexec', 'priv', 'noaf', 'pages']));
  assert.deepEqual(labels(domainMap(`rw noexec pages 4K ${cursor}`)), ['cached', 'device', 'noaf', 'noncached', 'priv']);
  assert.deepEqual(labels(domainMap(`rw pages ${cursor}`)), ['1G', '2M', '4K']);
  assert.deepEqual(labels(domainMap(`rw pages 2${cursor}`)), ['1G', '2M', '4K']);
  assert.deepEqual(item(domainMap(cursor), 'noaf').detail, mapPermissions.noaf);
  assert.deepEqual(item(domainMap(cursor), 'rw').detail, `${mapPermissions.r} + ${mapPermissions.w}`);
  assert.equal(item(domainMap(`rw pages ${cursor}`), '2M').kind, CompletionItemKind.Value);
  // Before the size: constants only, nothing to offer; then the word `size`.
  assert.deepEqual(labels(edit(v2, '-> 0x8000_0000 size 1M rw', `-> ${cursor}`)), []);
  assert.deepEqual(labels(edit(v2, '-> 0x8000_0000 size 1M rw', `-> 0x8000_0000 ${cursor}`)), ['size']);
  assert.deepEqual(labels(edit(v2, '-> 0x8000_0000 size 1M rw', `-> 0x8000_0000 size ${cursor}`)), []);
});

test('a map in a handler: addresses are handler expressions, map page takes permissions without pages', () => {
  const inHandler = (statement: string) => edit(v2, '  retry\n', `  ${statement}\n`);
  assert.deepEqual(labels(inHandler(`map ${cursor}`)), sorted([...v2Expression, 'page']));
  assert.deepEqual(labels(inHandler(`map page -> ${cursor}`)), v2Expression);
  assert.deepEqual(labels(inHandler(`map page -> 0x8800_0000 + iova ${cursor}`)), sorted(permissionWords));
  assert.deepEqual(labels(inHandler(`map iova -> 0x8800_0000 ${cursor}`)), ['size']);
  assert.deepEqual(labels(inHandler(`map iova -> 0x8800_0000 size 4K ${cursor}`)), sorted([...permissionWords, 'pages']));
});

// ---------------------------------------------------------------------------------------
// Transactions

test('after a transaction size: its options; value for writes, exec for reads, pasid on an SMMUv3', () => {
  const inEngine = (line: string) => edit(v2, '  read 0x0100_0000 64 as fetch\n', `  ${line}\n`);
  assert.deepEqual(labels(inEngine(`read 0x1000 64 ${cursor}`)), ['as', 'exec', 'priv']);
  assert.deepEqual(labels(inEngine(`write 0x1000 4 ${cursor}`)), ['as', 'priv', 'value']);
  assert.deepEqual(labels(inEngine(`write 0x1000 4 value 0xcafe as w ${cursor}`)), ['priv']);
  assert.deepEqual(labels(edit(v3, 'read 0x1000 4', `read 0x1000 4 ${cursor}`)), ['as', 'exec', 'pasid', 'priv']);
  assert.deepEqual(labels(edit(v3, 'read 0x1000 4', `read 0x1000 4 pasid 3 ${cursor}`)), ['as', 'exec', 'priv']);
  assert.equal(item(inEngine(`write 0x1000 4 ${cursor}`), 'value').insertText, 'value ${1:0x0}');
  // Where a number goes, nothing; inside a repeat the iteration index.
  assert.deepEqual(labels(inEngine(`read 0x1000 ${cursor}`)), []);
  assert.deepEqual(labels(inEngine(`write 0x1000 4 value ${cursor}`)), []);
  assert.deepEqual(labels(inEngine(`read 0x1000 4 as ${cursor}`)), []);
  assert.deepEqual(labels(edit(v2, '0x0100_1000 + i*64 64 as tex', `0x0100_1000 + ${cursor}`)), ['i']);
  assert.deepEqual(labels(edit(v2, '0x0100_1000 + i*64 64 as tex', `0x0100_1000 + i*64 64 ${cursor}`)), ['as', 'exec', 'priv']);
  assert.deepEqual(labels(`master m { }\nengine m.e { repeat 2 { submit 1 { wait ${cursor} } } }`), ['i']);
});

// ---------------------------------------------------------------------------------------
// expect

test('expect ▮: the labels and the counters; then statuses and pa, or comparisons', () => {
  assert.deepEqual(labels(`${v2}expect ${cursor}`), sorted(['fetch', 'tex', ...counterNames]));
  assert.deepEqual(labels(`${v2}expect fe${cursor}`), sorted(['fetch', 'tex', ...counterNames]));
  assert.deepEqual(labels(`${v2}expect fetch ${cursor}`), ['aborted', 'completed', 'pa', 'pending', 'raz', 'stalled']);
  assert.deepEqual(labels(`${v2}expect faults ${cursor}`), ['!=', '<', '<=', '==', '>', '>=']);
  assert.deepEqual(labels(`${v2}expect faults == ${cursor}`), []);
  assert.deepEqual(labels(`${v2}expect fetch completed ${cursor}`), []);
  const faults = item(`${v2}expect ${cursor}`, 'faults');
  assert.deepEqual({ kind: faults.kind, detail: faults.detail }, { kind: CompletionItemKind.Variable, detail: counterDocs.faults });
  assert.equal(item(`${v2}expect ${cursor}`, 'fetch').kind, CompletionItemKind.Reference);
  assert.equal(item(`${v2}expect fetch ${cursor}`, 'completed').kind, CompletionItemKind.EnumMember);
});

// ---------------------------------------------------------------------------------------
// Handler expressions and words

test('handler expressions: if, after an operator, a log hole; nothing after a whole operand', () => {
  const inHandler = (statement: string) => edit(v2, '  retry\n', `  ${statement}\n`);
  assert.deepEqual(labels(inHandler(`if ${cursor}`)), v2Expression);
  assert.deepEqual(labels(inHandler(`if (iova & 0xfff) == (${cursor}`)), v2Expression);
  assert.deepEqual(labels(inHandler(`if write &&\n    ${cursor}`)), v2Expression);
  assert.deepEqual(labels(inHandler(`sleep ${cursor}`)), v2Expression);
  assert.deepEqual(labels(inHandler(`tlbi va ${cursor}`)), v2Expression);
  assert.deepEqual(labels(inHandler(`unmap iova ${cursor}`)), ['size']);
  assert.deepEqual(labels(inHandler(`if write ${cursor}`)), []);
  assert.deepEqual(labels(edit(v2, '"fault at {iova}"', `"fault at {${cursor}`)), v2Expression);
  assert.deepEqual(labels(edit(v2, '"fault at {iova}"', `"fault at {io${cursor}va} now"`)), v2Expression);
  assert.deepEqual(labels(edit(v2, '"fault at {iova}"', `"fault {kind} at {iova + ${cursor}}"`)), v2Expression);
  // `stalled` is a field and a counter: in a handler it is the field.
  assert.equal(item(inHandler(`if ${cursor}`), 'stalled').detail, faultFields.stalled);
});

test('handler expressions: after kind ==, the kinds and their event names; after engine ==, master ==, gpu.', () => {
  const inHandler = (statement: string) => edit(v2, '  retry\n', `  ${statement}\n`);
  assert.deepEqual(labels(inHandler(`if kind == ${cursor}`)), sorted([...faultKinds, 'F_TRANSLATION', 'F_PERMISSION', 'F_ACCESS', 'F_ADDR_SIZE']));
  assert.deepEqual(labels(inHandler(`if write && kind != ${cursor}`)), sorted([...faultKinds, 'F_TRANSLATION', 'F_PERMISSION', 'F_ACCESS', 'F_ADDR_SIZE']));
  assert.deepEqual(labels(inHandler(`if engine == ${cursor}`)), ['gpu.cp']);
  assert.deepEqual(labels(inHandler(`if engine == gpu.${cursor}`)), ['cp']);
  assert.deepEqual(labels(inHandler(`if master != ${cursor}`)), ['gpu', 'nic']);
  assert.deepEqual(labels(inHandler(`if domain == ${cursor}`)), ['gpu_dom']);
  assert.equal(item(inHandler(`if engine == gpu.${cursor}`), 'cp').kind, CompletionItemKind.Method);
});

test('tlbi ▮, stall ▮, stall off ▮', () => {
  const inHandler = (statement: string) => edit(v2, '  retry\n', `  ${statement}\n`);
  assert.deepEqual(labels(inHandler(`tlbi ${cursor}`)), ['all', 'va']);
  assert.deepEqual(labels(inHandler(`stall ${cursor}`)), ['off for']);
  assert.deepEqual(labels(inHandler(`stall off ${cursor}`)), ['for']);
  assert.equal(item(inHandler(`stall ${cursor}`), 'off for').insertText, 'off for ');
});

// ---------------------------------------------------------------------------------------
// Where nothing is offered

test('inside a string outside a hole, a title, a comment: nothing', () => {
  assert.deepEqual(labels(edit(v2, '"fault at {iova}"', `"fault ${cursor}at {iova}"`)), []);
  assert.deepEqual(labels(edit(v2, '"fault at {iova}"', `"fault at {iova}${cursor}"`)), []);
  assert.deepEqual(labels(edit(v2, '"fault at {iova}"', `"fault \\{${cursor}"`)), []);
  assert.deepEqual(labels(edit(v2, 'scenario "completion"', `scenario "comp{${cursor}letion"`)), []);
  assert.deepEqual(labels(`// a comment ${cursor}\n`), []);
  assert.deepEqual(labels(edit(v2, '  retry\n', `  retry // then ${cursor}\n`)), []);
  assert.deepEqual(labels(`/* not closed ${cursor}`), []);
  assert.deepEqual(labels(`/* closed */${cursor}`), sorted(declarationKeywords));
  // Right after a typed `{` (a trigger character) outside a string: the block is only being opened.
  assert.deepEqual(labels(`domain d {${cursor}`), []);
});

// ---------------------------------------------------------------------------------------
// Text being typed

test('an unclosed block at the end of the file, and one that a later declaration ends', () => {
  assert.deepEqual(labels(`smmu s { version v2 }\ndomain d {\n  fault stall\n  ${cursor}`), ['dma', 'flush-queue', 'flush-timeout', 'granule', 'hupcf', 'ias', 'map', 'oas', 'pgd', 'report', 's1cbndx', 'smmu', 'stage', 'ttbr1', 'vmid']);
  assert.deepEqual(labels(`smmu s { version v2 }\ndomain d {\n  fault stall\n\nmaster m {\n  ${cursor}\n}\n`), ['can-stall', 'domain', 'smmu', 'stream']);
  assert.deepEqual(labels(`smmu s { version v2 }\ndomain d {\n  fault stall\nexpect ${cursor}`), sorted(counterNames));
  assert.deepEqual(labels(`${v2}handler h2 on gpu_dom {\n  if write {\n    ${cursor}`), sorted(handlerStatementsV2));
});

test('a { on the line after its header, and syntax errors elsewhere in the file', () => {
  assert.deepEqual(labels(`smmu s { version v2 }\ndomain d\n{\n  ${cursor}\n}`), ['dma', 'fault', 'flush-queue', 'flush-timeout', 'granule', 'hupcf', 'ias', 'map', 'oas', 'pgd', 'report', 's1cbndx', 'smmu', 'stage', 'ttbr1', 'vmid']);
  const broken = `${v2}domain broken { fault stall stall; map 0x1 -> }\n@@@ }\nmaster x { stream }\n`;
  assert.deepEqual(labels(`${broken}handler h2 on ${cursor}`), ['broken']);
  assert.deepEqual(labels(edit(broken, '  retry\n', `  if ${cursor}\n`)), handlerExpression('gpu', 'nic', 'x', 'gpu_dom', 'broken', 'gpu.cp'));
});

test('CRLF line ends', () => {
  assert.deepEqual(labels(`smmu s { version v3 }\r\ndomain d {\r\n  ${cursor}\r\n}\r\n`), ['cd', 'dma', 'fault', 'flush-queue', 'flush-timeout', 'granule', 'ias', 'map', 'nested', 'oas', 'pgd', 'record', 'report', 'smmu', 'stage', 'tables', 'vm', 'vmid']);
});

// ---------------------------------------------------------------------------------------
// Never throws

const brokenTexts = [
  '',
  '{',
  '}}}',
  '{{{{ domain {{ }',
  'domain',
  'domain d { map',
  'domain d { map 0x1 -> 0x2 size 4K rw pages',
  'handler h on { if ((( iova && { log "{{{ } " } else',
  'handler h on d {\n  log "unterminated {kind\n  if iova-',
  'engine .x { read ( 1 + ) 4 as',
  'expect == 3\nexpect x pa\nexpect',
  'master m { pasid -> ; stream mask; }',
  'vfio v { masters ; masters 1 2 }',
  '/* never closed\n domain d {',
  '"just a string',
  'smmu s { version v3 }\ndomain d {}\nhandler h on d { context irq; stall off for; tlbi va; unmap size; success }',
  '\u00e9\u0000\ud800 domain d { x\u00a0y }',
  'handler h on d {\n  if a &&\n',
  'engine m.e { repeat { submit { repeat 2 {',
];

test('50,000 open brackets before the cursor: the same items as after one (a fuzzer finding: the scan recursed per bracket)', () => {
  for (const open of ['(', 'f(', 'STE[', '(1, ']) {
    const deep = (n: number): string => edit(v2, '  log "fault at {iova}"', `  if ${open.repeat(n)}▮`);
    assert.deepEqual(labels(deep(50_000)), labels(deep(1)), open);
    assert.ok(labels(deep(1)).includes('iova'), open);
  }
});

test('completion at every offset of every example and of broken texts returns an array', () => {
  const examples = fs
    .readdirSync(repoPath('examples'))
    .filter((f) => f.endsWith('.iommu'))
    .map((f) => fs.readFileSync(repoPath('examples', f), 'utf8'));
  assert.ok(examples.length > 0);
  for (const text of [...examples, ...brokenTexts, v2, v3, v2.replace(/\n/g, '\r\n')]) {
    const analysis = new Analysis(scenarioUri, 1, text);
    for (let offset = 0; offset <= text.length; offset++) {
      const items = completion(analysis, analysis.positionAt(offset));
      assert.ok(Array.isArray(items), `an array at offset ${offset}`);
    }
  }
});

test('completion at the end of every prefix of the examples (a file being typed) returns an array', () => {
  for (const file of fs.readdirSync(repoPath('examples')).filter((f) => f.endsWith('.iommu'))) {
    const text = fs.readFileSync(repoPath('examples', file), 'utf8');
    for (let end = 0; end <= text.length; end++) {
      const prefix = text.slice(0, end);
      const analysis = new Analysis(scenarioUri, 1, prefix);
      assert.ok(Array.isArray(completion(analysis, analysis.positionAt(end))), `${file}: an array after ${end} characters`);
    }
  }
});
