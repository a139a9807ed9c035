import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EngineDeclaration, EngineItem } from '../../../emulator/language/ast';
import { transactionCount, transactionsOf, walkEngineItems } from '../../../emulator/language/engineItems';
import { parseScenario } from '../../../emulator/language/parser';
import { maxNesting } from '../../../emulator/language/parserCursor';

function engineBody(body: string): readonly EngineItem[] {
  const parsed = parseScenario(`engine gpu.cp {\n${body}\n}\n`);
  assert.deepEqual(parsed.diagnostics, []);
  const engine = parsed.file.declarations.find((d): d is EngineDeclaration => d.kind === 'engine');
  if (!engine) throw new Error('no engine');
  return engine.body;
}

/** A step as text: `read a (in repeat 2, submit 7)`, `end repeat 2`. */
function describe(items: readonly EngineItem[]): string[] {
  const name = (item: EngineItem): string => {
    switch (item.kind) {
      case 'transaction':
        return `${item.access} ${item.label?.text ?? '?'}`;
      case 'wait':
        return 'wait';
      case 'repeat':
        return `repeat ${item.count?.kind === 'number' ? item.count.value : '?'}`;
      case 'submit':
        return `submit ${item.id?.kind === 'number' ? item.id.value : '?'}`;
    }
  };
  return [...walkEngineItems(items)].map((step) => {
    const around = step.enclosing.length > 0 ? ` (in ${step.enclosing.map(name).join(', ')})` : '';
    return step.kind === 'item' ? `${name(step.item)}${around}` : `end ${name(step.block)}${around}`;
  });
}

const nested = `
  read 0x0 4 as a
  repeat 2 {
    submit 7 {
      write 0x0 4 as b
      wait 1
    }
    read 0x0 4 as c
  }
  read 0x0 4 as d`;

test('the walk visits every engine item in program order, a block before its body, and each block\'s end after it', () => {
  assert.deepEqual(describe(engineBody(nested)), [
    'read a',
    'repeat 2',
    'submit 7 (in repeat 2)',
    'write b (in repeat 2, submit 7)',
    'wait (in repeat 2, submit 7)',
    'end submit 7 (in repeat 2)',
    'read c (in repeat 2)',
    'end repeat 2',
    'read d',
  ]);
});

test('the transactions of a body are each listed once; their count unrolls repeats', () => {
  const body = engineBody(nested);
  assert.deepEqual(
    transactionsOf(body).map((t) => t.label?.text),
    ['a', 'b', 'c', 'd'],
  );
  assert.equal(transactionCount(body), 6n);
  assert.equal(transactionCount(engineBody('repeat 3 { repeat 4 { read 0x0 4 } }\nwait 5')), 12n);
  assert.equal(transactionCount(engineBody('repeat n { wait 1 }\nread 0x0 4')), undefined, 'a repeat count that is not a constant');
});

test('a body nested as deep as the parser allows is walked, each item with every block around it', () => {
  // The engine's own block is one level of the parser's nesting.
  const depth = maxNesting - 1;
  const body = engineBody(`${'repeat 1 {\n'.repeat(depth)}read 0x0 4 as deep\n${'}\n'.repeat(depth)}`);
  const steps = [...walkEngineItems(body)];
  assert.equal(steps.length, 2 * depth + 1);
  const deepest = steps.find((step) => step.kind === 'item' && step.item.kind === 'transaction');
  assert.equal(deepest?.enclosing.length, depth);
});
