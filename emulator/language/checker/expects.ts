import { ExpectDeclaration } from '../ast';
import { counterNames, transactionStatuses } from '../schema';
import { CheckContext } from './context';
import { constantNumber } from './expressions';
import { listOr } from './settings';
import { suggest } from '../suggestions';

const comparisons = new Set(['==', '!=', '<', '<=', '>', '>=']);

export function checkExpect(expect: ExpectDeclaration, context: CheckContext): void {
  const check = expect.check;
  if (!check) return;
  if (check.kind === 'counter') {
    if (!(counterNames as readonly string[]).includes(check.counter.text)) {
      const meant = suggest(check.counter.text, check.counter.range, counterNames);
      context.sink.error('expect-counter', check.counter.range, `unknown counter '${check.counter.text}'; expected ${listOr(counterNames)} (or a label followed by a status)${meant.hint}`, undefined, meant.fix);
    }
    if (check.operator && check.operatorRange && !comparisons.has(check.operator)) {
      context.sink.error('expect-operator', check.operatorRange, `'${check.operator}' is not a comparison; expected ==, !=, <, <=, > or >=`);
    }
    constantNumber(check.value, 'the expected count', context);
    return;
  }
  // `expect NAME` with nothing the parser could read after it: the parser has said so.
  if (check.kind === 'status' && check.status === undefined) return;
  const transactions = context.labels.get(check.label.text);
  if (!transactions) {
    const known = [...context.labels.keys()];
    const meant = suggest(check.label.text, check.label.range, known);
    const labels = known.length > 0 ? ` (labels: ${known.join(', ')})` : "; label one with 'as NAME'";
    context.sink.error('expect-label', check.label.range, `no transaction is labelled '${check.label.text}'${labels}${meant.hint}`, undefined, meant.fix);
  }
  if (check.kind === 'status') {
    if (check.status && !(transactionStatuses as readonly string[]).includes(check.status.text)) {
      const meant = suggest(check.status.text, check.status.range, transactionStatuses);
      context.sink.error('expect-status', check.status.range, `unknown status '${check.status.text}'; expected ${listOr(transactionStatuses)}${meant.hint}`, undefined, meant.fix);
    }
  } else {
    constantNumber(check.pa, 'the expected PA', context);
  }
}
