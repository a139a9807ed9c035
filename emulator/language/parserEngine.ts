import { EngineDeclaration, EngineItem, Name, Repeat, Submit, Transaction, TransactionOption, Wait } from './ast';
import { BlockGrammar, openBlock, parseBlockBody, StatementParser, statementsFor, statementsOf } from './parserBlocks';
import { TokenCursor } from './parserCursor';
import { parseExpressionAt } from './parserExpressions';
import { nameOf, parseStream, requireExpression } from './parserStatements';
import { describeToken, IdentifierToken } from './tokens';

// The body of an engine: transactions, `wait`, and `repeat` / `submit` blocks.

const engineItemParsers: Readonly<Record<string, StatementParser<EngineItem[]>>> = {
  read: (cursor, body) => body.push(parseTransaction(cursor)),
  write: (cursor, body) => body.push(parseTransaction(cursor)),
  wait: (cursor, body) => body.push(parseWait(cursor)),
  repeat: (cursor, body) => body.push(parseLoop(cursor, 'repeat')),
  submit: (cursor, body) => body.push(parseLoop(cursor, 'submit')),
};

/** An `engine` block: its settings, `stream`, and engine items. */
export const engineGrammar: BlockGrammar<EngineDeclaration> = {
  body: 'engine',
  where: 'an engine block',
  noun: 'statement',
  settings: { block: 'engine', of: (engine) => engine.settings },
  statements: statementsFor<EngineDeclaration>('engine', {
    stream: (cursor, engine) => engine.streams.push(parseStream(cursor, 'engine')),
    ...statementsOf(engineItemParsers, (engine: EngineDeclaration) => engine.body),
  }),
};

const repeatGrammar: BlockGrammar<EngineItem[]> = { body: 'repeat', where: 'a repeat block', noun: 'statement', statements: statementsFor('repeat', engineItemParsers) };
const submitGrammar: BlockGrammar<EngineItem[]> = { body: 'submit', where: 'a submit block', noun: 'statement', statements: statementsFor('submit', engineItemParsers) };

/** `read|write ADDRESS SIZE [pasid N] [priv] [exec] [value V] [as NAME]`, options in any order. */
function parseTransaction(cursor: TokenCursor): Transaction {
  const keyword = cursor.next() as IdentifierToken;
  const node: Transaction = {
    kind: 'transaction',
    range: keyword.range,
    access: keyword.text === 'write' ? 'write' : 'read',
    accessRange: keyword.range,
    address: undefined,
    size: undefined,
    options: [],
    label: undefined,
  };
  parseTransactionParts(cursor, node, keyword);
  node.range = cursor.rangeFrom(keyword.range.start);
  return node;
}

function parseTransactionParts(cursor: TokenCursor, node: Transaction, keyword: IdentifierToken): void {
  const address = requireExpression(cursor, `expected an address after '${keyword.text}'`);
  if (!address) return;
  node.address = address.expression;
  const size = requireExpression(cursor, () => `expected a size after '${cursor.snippetFrom(keyword.range.start)}'`);
  if (!size) return;
  node.size = size.expression;
  for (;;) {
    cursor.expect({ kind: 'transaction-option', access: node.access, given: [...node.options.map((option) => option.kind), ...(node.label ? ['as'] : [])] });
    if (cursor.atStatementEnd()) return;
    const token = cursor.peek();
    if (token.kind !== 'identifier') return cursor.fail(() => unexpectedOption(describeToken(token)));
    if (token.text === 'pasid' || token.text === 'value') {
      cursor.next();
      const value = requireExpression(cursor, `expected ${token.text === 'pasid' ? 'a PASID' : 'a value'} after '${token.text}'`);
      const option: TransactionOption = { kind: token.text, range: cursor.rangeFrom(token.range.start), value: value?.expression };
      node.options.push(option);
      if (!value) return;
    } else if (token.text === 'priv' || token.text === 'exec') {
      cursor.next();
      node.options.push({ kind: token.text, range: token.range });
    } else if (token.text === 'as') {
      cursor.next();
      const label = cursor.acceptIdentifier();
      if (!label) return cursor.fail("expected a label after 'as'");
      if (node.label) cursor.error(label.range, `the transaction is already labelled '${node.label.text}'`);
      else node.label = nameOf(label);
    } else {
      return cursor.fail(() => unexpectedOption(describeToken(token)));
    }
  }
}

function unexpectedOption(what: string): string {
  return `unexpected ${what}; after its size a transaction takes pasid N, priv, exec, value V and as NAME`;
}

/** `wait N`. */
function parseWait(cursor: TokenCursor): Wait {
  const keyword = cursor.next();
  const cycles = requireExpression(cursor, "expected a number of cycles after 'wait'");
  return { kind: 'wait', range: cursor.rangeFrom(keyword.range.start), cycles: cycles?.expression };
}

/** `repeat N { … }` and `submit N { … }`: a count or an ID, then engine items. */
function parseLoop(cursor: TokenCursor, kind: 'repeat' | 'submit'): Repeat | Submit {
  const keyword = cursor.next();
  const before = cursor.position;
  const expression = parseExpressionAt(cursor);
  if (cursor.position === before) cursor.expectedBeforeBlock(`expected ${kind === 'repeat' ? 'a count' : 'an ID'} after '${kind}'`);
  const pagetable = kind === 'submit' ? parseSubmitPagetable(cursor) : undefined;
  const body: EngineItem[] = [];
  const open = openBlock(cursor, keyword.range.start);
  if (open) parseBlockBody(cursor, open, kind === 'repeat' ? repeatGrammar : submitGrammar, body);
  const range = cursor.rangeFrom(keyword.range.start);
  return kind === 'repeat' ? { kind, range, count: expression, body } : { kind, range, id: expression, pagetable, body };
}

/** `submit N pagetable NAME`: the per-process table the submit runs with. */
function parseSubmitPagetable(cursor: TokenCursor): Name | undefined {
  cursor.expect({ kind: 'words', words: ['pagetable'] });
  if (!cursor.acceptWord('pagetable')) return undefined;
  cursor.expect({ kind: 'name', of: 'pagetable' });
  const name = cursor.acceptIdentifier();
  if (!name) cursor.expectedBeforeBlock("expected a pagetable name after 'pagetable'");
  return name ? nameOf(name) : undefined;
}
