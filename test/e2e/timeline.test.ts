import assert from 'node:assert/strict';
import { copyFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { Browser, FrameLocator, Page } from 'playwright-core';
import { repoPath } from '../helpers/repo';
import { CodeServer, startCodeServer } from './helpers/codeServer';
import { collapsePane, continueUntilFrame, goToLine, iommuView, pressF5, runCommand, treeRows } from './helpers/debug';
import { launchBrowser, openWorkbench, quickOpen, screenshot } from './helpers/workbench';

/**
 * The timeline webview during a session, stopped in the handler before it terminates the
 * stalled read: engines and kernel threads as lanes, the fault, the stall and both halves
 * of the fault path as spans. Its last step takes the README's screenshot.
 */
let server: CodeServer;
let browser: Browser;
let page: Page;

before(async () => {
  server = await startCodeServer('timeline');
  browser = await launchBrowser();
  page = await openWorkbench(browser, server.url, { width: 1280, height: 800 });
  await quickOpen(page, 'a530-stall-hupcf.iommu');
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/** The timeline's document: the webview's frame inside the workbench's. */
function timeline(): FrameLocator {
  return page.frameLocator('iframe.webview.ready').frameLocator('iframe');
}

test('stopped in the handler, the timeline shows every lane and span so far', async () => {
  await goToLine(page, 35);
  await page.keyboard.press('F9');
  await pressF5(page);
  await continueUntilFrame(page, 'terminate a530-stall-hupcf.iommu 35:1');
  await runCommand(page, 'IOMMU: Show Transaction Timeline');
  const status = timeline().locator('#status');
  await status.filter({ hasText: 'Stopped at cycle 100.' }).waitFor({ timeout: 30_000 });
  const spans = await timeline().locator('[data-span]').evaluateAll((shapes) => shapes.map((s) => s.getAttribute('aria-label')));
  // Drawn in this order so that a fault's diamond and a stall's bar lie on top of their transaction.
  assert.deepEqual(spans, [
    'read 0x1000000, cycles 0–40 (40 cycles)',
    'read 0x7000000 (bad), cycles 1–… (open, 99 cycles so far)',
    'arm_smmu_context_fault → queue_work, cycles 36–39 (3 cycles)',
    'read 0x1002000 (tex), cycles 50–90 (40 cycles)',
    'gpu_fault, cycles 58–… (open, 42 cycles so far)',
    'read 0x1002040 (tex), cycles 60–100 (40 cycles)',
    'read 0x1002080 (tex), cycles 70–… (open, 30 cycles so far)',
    'read 0x10020c0 (tex), cycles 80–… (open, 20 cycles so far)',
    'stalled by its fault, cycles 31–… (open, 69 cycles so far)',
    'translation fault at level 2: L2[56] is invalid, cycle 31',
  ]);
});

test('clicking the stall in the timeline reveals the faulting read in the editor', async () => {
  await goToLine(page, 1);
  await timeline().locator('[data-span][aria-label^="stalled by its fault"]').click();
  await page.locator('[id="status.editor.selection"]', { hasText: 'Ln 21' }).waitFor({ timeout: 15_000 });
});

test('the views beside it: Stalled Transactions and the SMMU context bank; the README screenshot', async () => {
  const stalled = await iommuView(page, 'Stalled Transactions');
  await stalled.locator('.monaco-list-row', { hasText: '#1 gpu.cp' }).waitFor({ timeout: 15_000 });
  const smmu = await iommuView(page, 'SMMU');
  await smmu.locator('.monaco-list-row', { hasText: 'cb0' }).click();
  await smmu.locator('.monaco-list-row', { hasText: 'SCTLR' }).waitFor({ timeout: 15_000 });
  const rows = await treeRows(smmu);
  // The whole bank, in the panel's height. The IRQ handler has written FSR's fault bits back; SS stays set until RESUME.
  assert.deepEqual(rows, [
    'kgsl SMMUv2 · 1 context bank in use',
    'cb0 gpu_dom · FSR SS · 1 stalled',
    'SCTLR 0x000011e7',
    'FSR 0x40000400',
    'FSYNR0 0x00000002',
    'FAR 0x0000000007000000',
    'CBFRSYNRA 0x00000000',
    'TTBR0 0x0000000040000000',
    'TCR 0x00803510',
    'sGFSR 0x00000000',
  ]);
  // The README's picture at 1280×800: Variables and Call Stack in the side bar, the scenario
  // and the timeline side by side, the IOMMU panel below; without the empty rooms around them.
  await collapsePane(page, 'Watch');
  await collapsePane(page, 'Breakpoints');
  const shot = await screenshot(page, 'readme');
  copyFileSync(shot, repoPath('docs', 'screenshot.png'));
});
