import { Expression, MapStatement, MastersList, Name, NumberLiteral, PasidBinding, StreamSetting, Word } from './ast';
import { Message, TokenCursor } from './parserCursor';
import { numberLiteralOf, parseExpressionAt } from './parserExpressions';
import { describeToken, IdentifierToken, isPunctuator, isWord } from './tokens';

// Statements that more than one block takes: `map`, `stream`, `pasid … -> …`, `masters`,
// and the small helpers every statement parser uses.

export function nameOf(token: IdentifierToken): Name {
  return { range: token.range, text: token.text };
}

export function wordOf(token: IdentifierToken): Word {
  return { kind: 'word', range: token.range, text: token.text };
}

/**
 * An expression that must be here. `undefined` when none starts here: then `message` is
 * reported and the statement skipped, and the caller stops. An expression with a
 * malformed number is there but has no value: `{ expression: undefined }`.
 */
export function requireExpression(cursor: TokenCursor, message: Message): { expression: Expression | undefined } | undefined {
  const before = cursor.position;
  const expression = parseExpressionAt(cursor);
  if (cursor.position !== before) return { expression };
  cursor.fail(message);
  return undefined;
}

/** A number that must be here (not an expression: stream IDs, PASIDs, leaf sizes); see `requireExpression`. */
export function requireNumber(cursor: TokenCursor, message: Message): { literal: NumberLiteral | undefined } | undefined {
  const token = cursor.peek();
  if (token.kind === 'number') {
    cursor.next();
    return { literal: numberLiteralOf(token) };
  }
  cursor.fail(message);
  return undefined;
}

export type MapPlace = 'domain' | 'pagetable' | 'vfio' | 'handler';

/** `map IOVA -> PA size SIZE PERMS… [pages N]`, or in a handler `map page -> PA PERMS…`. */
export function parseMap(cursor: TokenCursor, place: MapPlace): MapStatement {
  const keyword = cursor.next();
  const node: MapStatement = { kind: 'map', range: keyword.range, iova: undefined, page: undefined, pa: undefined, size: undefined, perms: [], pages: undefined };
  parseMapParts(cursor, node, place);
  node.range = cursor.rangeFrom(keyword.range.start);
  return node;
}

function parseMapParts(cursor: TokenCursor, node: MapStatement, place: MapPlace): void {
  const first = cursor.peek();
  if (isWord(first, 'page') && isPunctuator(cursor.peek(1), '->')) {
    cursor.next();
    node.page = first.range;
    if (place !== 'handler') cursor.error(first.range, "'map page' maps the faulting page: it is only allowed in a handler");
  } else {
    const iova = requireExpression(cursor, "expected an IOVA after 'map'");
    if (!iova) return;
    node.iova = iova.expression;
  }
  if (!cursor.acceptPunctuator('->')) return cursor.fail("expected '->' after the IOVA");
  const pa = requireExpression(cursor, "expected a physical address after '->'");
  if (!pa) return;
  node.pa = pa.expression;
  if (node.page) {
    if (cursor.atWord('size')) return cursor.fail("'map page' maps one 4K page: it takes no size");
  } else {
    cursor.expect({ kind: 'words', words: ['size'] });
    if (!cursor.acceptWord('size')) return cursor.fail("expected 'size' after the physical address");
    const size = requireExpression(cursor, "expected a size after 'size'");
    if (!size) return;
    node.size = size.expression;
  }
  parsePermissions(cursor, node);
}

/** Words to the end of the statement (the checker knows which it takes), with `pages N` among them. */
function parsePermissions(cursor: TokenCursor, node: MapStatement): void {
  for (;;) {
    cursor.expect({ kind: 'map-permissions', given: node.perms.map((perm) => perm.text), pages: node.page === undefined && node.pages === undefined });
    if (cursor.atStatementEnd()) return;
    const token = cursor.peek();
    if (token.kind !== 'identifier') {
      return cursor.fail(`unexpected ${describeToken(token)} among the permissions; a map takes words such as rw, x, priv, noaf, device, and 'pages 4K'`);
    }
    cursor.next();
    if (token.text !== 'pages') {
      node.perms.push(wordOf(token));
      continue;
    }
    cursor.expect({ kind: 'leaf-size' });
    const leaf = requireNumber(cursor, "expected a leaf size after 'pages' (4K, 2M or 1G)");
    if (!leaf) return;
    if (node.pages === undefined) node.pages = leaf.literal;
    else cursor.error(cursor.rangeFrom(token.range.start), "'pages' is given twice");
  }
}

/** `stream ID [mask MASK]`; only a master's stream-match entries take a mask (an engine's is parsed, and the checker rejects it). */
export function parseStream(cursor: TokenCursor, place: 'master' | 'engine'): StreamSetting {
  const keyword = cursor.next();
  const node: StreamSetting = { kind: 'stream', range: keyword.range, id: undefined, mask: undefined };
  const id = requireNumber(cursor, "expected a stream ID after 'stream'");
  if (id) {
    node.id = id.literal;
    if (place === 'master') cursor.expect({ kind: 'words', words: ['mask'] });
    if (cursor.acceptWord('mask')) node.mask = requireNumber(cursor, "expected a mask after 'mask'")?.literal;
  }
  node.range = cursor.rangeFrom(keyword.range.start);
  return node;
}

/** `pasid N -> DOMAIN`. */
export function parsePasidBinding(cursor: TokenCursor): PasidBinding {
  const keyword = cursor.next();
  const node: PasidBinding = { kind: 'pasid', range: keyword.range, pasid: undefined, domain: undefined };
  const pasid = requireNumber(cursor, "expected a PASID after 'pasid'");
  if (pasid) {
    node.pasid = pasid.literal;
    if (!cursor.acceptPunctuator('->')) {
      cursor.fail(`expected '->' and a domain after '${cursor.snippetFrom(keyword.range.start)}'`);
    } else {
      cursor.expect({ kind: 'name', of: 'domain' });
      const domain = cursor.acceptIdentifier();
      if (domain) node.domain = nameOf(domain);
      else cursor.fail("expected a domain name after '->'");
    }
  }
  node.range = cursor.rangeFrom(keyword.range.start);
  return node;
}

/** `masters a b c`. */
export function parseMasters(cursor: TokenCursor): MastersList {
  const keyword = cursor.next();
  const node: MastersList = { kind: 'masters', range: keyword.range, masters: [] };
  if (cursor.atStatementEnd()) cursor.missing("expected the names of masters after 'masters'");
  while (!cursor.atStatementEnd()) {
    const master = cursor.acceptIdentifier();
    if (master) node.masters.push(nameOf(master));
    else cursor.fail(`expected a master's name, not ${describeToken(cursor.peek())}`);
  }
  node.range = cursor.rangeFrom(keyword.range.start);
  return node;
}
