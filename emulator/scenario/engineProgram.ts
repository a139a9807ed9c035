import { EngineItem, Repeat, Submit, Transaction, Wait } from '../language/ast';
import { constantValue } from '../language/evaluate';

/**
 * An engine's body flattened into straight-line code, so that where an engine is in its
 * program is a few integers (cheap to snapshot) rather than a walk over the tree.
 */
export type EngineOp =
  | { op: 'transaction'; node: Transaction }
  | { op: 'wait'; node: Wait; cycles: number }
  /** Enters a loop; `exit` is the index just past its `next`. */
  | { op: 'repeat'; node: Repeat; count: number; exit: number }
  /** Ends a loop's body: back to `body` while iterations remain. */
  | { op: 'next'; node: Repeat; body: number }
  | { op: 'submit'; node: Submit; id: bigint }
  | { op: 'end-submit'; node: Submit };

function constantInteger(expression: Parameters<typeof constantValue>[0] | undefined): bigint {
  const value = expression ? constantValue(expression) : undefined;
  return typeof value === 'bigint' ? value : 0n;
}

function compileInto(items: readonly EngineItem[], code: EngineOp[]): void {
  for (const item of items) {
    switch (item.kind) {
      case 'transaction':
        code.push({ op: 'transaction', node: item });
        break;
      case 'wait':
        code.push({ op: 'wait', node: item, cycles: Number(constantInteger(item.cycles)) });
        break;
      case 'repeat': {
        const enter = { op: 'repeat' as const, node: item, count: Number(constantInteger(item.count)), exit: 0 };
        code.push(enter);
        const body = code.length;
        compileInto(item.body, code);
        code.push({ op: 'next', node: item, body });
        enter.exit = code.length;
        break;
      }
      case 'submit':
        code.push({ op: 'submit', node: item, id: constantInteger(item.id) });
        compileInto(item.body, code);
        code.push({ op: 'end-submit', node: item });
        break;
    }
  }
}

/** Compiles a checked engine body (its counts and waits are constants). */
export function compileEngine(items: readonly EngineItem[]): EngineOp[] {
  const code: EngineOp[] = [];
  compileInto(items, code);
  return code;
}
