import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { HoverRequest, InlayHintRequest } from 'vscode-languageserver-protocol/node';
import { Analysis } from '../../server/analysis';
import { codeLenses } from '../../server/codeLens';
import { completion } from '../../server/completion';
import { definition } from '../../server/definition';
import { diagnostics } from '../../server/diagnostics';
import { documentSymbols } from '../../server/documentSymbols';
import { foldingRanges } from '../../server/foldingRanges';
import { format } from '../../server/formatting';
import { hover } from '../../server/hover';
import { inlayHints } from '../../server/inlayHints';
import { references } from '../../server/references';
import { prepareRename, rename } from '../../server/rename';
import { semanticTokens } from '../../server/semanticTokens';
import { corpus, damagedScenario } from '../helpers/mutations';
import { OpenScenario, scenarioUri } from './helpers';

const uri = 'file:///damaged.iommu';

/** Every feature, at one position: none may throw, whatever the text. */
function everyFeature(text: string, offset: number): void {
  const analysis = new Analysis(uri, 1, text);
  const position = analysis.positionAt(offset);
  const everything = { start: { line: 0, character: 0 }, end: analysis.positionAt(text.length) };
  assert.ok(Array.isArray(diagnostics(analysis)));
  hover(analysis, position);
  inlayHints(analysis, everything);
  completion(analysis, position);
  definition(analysis, position);
  references(analysis, position, true);
  prepareRename(analysis, position);
  rename(analysis, position, 'renamed');
  documentSymbols(analysis);
  foldingRanges(analysis);
  format(analysis, { tabSize: 2, insertSpaces: true });
  semanticTokens(analysis);
  codeLenses(analysis);
}

test('thousands of damaged scenarios: every feature answers, none throws', () => {
  fc.assert(
    fc.property(damagedScenario, fc.nat(), (text, at) => everyFeature(text, at % (text.length + 1))),
    { numRuns: 3000 },
  );
});

test('every undamaged example, at every line start: every feature answers', () => {
  for (const text of corpus) {
    let offset = 0;
    for (const line of text.split('\n')) {
      everyFeature(text, offset + Math.floor(line.length / 2));
      offset += line.length + 1;
    }
  }
});

test('through a real connection: hundreds of damaged versions, a diagnostics list for each, and the server still answers', async () => {
  const texts = fc.sample(damagedScenario, { numRuns: 300, seed: 42 });
  const doc = await OpenScenario.open(corpus[0] ?? '');
  try {
    for (const text of texts) {
      const published = await doc.change(text);
      assert.ok(Array.isArray(published.diagnostics));
      await doc.connection.sendRequest(InlayHintRequest.type, { textDocument: { uri: scenarioUri }, range: { start: { line: 0, character: 0 }, end: { line: 10_000, character: 0 } } });
    }
    await doc.change(corpus[0] ?? '');
    const alive = await doc.connection.sendRequest(HoverRequest.type, { textDocument: { uri: scenarioUri }, position: doc.position('domain') });
    assert.ok(alive);
  } finally {
    doc.close();
  }
});
