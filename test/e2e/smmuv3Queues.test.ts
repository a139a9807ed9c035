import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Browser, Locator, Page } from 'playwright-core';
import { CodeServer, startCodeServer } from './helpers/codeServer';
import { iommuView, pressF5, treeRows, waitForPause } from './helpers/debug';
import { launchBrowser, openWorkbench, quickOpen, screenshot } from './helpers/workbench';

/**
 * SMMUv3 in the client: stopped on the first of two stalls, the Queues view shows the event
 * queue's pending stall record, decoded, and the STAG waiting for CMD_RESUME; the Stalled
 * Transactions view answers it by STAG, and the Queues view then shows the command queue
 * the SMMU consumed.
 */
let server: CodeServer;
let browser: Browser;
let page: Page;

before(async () => {
  server = await startCodeServer('smmuv3-queues');
  browser = await launchBrowser();
  page = await openWorkbench(browser, server.url, { width: 1600, height: 1100 });
  await quickOpen(page, 'smmuv3-stalls-out-of-order.iommu');
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/** Waits for a row of a tree view with `text`, and returns it. */
async function row(view: Locator, text: string): Promise<Locator> {
  const found = view.locator('.monaco-list-row', { hasText: text }).first();
  await found.waitFor({ timeout: 15_000 });
  return found;
}

test('stopped on the first stall, the Queues view shows the stall record pending, decoded, and its STAG', async () => {
  await pressF5(page);
  await waitForPause(page, 'PAUSED ON TRANSLATION FAULT');
  // The panel's third view beside Stalled Transactions and Faults.
  const queues = await iommuView(page, 'Queues');
  const event = await row(queues, 'smmu0 · event queue');
  assert.deepEqual(await treeRows(queues), [
    'smmu0 · event queue PROD 0x00000001 CONS 0x00000000 · 1 pending',
    'smmu0 · PRI queue PROD 0x00000000 CONS 0x00000000 · empty',
    'smmu0 · command queue PROD 0x00000000 CONS 0x00000000 · empty',
    'smmu0 · stalls 1 waiting for CMD_RESUME',
  ]);
  await event.locator('.monaco-tl-twistie').click();
  const record = await row(queues, '[0] F_TRANSLATION');
  await record.locator('.monaco-tl-twistie').click();
  await row(queues, 'F_TRANSLATION: translation fault');
  const shown = await treeRows(queues);
  assert.deepEqual(shown.slice(1, 6), [
    '[0] F_TRANSLATION sid 0x10 stag 0x0 stall read 0x7000000 slot at 0x40007000',
    'ID 0x10 · F_TRANSLATION: translation fault',
    'SSV 0 · no SubstreamID',
    'SubstreamID 0x0 · UNKNOWN (SSV = 0)',
    'StreamID 0x10 · SID 0x10',
  ]);
  await screenshot(page, 'smmuv3-1-queues');
});

test('Terminate in the Stalled Transactions view sends CMD_RESUME by STAG; the Queues view shows it consumed', async () => {
  const queues = await iommuView(page, 'Queues');
  const stalled = await iommuView(page, 'Stalled Transactions');
  const first = await row(stalled, '#0 gpu.cp');
  assert.match((await treeRows(stalled))[0] ?? '', /^#0 gpu\.cp read 0x7000000 \(first\) · sid 0x10 · stag 0x0 · /);
  await first.hover();
  await first.locator('.action-label[aria-label="Terminate"]').click();
  await stalled.locator('.welcome-view-content', { hasText: 'No transaction is stalled.' }).waitFor({ timeout: 15_000 });
  // Fold the event queue opened above, so that the view shows every queue.
  await (await row(queues, 'smmu0 · event queue')).locator('.monaco-tl-twistie').click();
  // One command: CMD_RESUME, with no CMD_SYNC after it, as arm_smmu_page_response sends it in every release.
  await row(queues, 'PROD 0x00000001 CONS 0x00000001');
  assert.deepEqual(await treeRows(queues), [
    'smmu0 · event queue PROD 0x00000001 CONS 0x00000000 · 1 pending',
    'smmu0 · PRI queue PROD 0x00000000 CONS 0x00000000 · empty',
    'smmu0 · command queue PROD 0x00000001 CONS 0x00000001 · empty',
  ]);
  await screenshot(page, 'smmuv3-2-resumed');
});
