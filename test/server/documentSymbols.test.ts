import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import fc from 'fast-check';
import { DocumentSymbol, DocumentSymbolRequest, Range, SymbolKind } from 'vscode-languageserver-protocol/node';
import { Analysis } from '../../server/analysis';
import { documentSymbols } from '../../server/documentSymbols';
import { repoPath } from '../helpers/repo';
import { OpenScenario, scenarioUri } from './helpers';

/** LSP ranges of pieces of a text, found with indexOf. */
class Text {
  constructor(readonly text: string) {}

  /** Offset of `needle`, searching from the end of the first `after` (or from the start). */
  offset(needle: string, after = ''): number {
    const from = this.text.indexOf(after);
    assert.ok(from >= 0, `'${after}' is not in the text`);
    const at = this.text.indexOf(needle, from + after.length);
    assert.ok(at >= 0, `'${needle}' is not in the text after '${after}'`);
    return at;
  }

  position(offset: number): { line: number; character: number } {
    const before = this.text.slice(0, offset).split('\n');
    return { line: before.length - 1, character: (before.at(-1) ?? '').length };
  }

  /** `needle` (the first one at or after `after`). */
  range(needle: string, after = ''): Range {
    const start = this.offset(needle, after);
    return { start: this.position(start), end: this.position(start + needle.length) };
  }

  /** The first `length` characters of `needle`. */
  head(needle: string, length: number): Range {
    const start = this.offset(needle);
    return { start: this.position(start), end: this.position(start + length) };
  }

  /** From `from` (after `after`) to the end of the first `to` after it. */
  span(from: string, to: string, after = ''): Range {
    const start = this.offset(from, after);
    const end = this.text.indexOf(to, start + from.length);
    assert.ok(end >= 0, `'${to}' does not follow '${from}'`);
    return { start: this.position(start), end: this.position(end + to.length) };
  }
}

function symbol(name: string, kind: SymbolKind, detail: string, range: Range, selectionRange: Range, children: DocumentSymbol[] = []): DocumentSymbol {
  return { name, detail, kind, range, selectionRange, children };
}

const outline = `scenario "Outline test"
timing { walk-level 20; dump 100 }
smmu apps { version v2; context-banks 4 }
smmu big { version v3; stall-model no-stall }
domain gpu_dom {
  smmu apps
  fault stall
  hupcf on
  map 0x0100_0000 -> 0x8000_0000 size 1M rw
  map 0x4000_0000 -> 0x9000_0000 size 2M r pages 4K
}
domain v3_dom {
  smmu big
  record off
  map 0x0 -> 0x1000 size 4K rw
}
master gpu {
  smmu apps
  stream 0x0
  stream 0x400 mask 0x3ff
  domain gpu_dom
  can-stall
}
engine gpu.cp {
  submit 12 {
    read 0x0100_0000 64 as fetch0
    wait 30
    repeat 8 { read 0x0100_1000 + i*64 64 as loop }
  }
  write 0x0300_0000 4 as poke priv
}
workqueue faults { workers 2; order ordered }
handler gpu_fault on gpu_dom {
  context workqueue
  queue faults
  if write {
    map page -> 0x8800_0000 rw
    retry
  } else {
    terminate
  }
}
expect fetch0 completed
vfio pass {
  smmu apps
  masters gpu
  map 0x0 -> 0x8000_0000 size 16M rw
}
expect faults == 0
expect poke pa 0x8000_0000
`;

function expectedOutline(): DocumentSymbol[] {
  const t = new Text(outline);
  const map = (text: string, detail: string, after: string): DocumentSymbol => {
    const line = t.text.slice(t.offset(text, after)).split('\n')[0] ?? '';
    return symbol(text, SymbolKind.Field, detail, t.range(line, after), t.head(line, 3));
  };
  return [
    symbol('Outline test', SymbolKind.File, 'scenario', t.range('scenario "Outline test"'), t.range('"Outline test"')),
    symbol('timing', SymbolKind.Object, 'walk-level 20, dump 100', t.span('timing', '}'), t.range('timing')),
    symbol('apps', SymbolKind.Module, 'v2, 4 context banks', t.span('smmu apps', '}'), t.range('apps')),
    symbol('big', SymbolKind.Module, 'v3, stall-model no-stall', t.span('smmu big', '}'), t.range('big')),
    symbol('gpu_dom', SymbolKind.Namespace, 'fault stall, hupcf on, 2 maps', t.span('domain gpu_dom', '\n}'), t.range('gpu_dom'), [
      map('map 0x0100_0000 -> 0x8000_0000 size 1M', 'rw', 'domain gpu_dom'),
      map('map 0x4000_0000 -> 0x9000_0000 size 2M', 'r pages 4K', 'domain gpu_dom'),
    ]),
    symbol('v3_dom', SymbolKind.Namespace, 'fault terminate, record off, 1 map', t.span('domain v3_dom', '\n}'), t.range('v3_dom'), [
      map('map 0x0 -> 0x1000 size 4K', 'rw', 'domain v3_dom'),
    ]),
    symbol('gpu', SymbolKind.Class, 'stream 0x0, stream 0x400 mask 0x3ff, domain gpu_dom, can-stall', t.span('master gpu', '\n}'), t.head('gpu {', 3)),
    symbol('gpu.cp', SymbolKind.Method, 'stream 0x0, 10 transactions', t.span('engine gpu.cp', '\n}'), t.range('gpu.cp'), [
      symbol('submit 12', SymbolKind.Struct, '9 transactions', t.span('submit 12', '\n  }'), t.range('submit'), [
        symbol('fetch0', SymbolKind.Variable, 'read 0x0100_0000 64', t.range('read 0x0100_0000 64 as fetch0'), t.range('fetch0')),
        symbol('repeat 8', SymbolKind.Array, '8 transactions', t.span('repeat 8', '}'), t.range('repeat'), [
          symbol('loop', SymbolKind.Variable, 'read 0x0100_1000 + i*64 64', t.range('read 0x0100_1000 + i*64 64 as loop'), t.range('loop')),
        ]),
      ]),
      symbol('poke', SymbolKind.Variable, 'write 0x0300_0000 4 priv', t.range('write 0x0300_0000 4 as poke priv'), t.range('poke')),
    ]),
    symbol('faults', SymbolKind.Event, '2 workers, ordered', t.span('workqueue faults', '}'), t.range('faults')),
    symbol('gpu_fault', SymbolKind.Function, 'on gpu_dom, context workqueue, queue faults', t.span('handler gpu_fault', '\n}'), t.range('gpu_fault'), [
      symbol('if write', SymbolKind.Operator, '', t.span('if write', 'terminate\n  }'), t.range('if write'), [
        map('map page -> 0x8800_0000', 'rw', 'if write'),
        symbol('else', SymbolKind.Operator, '', t.span('else', 'terminate\n  }'), t.range('else')),
      ]),
    ]),
    symbol('expect', SymbolKind.Interface, '1 check', t.range('expect fetch0 completed'), t.range('expect'), [
      symbol('fetch0 completed', SymbolKind.Boolean, '', t.range('expect fetch0 completed'), t.head('fetch0 completed', 6)),
    ]),
    symbol('pass', SymbolKind.Package, 'masters gpu, fault terminate, hupcf off, 1 map', t.span('vfio pass', '\n}'), t.range('pass'), [
      map('map 0x0 -> 0x8000_0000 size 16M', 'rw', 'vfio pass'),
    ]),
    symbol('expect', SymbolKind.Interface, '2 checks', t.span('expect faults', 'pa 0x8000_0000'), t.head('expect faults', 6), [
      symbol('faults == 0', SymbolKind.Boolean, '', t.range('expect faults == 0'), t.head('faults ==', 6)),
      symbol('poke pa 0x8000_0000', SymbolKind.Boolean, '', t.range('expect poke pa 0x8000_0000'), t.head('poke pa', 4)),
    ]),
  ];
}

test('document symbols over the connection: every declaration, its details and children, exact ranges', async () => {
  const scenario = await OpenScenario.open(outline);
  try {
    const result = await scenario.connection.sendRequest(DocumentSymbolRequest.type, { textDocument: { uri: scenarioUri } });
    assert.deepEqual(result, expectedOutline());
  } finally {
    scenario.close();
  }
});

test('document symbols computed directly equal those over the connection', () => {
  assert.deepEqual(documentSymbols(new Analysis(scenarioUri, 1, outline)), expectedOutline());
});

test('the seed example: domain, engines with repeat children, a labelled transaction, grouped expects', () => {
  const text = readFileSync(repoPath('examples', 'a530-fault-no-stall.iommu'), 'utf8');
  const t = new Text(text);
  const symbols = documentSymbols(new Analysis(scenarioUri, 1, text));
  assert.deepEqual(
    symbols.map((s) => [s.name, s.kind, s.detail]),
    [
      ['Adreno 530: concurrent translations fail while a fault is outstanding', SymbolKind.File, 'scenario'],
      ['kgsl', SymbolKind.Module, 'v2, 8 context banks'],
      ['gpu_dom', SymbolKind.Namespace, 'fault terminate, hupcf off, report raz, 1 map'],
      ['gpu', SymbolKind.Class, 'stream 0x0, domain gpu_dom'],
      ['gpu.cp', SymbolKind.Method, 'stream 0x0, 2 transactions'],
      ['gpu.tp', SymbolKind.Method, 'stream 0x0, 4 transactions'],
      ['gpu_fault', SymbolKind.Function, 'on gpu_dom, context thread'],
      ['expect', SymbolKind.Interface, '2 checks'],
    ],
  );
  const tp = symbols[5];
  assert.deepEqual(tp?.children, [
    symbol('repeat 4', SymbolKind.Array, '4 transactions', t.span('repeat 4', '}'), t.head('repeat 4', 6), [
      symbol('tex', SymbolKind.Variable, 'read 0x0100_2000 + i*64 64', t.range('read 0x0100_2000 + i*64 64 as tex'), t.head('tex }', 3)),
    ]),
  ]);
  assert.deepEqual(
    symbols[7]?.children?.map((c) => [c.name, c.selectionRange]),
    [
      ['bad raz', t.head('bad raz', 3)],
      ['raz == 5', t.head('raz ==', 3)],
    ],
  );
});

test('partial trees: missing names select the keyword, nothing throws', () => {
  const text = 'domain {\n  fault stall\n}\nengine gpu. {\n  read 0x0 4 as x\n}\nhandler {\n  if { retry }\n}\nscenario\nexpect\nmaster m { stream }\n';
  const t = new Text(text);
  const symbols = documentSymbols(new Analysis(scenarioUri, 1, text));
  assert.deepEqual(
    symbols.map((s) => [s.name, s.kind, s.selectionRange]),
    [
      ['(no name)', SymbolKind.Namespace, t.range('domain')],
      ['(no name)', SymbolKind.Method, t.range('engine')],
      ['(no name)', SymbolKind.Function, t.range('handler')],
      ['scenario', SymbolKind.File, t.range('scenario')],
      ['expect', SymbolKind.Interface, t.range('expect')],
      ['m', SymbolKind.Class, t.head('m {', 1)],
    ],
  );
  assert.deepEqual(symbols[1]?.children?.map((c) => [c.name, c.detail]), [['x', 'read 0x0 4']]);
  assert.deepEqual(symbols[2]?.children?.map((c) => [c.name, c.selectionRange]), [['if', t.range('if')]]);
  assert.deepEqual(symbols[4]?.children?.map((c) => [c.name, c.selectionRange]), [['expect', t.range('expect')]]);
});

test('a repeat whose count is not a constant has an unknown number of transactions', () => {
  const text = 'smmu s { version v2 }\nmaster m { stream 0x1 }\nengine m.e {\n  stream 0x1\n  repeat i { read 0x0 4 }\n  read 0x0 4\n}\n';
  const [, , engine] = documentSymbols(new Analysis(scenarioUri, 1, text));
  assert.deepEqual([engine?.detail, engine?.children?.map((c) => [c.name, c.detail])], ['stream 0x1, ? transactions', [['repeat i', '? transactions']]]);
});

/** Every symbol of a tree, with its parent. */
function* walk(symbols: readonly DocumentSymbol[], parent?: DocumentSymbol): Generator<[DocumentSymbol, DocumentSymbol | undefined]> {
  for (const s of symbols) {
    yield [s, parent];
    yield* walk(s.children ?? [], s);
  }
}

function notAfter(a: Range['start'], b: Range['start']): boolean {
  return a.line < b.line || (a.line === b.line && a.character <= b.character);
}

function within(inner: Range, outer: Range): boolean {
  return notAfter(outer.start, inner.start) && notAfter(inner.end, outer.end);
}

test('every example: names are set, selections lie in their ranges, children in their parents, siblings in order', () => {
  const dir = repoPath('examples');
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.iommu'))) {
    const symbols = documentSymbols(new Analysis(scenarioUri, 1, readFileSync(`${dir}/${file}`, 'utf8')));
    assert.ok(symbols.length > 0, file);
    for (const [s, parent] of walk(symbols)) {
      assert.ok(s.name.length > 0, `${file}: empty name`);
      assert.ok(within(s.selectionRange, s.range), `${file}: ${s.name}: selection outside range`);
      if (parent) assert.ok(within(s.range, parent.range), `${file}: ${s.name} outside ${parent.name}`);
    }
    for (const siblings of [symbols, ...[...walk(symbols)].map(([s]) => s.children ?? [])]) {
      siblings.slice(1).forEach((b, i) => {
        const a = siblings[i] as DocumentSymbol;
        assert.ok(notAfter(a.range.end, b.range.start), `${file}: ${a.name} overlaps ${b.name}`);
      });
    }
  }
});

/** Random edits of the examples: blanks, line breaks, braces, comment and string delimiters, words, keywords. */
const pieces = [' ', '\n', '\r\n', '{', '}', '(', ')', '/*', '*/', '//', '"', ';', '.', '->', '+', 'x', 'i', 'map', 'if', 'else', 'as', 'on', 'domain', 'engine', '0x1', '{iova}', '#region'];

const mutation = fc.record({
  at: fc.nat(),
  remove: fc.nat({ max: 8 }),
  insert: fc.string({ unit: fc.constantFrom(...pieces), maxLength: 4 }),
});

function mutate(text: string, mutations: ReadonlyArray<{ at: number; remove: number; insert: string }>): string {
  let result = text;
  for (const m of mutations) {
    const at = m.at % (result.length + 1);
    result = result.slice(0, at) + m.insert + result.slice(at + m.remove);
  }
  return result;
}

test('property: on random mutations of the examples, the outline is well formed', () => {
  const dir = repoPath('examples');
  const sources = readdirSync(dir)
    .filter((f) => f.endsWith('.iommu'))
    .map((f) => readFileSync(`${dir}/${f}`, 'utf8'));
  fc.assert(
    fc.property(fc.constantFrom(...sources), fc.array(mutation, { minLength: 1, maxLength: 10 }), (source, mutations) => {
      const symbols = documentSymbols(new Analysis(scenarioUri, 1, mutate(source, mutations)));
      for (const [s, parent] of walk(symbols)) {
        assert.ok(s.name.length > 0);
        assert.ok(within(s.selectionRange, s.range), `${s.name}: selection outside range`);
        if (parent) assert.ok(within(s.range, parent.range), `${s.name} outside ${parent.name}`);
      }
    }),
    { numRuns: 200 },
  );
});
