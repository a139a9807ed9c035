import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseScenario } from '../../../emulator/language/parser';
import { Expectation } from '../../../emulator/language/parserExpectations';

/** What the parser expected at each `|` of `marked` (the marks are not part of the text): where the statement holding that token began, and how. */
function expectedAt(marked: string): string[] {
  const text = marked.replace(/\|/g, '');
  const parsed = parseScenario(text);
  const offsets: number[] = [];
  for (let i = 0, removed = 0; i < marked.length; i++) if (marked[i] === '|') offsets.push(i - removed++);
  return offsets.map((offset) => {
    const index = parsed.tokens.findIndex((token) => token.range.start >= offset);
    const recorded = parsed.expectations.atOrBefore(index);
    if (!recorded) return 'none';
    const at = parsed.tokens[recorded.token];
    const where = at.kind === 'end' ? 'end' : at.kind === 'newline' ? 'new line' : `'${at.text}'`;
    return `${describe(recorded.expectation)} at ${where}`;
  });
}

function describe(expectation: Expectation): string {
  switch (expectation.kind) {
    case 'declaration':
      return 'declaration';
    case 'statement':
      return `${expectation.bodies.join(' > ')} statement (declaration at ${expectation.declarationStart})`;
    case 'after-block':
      return `after ${expectation.body} block`;
    case 'setting-value':
      return `a value of ${expectation.block} setting '${expectation.key}'`;
    case 'words':
      return `one of ${expectation.words.join(', ')}`;
    case 'name':
      return `the name of a ${expectation.of}${expectation.then ? `, then '${expectation.then}'` : ''}${expectation.unhandled ? ' no handler has' : ''}`;
    case 'map-permissions':
      return `permissions after ${expectation.given.join(' ') || 'none'}${expectation.pages ? ', or pages' : ''}`;
    case 'leaf-size':
      return 'a leaf size';
    case 'transaction-option':
      return `options of a ${expectation.access} after ${expectation.given.join(' ') || 'none'}`;
    case 'expect-subject':
      return 'a label or a counter';
    case 'expect-check':
      return `a check of '${expectation.subject}'`;
  }
}

test('a statement may start after a line break, a semicolon or a brace; the body and its declaration are recorded', () => {
  assert.deepEqual(expectedAt('|smmu s { |version v2 }\nengine m.e {\n  |read 0x0 4|\n  repeat 2 { |wait 1; |write 0x0 4 }\n|}\n'), [
    'declaration at \'smmu\'',
    'smmu statement (declaration at 0) at \'version\'',
    'engine statement (declaration at 22) at \'read\'',
    // The end of a line belongs to the statement on it.
    'engine statement (declaration at 22) at \'read\'',
    'engine > repeat statement (declaration at 22) at \'wait\'',
    'engine > repeat statement (declaration at 22) at \'write\'',
    'engine statement (declaration at 22) at \'}\'',
  ]);
});

test('after a block\'s closing brace on its line: what may follow the block; on the next line, a statement', () => {
  assert.deepEqual(expectedAt('handler h on d {\n  if write {\n  } |\n  |\n}\n'), ['after if block at new line', 'handler statement (declaration at 0) at new line']);
  assert.deepEqual(expectedAt('handler h on d {\n  if write {} |else {}\n}\ndomain d {}|\n'), ['after if block at \'else\'', 'after domain block at new line']);
});

test('an unclosed block ends where a line starts a new declaration, and goes on to the end of the file', () => {
  assert.deepEqual(expectedAt('domain d {\n  fault stall\n|expect x completed\nhandler h on d {\n  |'), [
    'declaration at \'expect\'',
    'handler statement (declaration at 44) at end',
  ]);
});

/** What the parser expected inside a statement at each `|` of `marked`, if it got there. */
function withinAt(marked: string): string[] {
  const text = marked.replace(/\|/g, '');
  const parsed = parseScenario(text);
  const offsets: number[] = [];
  for (let i = 0, removed = 0; i < marked.length; i++) if (marked[i] === '|') offsets.push(i - removed++);
  return offsets.map((offset) => {
    const expected = parsed.expectations.withinStatementAt(parsed.tokens.findIndex((token) => token.range.start >= offset));
    return expected ? describe(expected) : 'none';
  });
}

test('inside a statement: a setting\'s value, the fixed words that come next, a declared name', () => {
  assert.deepEqual(withinAt('domain d {\n  fault |\n  fault stall|\n  |\n}\n'), ["a value of domain setting 'fault'", 'none', 'none']);
  assert.deepEqual(withinAt('handler h on d {\n  tlbi |\n  stall |\n  stall off |\n  if x {} else |{}\n}\n'), ['one of all, va', 'one of off for', 'one of for', 'one of if']);
  // Only a master's stream-match entry takes a mask.
  assert.deepEqual(withinAt('master m {\n  stream 0x0 |\n  pasid 1 -> |\n}\nengine m.e {\n  stream 0x0 |\n}\n'), ['one of mask', 'the name of a domain', 'none']);
  assert.deepEqual(withinAt('engine |\nhandler h |\nhandler h on |\nexpect |\nexpect x |\nexpect faults == |\n'), [
    "the name of a master, then '.'",
    'one of on',
    'the name of a domain no handler has',
    'a label or a counter',
    "a check of 'x'",
    'none',
  ]);
});

test('inside a map and a transaction: size, the permissions and pages, a leaf size, the options not given yet', () => {
  assert.deepEqual(withinAt('domain d {\n  map 0x0 -> 0x0 |\n  map 0x0 -> 0x0 size 4K |rw |\n  map 0x0 -> 0x0 size 4K pages |\n  map 0x0 -> 0x0 size 4K pages 4K |\n}\n'), [
    'one of size',
    'permissions after none, or pages',
    'permissions after rw, or pages',
    'a leaf size',
    'permissions after none',
  ]);
  assert.deepEqual(withinAt('handler h on d {\n  map page -> 0x0 |\n}\n'), ['permissions after none']);
  assert.deepEqual(withinAt('engine m.e {\n  write 0x0 4 |priv |as x |\n  read 0x0 4 pasid |\n}\n'), [
    'options of a write after none',
    'options of a write after priv',
    'options of a write after priv as',
    // An operand: the expression's, not an option.
    'none',
  ]);
});
