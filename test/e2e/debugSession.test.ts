import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Browser, Page } from 'playwright-core';
import { CodeServer, startCodeServer } from './helpers/codeServer';
import { debugConsoleLines, iommuView, pressF5, rows, treeRows, waitForPause, waitForSessionEnd } from './helpers/debug';
import { launchBrowser, openWorkbench, quickOpen, screenshot } from './helpers/workbench';

/**
 * The story of the README: F5 on the a530 stall example stops on the fault at the
 * faulting line; the Stalled Transactions view lists the read; its Terminate action
 * answers it; the run ends with the expect results in the Debug Console.
 */
let server: CodeServer;
let browser: Browser;
let page: Page;

before(async () => {
  server = await startCodeServer('debug-session');
  browser = await launchBrowser();
  page = await openWorkbench(browser, server.url);
  await quickOpen(page, 'a530-stall-hupcf.iommu');
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('F5 stops on the translation fault, at the faulting line, with the fault in words', async () => {
  await pressF5(page);
  const callStack = await waitForPause(page, 'PAUSED ON TRANSLATION FAULT');
  const frames = await rows(callStack);
  assert.equal(frames[0], 'gpu.cp PAUSED ON TRANSLATION FAULT');
  assert.equal(frames[1], 'read 0x0700_0000 64 as bad — #1 stalled a530-stall-hupcf.iommu 21:1');
  const widget = page.locator('.exception-widget');
  await widget.waitFor({ timeout: 15_000 });
  assert.match(await widget.innerText(), /Translation fault at level 2: L2\[56\] is invalid; FSR=0x40000402 TF\|SS; FAR=0x7000000/);
  assert.equal(await page.locator('.monaco-editor .debug-top-stack-frame-line').count() > 0, true, 'the faulting line is marked');
  await screenshot(page, 'debug-1-stopped-on-fault');
});

test('the Stalled Transactions view lists the faulting read, and Terminate answers it', async () => {
  const view = await iommuView(page, 'Stalled Transactions');
  const row = view.locator('.monaco-list-row', { hasText: '#1 gpu.cp' });
  await row.waitFor({ timeout: 15_000 });
  assert.deepEqual(await treeRows(view), ['#1 gpu.cp read 0x7000000 (bad) · sid 0x0 · translation fault at level 2: L2[56] is invalid · 30 cycles']);
  await screenshot(page, 'debug-2-stalled-view');
  await row.hover();
  await row.locator('.action-label[aria-label="Terminate"]').click();
  await view.locator('.welcome-view-content', { hasText: 'No transaction is stalled.' }).waitFor({ timeout: 15_000 });
  assert.deepEqual(await treeRows(view), []);
  const faults = await iommuView(page, 'Faults');
  await faults.locator('.monaco-list-row', { hasText: '#0 translation fault' }).waitFor({ timeout: 15_000 });
  assert.deepEqual(await treeRows(faults), ['#0 translation fault 0x7000000 · gpu.cp · level 2 · cycle 31 · terminate']);
});

test('the answer from the view is the debugger\'s own: the stop is told again as it stands, and the Debug Console says what the driver wrote', async () => {
  // No exception any more: the stop is a pause "Answered terminate for #1", the read no longer stalled.
  const callStack = await waitForPause(page, 'ANSWERED TERMINATE FOR #1');
  const frames = await rows(callStack);
  assert.deepEqual(frames.slice(0, 2), ['gpu.cp ANSWERED TERMINATE FOR #1', 'read 0x0700_0000 64 as bad — #1 aborted a530-stall-hupcf.iommu 21:1']);
  // The exception widget goes with the exception.
  await page.locator('.exception-widget').waitFor({ state: 'detached', timeout: 15_000 });
  if (!(await page.locator('.repl').isVisible())) await page.keyboard.press('Control+Shift+Y');
  await page.locator('.repl .monaco-list-row', { hasText: 'Answered terminate for #1' }).waitFor({ timeout: 15_000 });
  const answered = (await debugConsoleLines(page)).map((l) => l.trim()).filter((l) => l.startsWith('Answered'));
  assert.deepEqual(answered, ['Answered terminate for #1: FSR ← 0x2; RESUME ← terminate (TnR=1)']);
  await screenshot(page, 'debug-2b-answered');
});

test('continuing runs to the end; the Debug Console shows every expect result', async () => {
  await page.keyboard.press('F5');
  await waitForSessionEnd(page);
  if (!(await page.locator('.repl').isVisible())) await page.keyboard.press('Control+Shift+Y');
  // Terminate wrote FSR back before RESUME, as the driver does: when the IRQ is taken,
  // arm_smmu_context_fault finds FSR clear (IRQ_NONE), so the handler never runs its `dump`.
  const expected = [
    'ended at cycle 120: transactions 6, faults 1, completed 5, aborted 1',
    'line 38: expect bad aborted: ok (bad: aborted)',
    'line 39: expect tex completed: ok (tex: 4 completed)',
    'line 40: expect completed == 5: ok (completed = 5)',
    'line 41: expect dumps == 1: FAILED (dumps = 0)',
  ];
  await page.locator('.repl .monaco-list-row', { hasText: 'line 41' }).waitFor({ timeout: 15_000 });
  const lines = (await debugConsoleLines(page)).map((l) => l.trim());
  assert.deepEqual(lines.slice(-expected.length), expected);
  await screenshot(page, 'debug-3-ended');
});
