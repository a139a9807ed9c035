import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { Browser, Page } from 'playwright-core';
import { CodeServer, startCodeServer } from './helpers/codeServer';
import { pressF5, waitForSessionEnd } from './helpers/debug';
import { launchBrowser, openWorkbench, quickOpen, screenshot } from './helpers/workbench';

/**
 * A long run shows its progress, its Cancel pauses it, and the inline value beside the read
 * counts every read the machine issued, not the first few thousand.
 */
let server: CodeServer;
let browser: Browser;
let page: Page;

/** 2,000,000 reads that translate (line 5), then one that faults (line 6): seconds of running. */
const longRun = [
  'smmu s { version v2 }',
  'domain d { map 0x1000_0000 -> 0x8000_0000 size 2M rw }',
  'master m { stream 0x1; domain d }',
  'engine m.dma {',
  '  repeat 2000000 { read 0x1000_0000 + (i % 512) * 0x1000 64 }',
  '  read 0x7000_0000 64',
  '}',
].join('\n');

before(async () => {
  server = await startCodeServer('long-run');
  writeFileSync(path.join(server.workspace, 'long-run.iommu'), longRun);
  browser = await launchBrowser();
  page = await openWorkbench(browser, server.url);
  await quickOpen(page, 'long-run.iommu');
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/** Evaluates an expression in the Debug Console; the result it prints. */
async function evaluate(expression: string): Promise<string> {
  const rows = page.locator('.repl .monaco-list-row');
  const before = await rows.count();
  await page.locator('.repl-input-wrapper .monaco-editor').click();
  await page.keyboard.type(expression);
  await page.keyboard.press('Enter');
  // The echo of the input, then its result.
  await rows.nth(before + 1).waitFor({ timeout: 15_000 });
  return (await rows.nth(before + 1).innerText()).trim();
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}

test('F5: a progress notification with the cycle and the transactions; its Cancel pauses the run', async () => {
  const started = Date.now();
  await pressF5(page);
  const toast = page.locator('.notification-toast', { hasText: 'Running long-run.iommu' });
  await toast.waitFor({ timeout: 30_000 });
  const shownAfter = Date.now() - started;
  await toast.filter({ hasText: /cycle [\d,]+ · [\d,]+ transactions/ }).waitFor({ timeout: 15_000 });
  const first = (await toast.innerText()).replace(/\s*\n\s*/g, ' ');
  assert.match(first, /Running long-run\.iommu: cycle [\d,]+ · [\d,]+ transactions/);
  await screenshot(page, 'long-run-1-progress');
  // It moves: a later update has more transactions.
  const transactionsIn = (text: string): number => Number(/· ([\d,]+) transactions/.exec(text)?.[1]?.replace(/,/g, '') ?? 'NaN');
  const firstCount = transactionsIn(first);
  for (let later = firstCount; later <= firstCount; ) {
    await page.waitForTimeout(250);
    later = transactionsIn((await toast.innerText()).replace(/\s*\n\s*/g, ' '));
    assert.ok(Date.now() - started < 60_000, `the progress stayed at ${count(firstCount)} transactions`);
  }
  const cancelled = Date.now();
  await toast.locator('.monaco-button', { hasText: 'Cancel' }).click();
  // One thread: CALL STACK lists its frames with no thread row; the top one is the read's line.
  await page.locator('.debug-call-stack .monaco-list-row .stack-frame', { hasText: 'long-run.iommu' }).first().waitFor({ timeout: 30_000 });
  const pausedAfter = Date.now() - cancelled;
  await page.locator('.debug-toolbar .codicon-debug-continue').waitFor({ timeout: 15_000 });
  const top = (await page.locator('.debug-call-stack .monaco-list-row .stack-frame').first().innerText()).replace(/\s+/g, ' ');
  assert.match(top, /long-run\.iommu 5:\d+$/);
  await toast.waitFor({ state: 'detached', timeout: 15_000 });
  console.log(`progress notification shown ${shownAfter} ms after F5; paused ${pausedAfter} ms after Cancel`);
  await screenshot(page, 'long-run-2-paused');
});

test('paused: the inline value beside the read counts what the machine counts, exactly', async () => {
  if (!(await page.locator('.repl').isVisible())) await page.keyboard.press('Control+Shift+Y');
  const transactions = Number(await evaluate('transactions'));
  const completed = Number(await evaluate('completed'));
  assert.ok(transactions > 4000, `paused after ${transactions} reads: the old inline value stopped counting at 4,000`);
  assert.ok(transactions < 2_000_000, `the run was paused before its end (${transactions} reads)`);
  const inFlight = transactions - completed;
  const expected = `×${count(transactions)}: ${count(completed)} completed${inFlight > 0 ? `, ${count(inFlight)} in flight` : ''}; last completed → 0x8`;
  // Monaco draws a long decoration in pieces of 50 characters: the value is all of them, on one line.
  const line = page.locator('.monaco-editor .view-line', { has: page.locator('.debug-inline-value') });
  await line.first().waitFor({ timeout: 15_000 });
  assert.equal(await line.count(), 1, 'one line has issued anything: the read\'s');
  assert.match((await line.innerText()).replace(/\u00a0/g, ' '), /^ {2}repeat 2000000 \{ read 0x1000_0000/);
  const text = (await line.locator('.debug-inline-value').allInnerTexts()).join('').replace(/\u00a0/g, ' ');
  assert.equal(text.slice(0, expected.length), expected, text);
  assert.match(text.slice(expected.length), /^[0-9a-f_]+$/);
  console.log(`inline value: ${text}; Debug Console: transactions ${transactions}, completed ${completed}`);
  await screenshot(page, 'long-run-3-inline-value');
  await page.keyboard.press('Shift+F5');
  await waitForSessionEnd(page);
});
