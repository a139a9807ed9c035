import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Browser, Page } from 'playwright-core';
import { CodeServer, extensionHostLog, outputChannelLogs, startCodeServer } from './helpers/codeServer';
import { launchBrowser, openWorkbench, quickOpen, screenshot, statusBarLanguage } from './helpers/workbench';

const extensionId = 'iommu-tools.iommu-debugger';

let server: CodeServer;
let browser: Browser;
let page: Page;

before(async () => {
  server = await startCodeServer('smoke');
  browser = await launchBrowser();
  page = await openWorkbench(browser, server.url);
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('an .iommu file opens as an IOMMU Scenario', async () => {
  await quickOpen(page, 'a530-fault-no-stall.iommu');
  await page.locator('[id="status.editor.mode"]', { hasText: 'IOMMU Scenario' }).waitFor({ timeout: 30_000 });
  assert.equal((await statusBarLanguage(page)).trim(), 'IOMMU Scenario');
  await screenshot(page, 'smoke-scenario-open');
});

test('opening it activates the extension, which starts the language server', async () => {
  const activation = `ExtensionService#_doActivateExtension ${extensionId}, startup: false, activationEvent: 'onLanguage:iommu-scenario'`;
  const activated = (): boolean => extensionHostLog(server.userDataDir).includes(activation);
  // The language client creates its output channel (and so its log file) as it starts, after activation.
  const clientStarted = (): boolean => outputChannelLogs(server.userDataDir, extensionId).length > 0;
  for (let attempt = 0; attempt < 150 && !(activated() && clientStarted()); attempt++) {
    await page.waitForTimeout(200);
  }
  assert.ok(activated(), 'activation on the language is logged');
  assert.deepEqual(outputChannelLogs(server.userDataDir, extensionId), ['IOMMU Scenario Language Server']);
});

test('the grammar colours the scenario: keywords and numbers are tokens of their own', async () => {
  const firstDeclaration = page.locator('.view-line', { hasText: 'smmu kgsl' });
  const tokens = await firstDeclaration.locator('span > span').allInnerTexts();
  assert.deepEqual(
    tokens.filter((t) => t.trim() !== ''),
    ['smmu', 'kgsl', '{', 'version', 'v2', '}'],
  );
  const classes = await firstDeclaration.locator('span > span').evaluateAll((spans) => spans.map((s) => s.className));
  assert.ok(new Set(classes).size >= 3, `token classes ${classes.join(' ')}`);
});
