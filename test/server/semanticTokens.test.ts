import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import fc from 'fast-check';
import { SemanticTokensRequest } from 'vscode-languageserver-protocol/node';
import { tokenize } from '../../emulator/language/lexer';
import { Analysis } from '../../server/analysis';
import { semanticTokens, semanticTokensLegend } from '../../server/semanticTokens';
import { initialize, inProcessServer } from '../helpers/lspClient';
import { repoPath } from '../helpers/repo';
import { OpenScenario, scenarioUri } from './helpers';

interface Decoded {
  line: number;
  character: number;
  length: number;
  type: string;
  modifiers: string[];
}

/** The LSP relative encoding back to absolute tokens, names from the legend. */
function decode(data: readonly number[]): Decoded[] {
  assert.equal(data.length % 5, 0);
  const tokens: Decoded[] = [];
  let line = 0;
  let character = 0;
  for (let i = 0; i < data.length; i += 5) {
    const [deltaLine, deltaCharacter, length, type, modifiers] = data.slice(i, i + 5) as [number, number, number, number, number];
    line += deltaLine;
    character = deltaLine === 0 ? character + deltaCharacter : deltaCharacter;
    const typeName = semanticTokensLegend.tokenTypes[type];
    assert.ok(typeName !== undefined, `token type ${type} is not in the legend`);
    assert.ok(modifiers >> semanticTokensLegend.tokenModifiers.length === 0, `modifiers ${modifiers} beyond the legend`);
    tokens.push({ line, character, length, type: typeName, modifiers: semanticTokensLegend.tokenModifiers.filter((_, bit) => (modifiers & (1 << bit)) !== 0) });
  }
  return tokens;
}

function linesOf(text: string): string[] {
  return text.split(/\r\n|\r|\n/);
}

/** `[text, type, modifiers]` of each token, checking that the tokens are in order, apart and within their lines. */
function triples(text: string, data: readonly number[]): Array<[string, string, string[]]> {
  const lines = linesOf(text);
  const tokens = decode(data);
  tokens.forEach((token, i) => {
    const line = lines[token.line];
    assert.ok(line !== undefined, `token ${i} on line ${token.line}, past the end`);
    assert.ok(token.length > 0 && token.character + token.length <= line.length, `token ${i} (${JSON.stringify(token)}) runs past its line`);
    const previous = tokens[i - 1];
    if (previous && previous.line === token.line) assert.ok(previous.character + previous.length <= token.character, `token ${i} overlaps the one before`);
  });
  return tokens.map((t) => [(lines[t.line] ?? '').slice(t.character, t.character + t.length), t.type, t.modifiers]);
}

function classify(text: string): Array<[string, string, string[]]> {
  return triples(text, semanticTokens(new Analysis(scenarioUri, 1, text)).data);
}

const scenario = `// demo
smmu s { version v2 }
domain gpu_dom { fault stall; map 0x1000 -> 0x2000 size 4K rw }
master domain { stream 0x1; domain gpu_dom; can-stall }
engine domain.cp {
  repeat 2 { read 0x1000 + i*4 4 as t }
}
handler h on gpu_dom {
  context workqueue
  queue iopf
  /* two
     lines */
  if kind == translation && engine == domain.cp && faults > 0 {
    log "at {iova + 1} of {domain}"
    retry
  }
  terminate
}
expect t completed
`;

const expected: Array<[string, string, string[]]> = [
  ['// demo', 'comment', []],
  ['smmu', 'keyword', []],
  ['s', 'namespace', ['declaration']],
  ['version', 'property', []],
  ['v2', 'enumMember', []],
  ['domain', 'keyword', []],
  ['gpu_dom', 'type', ['declaration']],
  ['fault', 'property', []],
  ['stall', 'enumMember', []],
  ['map', 'keyword', []],
  ['0x1000', 'number', []],
  ['->', 'operator', []],
  ['0x2000', 'number', []],
  ['size', 'keyword', []],
  ['4K', 'number', []],
  ['rw', 'enumMember', []],
  // A master called `domain`: named by its role, not its spelling.
  ['master', 'keyword', []],
  ['domain', 'class', ['declaration']],
  ['stream', 'keyword', []],
  ['0x1', 'number', []],
  ['domain', 'property', []],
  ['gpu_dom', 'type', []],
  ['can-stall', 'property', []],
  ['engine', 'keyword', []],
  ['domain', 'class', []],
  ['cp', 'method', ['declaration']],
  ['repeat', 'keyword', []],
  ['2', 'number', []],
  ['read', 'keyword', []],
  ['0x1000', 'number', []],
  ['+', 'operator', []],
  ['i', 'variable', ['readonly']],
  ['*', 'operator', []],
  ['4', 'number', []],
  ['4', 'number', []],
  ['as', 'keyword', []],
  ['t', 'variable', ['declaration']],
  ['handler', 'keyword', []],
  ['h', 'function', ['declaration']],
  ['on', 'keyword', []],
  ['gpu_dom', 'type', []],
  ['context', 'property', []],
  ['workqueue', 'enumMember', []],
  ['queue', 'property', []],
  ['iopf', 'event', ['defaultLibrary']],
  ['/* two', 'comment', []],
  ['     lines */', 'comment', []],
  ['if', 'keyword', []],
  ['kind', 'property', ['readonly']],
  ['==', 'operator', []],
  ['translation', 'enumMember', []],
  ['&&', 'operator', []],
  // `engine` in an expression is the fault's field; `domain.cp` the engine.
  ['engine', 'property', ['readonly']],
  ['==', 'operator', []],
  ['domain', 'class', []],
  ['cp', 'method', []],
  ['&&', 'operator', []],
  ['faults', 'variable', ['readonly']],
  ['>', 'operator', []],
  ['0', 'number', []],
  ['log', 'keyword', []],
  ['"at {', 'string', []],
  ['iova', 'property', ['readonly']],
  ['+', 'operator', []],
  ['1', 'number', []],
  ['} of {', 'string', []],
  ['domain', 'property', ['readonly']],
  ['}"', 'string', []],
  ['retry', 'keyword', []],
  ['terminate', 'keyword', []],
  ['expect', 'keyword', []],
  ['t', 'variable', []],
  ['completed', 'enumMember', []],
];

test('the server announces the legend in its capabilities', async () => {
  const peer = inProcessServer();
  try {
    const result = await initialize(peer);
    const provider = result.capabilities.semanticTokensProvider;
    assert.ok(provider && 'legend' in provider);
    assert.deepEqual(provider.legend, semanticTokensLegend);
    assert.equal(provider.full, true);
  } finally {
    peer.dispose();
  }
});

test('semantic tokens over the connection: every token classified by its role, in order', async () => {
  const open = await OpenScenario.open(scenario);
  try {
    const result = await open.connection.sendRequest(SemanticTokensRequest.type, { textDocument: { uri: scenarioUri } });
    assert.ok(result);
    assert.deepEqual(triples(scenario, result.data), expected);
    assert.deepEqual(result.data, semanticTokens(new Analysis(scenarioUri, 1, scenario)).data);
  } finally {
    open.close();
  }
});

test('semantic tokens directly: the same classification', () => {
  assert.deepEqual(classify(scenario), expected);
});

test('CRLF line breaks: the same tokens', () => {
  assert.deepEqual(classify(scenario.replace(/\n/g, '\r\n')), expected);
});

test('keywords are not reserved: names spelled like keywords are coloured as names', () => {
  const text = 'smmu map { version v2 }\ndomain expect { smmu map; map 0x0 -> 0x1000 size 4K rw }\nexpect expect == 1\n';
  assert.deepEqual(classify(text), [
    ['smmu', 'keyword', []],
    ['map', 'namespace', ['declaration']],
    ['version', 'property', []],
    ['v2', 'enumMember', []],
    ['domain', 'keyword', []],
    ['expect', 'type', ['declaration']],
    ['smmu', 'property', []],
    ['map', 'namespace', []],
    ['map', 'keyword', []],
    ['0x0', 'number', []],
    ['->', 'operator', []],
    ['0x1000', 'number', []],
    ['size', 'keyword', []],
    ['4K', 'number', []],
    ['rw', 'enumMember', []],
    ['expect', 'keyword', []],
    // A counter that is not one: still in the counter's place.
    ['expect', 'variable', ['readonly']],
    ['==', 'operator', []],
    ['1', 'number', []],
  ]);
});

test('vfio, workqueues, streams with masks, pasids, transaction options, tlbi, stall off, else, expect pa', () => {
  const text = [
    'smmu v { version v3 }',
    'domain d { map 0x0 -> 0x1000 size 4K rw pages 4K }',
    'domain app { fault stall }',
    'master m { stream 0x10 mask 0x3; pasid 5 -> app; pri }',
    'engine m.e { write 0x0 4 pasid 5 value 0xff priv as w }',
    'workqueue q { workers 2; order ordered }',
    'vfio c { masters m; fault stall }',
    'handler h on app {',
    '  queue q',
    '  if ssid != 0 { tlbi va iova } else { tlbi all; stall off for 10; invalid }',
    '}',
    'expect w pa 0x1000',
  ].join('\n');
  assert.deepEqual(
    classify(text).filter(([, type]) => type !== 'number' && type !== 'operator'),
    [
      ['smmu', 'keyword', []],
      ['v', 'namespace', ['declaration']],
      ['version', 'property', []],
      ['v3', 'enumMember', []],
      ['domain', 'keyword', []],
      ['d', 'type', ['declaration']],
      ['map', 'keyword', []],
      ['size', 'keyword', []],
      ['rw', 'enumMember', []],
      ['pages', 'keyword', []],
      ['domain', 'keyword', []],
      ['app', 'type', ['declaration']],
      ['fault', 'property', []],
      ['stall', 'enumMember', []],
      ['master', 'keyword', []],
      ['m', 'class', ['declaration']],
      ['stream', 'keyword', []],
      ['mask', 'keyword', []],
      ['pasid', 'keyword', []],
      ['app', 'type', []],
      ['pri', 'property', []],
      ['engine', 'keyword', []],
      ['m', 'class', []],
      ['e', 'method', ['declaration']],
      ['write', 'keyword', []],
      ['pasid', 'keyword', []],
      ['value', 'keyword', []],
      ['priv', 'keyword', []],
      ['as', 'keyword', []],
      ['w', 'variable', ['declaration']],
      ['workqueue', 'keyword', []],
      ['q', 'event', ['declaration']],
      ['workers', 'property', []],
      ['order', 'property', []],
      ['ordered', 'enumMember', []],
      ['vfio', 'keyword', []],
      ['c', 'struct', ['declaration']],
      ['masters', 'keyword', []],
      ['m', 'class', []],
      ['fault', 'property', []],
      ['stall', 'enumMember', []],
      ['handler', 'keyword', []],
      ['h', 'function', ['declaration']],
      ['on', 'keyword', []],
      ['app', 'type', []],
      ['queue', 'property', []],
      ['q', 'event', []],
      ['if', 'keyword', []],
      ['ssid', 'property', ['readonly']],
      ['tlbi', 'keyword', []],
      ['va', 'keyword', []],
      ['iova', 'property', ['readonly']],
      ['else', 'keyword', []],
      ['tlbi', 'keyword', []],
      ['all', 'keyword', []],
      ['stall', 'keyword', []],
      ['off', 'keyword', []],
      ['for', 'keyword', []],
      ['invalid', 'keyword', []],
      ['expect', 'keyword', []],
      ['w', 'variable', []],
      ['pa', 'keyword', []],
    ],
  );
});

test('files with errors: what the parser kept is classified, skipped words are not made keywords, nothing overlaps', () => {
  const text = 'domain {\n  bogus 1\n  map 0x0 ->\n}\nengine gpu. {\n read i 4 as\n}\nhandler h on { log "{iova" }\nexpect t\n"stray" 0x1 /* open\n';
  assert.deepEqual(classify(text), [
    ['domain', 'keyword', []],
    ['1', 'number', []],
    ['map', 'keyword', []],
    ['0x0', 'number', []],
    ['->', 'operator', []],
    ['engine', 'keyword', []],
    ['read', 'keyword', []],
    ['i', 'variable', ['readonly']],
    ['4', 'number', []],
    ['as', 'keyword', []],
    ['handler', 'keyword', []],
    ['h', 'function', ['declaration']],
    ['on', 'keyword', []],
    ['log', 'keyword', []],
    // An unclosed hole is text.
    ['"{iova"', 'string', []],
    ['expect', 'keyword', []],
    ['t', 'variable', []],
    ['"stray"', 'string', []],
    ['0x1', 'number', []],
    ['/* open', 'comment', []],
  ]);
});

test('every example: tokens in order, apart, within their lines; every name, number, comment and string is coloured', () => {
  const dir = repoPath('examples');
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.iommu'))) {
    const text = readFileSync(`${dir}/${file}`, 'utf8');
    const analysis = new Analysis(scenarioUri, 1, text);
    const data = semanticTokens(analysis).data;
    triples(text, data);
    const coloured = new Map(decode(data).map((t) => [analysis.offsetAt(t) , t]));
    const lexed = tokenize(text);
    // Every name and number, those inside log holes too, is one token of its own.
    const holes = lexed.tokens
      .filter((t) => t.kind === 'string')
      .flatMap((t) => [...t.text.matchAll(/\{([^}]*)\}/g)].flatMap((m) => tokenize(text, t.range.start + (m.index ?? 0) + 1, t.range.start + (m.index ?? 0) + 1 + (m[1]?.length ?? 0)).tokens));
    for (const token of [...lexed.tokens, ...holes]) {
      if (token.kind !== 'identifier' && token.kind !== 'number') continue;
      const found = coloured.get(token.range.start);
      assert.ok(found, `${file}: '${token.text}' at ${JSON.stringify(analysis.positionAt(token.range.start))} is not coloured`);
      assert.equal(found.length, token.text.length, `${file}: '${token.text}'`);
      if (token.kind === 'number') assert.equal(found.type, 'number', `${file}: '${token.text}'`);
    }
    // Comments, a token a line.
    for (const comment of lexed.comments) {
      let offset = comment.start;
      for (const line of linesOf(text.slice(comment.start, comment.end))) {
        assert.deepEqual([coloured.get(offset)?.type, coloured.get(offset)?.length], ['comment', line.length], `${file}: comment at ${offset}`);
        offset = text.indexOf('\n', offset) + 1;
      }
    }
    // Strings: the pieces around the holes, holes' braces included.
    for (const token of lexed.tokens.filter((t) => t.kind === 'string')) {
      const first = coloured.get(token.range.start);
      assert.equal(first?.type, 'string', `${file}: ${token.text}`);
      const pieces = [...coloured.entries()].filter(([at, t]) => t.type === 'string' && at >= token.range.start && at < token.range.end).map(([at, t]) => text.slice(at, at + t.length));
      assert.equal(pieces.join(''), token.text.replace(/\{[^}]*\}/g, '{}'), file);
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

test('property: on random mutations of the examples, tokens stay in order, apart and within their lines; numbers stay numbers', () => {
  const dir = repoPath('examples');
  const sources = readdirSync(dir)
    .filter((f) => f.endsWith('.iommu'))
    .map((f) => readFileSync(`${dir}/${f}`, 'utf8'));
  fc.assert(
    fc.property(fc.constantFrom(...sources), fc.array(mutation, { minLength: 1, maxLength: 10 }), (source, mutations) => {
      const text = mutate(source, mutations);
      const analysis = new Analysis(scenarioUri, 1, text);
      const data = semanticTokens(analysis).data;
      triples(text, data);
      const coloured = new Map(decode(data).map((t) => [analysis.offsetAt(t), t]));
      for (const token of analysis.compiled.tokens) {
        if (token.kind === 'number') assert.deepEqual([coloured.get(token.range.start)?.type, coloured.get(token.range.start)?.length], ['number', token.text.length], token.text);
      }
    }),
    { numRuns: 200 },
  );
});

test('`kernel 6.12`: the keyword, then the release\'s numbers (the dot between them is punctuation)', () => {
  assert.deepEqual(classify('kernel 6.12\n'), [
    ['kernel', 'keyword', []],
    ['6', 'number', []],
    ['12', 'number', []],
  ]);
});

test("a vm block and a nested domain: the vm's name, the stage-2 domains it and 'nested' name, the 'at' of 'cd at'", () => {
  const text = 'smmu s { version v3 }\ndomain vm_s2 { stage 2 }\nvm guest0 { stage2 vm_s2; fault-queue on }\ndomain g { nested vm_s2; vm guest0; cd at 0x0 }\n';
  assert.deepEqual(classify(text).slice(8), [
    ['vm', 'keyword', []],
    ['guest0', 'namespace', ['declaration']],
    ['stage2', 'property', []],
    ['vm_s2', 'type', []],
    ['fault-queue', 'property', []],
    ['on', 'enumMember', []],
    ['domain', 'keyword', []],
    ['g', 'type', ['declaration']],
    ['nested', 'property', []],
    ['vm_s2', 'type', []],
    ['vm', 'property', []],
    ['guest0', 'namespace', []],
    ['cd', 'property', []],
    ['at', 'keyword', []],
    ['0x0', 'number', []],
  ]);
});
