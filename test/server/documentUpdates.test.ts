import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DidChangeTextDocumentNotification, DocumentSymbolRequest, PublishDiagnosticsNotification } from 'vscode-languageserver-protocol/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { updateDocument } from '../../server/documentUpdates';
import { OpenScenario, scenarioUri } from './helpers';

/*
 * A change whose range lies past the end of the document is applied at the end, and the
 * changes after it land where the client meant them (a fuzzer finding: the text library
 * took the range into its line table as it was, and later positions pointed nowhere).
 */

const pastTheEnd = { range: { start: { line: 5, character: 0 }, end: { line: 6, character: 0 } }, text: 'domain d { }\n' };
const atLineTwo = { range: { start: { line: 2, character: 0 }, end: { line: 2, character: 0 } }, text: 'master m { stream 1; domain d }\n' };
const opened = 'smmu s { version v2 }\n';
const expected = 'smmu s { version v2 }\ndomain d { }\nmaster m { stream 1; domain d }\n';

test('a range past the end is clamped: the text and every position after it are right', () => {
  const document = updateDocument(TextDocument.create(scenarioUri, 'iommu-scenario', 1, opened), [pastTheEnd, atLineTwo], 2);
  assert.equal(document.getText(), expected);
  assert.equal(document.version, 2);
  const fresh = TextDocument.create(scenarioUri, 'iommu-scenario', 2, expected);
  assert.equal(document.lineCount, fresh.lineCount);
  for (let offset = 0; offset <= expected.length; offset++) assert.deepEqual(document.positionAt(offset), fresh.positionAt(offset));
});

test('over a connection: the server analyses the text the client holds', async () => {
  const doc = await OpenScenario.open(opened);
  try {
    const published = new Promise<void>((resolve) => doc.connection.onNotification(PublishDiagnosticsNotification.type, (params) => {
      if (params.version === 2) resolve();
    }));
    await doc.connection.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri: scenarioUri, version: 2 }, contentChanges: [pastTheEnd, atLineTwo] });
    await published;
    const symbols = await doc.connection.sendRequest(DocumentSymbolRequest.type, { textDocument: { uri: scenarioUri } });
    assert.deepEqual(
      symbols?.map((s) => [s.name, 'range' in s ? s.range.start.line : -1]),
      [
        ['s', 0],
        ['d', 1],
        ['m', 2],
      ],
    );
  } finally {
    doc.close();
  }
});
