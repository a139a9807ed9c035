import { Expression, Identifier, Name, NumberLiteral, Word } from '../../../emulator/language/ast';
import { Range } from '../../../emulator/language/source';

/** Expected ranges and nodes, found in the source text by `indexOf` so no offset is typed by hand. */
export class Source {
  constructor(readonly text: string) {}

  /**
   * The range of `needle`; with `context`, of the first `needle` inside the first `context`.
   * Throws when absent, so a test cannot pass by looking for text that is not there.
   */
  at(needle: string, context = needle): Range {
    const contextStart = this.text.indexOf(context);
    const offset = context.indexOf(needle);
    if (contextStart < 0 || offset < 0) throw new Error(`'${needle}' in '${context}' is not in the source`);
    return { start: contextStart + offset, end: contextStart + offset + needle.length };
  }

  /** Zero-width, right after `needle` (where a missing piece is reported). */
  after(needle: string, context = needle): Range {
    const { end } = this.at(needle, context);
    return { start: end, end };
  }

  /** From the start of `first` to the end of `last` (found after `first`). */
  span(first: string, last: string, context = first): Range {
    const start = this.at(first, context).start;
    const lastOffset = this.text.indexOf(last, start);
    if (lastOffset < 0) throw new Error(`'${last}' does not follow '${first}'`);
    return { start, end: lastOffset + last.length };
  }

  number(text: string, value: bigint, context = text): NumberLiteral {
    return { kind: 'number', range: this.at(text, context), text, value };
  }

  identifier(name: string, context = name): Identifier {
    return { kind: 'identifier', range: this.at(name, context), name };
  }

  name(text: string, context = text): Name {
    return { range: this.at(text, context), text };
  }

  word(text: string, context = text): Word {
    return { kind: 'word', range: this.at(text, context), text };
  }
}

/** An expression fully parenthesized, to compare tree shapes: `a + b * c` → `(a + (b * c))`. */
export function show(expression: Expression | undefined): string {
  if (expression === undefined) return '?';
  switch (expression.kind) {
    case 'number':
      return expression.text;
    case 'identifier':
      return expression.name;
    case 'qualified':
      return `${expression.master}.${expression.engine}`;
    case 'unary':
      return `(${expression.operator}${show(expression.operand)})`;
    case 'binary':
      return `(${show(expression.left)} ${expression.operator} ${show(expression.right)})`;
    case 'call':
      return `${expression.callee.text}(${expression.args.map(show).join(', ')})`;
    case 'index':
      return `${show(expression.target)}[${show(expression.index)}]`;
  }
}

function isRange(value: unknown): value is Range {
  if (typeof value !== 'object' || value === null) return false;
  const keys = Object.keys(value);
  return keys.length === 2 && typeof (value as Range).start === 'number' && typeof (value as Range).end === 'number';
}

/**
 * Every range in a syntax tree: well-formed, inside [0, length], and inside the range of
 * the node that holds it. Returns one line per problem, with the path to it.
 */
export function rangeProblems(node: unknown, length: number): string[] {
  const problems: string[] = [];
  const visit = (value: unknown, parent: Range, path: string): void => {
    if (Array.isArray(value)) {
      value.forEach((item, index) => visit(item, parent, `${path}[${index}]`));
      return;
    }
    if (typeof value !== 'object' || value === null) return;
    if (isRange(value)) {
      check(value, parent, path);
      return;
    }
    const own = (value as { range?: unknown }).range;
    let inner = parent;
    if (isRange(own)) {
      check(own, parent, `${path}.range`);
      inner = own;
    }
    for (const [key, child] of Object.entries(value)) if (key !== 'range') visit(child, inner, `${path}.${key}`);
  };
  const check = (range: Range, parent: Range, path: string): void => {
    if (!(range.start >= 0 && range.start <= range.end && range.end <= length)) problems.push(`${path} ${JSON.stringify(range)} is outside [0, ${length}]`);
    else if (range.start < parent.start || range.end > parent.end) problems.push(`${path} ${JSON.stringify(range)} is outside its parent ${JSON.stringify(parent)}`);
  };
  visit(node, { start: 0, end: length }, 'file');
  return problems;
}
