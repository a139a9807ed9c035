import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileExpression, compileInteger } from '../../../emulator/language/compileExpression';
import { Environment, evaluate, EvaluationError, toInteger, Value } from '../../../emulator/language/evaluate';
import { parseExpression } from '../../../emulator/language/parser';
import { Expression } from '../../../emulator/language/ast';

/*
 * A compiled expression is the evaluator's answer without the walk: the same value, and
 * the same error (message and range) where evaluation fails.
 */

function parsed(text: string): Expression {
  const result = parseExpression(text);
  assert.ok(result.expression, text);
  return result.expression;
}

function outcome(run: () => Value): Value | { error: string; range: unknown } {
  try {
    return run();
  } catch (error) {
    if (error instanceof EvaluationError) return { error: error.message, range: error.range };
    throw error;
  }
}

/** `i` (and the symbol `sym`) as an engine's loop would give them, counting lookups. */
function environment(i: bigint): Environment & { lookups: number } {
  const env = {
    lookups: 0,
    lookup(name: string): Value | undefined {
      env.lookups++;
      if (name === 'i') return i;
      if (name === 'sym') return 'translation';
      return undefined;
    },
  };
  return env;
}

const texts = [
  '0x1_0000_0000 + (i % 16384) * 0x1000',
  'i',
  '-i',
  '~i + 1',
  '!i',
  'i * 0xffff_ffff_ffff_ffff',
  '0 - i - 1',
  'i / 3 + i % 3',
  '1 << i',
  'i << 64',
  '0xffff_ffff_ffff_ffff >> i',
  'i & 6 | 1 ^ 3',
  'i < 3',
  'i <= 3 && i >= 1',
  'i > 2 || i == 0',
  'i != 2',
  'sym == F_TRANSLATION',
  'sym == translation',
  'sym + 1',
  '1 + sym',
  'i + nothing',
  'nothing && i',
  'i && nothing',
  '0 && nothing',
  '1 || nothing',
  'i / (i - i)',
  'i % 0',
  '4 / 0',
  '1 / 0 + i',
  'gpu.cp',
  'gpu.cp == gpu.cp',
  'pte(i)',
  'STE[i]',
  '(((((((i + 1) * 2) - 3) << 1) >> 1) & 0xff) | 0x100)',
];

for (const text of texts) {
  test(`compiled '${text}' gives what evaluate gives, for i in 0..4`, () => {
    const expression = parsed(text);
    const compiled = compileExpression(expression);
    for (let i = 0n; i < 5n; i++) {
      assert.deepEqual(
        outcome(() => compiled(environment(i))),
        outcome(() => evaluate(expression, environment(i))),
        `i = ${i}`,
      );
    }
  });
}

test('names are looked up when evaluated, not when compiled: a constant part is folded, the loop index read each time', () => {
  const compiled = compileInteger(parsed('0x1_0000_0000 + (i % 16384) * 0x1000'));
  const env = environment(16385n);
  assert.equal(compiled(env), 0x1_0000_1000n);
  assert.equal(env.lookups, 1);
  const constant = compileInteger(parsed('(1 << 12) * 4'));
  const none = environment(0n);
  assert.equal(constant(none), 0x4000n);
  assert.equal(none.lookups, 0);
});

test('an integer operand that is a name fails as toInteger does; an absent one is 0', () => {
  const expression = parsed('sym');
  assert.deepEqual(
    outcome(() => compileInteger(expression)(environment(0n))),
    outcome(() => toInteger(evaluate(expression, environment(0n)), expression.range)),
  );
  assert.equal(compileInteger(undefined)(environment(0n)), 0n);
});

test('a tree deeper than the compiled levels is evaluated whole, to the same value', () => {
  const text = Array(5_000).fill('i').join(' + ');
  const compiled = compileInteger(parsed(text));
  assert.equal(compiled(environment(3n)), 15_000n);
});
