import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { Browser, Page } from 'playwright-core';
import { CodeServer, startCodeServer } from './helpers/codeServer';
import { debugConsoleLines, goToLine, treeRows, waitForPause, waitForSessionEnd } from './helpers/debug';
import { launchBrowser, openWorkbench, quickOpen, screenshot } from './helpers/workbench';

/**
 * Launch errors where a user looks: F5 on a scenario with errors offers Show Problems and
 * lists each error in the Debug Console as a link to its line; a launch.json configuration
 * whose scenario is not open does the same with no dialog; F5 with nothing open offers the
 * workspace's scenarios.
 */
let server: CodeServer;
let browser: Browser;
let page: Page;

/**
 * A misspelt keyword on line 2 (`domian`), and so an unknown domain on line 3, in a folder of
 * its own: the paths say where it is.
 */
const broken = ['smmu s { version v2 }', 'domian d { map 0x1000_0000 -> 0x8000_0000 size 2M rw }', 'master m { stream 0x1; domain d }'].join('\n');
const brokenError = "unexpected 'domian'; expected a declaration: scenario, kernel, timing, smmu, domain, master, engine, workqueue, handler, pagetable, vfio, vm, expect; did you mean 'domain'?";
const brokenSecond = "unknown domain 'd' (there is no domain)";
/** Never opened in an editor: only the adapter checks it. Its error is on line 3, column 24. */
const notOpen = ['smmu s { version v2 }', 'domain d { map 0x1000_0000 -> 0x8000_0000 size 2M rw }', 'master m { stream 0x1; domain nowhere }'].join('\n');

before(async () => {
  server = await startCodeServer('launch-errors');
  mkdirSync(path.join(server.workspace, 'gpu'));
  writeFileSync(path.join(server.workspace, 'gpu', 'broken.iommu'), broken);
  writeFileSync(path.join(server.workspace, 'gpu', 'not-open.iommu'), notOpen);
  browser = await launchBrowser();
  page = await openWorkbench(browser, server.url);
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/** Where the active editor's cursor is, as the status bar says it (`Ln 2, Col 1`). */
function cursor(): Promise<string> {
  return page.locator('[id="status.editor.selection"]').innerText();
}

/** Waits until the status bar puts the cursor at `where` (`Ln 2, Col 1`). */
async function cursorAt(where: string): Promise<void> {
  await page.locator('[id="status.editor.selection"]', { hasText: where }).waitFor({ timeout: 15_000 });
}

/** Waits until the Debug Console shows a row holding `text`; returns every row's text. */
async function debugConsoleOnce(text: string): Promise<string[]> {
  await page.locator('.repl .monaco-list-row', { hasText: text }).first().waitFor({ timeout: 30_000 });
  return (await debugConsoleLines(page)).map((line) => line.replace(/\s*\n\s*/g, ' ').trim());
}

test('F5 with no scenario open: a quick pick of the workspace\'s scenarios; the one picked is debugged', async () => {
  // Each by its name, then its folder when it is not at the top (never an absolute path).
  const scenarios = readdirSync(server.workspace, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.iommu'))
    .sort((a, b) => path.basename(a).localeCompare(path.basename(b)))
    .map((file) => (path.dirname(file) === '.' ? path.basename(file) : `${path.basename(file)} ${path.dirname(file)}`));
  // With no editor to tell the language, VS Code first asks which debugger: the IOMMU one is offered.
  const debuggers = page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: 'IOMMU Scenario' });
  for (let attempt = 1; ; attempt++) {
    // The workbench takes the key, not the browser (whose F5 reloads the page): focus on its empty editor area.
    await page.locator('.part.editor').click();
    await page.keyboard.press('F5');
    try {
      await debuggers.first().waitFor({ timeout: 10_000 });
      break;
    } catch (error) {
      // Until the extension host has told the workbench of its debuggers, F5 only opens Run and Debug.
      if (attempt === 6) throw error;
    }
  }
  await screenshot(page, 'launch-errors-1-debugger');
  await debuggers.first().click();
  const picker = page.locator('.quick-input-widget', { hasText: 'Debug which scenario?' });
  await picker.waitFor({ timeout: 30_000 });
  // The list is virtualised: it renders the rows that fit, the first of the sorted scenarios …
  const shown = await treeRows(picker.locator('.quick-input-list'));
  assert.ok(shown.length >= 10, `only ${shown.length} rows shown`);
  assert.deepEqual(shown, scenarios.slice(0, shown.length));
  await screenshot(page, 'launch-errors-2-pick');
  // … and typing brings the last of them into view.
  const last = scenarios[scenarios.length - 1] ?? '';
  await page.keyboard.type(last.split(' ')[0] ?? '');
  await picker.locator('.quick-input-list .monaco-list-row', { hasText: last.split(' ')[0] ?? '' }).first().waitFor({ timeout: 15_000 });
  assert.ok((await treeRows(picker.locator('.quick-input-list'))).includes(last));
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('Backspace');
  await picker.locator('.quick-input-list .monaco-list-row', { hasText: 'a530-fault-no-stall.iommu' }).click();
  await waitForPause(page, 'PAUSED ON TRANSLATION FAULT');
  await page.locator('.tab.active[aria-label*="a530-fault-no-stall.iommu"]').waitFor({ timeout: 15_000 });
  await page.keyboard.press('Shift+F5');
  await waitForSessionEnd(page);
});

test('F5 on a scenario with errors: a message whose one button is Show Problems, which shows the error at its line', async () => {
  await quickOpen(page, 'broken.iommu');
  await page.locator('.squiggly-error').first().waitFor({ timeout: 30_000 });
  await page.keyboard.press('F5');
  const toast = page.locator('.notification-toast', { hasText: 'broken.iommu has errors, so it cannot run' });
  await toast.waitFor({ timeout: 30_000 });
  assert.equal((await toast.locator('.notification-list-item-message').innerText()).trim(), `broken.iommu has errors, so it cannot run: line 2: ${brokenError} (and 1 more)`);
  assert.deepEqual(await toast.locator('.monaco-button').allInnerTexts(), ['Show Problems']);
  assert.equal(await page.locator('.monaco-dialog-box').count(), 0, 'no dialog');
  await screenshot(page, 'launch-errors-3-message');
  await toast.locator('.monaco-button', { hasText: 'Show Problems' }).click();
  const problem = page.locator('.markers-panel .monaco-list-row', { hasText: 'did you mean' });
  await problem.waitFor({ timeout: 15_000 });
  const text = (await problem.innerText()).replace(/\s*\n\s*/g, ' ');
  assert.ok(text.includes(brokenError), text);
  assert.ok(text.includes('[Ln 2, Col 1]'), text);
  await screenshot(page, 'launch-errors-4-problems');
});

test('the same F5 lists the error in the Debug Console, FILE:LINE:COL a link that opens its line', async () => {
  await page.keyboard.press('Control+Shift+Y');
  const lines = await debugConsoleOnce('did you mean');
  assert.deepEqual(lines, [`./gpu/broken.iommu:2:1: error: ${brokenError} broken.iommu:2`, `./gpu/broken.iommu:3:31: error: ${brokenSecond} broken.iommu:3`]);
  const links = page.locator('.repl .monaco-list-row a.link');
  assert.deepEqual(await links.allInnerTexts(), ['./gpu/broken.iommu:2:1', './gpu/broken.iommu:3:31']);
  const link = links.first();
  await screenshot(page, 'launch-errors-5-console');
  // Somewhere else first, so that the line the link opens is its doing.
  await page.locator('.editor-group-container.active .monaco-editor .view-lines').first().click();
  await goToLine(page, 3, 5);
  await cursorAt('Ln 3, Col 5');
  await link.click({ modifiers: ['Control'] });
  await cursorAt('Ln 2, Col 1');
  assert.equal((await cursor()).trim(), 'Ln 2, Col 1');
  await page.locator('.tab.active[aria-label*="broken.iommu"]').waitFor({ timeout: 15_000 });
});

test('launch.json with a scenario that is not open: its errors in the Debug Console with links, and no dialog', async () => {
  // Every editor closed: only the adapter reads the file.
  await page.keyboard.press('Control+K');
  await page.keyboard.press('Control+W');
  mkdirSync(path.join(server.workspace, '.vscode'));
  const configuration = { type: 'iommu', request: 'launch', name: 'Not open', scenario: '${workspaceFolder}/gpu/not-open.iommu' };
  writeFileSync(path.join(server.workspace, '.vscode', 'launch.json'), JSON.stringify({ version: '0.2.0', configurations: [configuration] }, null, 2));
  await page.keyboard.press('Control+Shift+D');
  // F5 starts the configuration the Run and Debug view has chosen: launch.json's, once it is read.
  await page.locator('.start-debug-action-item select option:checked', { hasText: 'Not open' }).waitFor({ state: 'attached', timeout: 30_000 });
  await page.keyboard.press('F5');
  const lines = await debugConsoleOnce('nowhere');
  assert.deepEqual(lines, ["./gpu/not-open.iommu:3:31: error: unknown domain 'nowhere' (domains: d) not-open.iommu:3"]);
  assert.deepEqual(await page.locator('.repl .monaco-list-row a.link').allInnerTexts(), ['./gpu/not-open.iommu:3:31']);
  assert.equal(await page.locator('.monaco-dialog-box').count(), 0, 'no dialog');
  assert.equal(await page.locator('.notification-toast', { hasText: 'not-open' }).count(), 0, 'no message: the Debug Console says it all');
  assert.equal(await page.getByText("Open 'launch.json'").count(), 0);
  await screenshot(page, 'launch-errors-6-launch-json');
  // The location VS Code draws at the right of the line opens it too.
  await page.locator('.repl .monaco-list-row .source', { hasText: 'not-open.iommu:3' }).click();
  await page.locator('.tab.active[aria-label*="not-open.iommu"]').waitFor({ timeout: 15_000 });
  await cursorAt('Ln 3, Col 31');
  assert.equal((await cursor()).trim(), 'Ln 3, Col 31');
});
