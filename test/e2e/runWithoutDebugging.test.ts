import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Browser, Page } from 'playwright-core';
import { CodeServer, startCodeServer } from './helpers/codeServer';
import { debugConsoleLines, iommuView, runCommand, treeRows } from './helpers/debug';
import { launchBrowser, openWorkbench, quickOpen, screenshot } from './helpers/workbench';

/**
 * Run without debugging (Ctrl+F5) on the example that stops on a translation fault when
 * debugged: it runs to the end, the run report opens, and the views keep the last state,
 * marked with the cycle the run ended at.
 */
let server: CodeServer;
let browser: Browser;
let page: Page;

before(async () => {
  server = await startCodeServer('run-without-debugging');
  browser = await launchBrowser();
  page = await openWorkbench(browser, server.url);
  await quickOpen(page, 'a530-fault-no-stall.iommu');
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/** The active editor's visible text, spaces as spaces. */
async function activeEditorText(): Promise<string> {
  const text = await page.locator('.editor-group-container.active .monaco-editor .view-lines').first().innerText();
  return text.replace(/\u00a0/g, ' ');
}

test('Ctrl+F5 runs to the end without stopping, and the run report opens', async () => {
  await page.keyboard.press('Control+F5');
  await page.waitForSelector('.tab.active[aria-label*="a530-fault-no-stall run report.md"]', { timeout: 30_000 });
  const report = await activeEditorText();
  assert.match(report, /# Run report: a530-fault-no-stall\.iommu/);
  assert.match(report, /Ran without debugging · ended at cycle 91/);
  assert.match(report, /## Expects: 2 passed, 0 failed/);
  assert.equal(await page.locator('.exception-widget').count(), 0, 'no exception stop');
  await screenshot(page, 'run-1-report');
});

test('the Debug Console has the summary and every expect', async () => {
  if (!(await page.locator('.repl').isVisible())) await page.keyboard.press('Control+Shift+Y');
  await page.locator('.repl .monaco-list-row', { hasText: 'line 36' }).waitFor({ timeout: 15_000 });
  const lines = (await debugConsoleLines(page)).map((l) => l.trim());
  assert.deepEqual(lines.slice(-3), ['ended at cycle 91: transactions 6, faults 1, completed 1, raz 5, dumps 1', 'line 35: expect bad raz: ok (bad: raz)', 'line 36: expect raz == 5: ok (raz = 5)']);
});

test('the views keep the last state, marked "ended at cycle 91"', async () => {
  const faults = await iommuView(page, 'Faults');
  await faults.getByText('The run ended at cycle 91 (read-only).').waitFor({ timeout: 15_000 });
  await faults.locator('.monaco-list-row', { hasText: 'Crash dump #0' }).waitFor({ timeout: 15_000 });
  assert.deepEqual(await treeRows(faults), ['#0 translation fault 0x7000000 · gpu.cp · level 2 · cycle 31 · terminated at once (no stall)', 'Crash dump #0 gpu_fault on irq/kgsl · cycle 39']);
  const stalled = await iommuView(page, 'Stalled Transactions');
  await stalled.locator('.monaco-list-row', { hasText: 'No transaction was stalled when the run ended at cycle 91.' }).waitFor({ timeout: 15_000 });
  await screenshot(page, 'run-2-views-kept');
});

test('a crash dump of the run still opens, and the timeline shows the last cycle', async () => {
  await runCommand(page, 'IOMMU: Open Crash Dump');
  await page.waitForSelector('.tab.active[aria-label*="crash-dump-0.txt"]', { timeout: 15_000 });
  assert.match(await activeEditorText(), /FSR/);
  await runCommand(page, 'IOMMU: Show Transaction Timeline');
  const status = page.frameLocator('iframe.webview.ready').frameLocator('iframe').locator('#status');
  await status.filter({ hasText: 'The debug session has ended. The drawing shows cycle 91.' }).waitFor({ timeout: 30_000 });
  await screenshot(page, 'run-3-timeline-ended');
});
