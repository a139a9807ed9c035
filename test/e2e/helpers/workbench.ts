import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { Browser, chromium, Page } from 'playwright-core';
import { repoPath } from '../../helpers/repo';

export const screenshotDir = repoPath('test-results', 'screenshots');

/** Debian's Chromium, headless, with nothing that reaches for the internet. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env['IOMMU_CHROMIUM'] ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/** Opens the workbench and waits until it has drawn itself. */
export async function openWorkbench(browser: Browser, url: string, viewport = { width: 1400, height: 900 }): Promise<Page> {
  const page = await browser.newPage({ viewport });
  await page.goto(url);
  await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
  await page.waitForSelector('.explorer-folders-view .monaco-list-row', { timeout: 30_000 });
  return page;
}

/** Ctrl+P, the file's name, Enter: the way a user opens a file. */
export async function quickOpen(page: Page, fileName: string): Promise<void> {
  await page.keyboard.press('Control+P');
  await page.waitForSelector('.quick-input-widget input');
  await page.keyboard.type(fileName);
  await page.waitForSelector(`.quick-input-list .monaco-list-row[aria-label*="${fileName}"]`);
  await page.keyboard.press('Enter');
  await page.waitForSelector(`.tab.active[aria-label*="${fileName}"]`);
  await page.waitForSelector('.monaco-editor .view-lines .view-line');
}

/** The language the status bar names for the active editor. */
export function statusBarLanguage(page: Page): Promise<string> {
  return page.locator('[id="status.editor.mode"]').innerText();
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(screenshotDir, { recursive: true });
  const file = path.join(screenshotDir, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}
