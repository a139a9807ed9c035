import { HandlerDeclaration, HandlerStatement, IfStatement, LogStatement, pageResponses, ResponseKind, SleepStatement, stallResponses, StallOffStatement, SyncStatement, TlbiStatement, UnmapStatement } from './ast';
import { BlockGrammar, openBlock, parseBlockBody, StatementParser, statementsFor, statementsOf } from './parserBlocks';
import { TokenCursor } from './parserCursor';
import { parseExpressionAt } from './parserExpressions';
import { parseMap, requireExpression } from './parserStatements';
import { interpolatedStringLiteral } from './parserTemplate';
import { isWord } from './tokens';

// The body of a fault handler: its settings and the statements it steps through.

const responses: readonly ResponseKind[] = [...stallResponses, ...pageResponses];

const handlerStatementParsers: Readonly<Record<string, StatementParser<HandlerStatement[]>>> = {
  log: (cursor, body) => body.push(parseLog(cursor)),
  dump: (cursor, body) => body.push({ kind: 'dump', range: cursor.next().range }),
  map: (cursor, body) => body.push(parseMap(cursor, 'handler')),
  unmap: (cursor, body) => body.push(parseUnmap(cursor)),
  tlbi: (cursor, body) => body.push(parseTlbi(cursor)),
  sync: (cursor, body) => body.push(parseSync(cursor)),
  sleep: (cursor, body) => body.push(parseSleep(cursor)),
  stall: (cursor, body) => body.push(parseStallOff(cursor)),
  if: (cursor, body) => body.push(parseIf(cursor)),
  ...Object.fromEntries(
    responses.map((response): [string, StatementParser<HandlerStatement[]>] => [response, (cursor, body) => body.push({ kind: 'response', range: cursor.next().range, response })]),
  ),
};

/** A `handler` block: `context`, `queue` and statements. */
export const handlerGrammar: BlockGrammar<HandlerDeclaration> = {
  body: 'handler',
  where: 'a handler block',
  noun: 'statement',
  settings: { block: 'handler', of: (handler) => handler.settings },
  statements: statementsFor('handler', statementsOf(handlerStatementParsers, (handler: HandlerDeclaration) => handler.body)),
};

const ifGrammar: BlockGrammar<HandlerStatement[]> = { body: 'if', where: 'an if block', noun: 'statement', statements: statementsFor('if', handlerStatementParsers) };
const elseGrammar: BlockGrammar<HandlerStatement[]> = { body: 'else', where: 'an else block', noun: 'statement', statements: statementsFor('else', handlerStatementParsers) };

/** `log "… {expr} …"`. */
function parseLog(cursor: TokenCursor): LogStatement {
  const keyword = cursor.next();
  const token = cursor.peek();
  let message;
  if (token.kind === 'string') {
    cursor.next();
    message = interpolatedStringLiteral(cursor.text, token, cursor.sink);
  } else {
    cursor.fail("expected a message string after 'log'");
  }
  return { kind: 'log', range: cursor.rangeFrom(keyword.range.start), message };
}

/** `unmap IOVA size SIZE [nosync]`. */
function parseUnmap(cursor: TokenCursor): UnmapStatement {
  const keyword = cursor.next();
  const node: UnmapStatement = { kind: 'unmap', range: keyword.range, iova: undefined, size: undefined, nosync: false };
  const iova = requireExpression(cursor, "expected an IOVA after 'unmap'");
  if (iova) {
    node.iova = iova.expression;
    if (cursor.acceptWord('size')) {
      node.size = requireExpression(cursor, "expected a size after 'size'")?.expression;
      cursor.expect({ kind: 'words', words: ['nosync'] });
      node.nosync = cursor.acceptWord('nosync') !== undefined;
    } else {
      cursor.fail("expected 'size' after the IOVA");
    }
  }
  node.range = cursor.rangeFrom(keyword.range.start);
  return node;
}

/** `sync`. */
function parseSync(cursor: TokenCursor): SyncStatement {
  return { kind: 'sync', range: cursor.next().range };
}

/** `tlbi all` or `tlbi va ADDRESS`. */
function parseTlbi(cursor: TokenCursor): TlbiStatement {
  const keyword = cursor.next();
  const node: TlbiStatement = { kind: 'tlbi', range: keyword.range, scope: undefined, address: undefined };
  cursor.expect({ kind: 'words', words: ['all', 'va'] });
  if (cursor.acceptWord('all')) {
    node.scope = 'all';
  } else if (cursor.acceptWord('va')) {
    node.scope = 'va';
    node.address = requireExpression(cursor, "expected an address after 'tlbi va'")?.expression;
  } else {
    cursor.fail("expected 'all' or 'va' after 'tlbi'");
  }
  node.range = cursor.rangeFrom(keyword.range.start);
  return node;
}

/** `sleep N`. */
function parseSleep(cursor: TokenCursor): SleepStatement {
  const keyword = cursor.next();
  const cycles = requireExpression(cursor, "expected a number of cycles after 'sleep'");
  return { kind: 'sleep', range: cursor.rangeFrom(keyword.range.start), cycles: cycles?.expression };
}

/** `stall off for N`. */
function parseStallOff(cursor: TokenCursor): StallOffStatement {
  const keyword = cursor.next();
  let cycles;
  cursor.expect({ kind: 'words', words: ['off for'] });
  if (cursor.acceptWord('off')) {
    cursor.expect({ kind: 'words', words: ['for'] });
    if (!cursor.acceptWord('for')) cursor.fail("expected 'for' after 'stall off'");
    else cycles = requireExpression(cursor, "expected a number of cycles after 'stall off for'")?.expression;
  } else {
    cursor.fail("expected 'off' after 'stall'");
  }
  return { kind: 'stall-off', range: cursor.rangeFrom(keyword.range.start), cycles };
}

/** `if COND { … } [else { … } | else if …]`; `else` may start the line after the `}`. */
function parseIf(cursor: TokenCursor): IfStatement {
  const keyword = cursor.next();
  const node: IfStatement = { kind: 'if', range: keyword.range, condition: undefined, then: [], otherwise: undefined, elseRange: undefined };
  const before = cursor.position;
  node.condition = parseExpressionAt(cursor);
  if (cursor.position === before) cursor.expectedBeforeBlock("expected a condition after 'if'");
  const open = openBlock(cursor, keyword.range.start);
  if (open && parseBlockBody(cursor, open, ifGrammar, node.then)) parseElse(cursor, node);
  node.range = cursor.rangeFrom(keyword.range.start);
  return node;
}

function parseElse(cursor: TokenCursor, node: IfStatement): void {
  if (!isWord(cursor.peekPastNewlines(), 'else')) return;
  cursor.skipNewlines();
  const elseToken = cursor.next();
  node.elseRange = elseToken.range;
  cursor.expect({ kind: 'words', words: ['if'] });
  if (cursor.atWord('if')) {
    if (!cursor.enter()) return;
    node.otherwise = [parseIf(cursor)];
    cursor.leave();
    return;
  }
  node.otherwise = [];
  const open = openBlock(cursor, elseToken.range.start, "'{' or 'if'");
  if (open) parseBlockBody(cursor, open, elseGrammar, node.otherwise);
}
