import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import fc from 'fast-check';
import { DocumentFormattingRequest, FormattingOptions } from 'vscode-languageserver-protocol/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { tokenize } from '../../emulator/language/lexer';
import { Analysis } from '../../server/analysis';
import { format } from '../../server/formatting';
import { repoPath } from '../helpers/repo';
import { OpenScenario, scenarioUri } from './helpers';

const twoSpaces: FormattingOptions = { tabSize: 2, insertSpaces: true };

/** The text after formatting, the edits applied as an editor does. */
function formatted(text: string, options: FormattingOptions = twoSpaces): string {
  const edits = format(new Analysis(scenarioUri, 1, text), options);
  return TextDocument.applyEdits(TextDocument.create(scenarioUri, 'iommu-scenario', 1, text), edits);
}

/**
 * What formatting must keep: every token (kind, text, and whether it starts its line) and
 * every comment (but for blanks at its end: a comment left open gets the final line break),
 * with runs of line breaks counted as one.
 */
function shape(text: string): string[] {
  const lexed = tokenize(text);
  const items: Array<{ at: number; item: string }> = [];
  for (const token of lexed.tokens) {
    if (token.kind === 'end') continue;
    const item = token.kind === 'newline' ? '⏎' : `${token.kind}${token.firstOnLine ? '^' : ''} ${token.text}`;
    items.push({ at: token.range.start, item });
  }
  for (const comment of lexed.comments) items.push({ at: comment.start, item: `comment ${text.slice(comment.start, comment.end).replace(/\s+$/, '')}` });
  items.sort((a, b) => a.at - b.at);
  const result: string[] = [];
  for (const { item } of items) {
    if (item === '⏎' && (result.length === 0 || result.at(-1) === '⏎')) continue;
    result.push(item);
  }
  if (result.at(-1) === '⏎') result.pop();
  return result;
}

function assertFormatsWell(text: string, options: FormattingOptions = twoSpaces): string {
  const once = formatted(text, options);
  assert.deepEqual(shape(once), shape(text), 'formatting changed the tokens');
  assert.equal(formatted(once, options), once, 'formatting is not idempotent');
  assert.deepEqual(format(new Analysis(scenarioUri, 1, once), options), [], 'formatted text still gets edits');
  return once;
}

const messy = [
  '   scenario "Messy"   ',
  '',
  '',
  'smmu apps {',
  'version v2',
  '      context-banks 4   // aligned   comment',
  '}',
  '',
  '',
  '',
  '',
  'domain d {',
  '        fault stall',
  '',
  '',
  '  map 0x0 -> (0x1000 +',
  '0x2000) size 4K rw',
  '      /* keep',
  '         this   ',
  '   as is */',
  '    }',
  'engine m.e {',
  'repeat 2 { read 0x0 + i *',
  '64 4 }',
  '   submit 1 {',
  'read 0x0 4',
  '  }',
  '}',
  'handler h on d {',
  'if write && (iova >',
  '0x1000) {',
  'retry',
  '} else {',
  ' log "x {iova}"',
  '}',
  '}',
  '',
  '',
  '',
  '  expect faults == 0   ',
].join('\n');

const messyFormatted = [
  'scenario "Messy"',
  '',
  '',
  'smmu apps {',
  '  version v2',
  '  context-banks 4   // aligned   comment',
  '}',
  '',
  '',
  'domain d {',
  '  fault stall',
  '',
  '  map 0x0 -> (0x1000 +',
  '    0x2000) size 4K rw',
  '  /* keep',
  '         this   ',
  '   as is */',
  '}',
  'engine m.e {',
  '  repeat 2 { read 0x0 + i *',
  '      64 4 }',
  '  submit 1 {',
  '    read 0x0 4',
  '  }',
  '}',
  'handler h on d {',
  '  if write && (iova >',
  '    0x1000) {',
  '    retry',
  '  } else {',
  '    log "x {iova}"',
  '  }',
  '}',
  '',
  '',
  'expect faults == 0',
  '',
].join('\n');

test('formatting over the connection: the messy scenario comes out exactly as expected', async () => {
  const scenario = await OpenScenario.open(messy);
  try {
    const edits = await scenario.connection.sendRequest(DocumentFormattingRequest.type, { textDocument: { uri: scenarioUri }, options: twoSpaces });
    assert.ok(edits);
    const result = TextDocument.applyEdits(TextDocument.create(scenarioUri, 'iommu-scenario', 1, messy), edits);
    assert.deepEqual(result, messyFormatted);
    // One edit per changed line or run of removed lines, nothing for lines that are fine.
    assert.ok(edits.length < messy.split('\n').length, `${edits.length} edits`);
    for (const edit of edits) assert.ok(edit.range.start.line === edit.range.end.line || edit.newText === '', JSON.stringify(edit));
  } finally {
    scenario.close();
  }
});

test('formatting directly: the messy scenario, then idempotent and token-preserving', () => {
  assert.deepEqual(formatted(messy), messyFormatted);
  assertFormatsWell(messy);
});

test('indentation unit: tabs when insertSpaces is false, tabSize spaces otherwise', () => {
  const text = 'engine m.e {\nsubmit 1 {\n      read 0x0 4\n}\n}\n';
  assert.deepEqual(formatted(text, { tabSize: 4, insertSpaces: false }), 'engine m.e {\n\tsubmit 1 {\n\t\tread 0x0 4\n\t}\n}\n');
  assert.deepEqual(formatted(text, { tabSize: 4, insertSpaces: true }), 'engine m.e {\n    submit 1 {\n        read 0x0 4\n    }\n}\n');
  assert.deepEqual(formatted('domain d {\n\t\tfault stall\n}\n', twoSpaces), 'domain d {\n  fault stall\n}\n');
});

test('blank lines: none at the start, one inside blocks, two at top level, none at the end, one final line break', () => {
  assert.deepEqual(formatted('\n\n  \nsmmu a {\n\n\n\n  version v2\n \n\n}\n\n\n\nexpect faults == 0\n\n\n'), 'smmu a {\n\n  version v2\n\n}\n\n\nexpect faults == 0\n');
  assert.deepEqual(formatted('expect faults == 0'), 'expect faults == 0\n');
  assert.deepEqual(formatted('expect faults == 0\n'), 'expect faults == 0\n');
  assert.deepEqual(formatted(''), '');
  assert.deepEqual(formatted(' \n\t\n\n'), '');
  assert.deepEqual(format(new Analysis(scenarioUri, 1, ''), twoSpaces), []);
});

test('line breaks keep their kind; the added final one is the first of the file', () => {
  assert.deepEqual(formatted('smmu a {\r\nversion v2   \r\n}'), 'smmu a {\r\n  version v2\r\n}\r\n');
  assert.deepEqual(formatted('smmu a {\r\nversion v2\n}\r\n\r\n\r\n'), 'smmu a {\r\n  version v2\n}\r\n');
  assert.deepEqual(formatted('\uFEFF  smmu a {\nversion v2\n}\n'), '\uFEFFsmmu a {\n  version v2\n}\n');
});

test('unclosed strings and block comments keep their blanks; lines inside comments stay as written', () => {
  assert.deepEqual(formatted('handler h on d {\n log "abc   \n   dump   \n}\n'), 'handler h on d {\n  log "abc   \n  dump\n}\n');
  const comment = 'domain d {\n      /* one   \n two\n\n\n\n           three */ fault stall\n}\n';
  assert.deepEqual(formatted(comment), 'domain d {\n  /* one   \n two\n\n\n\n           three */ fault stall\n}\n');
  // A comment left open to the end of the file: its lines stay, blank ones too.
  assertFormatsWell('smmu a {\n/* open\n\n\n   ');
  assert.deepEqual(formatted('smmu a {\n/* open\n\n\n   '), 'smmu a {\n  /* open\n\n\n   \n');
});

test('continuation lines: one extra level inside parentheses and after a binary operator, none for the closing )', () => {
  const text = 'handler h on d {\nif (write &&\n(iova > 0x1000 ||\niova < 0x10)\n) {\nretry\n}\nsleep 1 +\n2\n}\n';
  assert.deepEqual(formatted(text), 'handler h on d {\n  if (write &&\n    (iova > 0x1000 ||\n    iova < 0x10)\n  ) {\n    retry\n  }\n  sleep 1 +\n    2\n}\n');
});

test('syntax errors: depth from the tokens, never below zero; unclosed blocks indent what follows', () => {
  assert.deepEqual(formatted('  }\n}\nsmmu a {\n{\nversion v2\n  bogus ) ] }} x\nfoo'), '}\n}\nsmmu a {\n  {\n    version v2\n    bogus ) ] }} x\nfoo\n');
  assertFormatsWell('  }\n}\nsmmu a {\n{\nversion v2\n  bogus ) ] }} x\nfoo');
  // `}}` at the start of a line dedents twice; a { in a string is no block.
  assert.deepEqual(formatted('a {\nb {\nc\n}}\nlog "{ {"\nd\n'), 'a {\n  b {\n    c\n}}\nlog "{ {"\nd\n');
});

function examples(): Array<[string, string]> {
  const dir = repoPath('examples');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.iommu'))
    .map((f): [string, string] => [f, readFileSync(`${dir}/${f}`, 'utf8')]);
}

test('past the 100 levels of nesting the language accepts, indentation stops growing (a fuzzer finding: 1,741 levels at tabSize 59 made 305 MB of edits)', () => {
  const depth = 1_000;
  const text = `engine m.e {\n${'repeat 1 {\n'.repeat(depth)}read 0 4\n${'}\n'.repeat(depth)}}\n`;
  const lines = formatted(text, { tabSize: 4, insertSpaces: true }).split('\n');
  assert.equal(lines[1], '    repeat 1 {');
  assert.equal(lines[99], `${' '.repeat(4 * 99)}repeat 1 {`);
  assert.equal(lines[100], `${' '.repeat(4 * 100)}repeat 1 {`);
  assert.equal(lines[101], `${' '.repeat(4 * 100)}repeat 1 {`);
  assert.equal(lines[depth + 1], `${' '.repeat(4 * 100)}read 0 4`);
  assert.equal(lines.at(-2), '}');
  assert.equal(lines.at(-3), '    }');
});

test('a line of 120,000 blanks with something after them: only its trailing blanks go (the trim was quadratic: 14 s)', () => {
  const comment = `//${' '.repeat(120_000)}x`;
  assert.equal(formatted(`smmu s { version v2 }\n${comment}  \t \n`), `smmu s { version v2 }\n${comment}\n`);
});

test('every example is formatted already: no edits', () => {
  for (const [file, text] of examples()) assert.deepEqual(format(new Analysis(scenarioUri, 1, text), twoSpaces), [], file);
});

test('every example, flattened and re-indented with tabs: formats back to itself', () => {
  for (const [file, text] of examples()) {
    const flat = text
      .split('\n')
      .map((line, i) => (i % 3 === 0 ? `\t ${line.trim()}  ` : line.trim()))
      .join('\n');
    assert.equal(assertFormatsWell(flat), text, file);
    // With tabs, then back to spaces.
    const tabbed = assertFormatsWell(text, { tabSize: 8, insertSpaces: false });
    assert.equal(formatted(tabbed), text, file);
  }
});

/** Pieces that make up random edits: blanks, line breaks, braces, parentheses, comment and string delimiters, words. */
const pieces = [' ', '  ', '\t', '\n', '\n\n\n', '\r\n', '{', '}', '(', ')', '[', ']', '/*', '*/', '//', '"', '\\', ';', '+', '-', '*', 'x', 'map', '0x1', '#region', '\u00a0', 'é'];

const mutation = fc.record({
  at: fc.nat(),
  remove: fc.nat({ max: 6 }),
  insert: fc.string({ unit: fc.constantFrom(...pieces), maxLength: 5 }),
});

function mutate(text: string, mutations: ReadonlyArray<{ at: number; remove: number; insert: string }>): string {
  let result = text;
  for (const m of mutations) {
    const at = m.at % (result.length + 1);
    result = result.slice(0, at) + m.insert + result.slice(at + m.remove);
  }
  return result;
}

test('property: on random mutations of the examples, formatting keeps the tokens and is idempotent', () => {
  const sources = examples().map(([, text]) => text);
  fc.assert(
    fc.property(fc.constantFrom(...sources), fc.array(mutation, { minLength: 1, maxLength: 8 }), fc.boolean(), (source, mutations, tabs) => {
      assertFormatsWell(mutate(source, mutations), tabs ? { tabSize: 4, insertSpaces: false } : twoSpaces);
    }),
    { numRuns: 300 },
  );
});
