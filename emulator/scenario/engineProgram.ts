import { EngineItem, Repeat, Submit, Transaction, Wait } from '../language/ast';
import { walkEngineItems } from '../language/engineItems';
import { constantValue } from '../language/evaluate';
import { CompiledInteger, compileInteger } from '../language/compileExpression';

/**
 * An engine's body flattened into straight-line code, so that where an engine is in its
 * program is a few integers (cheap to snapshot) rather than a walk over the tree.
 */
export type EngineOp =
  | { op: 'transaction'; node: Transaction; operands: TransactionOperands }
  | { op: 'wait'; node: Wait; cycles: number }
  /** Enters a loop; `exit` is the index just past its `next`. */
  | { op: 'repeat'; node: Repeat; count: number; exit: number }
  /** Ends a loop's body: back to `body` while iterations remain. */
  | { op: 'next'; node: Repeat; body: number }
  /** `pagetable`: the index into ScenarioModel.pagetables the CP switches TTBR0 to for the submit. */
  | { op: 'submit'; node: Submit; id: bigint; pagetable: number | undefined }
  | { op: 'end-submit'; node: Submit };

/** A transaction's operands, compiled once: an engine evaluates them (with `i`) for every transaction it issues. */
export interface TransactionOperands {
  address: CompiledInteger;
  size: CompiledInteger;
  /** `pasid` and `value` options in the order written: each is evaluated, in that order, before the address. */
  options: { kind: 'pasid' | 'value'; value: CompiledInteger }[];
  priv: boolean;
  exec: boolean;
}

function compileOperands(node: Transaction): TransactionOperands {
  const options: TransactionOperands['options'] = [];
  for (const option of node.options) {
    if (option.kind === 'pasid' || option.kind === 'value') options.push({ kind: option.kind, value: compileInteger(option.value) });
  }
  return {
    address: compileInteger(node.address),
    size: compileInteger(node.size),
    options,
    priv: node.options.some((option) => option.kind === 'priv'),
    exec: node.options.some((option) => option.kind === 'exec'),
  };
}

function constantInteger(expression: Parameters<typeof constantValue>[0] | undefined): bigint {
  const value = expression ? constantValue(expression) : undefined;
  return typeof value === 'bigint' ? value : 0n;
}

/** Compiles a checked engine body (its counts and waits are constants); `pagetables` indexes `submit … pagetable NAME`. */
export function compileEngine(items: readonly EngineItem[], pagetables: ReadonlyMap<string, number> = new Map()): EngineOp[] {
  const code: EngineOp[] = [];
  // Where each open repeat's body starts, and its entering op (whose exit is known at its end).
  const repeats = new Map<Repeat, { enter: Extract<EngineOp, { op: 'repeat' }>; body: number }>();
  for (const step of walkEngineItems(items)) {
    if (step.kind === 'end') {
      const block = step.block;
      if (block.kind === 'submit') {
        code.push({ op: 'end-submit', node: block });
        continue;
      }
      const repeat = repeats.get(block);
      if (!repeat) throw new Error('a repeat ends that never began');
      code.push({ op: 'next', node: block, body: repeat.body });
      repeat.enter.exit = code.length;
      continue;
    }
    const item = step.item;
    switch (item.kind) {
      case 'transaction':
        code.push({ op: 'transaction', node: item, operands: compileOperands(item) });
        break;
      case 'wait':
        code.push({ op: 'wait', node: item, cycles: Number(constantInteger(item.cycles)) });
        break;
      case 'repeat': {
        const enter = { op: 'repeat' as const, node: item, count: Number(constantInteger(item.count)), exit: 0 };
        code.push(enter);
        repeats.set(item, { enter, body: code.length });
        break;
      }
      case 'submit':
        code.push({ op: 'submit', node: item, id: constantInteger(item.id), pagetable: item.pagetable ? pagetables.get(item.pagetable.text) : undefined });
        break;
    }
  }
  return code;
}

/**
 * How many transactions ops `from` up to (not including) `to` issue, repeats multiplied out.
 * The range must hold whole repeats (a range of one nesting level). A bigint: nested
 * repeats of 2^32 multiply beyond what a number holds exactly.
 */
function transactionsBetween(program: readonly EngineOp[], from: number, to: number): bigint {
  let total = 0n;
  // Multipliers of the repeats the walk is inside, innermost last.
  const multipliers = [1n];
  for (let pc = from; pc < to; pc++) {
    const op = program[pc];
    const times = multipliers[multipliers.length - 1] ?? 1n;
    if (op?.op === 'transaction') total += times;
    else if (op?.op === 'repeat') multipliers.push(times * BigInt(op.count));
    else if (op?.op === 'next') multipliers.pop();
  }
  return total;
}

/** Every transaction a program issues. */
export function programTransactions(program: readonly EngineOp[]): bigint {
  return transactionsBetween(program, 0, program.length);
}

/**
 * The transactions a program has still to issue from `pc`, inside the repeats `loops`
 * (outermost first, each at iteration `i`): the rest of each iteration under way, then the
 * iterations left of each repeat, innermost first.
 */
export function transactionsLeft(program: readonly EngineOp[], pc: number, loops: readonly { op: number; i: number }[]): bigint {
  let total = 0n;
  let at = pc;
  for (let level = loops.length - 1; level >= 0; level--) {
    const loop = loops[level];
    const enter = loop === undefined ? undefined : program[loop.op];
    if (loop === undefined || enter?.op !== 'repeat') continue;
    const next = enter.exit - 1;
    total += transactionsBetween(program, at, next);
    total += BigInt(Math.max(0, enter.count - loop.i - 1)) * transactionsBetween(program, loop.op + 1, next);
    at = enter.exit;
  }
  return total + transactionsBetween(program, at, program.length);
}
