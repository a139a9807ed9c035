import assert from 'node:assert/strict';
import { test } from 'node:test';
import { consoleCompletions } from '../../debug-adapter/consoleEvaluate';
import { parseHitCondition } from '../../debug-adapter/hitCondition';

/**
 * Text a user types, at any length: scanned in linear time (the regular expressions these
 * replaced tried every start in a long run of name characters or blanks: 2 s for 50,000).
 */

test('Debug Console completions: the word typed is found at the end of a long line, or none after a long word and a blank', () => {
  const long = 'a'.repeat(50_000);
  const labels = (text: string): string[] => consoleCompletions(text, text.length + 1).map((item) => item.label);
  assert.deepEqual(labels(`${long} + tr`), labels('tr'));
  assert.ok(labels('tr').length > 0 && labels('tr').every((label) => label.startsWith('tr')), labels('tr').join(', '));
  assert.deepEqual(labels(`${long} `), labels(''), 'after a blank nothing is being typed: everything');
  assert.deepEqual(labels('1tr'), labels('tr'), 'a name starts with a letter or _');
  assert.deepEqual(consoleCompletions(`${long}x`, 50_002).map((item) => item.length), [], 'a 50,001-letter name matches nothing');
});

test('a hit count with 50,000 blanks around it: understood, or refused with the reason', () => {
  const blanks = ' '.repeat(50_000);
  assert.equal(parseHitCondition(`${blanks}>=${blanks}3${blanks}`)(3), true);
  assert.equal(parseHitCondition(`${blanks}>=${blanks}3${blanks}`)(2), false);
  assert.throws(() => parseHitCondition(`${blanks}x`), { message: `hit count '${blanks}x' is not understood: write a number, or one of ==, >=, >, <=, <, % before it` });
});
