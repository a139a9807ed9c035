import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  CodeLensRequest,
  DefinitionRequest,
  InlayHintRequest,
  Location,
  PrepareRenameRequest,
  ReferencesRequest,
  RenameRequest,
  ResponseError,
  TextEdit,
} from 'vscode-languageserver-protocol/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { OpenScenario, scenarioUri } from './helpers';

const text = `scenario "navigation"
smmu s { version v2 }
domain d {
  fault stall
  map 0x1000_0000 -> 0x9000_0000 size 2M rw
}
master gpu { stream 0x1; domain d; can-stall }
engine gpu.cp {
  read 0x1000_0040 64 as hit
  read 0x2000_0000 64 as miss
  repeat 2 { read 0x1000_0000 + i*0x1000 8 as hit }
}
workqueue faults { workers 2 }
workqueue spare { }
handler h on d {
  context workqueue
  queue iopf
  if engine == gpu.cp && master == gpu { terminate } else { retry }
}
expect hit completed
expect miss aborted
`;

let doc: OpenScenario;
const textDocument = { uri: scenarioUri };

before(async () => {
  doc = await OpenScenario.open(text);
});

after(() => doc.close());

function ranges(locations: Location[] | null): string[] {
  return (locations ?? []).map((l) => `${l.range.start.line}:${l.range.start.character}-${l.range.end.character}`);
}

/** `line:start-end` of the first `length` characters of `needle` (all of it by default). */
function at(needle: string, length = needle.length, occurrence = 0): string {
  const start = doc.position(needle, 0, occurrence);
  return `${start.line}:${start.character}-${start.character + length}`;
}

test('inlay hints: → PA after each address, what the run did where it faults', async () => {
  const hints = await doc.connection.sendRequest(InlayHintRequest.type, { textDocument, range: { start: { line: 0, character: 0 }, end: { line: 30, character: 0 } } });
  assert.deepEqual(
    (hints ?? []).map((h) => [h.position, h.label, h.paddingLeft]),
    [
      [doc.position('0x1000_0040', 11), '→ 0x9000_0040', true],
      [doc.position('0x2000_0000', 11), '→ translation fault · stall · terminate: aborted', true],
      [doc.position('0x1000_0000 + i*0x1000', 22), '→ 0x9000_0000', true],
    ],
  );
  const fault = hints?.[1]?.tooltip;
  assert.deepEqual(fault, { kind: 'markdown', value: 'translation fault at level 2: L2[256] is invalid; stalls; answered terminate: aborted (RESUME terminate)' });
});

test('inlay hints only for the range asked', async () => {
  const line = doc.position('0x2000_0000').line;
  const hints = await doc.connection.sendRequest(InlayHintRequest.type, { textDocument, range: { start: { line, character: 0 }, end: { line, character: 40 } } });
  assert.deepEqual((hints ?? []).map((h) => h.label), ['→ translation fault · stall · terminate: aborted']);
});

test('go to definition: from a reference to the declaration; from an expect to every labelled transaction', async () => {
  const definition = (needle: string, delta: number, occurrence = 0) =>
    doc.connection.sendRequest(DefinitionRequest.type, { textDocument, position: doc.position(needle, delta, occurrence) }) as Promise<Location[] | null>;
  assert.deepEqual(ranges(await definition('on d', 3)), [at('d {', 1)]);
  assert.deepEqual(ranges(await definition('gpu.cp &&', 5)), [at('gpu.cp {', 6)]);
  assert.deepEqual(ranges(await definition('hit completed', 1)), [at('hit', 3, 0), at('hit', 3, 1)]);
  assert.equal(await definition('stall', 1), null);
});

test('find references: every use, with or without the declaration', async () => {
  const refs = (needle: string, delta: number, includeDeclaration: boolean) =>
    doc.connection.sendRequest(ReferencesRequest.type, { textDocument, position: doc.position(needle, delta), context: { includeDeclaration } });
  const gpu = await refs('master gpu', 8, true);
  // Its declaration, the master half of `engine gpu.cp`, and of `gpu.cp` and `master == gpu` in the handler.
  assert.deepEqual(ranges(gpu), [at('gpu {', 3), at('gpu.cp', 3), at('gpu.cp &&', 3), at('gpu {', 3, 1)]);
  assert.equal((await refs('master gpu', 8, false))?.length, 3);
  assert.equal((await refs('miss aborted', 1, true))?.length, 2);
});

test('rename: a domain everywhere; a master in engine names and expressions; an engine keeps its master part', async () => {
  const rename = async (needle: string, delta: number, newName: string): Promise<string> => {
    const edit = await doc.connection.sendRequest(RenameRequest.type, { textDocument, position: doc.position(needle, delta), newName });
    const edits: TextEdit[] = edit?.changes?.[scenarioUri] ?? [];
    return TextDocument.applyEdits(TextDocument.create(scenarioUri, 'iommu-scenario', 1, text), edits);
  };
  const domain = await rename('domain d', 7, 'gpu_dom');
  assert.match(domain, /domain gpu_dom \{/);
  assert.match(domain, /domain gpu_dom; can-stall/);
  assert.match(domain, /handler h on gpu_dom/);
  const master = await rename('master gpu', 8, 'adreno');
  assert.match(master, /master adreno \{/);
  assert.match(master, /engine adreno\.cp/);
  assert.match(master, /engine == adreno\.cp && master == adreno/);
  const engine = await rename('gpu.cp {', 5, 'sqe');
  assert.match(engine, /engine gpu\.sqe \{/);
  assert.match(engine, /engine == gpu\.sqe &&/);
  const label = await rename('as miss', 4, 'fault0');
  assert.match(label, /as fault0\n/);
  assert.match(label, /expect fault0 aborted/);
});

test('rename refuses a name the language cannot read back, a name taken, and the built-in iopf', async () => {
  const refused = async (needle: string, delta: number, newName: string): Promise<string> => {
    try {
      await doc.connection.sendRequest(RenameRequest.type, { textDocument, position: doc.position(needle, delta), newName });
    } catch (error) {
      assert.ok(error instanceof ResponseError);
      return error.message;
    }
    assert.fail('the rename was accepted');
  };
  assert.equal(await refused('domain d', 7, '2d'), "'2d' is not a valid name: a letter or '_', then letters, digits, '_', or '-' before a letter");
  assert.equal(await refused('domain d', 7, 'a-1'), "'a-1' is not a valid name: a letter or '_', then letters, digits, '_', or '-' before a letter");
  assert.equal(await refused('workqueue spare', 11, 'faults'), "there is already a workqueue 'faults'");
  assert.equal(await refused('queue iopf', 7, 'q'), "'iopf' is the IOMMU core's built-in workqueue: it cannot be renamed");
  const prepare = await doc.connection.sendRequest(PrepareRenameRequest.type, { textDocument, position: doc.position('gpu.cp {', 5) });
  assert.deepEqual(prepare, { start: doc.position('gpu.cp {', 4), end: doc.position('gpu.cp {', 6) });
});

test('code lenses: Run and Debug on the scenario line', async () => {
  const lenses = await doc.connection.sendRequest(CodeLensRequest.type, { textDocument });
  assert.deepEqual(
    lenses?.map((l) => [l.range.start.line, l.command?.title, l.command?.command, l.command?.arguments]),
    [
      [0, '$(play) Run', 'iommu.runScenario', [scenarioUri]],
      [0, '$(debug-alt) Debug', 'iommu.debugScenario', [scenarioUri]],
    ],
  );
});
