import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Browser, Page } from 'playwright-core';
import { CodeServer, startCodeServer } from './helpers/codeServer';
import { clickGutter, expandPane, goToLine, iommuView, pressF5, rows, treeRows, waitForPause } from './helpers/debug';
import { launchBrowser, openWorkbench, quickOpen, screenshot } from './helpers/workbench';

/**
 * Into the fault handler: a breakpoint set in the gutter on a handler line, F5 to the
 * fault, F11 into the handler on the workqueue thread that runs it, F5 to the breakpoint.
 */
let server: CodeServer;
let browser: Browser;
let page: Page;

before(async () => {
  server = await startCodeServer('step-into-handler');
  browser = await launchBrowser();
  page = await openWorkbench(browser, server.url);
  await quickOpen(page, 'a530-stall-hupcf.iommu');
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('a click in the gutter of the handler\'s `dump` line sets a breakpoint there', async () => {
  await goToLine(page, 34);
  await clickGutter(page, 34);
  await page.keyboard.press('Control+Shift+D');
  const breakpoints = await expandPane(page, 'Breakpoints');
  const row = breakpoints.locator('.monaco-list-row', { hasText: 'a530-stall-hupcf.iommu' });
  await row.waitFor({ timeout: 15_000 });
  assert.equal((await row.innerText()).replace(/\s*\n\s*/g, ' '), 'a530-stall-hupcf.iommu 34');
});

test('F5 stops on the fault; step into lands on the handler\'s first statement on the worker thread', async () => {
  await pressF5(page);
  await waitForPause(page, 'PAUSED ON TRANSLATION FAULT');
  await page.keyboard.press('F11');
  const callStack = await waitForPause(page, 'STEPPED INTO THE FAULT HANDLER');
  const frames = await rows(callStack);
  const worker = frames.indexOf('iopf/0 STEPPED INTO THE FAULT HANDLER');
  assert.ok(worker >= 0, frames.join('\n'));
  // The kernel's frames below the handler are the kernel's: VS Code folds them, by their origin, until asked.
  assert.deepEqual(frames.slice(worker + 1, worker + 4), [
    'log "stalled {kind} fault at {iova}, sid {sid}" a530-stall-hupcf.iommu 33:1',
    'gpu_fault() a530-stall-hupcf.iommu 31:1',
    'Show 2 More: Linux kernel',
  ]);
  await callStack.locator('.monaco-list-row', { hasText: 'Show 2 More: Linux kernel' }).click();
  const kernelFrame = callStack.locator('.monaco-list-row', { hasText: 'process_one_work' });
  await kernelFrame.waitFor({ timeout: 15_000 });
  // In its file, at its line: never "Unknown Source · 0".
  assert.equal((await rows(callStack)).find((r) => r.startsWith('process_one_work')), 'process_one_work workqueue.c 8');
  await screenshot(page, 'step-1-into-handler');
});

test('a kernel frame opens its file\'s page at its function: what it does on the fault path', async () => {
  await page.locator('.debug-call-stack .monaco-list-row', { hasText: 'process_one_work' }).click();
  await page.waitForSelector('.tab.active[aria-label*="workqueue.c"]', { timeout: 15_000 });
  const text = (await page.locator('.editor-group-container.active .monaco-editor .view-lines').first().innerText()).replace(/\u00a0/g, ' ');
  assert.match(text, /^\/\/ kernel\/workqueue\.c\n/);
  assert.match(text, /\nprocess_one_work\(\)\n {4}\/\/ Runs one work item: the fault handler queued by queue_work/);
  await screenshot(page, 'step-1b-kernel-frame-page');
  // Back to the scenario's tab for the breakpoint below.
  await page.locator('.tab', { hasText: 'a530-stall-hupcf.iommu' }).click();
  await page.waitForSelector('.tab.active[aria-label*="a530-stall-hupcf.iommu"]', { timeout: 15_000 });
});

test('continuing stops at the breakpoint on `dump`, still on the worker; the Faults view has the fault', async () => {
  await page.keyboard.press('F5');
  const callStack = await waitForPause(page, 'PAUSED ON BREAKPOINT');
  const frames = await rows(callStack);
  const worker = frames.findIndex((row) => row.startsWith('iopf/0'));
  assert.equal(frames[worker], 'iopf/0 PAUSED ON BREAKPOINT');
  assert.equal(frames[worker + 1], 'dump a530-stall-hupcf.iommu 34:1');
  const faults = await iommuView(page, 'Faults');
  await faults.locator('.monaco-list-row', { hasText: '#0 translation fault' }).waitFor({ timeout: 15_000 });
  assert.deepEqual(await treeRows(faults), ['#0 translation fault 0x7000000 · gpu.cp · level 2 · cycle 31 · stalled, not answered yet']);
  await screenshot(page, 'step-2-breakpoint-in-handler');
});
