import { EngineItem, Repeat, Submit, Transaction } from './ast';
import { constantValue } from './evaluate';

/** An engine item with a body of engine items. */
export type EngineBlock = Repeat | Submit;

/** Each item of a walk, with the blocks around it, outermost first. */
export interface EngineItemVisit {
  item: EngineItem;
  enclosing: readonly EngineBlock[];
}

/** One step of a walk: an item, or the end of a block's body (after its last item). */
export type EngineItemStep = ({ kind: 'item' } & EngineItemVisit) | { kind: 'end'; block: EngineBlock; enclosing: readonly EngineBlock[] };

interface Level {
  items: readonly EngineItem[];
  next: number;
  block: EngineBlock | undefined;
}

/**
 * The one walk of an engine's item tree: every item in program order (a block before its
 * body), and the end of each block's body. A stack, not recursion: the walk's depth is
 * the parser's nesting limit, whatever each consumer does per item.
 */
export function* walkEngineItems(items: readonly EngineItem[]): Generator<EngineItemStep> {
  const levels: Level[] = [{ items, next: 0, block: undefined }];
  const enclosing: EngineBlock[] = [];
  for (let level = levels[0]; level !== undefined; level = levels[levels.length - 1]) {
    const item = level.items[level.next++];
    if (item === undefined) {
      levels.pop();
      if (level.block) {
        enclosing.pop();
        yield { kind: 'end', block: level.block, enclosing: [...enclosing] };
      }
      continue;
    }
    yield { kind: 'item', item, enclosing: [...enclosing] };
    if (item.kind === 'repeat' || item.kind === 'submit') {
      enclosing.push(item);
      levels.push({ items: item.body, next: 0, block: item });
    }
  }
}

/** Every item of an engine body in program order, with the blocks around it. */
export function* engineItemsOf(items: readonly EngineItem[]): Generator<EngineItemVisit> {
  for (const step of walkEngineItems(items)) if (step.kind === 'item') yield step;
}

/** The transactions of an engine body, in program order (each once: repeats not unrolled). */
export function transactionsOf(items: readonly EngineItem[]): Transaction[] {
  const transactions: Transaction[] = [];
  for (const { item } of engineItemsOf(items)) if (item.kind === 'transaction') transactions.push(item);
  return transactions;
}

/** Transactions an engine body issues, repeats unrolled; undefined when a repeat count is not a constant. */
export function transactionCount(items: readonly EngineItem[]): bigint | undefined {
  const counts = new Map<Repeat, bigint>();
  let total = 0n;
  for (const { item, enclosing } of engineItemsOf(items)) {
    if (item.kind === 'repeat') {
      const count = item.count ? constantValue(item.count) : undefined;
      if (typeof count !== 'bigint') return undefined;
      counts.set(item, count);
    } else if (item.kind === 'transaction') {
      total += enclosing.reduce((times, block) => (block.kind === 'repeat' ? times * (counts.get(block) ?? 0n) : times), 1n);
    }
  }
  return total;
}
