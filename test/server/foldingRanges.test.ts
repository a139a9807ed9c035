import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import fc from 'fast-check';
import { FoldingRange, FoldingRangeKind, FoldingRangeRequest } from 'vscode-languageserver-protocol/node';
import { Analysis } from '../../server/analysis';
import { foldingRanges } from '../../server/foldingRanges';
import { repoPath } from '../helpers/repo';
import { OpenScenario, scenarioUri } from './helpers';

/** The 0-based line of the `occurrence`-th `needle`. */
function lineOf(text: string, needle: string, occurrence = 0): number {
  let at = -1;
  for (let i = 0; i <= occurrence; i++) {
    at = text.indexOf(needle, at + 1);
    assert.ok(at >= 0, `'${needle}' (#${occurrence}) is not in the text`);
  }
  return text.slice(0, at).split('\n').length - 1;
}

function fold(startLine: number, endLine: number, kind?: FoldingRangeKind): FoldingRange {
  return kind === undefined ? { startLine, endLine } : { startLine, endLine, kind };
}

function folds(text: string): FoldingRange[] {
  return foldingRanges(new Analysis(scenarioUri, 1, text));
}

const text = `// region setup
// A comment block
// of three
// lines
smmu a { version v2 }
/* a block
   comment */
domain d {
  map 0x0 -> 0x1000 size 4K rw   // trailing comments
  // do not join
}
// endregion
master m { stream 0x0; domain d }
engine m.e {
  submit 1 {
    repeat 2 {
      read 0x0 4
    }
    read 0x0 4 }
}
handler h on d {
  if write {
    retry
  } else {
    terminate
  }
}
#region tail
expect faults == 0
expect faults == 0
#endregion
`;

function expected(): FoldingRange[] {
  const l = (needle: string, occurrence = 0) => lineOf(text, needle, occurrence);
  return [
    fold(l('// region'), l('// endregion'), FoldingRangeKind.Region),
    fold(l('// A comment'), l('// lines'), FoldingRangeKind.Comment),
    fold(l('/* a block'), l('comment */'), FoldingRangeKind.Comment),
    fold(l('domain d {'), l('// do not join')),
    fold(l('engine m.e {'), l('read 0x0 4 }')),
    fold(l('submit 1 {'), l('read 0x0 4 }')),
    fold(l('repeat 2 {'), l('read 0x0 4')),
    fold(l('handler h'), l('  }\n}')),
    fold(l('if write'), l('retry')),
    fold(l('} else {'), l('terminate')),
    fold(l('#region'), l('#endregion'), FoldingRangeKind.Region),
  ];
}

test('folding over the connection: blocks, nested blocks, if/else, comments, regions', async () => {
  const scenario = await OpenScenario.open(text);
  try {
    const result = await scenario.connection.sendRequest(FoldingRangeRequest.type, { textDocument: { uri: scenarioUri } });
    assert.deepEqual(result, expected());
  } finally {
    scenario.close();
  }
});

test('folding computed directly equals the expected ranges', () => {
  assert.deepEqual(folds(text), expected());
});

test('CRLF line breaks: the same ranges', () => {
  assert.deepEqual(folds(text.replace(/\n/g, '\r\n')), expected());
});

test('a block ends on the line before its } when the } starts its line, else on the } line', () => {
  assert.deepEqual(folds('domain d {\n  fault stall\n}\n'), [fold(0, 1)]);
  assert.deepEqual(folds('domain d {\n  fault stall }\n'), [fold(0, 1)]);
  assert.deepEqual(folds('domain d {\n  fault stall\n  /* c */ }\n'), [fold(0, 2)]);
  // One line, or two with the } first on the second: nothing to fold.
  assert.deepEqual(folds('domain d { fault stall }\ndomain e {\n}\n'), []);
  // The { on its own line: the fold starts there.
  assert.deepEqual(folds('domain d\n{\n  fault stall\n}\n'), [fold(1, 2)]);
});

test('one range per start line: the largest', () => {
  const source = 'engine m.e {\n  repeat 2 { submit 1 {\n    read 0x0 4\n  } }\n}\n';
  assert.deepEqual(folds(source), [fold(0, 3), fold(1, 3)]);
});

test('comments: a lone // line folds nothing, trailing comments do not join runs, block comments fold', () => {
  const source = '// one\nsmmu a { version v2 }   // two\n// three\n\n// four\n// five\n/* six */\n/*\n seven\n*/\n';
  assert.deepEqual(folds(source), [fold(4, 5, FoldingRangeKind.Comment), fold(7, 9, FoldingRangeKind.Comment)]);
  // Code after the */ stays visible; so does a block that opens there.
  assert.deepEqual(folds('/* one\n two\n three */ domain d {\n  fault stall\n}\n'), [fold(0, 1, FoldingRangeKind.Comment), fold(2, 3)]);
});

test('regions: nested, #region and //#region, markers inside block comments ignored, unbalanced ones dropped', () => {
  const source = [
    '// region outer', // 0
    '//#region inner', // 1
    'smmu a { version v2 }', // 2
    '// #endregion', // 3
    '/*', // 4
    '// region not a marker', // 5
    '*/', // 6
    '// endregion', // 7
    '// endregion', // 8: nothing open
    '#region open forever', // 9
    'expect faults == 0', // 10
  ].join('\n');
  assert.deepEqual(folds(source), [
    fold(0, 7, FoldingRangeKind.Region),
    fold(1, 3, FoldingRangeKind.Region),
    fold(4, 6, FoldingRangeKind.Comment),
  ]);
});

test('syntax errors: braces that match still fold; a stray } and an unclosed { do not', () => {
  const source = '}\ndomain d {\n  bogus 1 2 3\n  map ->\n}\nmaster m {\n  stream 0x0\n';
  assert.deepEqual(folds(source), [fold(1, 3)]);
  // A { inside a string is no block; strings end at the end of their line.
  assert.deepEqual(folds('handler h on d {\n  log "{iova\n  dump\n}\n'), [fold(0, 2)]);
});

test('every example: ranges are in order, one per start line, inside the file, and every block with lines folds', () => {
  const dir = repoPath('examples');
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.iommu'))) {
    const source = readFileSync(`${dir}/${file}`, 'utf8');
    const ranges = folds(source);
    const lines = source.split('\n').length;
    const starts = ranges.map((r) => r.startLine);
    assert.deepEqual(starts, [...new Set(starts)].sort((a, b) => a - b), file);
    for (const r of ranges) assert.ok(r.startLine < r.endLine && r.endLine < lines, `${file}: ${JSON.stringify(r)}`);
    // Each declaration written over several lines folds from its first line.
    const analysis = new Analysis(scenarioUri, 1, source);
    for (const declaration of analysis.compiled.file.declarations) {
      const start = analysis.positionAt(declaration.range.start).line;
      const end = analysis.positionAt(declaration.range.end).line;
      if (end > start + 1) assert.ok(starts.includes(start), `${file}: the ${declaration.kind} on line ${start} does not fold`);
    }
    // The header comment block folds as one.
    assert.equal(ranges[0]?.kind, FoldingRangeKind.Comment, file);
    assert.equal(ranges[0]?.startLine, 0, file);
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

test('property: on random mutations of the examples, ranges are ordered, one per start line, inside the file', () => {
  const dir = repoPath('examples');
  const sources = readdirSync(dir)
    .filter((f) => f.endsWith('.iommu'))
    .map((f) => readFileSync(`${dir}/${f}`, 'utf8'));
  fc.assert(
    fc.property(fc.constantFrom(...sources), fc.array(mutation, { minLength: 1, maxLength: 10 }), (source, mutations) => {
      const text = mutate(source, mutations);
      const ranges = folds(text);
      const lines = text.split(/\r\n|\r|\n/).length;
      const starts = ranges.map((r) => r.startLine);
      assert.deepEqual(starts, [...new Set(starts)].sort((a, b) => a - b));
      for (const r of ranges) assert.ok(r.startLine < r.endLine && r.endLine < lines, JSON.stringify(r));
    }),
    { numRuns: 200 },
  );
});
