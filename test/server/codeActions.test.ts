import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CodeAction, CodeActionKind, CodeActionRequest, Diagnostic } from 'vscode-languageserver-protocol/node';
import { initialize, inProcessServer } from '../helpers/lspClient';
import { OpenScenario, scenarioUri } from './helpers';

const base = `scenario "quick fixes"
smmu kgsl { version v2 }
domain gpu_dom {
  fault stall
  map 0x0100_0000 -> 0x8000_0000 size 1M rw
}
master gpu { stream 0x0; domain gpu_dom; can-stall }
engine gpu.cp {
  read 0x0100_0040 64 as ok
}
handler h on gpu_dom {
  context thread
  sleep 10
  terminate
}
expect ok completed
`;

let doc: OpenScenario;

before(async () => {
  doc = await OpenScenario.open(base);
});

after(() => doc.close());

/** Publishes `text`; asks for the code actions of its diagnostics, as VS Code does at the lightbulb. */
async function fixesOf(text: string): Promise<{ diagnostics: Diagnostic[]; actions: CodeAction[] }> {
  const { diagnostics } = await doc.change(text);
  const range = { start: { line: 0, character: 0 }, end: { line: text.split('\n').length, character: 0 } };
  const result = await doc.connection.sendRequest(CodeActionRequest.type, { textDocument: { uri: scenarioUri }, range, context: { diagnostics } });
  return { diagnostics, actions: (result ?? []).filter((a): a is CodeAction => 'kind' in a) };
}

/** `base` with `find` replaced (it must be there once). */
function edit(find: string, replacement: string): string {
  assert.equal(base.split(find).length, 2, `'${find}' must be in the text once`);
  return base.replace(find, replacement);
}

/** A diagnostic message as text (LSP 3.18 allows markup; this server sends plain strings). */
function textOf(message: Diagnostic['message'] | undefined): string {
  return typeof message === 'string' ? message : (message?.value ?? '');
}

/** The one action: its diagnostic must be the published one, and it must edit only this document. */
function onlyAction(result: { diagnostics: Diagnostic[]; actions: CodeAction[] }): { title: string; message: string; edits: { range: string; newText: string }[] } {
  assert.equal(result.actions.length, 1, JSON.stringify(result.actions));
  const [action] = result.actions;
  assert.equal(action.kind, CodeActionKind.QuickFix);
  assert.equal(action.isPreferred, true);
  assert.deepEqual(action.diagnostics, [result.diagnostics.find((d) => d.message === action.diagnostics?.[0]?.message)]);
  assert.deepEqual(Object.keys(action.edit?.changes ?? {}), [scenarioUri]);
  return {
    title: action.title,
    message: textOf(action.diagnostics?.[0]?.message),
    edits: (action.edit?.changes?.[scenarioUri] ?? []).map((e) => ({ range: `${e.range.start.line}:${e.range.start.character}-${e.range.end.line}:${e.range.end.character}`, newText: e.newText })),
  };
}

describe('quick fixes', () => {
  test('the server announces quick fixes in its capabilities', async () => {
    const peer = inProcessServer();
    try {
      const result = await initialize(peer);
      assert.deepEqual(result.capabilities.codeActionProvider, { codeActionKinds: [CodeActionKind.QuickFix] });
    } finally {
      peer.dispose();
    }
  });

  test('a clean scenario has no fixes', async () => {
    assert.deepEqual((await fixesOf(base)).actions, []);
  });

  test('a misspelt domain name: did you mean, and the fix writes it', async () => {
    assert.deepEqual(onlyAction(await fixesOf(edit('domain gpu_dom; can-stall', 'domain gpu_dmo; can-stall'))), {
      title: "Change to 'gpu_dom'",
      message: "unknown domain 'gpu_dmo' (domains: gpu_dom); did you mean 'gpu_dom'?",
      edits: [{ range: '6:32-6:39', newText: 'gpu_dom' }],
    });
  });

  test('a misspelt keyword: the declaration, the setting, the statement', async () => {
    assert.deepEqual(onlyAction(await fixesOf(edit('engine gpu.cp {', 'engnie gpu.cp {'))).edits, [{ range: '7:0-7:6', newText: 'engine' }]);
    assert.deepEqual(onlyAction(await fixesOf(edit('  fault stall\n', '  fualt stall\n'))), {
      title: "Change to 'fault'",
      message: "unknown setting 'fualt' in a domain block; expected one of: smmu, granule, ias, oas, pgd, fault, hupcf, report, record, ttbr1, s1cbndx, dma, flush-queue, flush-timeout, stage, vmid, nested, cd, tables, vm, map; did you mean 'fault'?",
      edits: [{ range: '3:2-3:7', newText: 'fault' }],
    });
    assert.deepEqual(onlyAction(await fixesOf(edit('  sleep 10', '  slep 10'))).edits, [{ range: '12:2-12:6', newText: 'sleep' }]);
  });

  test('a master without can-stall on a stall domain: the fix adds can-stall after its domain', async () => {
    const text = edit('domain gpu_dom; can-stall }', 'domain gpu_dom }');
    assert.deepEqual(onlyAction(await fixesOf(text)), {
      title: "Add 'can-stall' to master 'gpu'",
      message:
        "iommu_attach_device fails: domain 'gpu_dom' stalls on faults but master 'gpu' is not 'can-stall'. The master stays unattached and its transactions fault (a VFIO container would put it in a domain of its own).",
      edits: [{ range: '6:39-6:39', newText: '; can-stall' }],
    });
  });

  test('a misaligned map: IOVA and PA round down to their page, the size up to whole pages', async () => {
    const { diagnostics, actions } = await fixesOf(edit('map 0x0100_0000 -> 0x8000_0000 size 1M rw', 'map 0x0100_0010 -> 0x8000_0800 size 0x1800 rw'));
    assert.deepEqual(
      actions.map((a) => [a.title, a.diagnostics?.[0]?.message, a.edit?.changes?.[scenarioUri]]),
      [
        ['Align the IOVA down to 0x1000000', 'IOVA 0x1000010 is not 4K-aligned', [{ range: { start: { line: 4, character: 6 }, end: { line: 4, character: 17 } }, newText: '0x1000000' }]],
        ['Align the PA down to 0x80000000', 'PA 0x80000800 is not 4K-aligned', [{ range: { start: { line: 4, character: 21 }, end: { line: 4, character: 32 } }, newText: '0x80000000' }]],
        ['Round the size up to 0x2000', 'size 0x1800 is not a positive multiple of 4K', [{ range: { start: { line: 4, character: 38 }, end: { line: 4, character: 44 } }, newText: '0x2000' }]],
      ],
    );
    assert.equal(diagnostics.filter((d) => d.code === 'map-alignment').length, 3);
  });

  test('sleeping in an irq-context handler: the fix makes it context thread', async () => {
    assert.deepEqual(onlyAction(await fixesOf(edit('context thread', 'context irq'))), {
      title: "Run handler 'h' in thread context",
      message: "'sleep' blocks: sleeping in atomic context (handler 'h' runs in irq context)",
      edits: [{ range: '11:10-11:13', newText: 'thread' }],
    });
  });

  test('only the diagnostics the request names get actions; a request for refactorings gets none', async () => {
    const { diagnostics } = await doc.change(edit('context thread', 'context irq'));
    const range = { start: { line: 0, character: 0 }, end: { line: 1, character: 0 } };
    assert.deepEqual(await doc.connection.sendRequest(CodeActionRequest.type, { textDocument: { uri: scenarioUri }, range, context: { diagnostics: [] } }), []);
    const refactor = await doc.connection.sendRequest(CodeActionRequest.type, { textDocument: { uri: scenarioUri }, range, context: { diagnostics, only: [CodeActionKind.Refactor] } });
    assert.deepEqual(refactor, []);
    const other = diagnostics.map((d) => ({ ...d, source: 'other' }));
    assert.deepEqual(await doc.connection.sendRequest(CodeActionRequest.type, { textDocument: { uri: scenarioUri }, range, context: { diagnostics: other } }), []);
  });

  test('a context that is not a code action context is InvalidParams', async () => {
    const range = { start: { line: 0, character: 0 }, end: { line: 1, character: 0 } };
    await assert.rejects(
      doc.connection.sendRequest(CodeActionRequest.type.method, { textDocument: { uri: scenarioUri }, range, context: { includeDeclaration: true } }),
      { message: "codeActions: 'context' must be { diagnostics: Diagnostic[], only?: string[] }" },
    );
  });
});
