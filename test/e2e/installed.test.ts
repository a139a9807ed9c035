import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Browser, Frame, Page } from 'playwright-core';
import { CodeServer, startCodeServer } from './helpers/codeServer';
import { runCommand } from './helpers/debug';
import { launchBrowser, openWorkbench, screenshot, statusBarLanguage } from './helpers/workbench';

/**
 * What someone who installed the .vsix meets before writing a scenario of their own: the
 * Getting Started walkthrough, whose first step opens the example shipped in the install
 * folder, and the Details page, drawn from the packed files, screenshot and all.
 */
let server: CodeServer;
let browser: Browser;
let page: Page;

before(async () => {
  server = await startCodeServer('installed');
  browser = await launchBrowser();
  page = await openWorkbench(browser, server.url);
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/** The frame of a webview whose document holds the text: webviews are iframes inside iframes. */
async function webviewFrame(text: string): Promise<Frame> {
  for (let attempt = 0; attempt < 100; attempt++) {
    for (const frame of page.frames()) {
      if ((await frame.locator('body', { hasText: text }).count().catch(() => 0)) > 0) return frame;
    }
    await page.waitForTimeout(200);
  }
  throw new Error(`no webview shows "${text}"`);
}

/** Welcome: Open Walkthrough…, then ours, as a user picks it. */
async function openWalkthrough(): Promise<void> {
  await runCommand(page, 'Welcome: Open Walkthrough...');
  await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Debug an SMMU fault' }).waitFor({ timeout: 15_000 });
  await page.keyboard.type('Debug an SMMU fault');
  await page.keyboard.press('Enter');
  await page.locator('.getting-started-step .step-title').first().waitFor({ timeout: 30_000 });
}

test('the Getting Started walkthrough: open an example, debug it, run it, the views', async () => {
  await openWalkthrough();
  const steps = page.locator('.getting-started-step .step-title');
  assert.deepEqual(await steps.allInnerTexts(), ['Open an example scenario', 'Debug it: F5', 'Run it: Ctrl+F5', 'Open the IOMMU views']);
  // The first step's page, media/walkthrough/open-example.md from the install folder, beside the steps.
  await webviewFrame('An Adreno 530 fault, in twenty lines');
  await screenshot(page, 'installed-1-walkthrough');
});

test('its first step opens the example from the extension\'s install folder', async () => {
  const step = page.locator('.getting-started-step', { hasText: 'Open an example scenario' });
  await step.locator('.button-link, a, button', { hasText: 'Open the Example' }).first().click();
  await page.waitForSelector('.tab.active[aria-label*="a530-fault-no-stall.iommu"]', { timeout: 30_000 });
  await page.locator('[id="status.editor.mode"]', { hasText: 'IOMMU Scenario' }).waitFor({ timeout: 30_000 });
  assert.equal((await statusBarLanguage(page)).trim(), 'IOMMU Scenario');
  // Not the workspace's copy: the breadcrumbs of a file outside the workspace name its folders.
  const breadcrumbs = await page.locator('.monaco-breadcrumbs').first().innerText();
  assert.match(breadcrumbs, /iommu-tools\.iommu-debugger-0\.1\.0[\s\S]*examples[\s\S]*a530-fault-no-stall\.iommu/);
  await screenshot(page, 'installed-2-example-open');
  // Its completion event (onCommand:iommu.openExample) ticks the step (the example took the walkthrough's preview tab).
  await openWalkthrough();
  await step.locator('.complete').waitFor({ timeout: 15_000 });
  await screenshot(page, 'installed-2-step-ticked');
});

test('the Details page is the packed docs/marketplace.md: its screenshot is drawn, the documents are named where they are', async () => {
  await page.keyboard.press('Control+Shift+X');
  const row = page.locator('.extensions-viewlet .monaco-list-row', { hasText: 'IOMMU Debugger' });
  await row.waitFor({ timeout: 30_000 });
  await row.click();
  const details = await webviewFrame('The scenario language in ten lines');
  const image = details.locator('img[alt^="A debug session of a530-stall-hupcf.iommu"]');
  await image.waitFor({ timeout: 15_000 });
  // Drawn, not a broken-image placeholder: the page allows only https: and data: images.
  const drawn = (): Promise<boolean> =>
    image.evaluate((img) => {
      const picture = img as unknown as { complete: boolean; naturalWidth: number };
      return picture.complete && picture.naturalWidth > 0;
    });
  for (let attempt = 0; attempt < 75 && !(await drawn()); attempt++) await page.waitForTimeout(200);
  assert.ok(await drawn(), 'the screenshot is drawn');
  // No link that the page could not open: the documents are named by their path in the extension's folder.
  assert.deepEqual(await details.locator('a[href]').evaluateAll((anchors) => anchors.map((a) => a.getAttribute('href') ?? '').filter((href) => !/^(https?:|#)/.test(href))), []);
  const text = await details.locator('body').innerText();
  for (const named of ['docs/debugging.md', 'docs/scenario-language.md', 'docs/smmuv3.md', 'examples/a530-fault-no-stall.iommu']) assert.ok(text.includes(named), named);
  assert.doesNotMatch(text, /\bnpm\b/);
  await screenshot(page, 'installed-3-details');
});
