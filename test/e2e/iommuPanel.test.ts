import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { Browser, Locator, Page } from 'playwright-core';
import { CodeServer, startCodeServer } from './helpers/codeServer';
import { collapsePane, iommuView, iommuViews, pane, pressF5, treeRows, waitForPause } from './helpers/debug';
import { launchBrowser, openWorkbench, quickOpen, screenshot, screenshotDir } from './helpers/workbench';

/**
 * The IOMMU panel at 1280×800: its five views side by side below the editor, brought
 * forward by the first stop with the faulting read selected and its answers showing; no
 * answer on a read that waits behind the fault; a screenshot of each view.
 */
let server: CodeServer;
let browser: Browser;
let page: Page;

before(async () => {
  server = await startCodeServer('iommu-panel');
  browser = await launchBrowser();
  page = await openWorkbench(browser, server.url, { width: 1280, height: 800 });
  await quickOpen(page, 'a530-stall-no-hupcf.iommu');
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/** The labels of a row's inline actions that are drawn now (VS Code hides them until the row is hovered or selected). */
async function shownActions(row: Locator): Promise<string[]> {
  return row.locator('.actions .action-label').evaluateAll((labels) =>
    labels.filter((l) => l.getClientRects().length > 0).map((l) => `${l.getAttribute('aria-label') ?? ''} ${[...l.classList].find((c) => c.startsWith('codicon-') && c !== 'codicon') ?? ''}`),
  );
}

test('the first stop brings the IOMMU panel forward, its views side by side, the faulting read selected with its answers showing', async () => {
  await pressF5(page);
  await waitForPause(page, 'PAUSED ON TRANSLATION FAULT');
  const panel = page.locator('.part.panel');
  await panel.locator('.pane-header', { hasText: 'Stalled Transactions' }).waitFor({ timeout: 15_000 });
  assert.equal(await panel.locator('.composite-bar .action-item.checked').innerText(), 'IOMMU');
  const headers = await panel.locator('.pane-header .title').allInnerTexts();
  assert.deepEqual(headers.map((h) => h.trim().toLowerCase()), iommuViews.map((v) => v.toLowerCase()));
  // Not in the Run and Debug side bar any more.
  assert.equal(await page.locator('.part.sidebar .pane-header', { hasText: 'Stalled Transactions' }).count(), 0);
  const stalled = await iommuView(page, 'Stalled Transactions');
  const row = stalled.locator('.monaco-list-row', { hasText: '#1 gpu.cp' });
  await row.waitFor({ timeout: 15_000 });
  assert.equal(await row.getAttribute('aria-selected'), 'true');
  await page.mouse.move(0, 0);
  assert.deepEqual(await shownActions(row), ['Retry codicon-refresh', 'Terminate codicon-close', 'Abort codicon-error']);
  await screenshot(page, 'panel-1-first-stop');
});

test('a read stalled behind the fault offers no answer; the faulting read still does', async () => {
  await page.keyboard.press('F5');
  await waitForPause(page, 'PAUSED ON STALL');
  const stalled = await iommuView(page, 'Stalled Transactions');
  const behind = stalled.locator('.monaco-list-row', { hasText: '#2 gpu.tp' });
  await behind.waitFor({ timeout: 15_000 });
  assert.deepEqual(await treeRows(stalled), [
    '#1 gpu.cp read 0x7000000 (bad) · sid 0x0 · translation fault at level 2: L2[56] is invalid · 49 cycles',
    '#2 gpu.tp read 0x1002000 (tex) · sid 0x0 · behind a fault (HUPCF=0) · 0 cycles',
  ]);
  await behind.hover();
  assert.deepEqual(await shownActions(behind), []);
  const fault = stalled.locator('.monaco-list-row', { hasText: '#1 gpu.cp' });
  await fault.hover();
  assert.deepEqual(await shownActions(fault), ['Retry codicon-refresh', 'Terminate codicon-close', 'Abort codicon-error']);
  await screenshot(page, 'panel-2-behind-no-answer');
});

test('each view, opened alone in the panel: a screenshot of it', async () => {
  const firstRows: Record<string, string> = {
    'Stalled Transactions': '#1 gpu.cp',
    Faults: '#0 translation fault',
    'Page Tables': 'gpu_dom',
    SMMU: 'kgsl',
    Queues: 'No SMMUv3 in this scenario.',
  };
  for (const title of iommuViews) {
    for (const other of iommuViews) if (other !== title) await collapsePane(page, other);
    const body = await iommuView(page, title);
    await body.getByText(firstRows[title] ?? '').first().waitFor({ timeout: 15_000 });
    const file = path.join(screenshotDir, `view-${title.toLowerCase().replace(/ /g, '-')}.png`);
    await pane(page, title).screenshot({ path: file });
    assert.ok(statSync(file).size > 1000, file);
  }
});
