import assert from 'node:assert/strict';
import { suite, suiteTeardown, test } from 'mocha';
import * as vscode from 'vscode';
import { closeAllEditors, extensionId, languageId, showFile, waitUntil } from './helpers';

suite('activation', () => {
  suiteTeardown(closeAllEditors);

  test('the extension is there and waits for a scenario before it activates', () => {
    const extension = vscode.extensions.getExtension(extensionId);
    assert.ok(extension, `${extensionId} is not loaded`);
    assert.equal(extension.isActive, false);
    assert.equal(extension.packageJSON.name, 'iommu-debugger');
  });

  test('opening a .iommu file gives it the scenario language and activates the extension', async () => {
    const editor = await showFile('a530-stall-hupcf.iommu');
    assert.equal(editor.document.languageId, languageId);
    const extension = vscode.extensions.getExtension(extensionId);
    await waitUntil(`${extensionId} to activate`, () => (extension?.isActive ? true : undefined));
  });

  test('its commands are registered', async () => {
    const commands = await vscode.commands.getCommands(true);
    assert.deepEqual(
      ['iommu.debugScenario', 'iommu.runScenario'].filter((command) => commands.includes(command)),
      ['iommu.debugScenario', 'iommu.runScenario'],
    );
  });
});
