import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Browser, Page } from 'playwright-core';
import { CodeServer, startCodeServer } from './helpers/codeServer';
import { continueUntilFrame, goToLine, hoverText, keyboardHoverText, pressF5, waitForSessionEnd } from './helpers/debug';
import { launchBrowser, openWorkbench, quickOpen, screenshot } from './helpers/workbench';

/**
 * Hovering an address: with no session the language server predicts its translation from
 * the scenario as written; during a session the adapter walks the live tables — which the
 * handler has changed by then.
 */
let server: CodeServer;
let browser: Browser;
let page: Page;

before(async () => {
  server = await startCodeServer('hover');
  browser = await launchBrowser();
  page = await openWorkbench(browser, server.url);
  await quickOpen(page, 'svm-map-and-retry.iommu');
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('with no session, hovering an address shows the language server\'s prediction: the run, then the static walk', async () => {
  // `write 0x0300_0000 …` on line 23: the address starts at column 9.
  const text = await keyboardHoverText(page, 23, 12, ['As the tables stand before the run', 'will fault:']);
  const story = 'translation fault at level 2: L2\\[24\\] is invalid; stalls; answered retry: completed → 0x8800_0000';
  assert.match(text, new RegExp(`will fault: ${story}`), 'the predicted fault, as a hint');
  assert.match(text, new RegExp(`In the run: ${story}`));
  assert.match(text, /write 0x0300_0000 from gpu\.cp: stream 0x400 → master gpu → domain gpu_dom/);
  assert.match(text, /L2\t24\t0x400020c0\t0x0000000000000000\tinvalid/);
  assert.match(text, /As the tables stand before the run \(a handler may change them\):/);
  await screenshot(page, 'hover-1-static');
});

test('during a session, hovering the same address shows the live translation the handler made', async () => {
  await page.keyboard.press('Escape');
  // A breakpoint on the stray read: by then the handler has mapped fill's page and retried.
  await goToLine(page, 25);
  await page.keyboard.press('F9');
  await pressF5(page);
  // The faults of fill and fill2 stop first (the translation filter is on by default).
  await continueUntilFrame(page, 'svm-map-and-retry.iommu 25:1');
  const text = await hoverText(page, '0x0300_0000', '.debug-hover-widget', '→');
  assert.match(text, /0x3000000 → 0x88000000 \(4K page, level 3/);
  await screenshot(page, 'hover-2-live');
  await page.keyboard.press('Escape');
  await page.keyboard.press('Shift+F5');
  await waitForSessionEnd(page);
});
