import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ErrorCodes, HoverRequest, ResponseError } from 'vscode-languageserver-protocol/node';
import { OpenScenario, scenarioUri } from './helpers';

/*
 * Params that are not what LSP says a request carries are answered InvalidParams, with
 * what is wrong (a fuzzer finding: they used to reach the feature, which threw, logged an
 * error and answered with nothing).
 */

let doc: OpenScenario;
before(async () => {
  doc = await OpenScenario.open('smmu s { version v2 }\ndomain d { map 0x1000 -> 0x8000 size 4K rw }\n');
});
after(() => doc.close());

const textDocument = { uri: scenarioUri };
const position = { line: 1, character: 7 };

async function refusal(method: string, params: object): Promise<[number, string]> {
  try {
    await doc.connection.sendRequest(method, params);
  } catch (error) {
    assert.ok(error instanceof ResponseError);
    return [error.code, error.message];
  }
  assert.fail(`${method} ${JSON.stringify(params)} was answered`);
}

test('each malformed piece of params is named in the InvalidParams answer', async () => {
  const badPosition = "'position' must be { line, character }, whole numbers from 0";
  const cases: [string, object, string][] = [
    ['textDocument/hover', { textDocument: { uri: 42 }, position }, "hover: 'textDocument' must be { uri: string }"],
    ['textDocument/hover', { position }, "hover: 'textDocument' must be { uri: string }"],
    ['textDocument/hover', { textDocument }, `hover: ${badPosition}`],
    ['textDocument/definition', { textDocument, position: { line: -1, character: 0 } }, `definition: ${badPosition}`],
    ['textDocument/completion', { textDocument, position: { line: 0, character: 1.5 } }, `completion: ${badPosition}`],
    ['textDocument/prepareRename', { textDocument, position: { line: '1', character: 0 } }, `prepareRename: ${badPosition}`],
    ['textDocument/references', { textDocument, position }, "references: 'context' must be { includeDeclaration: boolean }"],
    ['textDocument/rename', { textDocument, position, newName: 7 }, "rename: 'newName' must be a string"],
    ['textDocument/formatting', { textDocument, options: { tabSize: 'two', insertSpaces: true } }, "formatting: 'options' must be { tabSize: a whole number, insertSpaces: boolean }"],
    ['textDocument/inlayHint', { textDocument, range: { start: position } }, "inlayHints: 'range' must be { start, end }, two positions"],
    ['textDocument/semanticTokens/full', { textDocument: null }, "semanticTokens: 'textDocument' must be { uri: string }"],
  ];
  for (const [method, params, message] of cases) assert.deepEqual(await refusal(method, params), [ErrorCodes.InvalidParams, message], method);
});

test('well-formed params with more than LSP asks for are answered', async () => {
  const hover = await doc.connection.sendRequest(HoverRequest.type, { textDocument, position, workDoneToken: 'x', extra: [1] } as never);
  assert.equal(hover?.range?.start.line, 1);
});
