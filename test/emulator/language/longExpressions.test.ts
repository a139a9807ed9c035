import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { Expression } from '../../../emulator/language/ast';
import { constantEnvironment, evaluate, EvaluationError, Value } from '../../../emulator/language/evaluate';
import { nodesOf, operandsOf } from '../../../emulator/language/expressionTree';
import { interpolate } from '../../../emulator/language/interpolate';
import { parseExpression, parseTemplate } from '../../../emulator/language/parser';
import { distPath } from '../../helpers/repo';
import { runNode } from '../../helpers/runNode';

/*
 * Expressions as long as a file can hold: the parser takes operators on a stack of its own
 * and every walk over the tree is iterative, so nothing depends on the depth of the call
 * stack. Only brackets nest (see parserRecovery's nesting test).
 */

const N = 100_000;

function parsed(text: string): Expression {
  const result = parseExpression(text);
  assert.deepEqual(result.diagnostics, []);
  assert.ok(result.expression);
  assert.deepEqual(result.expression.range, { start: 0, end: text.length });
  return result.expression;
}

/** Every node's operands lie inside it, and the whole tree inside the text. */
function assertNested(expression: Expression, length: number): void {
  assert.ok(expression.range.start >= 0 && expression.range.end <= length);
  for (const node of nodesOf(expression)) {
    for (const operand of operandsOf(node)) assert.ok(operand.range.start >= node.range.start && operand.range.end <= node.range.end, JSON.stringify([node.range, operand.range]));
  }
}

function valueOf(text: string): Value {
  return evaluate(parsed(text), constantEnvironment);
}

/** How many nodes lie on the path that always takes the first operand. */
function leftDepth(expression: Expression): number {
  let depth = 0;
  for (let node: Expression | undefined = expression; node?.kind === 'binary' || node?.kind === 'unary'; node = node.kind === 'binary' ? node.left : node.operand) depth++;
  return depth;
}

test('a 100,000-term sum is one chain leaning left, and its value is exact', () => {
  const sum = Array(N).fill('1').join(' + ');
  const tree = parsed(sum);
  assert.equal(leftDepth(tree), N - 1);
  assertNested(tree, sum.length);
  assert.equal(valueOf(sum), 100_000n);
  assert.equal(valueOf(`0xffff_ffff_ffff_ffff + ${sum}`), 99_999n);
});

test('100,000 prefix operators in a row: each applies, innermost first', () => {
  assert.equal(leftDepth(parsed(`${'- '.repeat(N)}1`)), N);
  assert.equal(valueOf(`${'- '.repeat(N)}7`), 7n);
  assert.equal(valueOf(`${'- '.repeat(N + 1)}7`), 0xffff_ffff_ffff_fff9n);
  assert.equal(valueOf(`${'~'.repeat(N + 1)}0`), 0xffff_ffff_ffff_ffffn);
  assert.equal(valueOf(`${'!'.repeat(N + 1)}0`), true);
  assert.equal(valueOf(`${'-~'.repeat(N / 2)}5`), 5n + BigInt(N / 2));
});

test('100,000-term chains of && and ||, still short-circuiting', () => {
  assert.equal(valueOf(Array(N).fill('1').join(' && ')), true);
  assert.equal(valueOf(`${Array(N).fill('1').join(' && ')} && 0`), false);
  assert.equal(valueOf(`${Array(N).fill('0').join(' || ')} || 2`), true);
  // The division by zero is never evaluated: the left side decides.
  assert.equal(valueOf(`0 && ${Array(N).fill('1 / 0').join(' && ')}`), false);
  assert.equal(valueOf(`1 || ${Array(N).fill('1 / 0').join(' || ')}`), true);
});

test('100,000-term chains of comparisons and of mixed precedence', () => {
  assert.equal(valueOf(Array(N).fill('1').join(' <= ')), true);
  // (2 == 2) is true, which is 1, not 2: every later comparison is false.
  assert.equal(valueOf(Array(N).fill('2').join(' == ')), false);
  const M = N / 4;
  // Each term is 2*3 - ((4/2) % 3) = 4.
  assert.equal(valueOf(Array(M).fill('2 * 3 - 4 / 2 % 3').join(' + ')), 4n * BigInt(M));
  // 7 - 7 - … wraps below zero.
  assert.equal(valueOf(Array(M).fill('1 * 7').join(' - ')), BigInt.asUintN(64, 7n - 7n * BigInt(M - 1)));
  assert.equal(valueOf(Array(M).fill('1 << 2 + 1 | 3 & 1 ^ 4 == 4').join(' && ')), true);
  const tree = parsed(Array(M).fill('1 * 2 + 3').join(' < '));
  assert.equal(tree.kind === 'binary' && tree.operator, '<');
  assert.equal(leftDepth(tree), M - 1 + 2);
});

test('around the depth where evaluation moves from recursion to a stack of its own: the same values and errors', () => {
  for (let terms = 190; terms <= 210; terms++) {
    assert.equal(valueOf(Array(terms).fill('1').join(' + ')), BigInt(terms));
    assert.equal(valueOf(`${'-'.repeat(terms)} 1`), terms % 2 === 0 ? 1n : 0xffff_ffff_ffff_ffffn);
    // Short circuits at every depth: the division by zero is never evaluated.
    assert.equal(valueOf(['0', ...Array(terms).fill('1 / 0')].join(' && ')), false);
    assert.equal(valueOf(['1', ...Array(terms).fill('1 / 0')].join(' || ')), true);
    const unknown = `${Array(terms).fill('1').join(' + ')} + x`;
    assert.throws(() => evaluate(parsed(unknown), constantEnvironment), (error: unknown) => error instanceof EvaluationError && error.message === "'x' means nothing here");
    const division = `1 / 0 ${'+ 1 '.repeat(terms)}`.trim();
    assert.throws(() => evaluate(parsed(division), constantEnvironment), (error: unknown) => error instanceof EvaluationError && error.message === 'division by zero' && error.range.start === 2 && error.range.end === 3);
  }
});

test("a log hole holding a 100,000-term sum interpolates to the sum's value", () => {
  const template = parseTemplate(`sum {${Array(N).fill('1').join(' + ')}} done`);
  assert.deepEqual(template.diagnostics, []);
  assert.equal(interpolate(template.parts, constantEnvironment), 'sum 0x186a0 done');
});

test('the CLI checks and runs a scenario whose read address is a 100,000-term sum', () => {
  const folder = mkdtempSync(path.join(tmpdir(), 'iommu-long-'));
  const file = path.join(folder, 'sum.iommu');
  const scenario = [
    'smmu s { version v2 }',
    'domain d { map 0x1000 -> 0x8000_0000 size 1M rw }',
    'master m { stream 1; domain d }',
    'engine m.e {',
    `  read 0x1000 + ${Array(N).fill('1').join(' + ')} 64 as x`,
    '}',
    'expect x pa 0x8001_86a0',
  ].join('\n');
  writeFileSync(file, scenario);
  const check = runNode(distPath('cli'), ['check', file]);
  assert.deepEqual([check.status, check.stderr], [0, '']);
  const run = runNode(distPath('cli'), ['run', file]);
  assert.equal(run.stderr, '');
  assert.equal(run.status, 0);
  assert.match(run.stdout, /read {2}0x196a0 64 as x \(line 5\) → 0x800186a0 completed/);
  assert.match(run.stdout, /expect x pa 0x8001_86a0: ok/);
});
