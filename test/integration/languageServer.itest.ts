import assert from 'node:assert/strict';
import { suite, suiteSetup, suiteTeardown, test } from 'mocha';
import * as vscode from 'vscode';
import { closeAllEditors, extensionId, nextEvent, showFile, waitUntil, workspaceFile } from './helpers';

/** The hover text of `hovers`, every part of every hover, as VS Code's API returns it. */
function hoverText(hovers: vscode.Hover[]): string {
  return hovers
    .flatMap((hover) => hover.contents)
    .map((part) => (typeof part === 'string' ? part : part.value))
    .join('\n---\n');
}

function simple(d: vscode.Diagnostic): object {
  const r = d.range;
  return {
    range: [r.start.line, r.start.character, r.end.line, r.end.character],
    severity: vscode.DiagnosticSeverity[d.severity],
    source: d.source,
    code: d.code,
    message: d.message,
  };
}

suite('language server', () => {
  suiteSetup(async () => {
    await showFile('a530-stall-hupcf.iommu');
    await waitUntil(`${extensionId} to activate`, () => (vscode.extensions.getExtension(extensionId)?.isActive ? true : undefined));
  });

  suiteTeardown(closeAllEditors);

  test('hover on an address that will fault: what the run did, the route and the walk', async () => {
    const uri = workspaceFile('a530-stall-hupcf.iommu');
    // Line 21: `    read 0x0700_0000 64 as bad`; the address spans columns 9–20 (0-based).
    const position = new vscode.Position(20, 12);
    const hovers = await waitUntil('a hover from the language server', async () => {
      const found = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, position);
      return found.length > 0 ? found : undefined;
    });
    assert.equal(hovers.length, 1);
    assert.equal(
      hoverText(hovers),
      [
        '**In the run**: translation fault at level 2: L2[56] is invalid; stalls; answered terminate: aborted (RESUME terminate)',
        '',
        'read `0x0700_0000` from gpu.cp: stream 0x0 → master gpu → domain gpu_dom',
        '',
        '_As the tables stand before the run (a handler may change them):_',
        '',
        '**translation fault at level 2**: L2[56] is invalid',
        '',
        '| level | index | descriptor at | value | meaning |',
        '|---|---|---|---|---|',
        '| L0 | 0 | `0x40000000` | `0x0000000040001003` | table → 0x40001000 |',
        '| L1 | 0 | `0x40001000` | `0x0000000040002003` | table → 0x40002000 |',
        '| L2 | 56 | `0x400021c0` | `0x0000000000000000` | invalid |',
      ].join('\n'),
    );
    const range = hovers[0]?.range;
    assert.deepEqual(range && [range.start.line, range.start.character, range.end.line, range.end.character], [20, 9, 20, 20]);
  });

  test('the fault the read will take is a hint on the address', async () => {
    const uri = workspaceFile('a530-stall-hupcf.iommu');
    const diagnostics = await waitUntil('the diagnostics of a530-stall-hupcf.iommu', () => {
      const list = vscode.languages.getDiagnostics(uri);
      return list.length > 0 ? list : undefined;
    });
    assert.deepEqual(diagnostics.map(simple), [
      {
        range: [20, 9, 20, 20],
        severity: 'Hint',
        source: 'iommu',
        code: 'predicted-fault',
        message: 'will fault: translation fault at level 2: L2[56] is invalid; stalls; answered terminate: aborted (RESUME terminate)',
      },
    ]);
  });

  test('a file with an unknown name: one error, on the name, with did you mean and its quick fix', async () => {
    const uri = workspaceFile('integration-unknown-domain.iommu');
    const text = [
      'smmu kgsl { version v2 }',
      'domain gpu_dom { map 0x0100_0000 -> 0x8000_0000 size 1M rw }',
      'master gpu { stream 0x0; domain gpu_dmo }',
      'engine gpu.cp { read 0x0100_0000 64 as ok }',
      '',
    ].join('\n');
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(text));
    try {
      const published = nextEvent(vscode.languages.onDidChangeDiagnostics, `diagnostics for ${uri.toString()}`, (e) =>
        e.uris.some((u) => u.toString() === uri.toString() && vscode.languages.getDiagnostics(u).length > 0),
      );
      await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
      await published;
      assert.deepEqual(vscode.languages.getDiagnostics(uri).map(simple), [
        {
          range: [2, 32, 2, 39],
          severity: 'Error',
          source: 'iommu',
          code: 'unknown-name',
          message: "unknown domain 'gpu_dmo' (domains: gpu_dom); did you mean 'gpu_dom'?",
        },
      ]);
      // The fix comes back through the client with its diagnostic's data, and writes the name meant.
      // (vscode.executeCodeActionProvider does not return an action's diagnostics: test/server checks that tie.)
      const range = new vscode.Range(2, 32, 2, 39);
      const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, range, vscode.CodeActionKind.QuickFix.value);
      assert.deepEqual(
        actions.map((a) => ({ title: a.title, kind: a.kind?.value, edits: a.edit?.get(uri).map((e) => [e.range.start.line, e.range.start.character, e.range.end.line, e.range.end.character, e.newText]) })),
        [{ title: "Change to 'gpu_dom'", kind: 'quickfix', edits: [[2, 32, 2, 39, 'gpu_dom']] }],
      );
      const fixed = nextEvent(vscode.languages.onDidChangeDiagnostics, `no diagnostics for ${uri.toString()}`, (e) =>
        e.uris.some((u) => u.toString() === uri.toString() && vscode.languages.getDiagnostics(u).length === 0),
      );
      const edit = actions[0]?.edit;
      assert.ok(edit);
      assert.equal(await vscode.workspace.applyEdit(edit), true);
      await fixed;
      const document = await vscode.workspace.openTextDocument(uri);
      assert.equal(document.lineAt(2).text, 'master gpu { stream 0x0; domain gpu_dom }');
      // Saved, so that closing the editor asks nothing.
      assert.equal(await document.save(), true);
    } finally {
      await closeAllEditors();
      await vscode.workspace.fs.delete(uri);
    }
  });
});
