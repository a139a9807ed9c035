import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { parseGrammarTestCase } from 'vscode-tmgrammar-test/dist/unit/parsing';
import { bodyStatements, BodyKind, declarationStatements, phraseWords, transactionOptions, WordRole } from '../../emulator/language/grammarTable';
import { blockSettings, BlockKind, counterNames, faultFields, faultKindEventNames, faultKinds, mapPermissions, transactionStatuses } from '../../emulator/language/schema';
import { repoPath } from '../helpers/repo';
import { runNode } from '../helpers/runNode';

// The assertion files next to this test (`// SYNTAX TEST "source.iommu"`), checked by vscode-tmgrammar-test.
const caseFiles = readdirSync(repoPath('test', 'grammar')).filter((name) => name.endsWith('.test.iommu'));
const grammarPath = repoPath('syntaxes', 'iommu-scenario.tmLanguage.json');

/** Runs vscode-tmgrammar-test on some case files; status 0 when every assertion holds. */
function runCases(files: readonly string[]): { status: number | null; output: string } {
  const run = runNode(repoPath('node_modules', 'vscode-tmgrammar-test', 'dist', 'unit.js'), ['--grammar', grammarPath, '--compact', ...files]);
  return { status: run.status, output: run.stdout + run.stderr };
}

test('the grammar test cases exist', () => {
  assert.ok(caseFiles.length >= 7, `found ${caseFiles.join(', ')}`);
});

for (const caseFile of caseFiles) {
  test(`grammar assertions hold: ${caseFile}`, () => {
    const run = runCases([repoPath('test', 'grammar', caseFile)]);
    assert.equal(run.status, 0, run.output);
    assert.match(run.output, /run successfuly/);
  });
}

// ---------------------------------------------------------------------------------------
// Every scope the grammar can give a token is asserted by some case file.

interface GrammarRule {
  name?: string;
  contentName?: string;
  match?: string;
  begin?: string;
  end?: string;
  while?: string;
  captures?: Record<string, GrammarRule>;
  beginCaptures?: Record<string, GrammarRule>;
  endCaptures?: Record<string, GrammarRule>;
  whileCaptures?: Record<string, GrammarRule>;
  patterns?: GrammarRule[];
  repository?: Record<string, GrammarRule>;
}

interface Grammar {
  patterns?: GrammarRule[];
  repository?: Record<string, GrammarRule>;
}

/**
 * The text of capturing group `group` of `regex` (groups counted by their opening
 * parenthesis, as Oniguruma does; lookarounds and `(?:…)` do not count).
 */
function captureGroupText(regex: string, group: number): string | undefined {
  let count = 0;
  let inClass = false;
  for (let i = 0; i < regex.length; i++) {
    const c = regex[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') {
      inClass = true;
      continue;
    }
    if (c !== '(') continue;
    const named = /^\(\?(?:P?<[A-Za-z_]\w*>)/.test(regex.slice(i));
    if (regex[i + 1] === '?' && !named) continue;
    if (++count < group) continue;
    // This is the group: find its closing parenthesis.
    let depth = 0;
    let classDepth = false;
    for (let j = i; j < regex.length; j++) {
      const d = regex[j];
      if (d === '\\') {
        j++;
      } else if (classDepth) {
        if (d === ']') classDepth = false;
      } else if (d === '[') {
        classDepth = true;
      } else if (d === '(') {
        depth++;
      } else if (d === ')' && --depth === 0) {
        return regex.slice(i + 1, j).replace(/^\?P?<[A-Za-z_]\w*>/, '');
      }
    }
    return undefined;
  }
  return undefined;
}

/**
 * The scopes a name stands for: itself, or with each `$N` / `${N:/downcase}` replaced by
 * every word its capture group can match. A group that is not a list of words cannot be
 * listed, so a rule naming scopes after one fails here rather than going untested.
 */
function expandScopeName(name: string, regex: string | undefined, where: string): string[] {
  const placeholder = /\$(\d+)|\$\{(\d+):\/(downcase|upcase)\}/;
  const found = placeholder.exec(name);
  if (!found) return name.split(/\s+/).filter((scope) => scope !== '');
  const group = Number(found[1] ?? found[2]);
  const text = regex === undefined ? undefined : captureGroupText(regex, group);
  if (text === undefined || !/^[A-Za-z0-9_-]+(?:\|[A-Za-z0-9_-]+)*$/.test(text)) {
    throw new Error(`${where}: cannot list the values of $${group} in '${name}' (its group is ${text === undefined ? 'missing' : `'${text}'`}); name the scopes one by one`);
  }
  return text.split('|').flatMap((value) => {
    const shown = found[3] === 'downcase' ? value.toLowerCase() : found[3] === 'upcase' ? value.toUpperCase() : value;
    return expandScopeName(name.slice(0, found.index) + shown + name.slice(found.index + found[0].length), regex, where);
  });
}

/** Every scope the grammar declares (`name`, `contentName`, captures), with where it is declared. */
function declaredScopes(grammar: Grammar): Map<string, string> {
  const scopes = new Map<string, string>();
  const add = (name: string | undefined, regex: string | undefined, where: string): void => {
    if (name === undefined) return;
    for (const scope of expandScopeName(name, regex, where)) if (!scopes.has(scope)) scopes.set(scope, where);
  };
  const visit = (rule: GrammarRule, where: string): void => {
    // `name` and `contentName` of a begin/end rule take `$N` from the begin match.
    const own = rule.match ?? rule.begin;
    add(rule.name, own, where);
    add(rule.contentName, own, where);
    const captureLists: Array<[Record<string, GrammarRule> | undefined, string | undefined, string]> = [
      [rule.captures, own, 'captures'],
      [rule.beginCaptures, rule.begin, 'beginCaptures'],
      [rule.endCaptures, rule.end, 'endCaptures'],
      [rule.whileCaptures, rule.while, 'whileCaptures'],
    ];
    for (const [captures, regex, key] of captureLists) {
      for (const [group, capture] of Object.entries(captures ?? {})) {
        add(capture.name, regex, `${where} ${key}[${group}]`);
        add(capture.contentName, regex, `${where} ${key}[${group}]`);
        capture.patterns?.forEach((inner, i) => visit(inner, `${where} ${key}[${group}].patterns[${i}]`));
      }
    }
    rule.patterns?.forEach((inner, i) => visit(inner, `${where}.patterns[${i}]`));
    for (const [key, inner] of Object.entries(rule.repository ?? {})) visit(inner, `${where}#${key}`);
  };
  grammar.patterns?.forEach((rule, i) => visit(rule, `patterns[${i}]`));
  for (const [key, rule] of Object.entries(grammar.repository ?? {})) visit(rule, `#${key}`);
  return scopes;
}

/** The scopes the case files require of some token (not those they forbid). */
function assertedScopes(files: readonly string[]): Set<string> {
  const scopes = new Set<string>();
  for (const file of files) {
    const testCase = parseGrammarTestCase(readFileSync(repoPath('test', 'grammar', file), 'utf8'));
    for (const line of testCase.assertions) for (const assertion of line.scopeAssertions) for (const scope of assertion.scopes) scopes.add(scope);
  }
  return scopes;
}

const grammar = JSON.parse(readFileSync(grammarPath, 'utf8')) as Grammar;

test('every scope the grammar can give a token is asserted by a case file', () => {
  const declared = declaredScopes(grammar);
  assert.ok(declared.size > 50, `only ${declared.size} scopes found: is the grammar read right?`);
  const asserted = assertedScopes(caseFiles);
  const untested = [...declared].filter(([scope]) => !asserted.has(scope)).map(([scope, where]) => `${scope} (${where})`);
  assert.deepEqual(untested, [], `no case file asserts these scopes; add a line to test/grammar/*.test.iommu for each:\n${untested.join('\n')}`);
});

test('every scope of the grammar is a conventional TextMate name of this language', () => {
  const roots = ['comment', 'constant', 'entity', 'invalid', 'keyword', 'meta', 'punctuation', 'storage', 'string', 'support', 'variable'];
  const odd = [...declaredScopes(grammar).keys()].filter((scope) => !scope.endsWith('.iommu') || !roots.includes(scope.split('.')[0] ?? ''));
  assert.deepEqual(odd, []);
});

test('a dynamic scope name stands for every word its capture group can match', () => {
  const scopes = declaredScopes({
    patterns: [
      { match: '\\b(smmu|domain)\\s+(?:[a-z]+)', captures: { 1: { name: 'storage.type.$1.x' } } },
      { begin: '(?<![a-z])(?:(If|Else))', end: '(?<a>stop|halt)', name: 'keyword.${1:/downcase}.x', endCaptures: { 1: { name: 'punctuation.$1.x' } } },
    ],
    repository: { nested: { patterns: [{ match: '(a)|(b|c)', captures: { 2: { name: 'constant.$2.x other.x' } } }] } },
  });
  assert.deepEqual(
    [...scopes.keys()].sort(),
    ['constant.b.x', 'constant.c.x', 'keyword.else.x', 'keyword.if.x', 'other.x', 'punctuation.halt.x', 'punctuation.stop.x', 'storage.type.domain.x', 'storage.type.smmu.x'],
  );
  assert.throws(() => declaredScopes({ patterns: [{ match: '([a-z]+)', name: 'variable.$1.x' }] }), /cannot list the values of \$1/);
});

// ---------------------------------------------------------------------------------------
// The grammar knows the words of schema.ts, and a wrong assertion fails.

/** A case file whose assertions are generated: `words` are `[source line, [text, scope][]]`. */
function generatedCase(description: string, lines: Array<[string, Array<[string, string]>]>): string {
  const out = [`// SYNTAX TEST "source.iommu" "${description}"`];
  for (const [source, words] of lines) {
    out.push(source);
    let from = 0;
    for (const [text, scope] of words) {
      const column = source.indexOf(text, from);
      assert.ok(column >= 2, `'${text}' is not in '${source}' after column ${from}`);
      out.push(`//${' '.repeat(column - 2)}${'^'.repeat(text.length)} ${scope}`);
      from = column + text.length;
    }
  }
  return out.join('\n') + '\n';
}

function runGeneratedCase(text: string): { status: number | null; output: string } {
  const directory = mkdtempSync(path.join(tmpdir(), 'iommu-grammar-'));
  try {
    const file = path.join(directory, 'generated.test.iommu');
    writeFileSync(file, text);
    return runCases([file]);
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

const blockHeaders: Readonly<Record<BlockKind, string>> = {
  timing: 'timing {',
  smmu: 'smmu s {',
  domain: 'domain d {',
  master: 'master m {',
  engine: 'engine m.e {',
  workqueue: 'workqueue w {',
  handler: 'handler h on d {',
  pagetable: 'pagetable p on d {',
  vfio: 'vfio v {',
  vm: 'vm g {',
};

test('the grammar knows every word of schema.ts where the language puts it', () => {
  const lines: Array<[string, Array<[string, string]>]> = [];
  for (const [block, settings] of Object.entries(blockSettings) as Array<[BlockKind, (typeof blockSettings)[BlockKind]]>) {
    lines.push([blockHeaders[block], []]);
    for (const setting of settings) {
      const key: [string, string] = [setting.key, 'variable.other.property.iommu'];
      const spec = setting.value;
      if (spec.kind === 'flag') lines.push([`  ${setting.key}`, [key]]);
      else if (spec.kind === 'number' && setting.preposition) {
        lines.push([`  ${setting.key} ${setting.preposition} 1`, [key, [setting.preposition, 'keyword.other.clause.iommu'], ['1', 'constant.numeric.decimal.iommu']]]);
      } else if (spec.kind === 'number') lines.push([`  ${setting.key} 1`, [key, ['1', 'constant.numeric.decimal.iommu']]]);
      else if (spec.kind === 'name') lines.push([`  ${setting.key} a_name`, [key, ['a_name', `variable.other.${spec.of}.iommu`]]]);
      else if (spec.kind === 'text') lines.push([`  ${setting.key} "a.name"`, [key, ['a.name', 'string.quoted.double.iommu']]]);
      else {
        for (const value of spec.values) {
          const scope = value === 'on' || value === 'off' ? 'constant.language.boolean.iommu' : 'constant.language.iommu';
          lines.push([`  ${setting.key} ${value}`, [key, [value, scope]]]);
        }
      }
    }
    lines.push(['}', []]);
  }
  lines.push(['domain perms {', []]);
  for (const word of Object.keys(mapPermissions)) {
    const scope = ['cached', 'noncached', 'device'].includes(word) ? 'storage.modifier.memory-type.iommu' : 'storage.modifier.permission.iommu';
    lines.push([`  map 0x0 -> 0x0 size 4K ${word}`, [['4K', 'constant.numeric.decimal.iommu'], [word, scope]]]);
  }
  lines.push(['}', []]);
  for (const status of transactionStatuses) lines.push([`expect label ${status}`, [['label', 'variable.other.label.iommu'], [status, 'support.constant.status.iommu']]]);
  for (const counter of counterNames) lines.push([`expect ${counter} == 1`, [[counter, 'support.variable.counter.iommu']]]);
  lines.push(['handler fields on d {', []]);
  for (const field of Object.keys(faultFields)) lines.push([`  if ${field} {}`, [[field, 'variable.language.field.iommu']]]);
  for (const counter of counterNames.filter((name) => !(name in faultFields))) lines.push([`  if ${counter} {}`, [[counter, 'support.variable.counter.iommu']]]);
  for (const kind of faultKinds) {
    lines.push([`  if kind == ${kind} {}`, [[kind, 'support.constant.fault-kind.iommu']]]);
    lines.push([`  if kind == ${faultKindEventNames[kind]} {}`, [[faultKindEventNames[kind], 'support.constant.event.iommu']]]);
  }
  lines.push(['}', []]);
  const run = runGeneratedCase(generatedCase('generated from emulator/language/schema.ts', lines));
  assert.equal(run.status, 0, run.output);
});

// ---------------------------------------------------------------------------------------
// The grammar highlights every word of grammarTable.ts as the role the table gives it.

/** The scope each role of grammarTable.ts is highlighted with. */
const roleScopes: Readonly<Record<WordRole, (word: string) => string>> = {
  declaration: (word) => `storage.type.${word}.iommu`,
  expect: () => 'keyword.other.expect.iommu',
  property: () => 'variable.other.property.iommu',
  statement: () => 'keyword.other.statement.iommu',
  transaction: () => 'keyword.other.transaction.iommu',
  loop: () => 'keyword.control.loop.iommu',
  submit: () => 'keyword.control.submit.iommu',
  conditional: () => 'keyword.control.conditional.iommu',
  response: () => 'keyword.control.response.iommu',
};

/** The lines that open a body of each kind, and close it. */
const bodyOpeners: Readonly<Record<BodyKind, { open: string[]; close: string[] }>> = {
  ...(Object.fromEntries(Object.entries(blockHeaders).map(([block, header]) => [block, { open: [header], close: ['}'] }])) as Record<BlockKind, { open: string[]; close: string[] }>),
  repeat: { open: ['engine m.e {', '  repeat 2 {'], close: ['  }', '}'] },
  submit: { open: ['engine m.e {', '  submit 1 {'], close: ['  }', '}'] },
  if: { open: ['handler h on d {', '  if 1 {'], close: ['  }', '}'] },
  else: { open: ['handler h on d {', '  if 1 {', '  } else {'], close: ['  }', '}'] },
};

/** A line that uses each phrase word of the table, and the scope it gets there. */
const phraseSamples: Readonly<Record<string, { body?: BodyKind; line: string; scope: string }>> = {
  as: { body: 'engine', line: '  read 0x0 4 as x', scope: 'keyword.other.as.iommu' },
  mask: { body: 'master', line: '  stream 0x0 mask 0x1', scope: 'keyword.other.clause.iommu' },
  priv: { body: 'engine', line: '  read 0x0 4 priv', scope: 'keyword.other.option.iommu' },
  exec: { body: 'engine', line: '  read 0x0 4 exec', scope: 'keyword.other.option.iommu' },
  value: { body: 'engine', line: '  write 0x0 4 value 1', scope: 'keyword.other.option.iommu' },
  on: { line: '  handler h on d {}', scope: 'keyword.other.on.iommu' },
  size: { body: 'domain', line: '  map 0x0 -> 0x0 size 4K', scope: 'keyword.other.clause.iommu' },
  pages: { body: 'domain', line: '  map 0x0 -> 0x0 size 4K rw pages 4K', scope: 'keyword.other.clause.iommu' },
  page: { body: 'handler', line: '  map page -> 0x0 rw', scope: 'variable.language.page.iommu' },
  else: { body: 'handler', line: '  if 1 {} else {}', scope: 'keyword.control.conditional.iommu' },
  i: { body: 'repeat', line: '    read i 4', scope: 'variable.language.index.iommu' },
  all: { body: 'handler', line: '  tlbi all', scope: 'keyword.other.clause.iommu' },
  va: { body: 'handler', line: '  tlbi va 0x0', scope: 'keyword.other.clause.iommu' },
  nosync: { body: 'handler', line: '  unmap 0x0 size 4K nosync', scope: 'keyword.other.clause.iommu' },
  for: { body: 'handler', line: '  stall off for 5', scope: 'keyword.other.statement.iommu' },
  'off for': { body: 'handler', line: '  stall off for 5', scope: 'keyword.other.statement.iommu' },
  pa: { line: '  expect x pa 0x0', scope: 'keyword.other.clause.iommu' },
  at: { body: 'domain', line: '  tables at 0x0', scope: 'keyword.other.clause.iommu' },
};

/**
 * `line` in a body of kind `body`, or at the top level, with `words` asserted. (A top-level
 * line is indented too: an assertion cannot point at the first two columns.)
 */
function inBody(body: BodyKind | undefined, line: string, words: Array<[string, string]>): Array<[string, Array<[string, string]>]> {
  if (body === undefined) return [[line, words]];
  const { open, close } = bodyOpeners[body];
  return [...open.map((text): [string, Array<[string, string]>] => [text, []]), [line, words], ...close.map((text): [string, Array<[string, string]>] => [text, []])];
}

test('the grammar highlights every word of grammarTable.ts', () => {
  const lines: Array<[string, Array<[string, string]>]> = [];
  for (const spec of declarationStatements) {
    const line = spec.words === 'scenario' ? 'scenario "t"' : spec.words === 'kernel' ? 'kernel 6.6' : spec.words === 'expect' ? 'expect x completed' : blockHeaders[spec.words as BlockKind] + ' }';
    lines.push([`  ${line}`, [[spec.words, roleScopes[spec.role](spec.words)]]]);
  }
  for (const [body, specs] of Object.entries(bodyStatements) as Array<[BodyKind, (typeof bodyStatements)[BodyKind]]>) {
    for (const spec of specs) {
      const words = spec.words.split(' ');
      lines.push(...inBody(body, `    ${spec.words}`, words.map((word): [string, string] => [word, roleScopes[spec.role](word)])));
    }
  }
  for (const option of transactionOptions) {
    // What the option takes, read from its syntax: `pasid N`, `as NAME`, `priv`.
    const operand = option.syntax === option.word ? '' : option.word === 'as' ? ' x' : ' 1';
    const scope = option.word === 'as' ? 'keyword.other.as.iommu' : 'keyword.other.option.iommu';
    lines.push(...inBody('engine', `  ${option.access ?? 'read'} 0x0 4 ${option.word}${operand}`, [[option.word, scope]]));
  }
  assert.deepEqual(Object.keys(phraseSamples).sort(), Object.keys(phraseWords).sort(), 'every phrase word of grammarTable.ts needs a sample line here');
  for (const [word, sample] of Object.entries(phraseSamples)) {
    const parts = word.split(' ');
    lines.push(...inBody(sample.body, sample.line, parts.map((part): [string, string] => [part, sample.scope])));
  }
  const run = runGeneratedCase(generatedCase('generated from emulator/language/grammarTable.ts', lines));
  assert.equal(run.status, 0, run.output);
});

test('an assertion the grammar does not meet fails the run', () => {
  const run = runGeneratedCase(generatedCase('a wrong assertion', [['smmu s { version v2 }', [['v2', 'variable.other.property.iommu']]]]));
  assert.notEqual(run.status, 0, run.output);
  assert.match(run.output, /missing required scopes: \[ variable\.other\.property\.iommu \]/i);
});
