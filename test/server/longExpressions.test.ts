import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  CompletionRequest,
  DefinitionRequest,
  DocumentFormattingRequest,
  DocumentSymbolRequest,
  FoldingRangeRequest,
  HoverRequest,
  InlayHintRequest,
  MarkupContent,
  ReferencesRequest,
  SemanticTokensRequest,
} from 'vscode-languageserver-protocol/node';
import { semanticTokensLegend } from '../../server/semanticTokens';
import { OpenScenario, scenarioUri } from './helpers';

/*
 * A file whose expressions are as long as a line can be: every feature answers on it, and
 * what it answers is what it answers on a short one (issue 12: a 4,500-term sum used to
 * overflow the stack, and the server answered every request with nothing).
 */

const N = 100_000;
const sum = `0x0100_0000${' + 1'.repeat(N)}`;
const condition = `${Array(N / 10).fill('iova > 1 && fsr != 2 || -~level == 0').join(' || ')} || domain == d`;
const text = `smmu s { version v2 }
domain d { map 0x0100_0000 -> 0x8000_0000 size 1M rw }
master m { stream 0x1; domain d }
engine m.e {
  read ${sum} 64 as x
}
handler h on d {
  context thread
  if ${condition} { log "at {${Array(N).fill('iova').join(' + ')}}" }
  terminate
}
expect x completed
`;

let doc: OpenScenario;
before(async () => {
  doc = await OpenScenario.open(text);
});
after(() => doc.close());

const textDocument = { uri: scenarioUri };

test('diagnostics are published, and there are none', () => {
  assert.deepEqual(doc.diagnostics, []);
});

test("hover on the sum: its exact value's translation", async () => {
  const hover = await doc.connection.sendRequest(HoverRequest.type, { textDocument, position: doc.position('0x0100_0000 + 1', 2) });
  assert.ok(hover);
  assert.deepEqual(hover.range, doc.range(sum));
  const lines = (hover.contents as MarkupContent).value.split('\n');
  assert.equal(lines[0], '**In the run**: completed → 0x8001_86a0');
  assert.equal(lines[2], 'read `0x0101_86a0` from m.e: stream 0x1 → master m → domain d');
  assert.equal(lines[6], '**0x0101_86a0 → 0x8001_86a0** (4K page, level 3)');
});

test('hover on a field at the far end of a long condition and of a log hole', async () => {
  for (const needle of ['level == 0 || domain', 'iova}']) {
    const hover = await doc.connection.sendRequest(HoverRequest.type, { textDocument, position: doc.position(needle, 1) });
    assert.ok(hover, needle);
    assert.match((hover.contents as MarkupContent).value, /^\*\*(level|iova)\*\* \(fault field\) — /);
  }
});

test('the inlay hint after the sum gives its PA', async () => {
  const hints = await doc.connection.sendRequest(InlayHintRequest.type, { textDocument, range: { start: { line: 0, character: 0 }, end: { line: 20, character: 0 } } });
  assert.deepEqual(
    hints?.map((h) => [h.position, h.label]),
    [[doc.position(sum, sum.length), '→ 0x8001_86a0']],
  );
});

test('definition and references of a domain named at the end of a 100,000-term condition', async () => {
  const at = doc.position('domain == d', 'domain == '.length);
  /** The `d` at the end of `context`. */
  const d = (context: string) => ({ start: doc.position(context, context.length - 1), end: doc.position(context, context.length) });
  const definition = await doc.connection.sendRequest(DefinitionRequest.type, { textDocument, position: at });
  assert.deepEqual(definition, [{ uri: scenarioUri, range: d('domain d') }]);
  const references = await doc.connection.sendRequest(ReferencesRequest.type, { textDocument, position: at, context: { includeDeclaration: false } });
  assert.deepEqual(
    references?.map((r) => r.range),
    [d('stream 0x1; domain d'), d('handler h on d'), d('|| domain == d')],
  );
});

test('semantic tokens: the last field of the condition is coloured as a field', async () => {
  const tokens = await doc.connection.sendRequest(SemanticTokensRequest.type, { textDocument });
  assert.ok(tokens);
  const wanted = doc.position('level == 0 || domain');
  let line = 0;
  let character = 0;
  let found: string | undefined;
  for (let i = 0; i < tokens.data.length; i += 5) {
    line += tokens.data[i];
    character = tokens.data[i] === 0 ? character + tokens.data[i + 1] : tokens.data[i + 1];
    if (line === wanted.line && character === wanted.character) found = semanticTokensLegend.tokenTypes[tokens.data[i + 3]];
  }
  assert.equal(found, 'property');
});

test('symbols, folding, formatting and completion answer as on a short file', async () => {
  const symbols = await doc.connection.sendRequest(DocumentSymbolRequest.type, { textDocument });
  assert.deepEqual(
    symbols?.map((s) => s.name),
    ['s', 'd', 'm', 'm.e', 'h', 'expect'],
  );
  const folding = await doc.connection.sendRequest(FoldingRangeRequest.type, { textDocument });
  assert.deepEqual(
    folding?.map((f) => [f.startLine, f.endLine]),
    [
      [3, 4],
      [6, 9],
    ],
  );
  assert.deepEqual(await doc.connection.sendRequest(DocumentFormattingRequest.type, { textDocument, options: { tabSize: 2, insertSpaces: true } }), []);
  // At the end of the long condition, completion offers what it offers at the end of a short one.
  const short = await OpenScenario.open(text.replace(condition, 'iova > 1 || domain == d'));
  try {
    const labels = async (scenario: OpenScenario): Promise<string[]> => {
      const items = await scenario.connection.sendRequest(CompletionRequest.type, { textDocument, position: scenario.position('|| domain == d', 3) });
      assert.ok(Array.isArray(items));
      return items.map((item) => item.label);
    };
    const expected = await labels(short);
    assert.ok(expected.includes('domain') && expected.includes('iova'));
    assert.deepEqual(await labels(doc), expected);
  } finally {
    short.close();
  }
});
