import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { Browser, Page } from 'playwright-core';
import { CodeServer, startCodeServer } from './helpers/codeServer';
import { pane, pressF5, rows } from './helpers/debug';
import { launchBrowser, openWorkbench, quickOpen, screenshot } from './helpers/workbench';

/**
 * A kernel log in the workspace: its context fault line gets a "Reproduce as scenario"
 * CodeLens; a click opens the reproduced scenario, and F5 stops on the fault the line
 * reports, at its IOVA.
 */
let server: CodeServer;
let browser: Browser;
let page: Page;

const dmesg = [
  '[    1.000000] Booting Linux on physical CPU 0x0000000000 [0x410fd034]',
  '[   12.345678] arm-smmu 15000000.iommu: Unhandled context fault: fsr=0x402, iova=0xd65504710, fsynr=0x60011, cbfrsynra=0x0, cb=6',
  '',
].join('\n');

before(async () => {
  server = await startCodeServer('fault-log');
  writeFileSync(path.join(server.workspace, 'dmesg.log'), dmesg);
  browser = await launchBrowser();
  page = await openWorkbench(browser, server.url);
  await quickOpen(page, 'dmesg.log');
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('the context fault line has "Explain" and "Reproduce as scenario" lenses', async () => {
  const lens = page.locator('.monaco-editor .codelens-decoration');
  await lens.filter({ hasText: 'Reproduce as scenario' }).first().waitFor({ timeout: 30_000 });
  assert.match(await lens.first().innerText(), /Explain\s*\|\s*Reproduce as scenario/);
  await screenshot(page, 'fault-log-1-lenses');
});

test('"Explain" opens the explanation beside the log', async () => {
  await page.locator('.monaco-editor .codelens-decoration a', { hasText: 'Explain' }).first().click();
  await page.waitForSelector('.tab.active[aria-label*="fault-explanation-1.txt"]', { timeout: 30_000 });
  const text = (await page.locator('.editor-group-container.active .monaco-editor .view-lines').first().innerText()).replace(/\u00a0/g, ' ');
  assert.match(text, /^report 1: arm-smmu 15000000\.iommu \(line 2\)\n/);
  assert.match(text, /\n {2}FSYNR0 = 0x60011 {2}PLVL=1 WNR=1 /);
  await screenshot(page, 'fault-log-2-explanation');
  // Back to the log, for its lens below.
  await page.locator('.tab', { hasText: 'dmesg.log' }).click();
  await page.waitForSelector('.tab.active[aria-label*="dmesg.log"]', { timeout: 15_000 });
});

test('"Reproduce as scenario" opens reproduced-fault-1.iommu; F5 stops on the fault at the log\'s IOVA', async () => {
  await page.locator('.monaco-editor .codelens-decoration a', { hasText: 'Reproduce as scenario' }).first().click();
  await page.waitForSelector('.tab.active[aria-label*="reproduced-fault-1.iommu"]', { timeout: 30_000 });
  await page.waitForSelector('.monaco-editor .view-lines .view-line');
  await pressF5(page);
  const widget = page.locator('.exception-widget');
  await widget.waitFor({ timeout: 30_000 });
  // One thread: CALL STACK shows its frames alone, the stop's reason in its header.
  const header = pane(page, 'Call Stack');
  assert.match(await header.innerText(), /Paused on translation fault/i);
  const frames = await rows(page.locator('.debug-call-stack'));
  assert.equal(frames[0], 'write 0xd_6550_4710 4 as faulting — #0 aborted reproduced-fault-1.iommu 35:1');
  assert.match(await widget.innerText(), /Translation fault at level 1.*FSR=0x402 TF; FAR=0xd65504710/s);
  await screenshot(page, 'fault-log-3-reproduced-stop');
});
