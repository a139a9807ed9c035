import assert from 'node:assert/strict';
import { copyFileSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { Browser, FrameLocator, Page } from 'playwright-core';
import { repoPath } from '../helpers/repo';
import { CodeServer, startCodeServer } from './helpers/codeServer';
import { continueUntilFrame, pressF5, runCommand } from './helpers/debug';
import { launchBrowser, openWorkbench, quickOpen, screenshot } from './helpers/workbench';

/**
 * The timeline of a long run (test/e2e/fixtures/long-run.iommu: 8,603 reads, faults at
 * cycles 30, 52,060 and 104,090), stopped on its last fault: the window around the stop with
 * its labels, the range text as zoom and pan move it, and ◀ Fault / Fault ▶ — the first
 * fault's spans are no longer among the newest, so going there asks the adapter for them.
 */
let server: CodeServer;
let browser: Browser;
let page: Page;

before(async () => {
  server = await startCodeServer('timeline-window');
  copyFileSync(repoPath('test', 'e2e', 'fixtures', 'long-run.iommu'), path.join(server.workspace, 'long-run.iommu'));
  browser = await launchBrowser();
  page = await openWorkbench(browser, server.url, { width: 1800, height: 1000 });
  await quickOpen(page, 'long-run.iommu');
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/** The timeline's document: the webview's frame inside the workbench's. */
function timeline(): FrameLocator {
  return page.frameLocator('iframe.webview.ready').frameLocator('iframe');
}

/** The aria-labels of the spans drawn, in drawing order. */
function spans(): Promise<(string | null)[]> {
  return timeline().locator('[data-span]').evaluateAll((shapes) => shapes.map((s) => s.getAttribute('aria-label')));
}

/** Waits until the range text reads `text`, and returns it. */
async function range(text: string): Promise<string> {
  const element = timeline().locator('#range');
  await element.filter({ hasText: text }).waitFor({ timeout: 15_000 });
  return element.innerText();
}

async function selectedFault(): Promise<string | null> {
  return timeline().locator('[aria-current="true"]').getAttribute('aria-label', { timeout: 15_000 });
}

/** The plot's scale as drawn: two tick labels' places and cycles. */
async function pxPerCycle(): Promise<number> {
  const ticks = await timeline()
    .locator('text.tick')
    .evaluateAll((texts) => texts.slice(0, 2).map((t) => ({ x: Number(t.getAttribute('x')), cycle: Number(t.textContent) })));
  const [a, b] = ticks;
  if (!a || !b) throw new Error('fewer than two ticks');
  return (b.x - a.x) / (b.cycle - a.cycle);
}

/** `cycles 103,940–104,240` → [103940, 104240]. */
function parseRange(text: string): [number, number] {
  const match = /^cycles ([\d,]+)–([\d,]+)$/.exec(text);
  if (!match?.[1] || !match[2]) throw new Error(`not a range: ${text}`);
  return [Number(match[1].replace(/,/g, '')), Number(match[2].replace(/,/g, ''))];
}

test('stopped on the fault at cycle 104,090: 300 cycles around it, the reads before it labelled', async () => {
  await pressF5(page);
  await continueUntilFrame(page, 'long-run.iommu 16:');
  // The Run and Debug side bar has done its part: the timeline gets the room.
  await runCommand(page, 'View: Close Primary Side Bar');
  await runCommand(page, 'IOMMU: Show Transaction Timeline');
  await timeline().locator('#status').filter({ hasText: 'Stopped at cycle 104090.' }).waitFor({ timeout: 30_000 });
  assert.equal(await range('cycles 103,940–104,240'), 'cycles 103,940–104,240');
  assert.deepEqual(await spans(), [
    'read 0x1000000, cycles 103940–103980 (40 cycles)',
    'read 0x1000000, cycles 103980–104020 (40 cycles)',
    'read 0x1000000, cycles 104020–104060 (40 cycles)',
    'read 0x7002000 (late), cycles 104060–104090 (30 cycles)',
    'translation fault at level 2: L2[56] is invalid, cycle 104090',
  ]);
  // 40 cycles are wide enough for their label; the faulting read's 30 are not for its longer one.
  assert.deepEqual(await timeline().locator('text.bar-label').allTextContents(), ['read 0x1000000', 'read 0x1000000', 'read 0x1000000']);
  assert.equal(
    await timeline().locator('#note').innerText(),
    '4399 transactions of the run not kept: the timeline keeps the newest ones of a long run and those around its faults (◀ Fault, Fault ▶).',
  );
  await screenshot(page, 'timeline-window-1-stop');
});

test('◀ Fault goes back fault by fault, asking the adapter for the first one\'s spans; Fault ▶ comes back', async () => {
  const previous = timeline().locator('#prev-fault');
  const next = timeline().locator('#next-fault');
  await previous.click();
  assert.equal(await range('cycles 51,910–52,210'), 'cycles 51,910–52,210');
  assert.equal(await selectedFault(), 'translation fault at level 2: L2[56] is invalid, cycle 52060');
  await previous.click();
  assert.equal(await range('cycles 0–300'), 'cycles 0–300');
  // Kept around the fault, though 8,000 reads came after it.
  await timeline().locator('[data-span][aria-label="read 0x7000000 (early), cycles 0–30 (30 cycles)"]').waitFor({ timeout: 15_000 });
  assert.equal(await selectedFault(), 'translation fault at level 2: L2[56] is invalid, cycle 30');
  const early = await spans();
  assert.deepEqual(early.slice(0, 4), ['read 0x7000000 (early), cycles 0–30 (30 cycles)', 'read 0x1001000, cycles 0–40 (40 cycles)', 'read 0x1001000, cycles 1–41 (40 cycles)', 'read 0x1001000, cycles 2–42 (40 cycles)']);
  assert.ok(early.includes('arm_smmu_context_fault, cycles 35–39 (4 cycles)'), 'the IRQ handler that answered it');
  assert.equal(await previous.isDisabled(), true, 'no fault before the first');
  await screenshot(page, 'timeline-window-2-first-fault');
  // The keys do the same: ] twice, to the last fault.
  await next.focus();
  await page.keyboard.press(']');
  assert.equal(await range('cycles 51,910–52,210'), 'cycles 51,910–52,210');
  await page.keyboard.press(']');
  assert.equal(await range('cycles 103,940–104,240'), 'cycles 103,940–104,240');
  assert.equal(await selectedFault(), 'translation fault at level 2: L2[56] is invalid, cycle 104090');
  assert.equal(await next.isDisabled(), true, 'no fault after the last');
});

test('zoom and pan: the buttons and keys move the range by exact steps; Home fits the run', async () => {
  await timeline().locator('#zoom-in').click();
  assert.equal(await range('cycles 104,015–104,165'), 'cycles 104,015–104,165');
  await timeline().locator('#zoom-out').click();
  await page.keyboard.press('-');
  assert.equal(await range('cycles 103,790–104,390'), 'cycles 103,790–104,390');
  await page.keyboard.press('ArrowLeft');
  assert.equal(await range('cycles 103,640–104,240'), 'cycles 103,640–104,240');
  await timeline().locator('#pan-later').click();
  assert.equal(await range('cycles 103,790–104,390'), 'cycles 103,790–104,390');
  // The middle is at the last cycle: later is as far as it goes.
  await timeline().locator('#pan-later').click();
  assert.equal(await range('cycles 103,790–104,390'), 'cycles 103,790–104,390');
  await page.keyboard.press('+');
  assert.equal(await range('cycles 103,940–104,240'), 'cycles 103,940–104,240');
  await page.keyboard.press('Home');
  assert.equal(await range('cycles 0–104,090'), 'cycles 0–104,090');
  await timeline().locator('#fit').click();
  assert.equal(await range('cycles 0–104,090'), 'cycles 0–104,090');
});

test('the wheel pans, Ctrl+wheel zooms around the pointer, a drag pans', async () => {
  // From the whole run, zoomed in three times around its middle: far from both ends, so nothing is clamped.
  await page.keyboard.press('Home');
  let shown = await range('cycles 0–104,090');
  for (let step = 0; step < 3; step++) {
    await page.keyboard.press('+');
    shown = await rangeAfter(shown);
  }
  let [start, end] = parseRange(shown);
  const plot = await timeline().locator('svg.timeline').boundingBox();
  if (!plot) throw new Error('no drawing');
  const scale = await pxPerCycle();
  // 120 px of lane names: the pointer 300 px into the plot.
  const x = plot.x + 120 + 300;
  const y = plot.y + plot.height - 6;
  const [oldStart, width] = [start, end - start];
  const pointer = oldStart + 300 / scale;
  await page.mouse.move(x, y);
  await page.keyboard.down('Control');
  await page.mouse.wheel(0, -100);
  await page.keyboard.up('Control');
  // One notch in is √2, and the pointer's cycle stays under it. The pointer's place inside the
  // nested frames may be off by a fraction of a pixel: ±1 cycle.
  const zoomedWidth = Math.round(width / Math.SQRT2);
  [start, end] = parseRange((shown = await rangeAfter(shown)));
  assert.equal(end - start, zoomedWidth);
  assertNear(start, pointer - ((pointer - oldStart) * zoomedWidth) / width);
  // A plain wheel pans: 100 px up, earlier by 100 px of cycles; the width stays.
  const zoomedScale = await pxPerCycle();
  const before = start;
  await page.mouse.wheel(0, -100);
  [start, end] = parseRange((shown = await rangeAfter(shown)));
  assert.deepEqual([start, end], [Math.round(before - 100 / zoomedScale), Math.round(before - 100 / zoomedScale) + zoomedWidth]);
  // Drag the drawing 150 px right: earlier cycles come into view.
  const dragFrom = start;
  await page.mouse.down();
  await page.mouse.move(x + 75, y, { steps: 3 });
  await page.mouse.move(x + 150, y, { steps: 3 });
  await page.mouse.up();
  [start, end] = parseRange(await rangeAfter(shown));
  assert.deepEqual([start, end], [Math.round(dragFrom - 150 / zoomedScale), Math.round(dragFrom - 150 / zoomedScale) + zoomedWidth]);
  await screenshot(page, 'timeline-window-3-dragged');
  // The last fault, selected before, is out of view now: Fault ▶ counts from the middle, and finds the one at 52,060.
  await timeline().locator('#next-fault').click();
  assert.equal(await selectedFault(), 'translation fault at level 2: L2[56] is invalid, cycle 52060');
});

/** Waits until the range text is no longer `previous`; the new text. */
async function rangeAfter(previous: string): Promise<string> {
  const element = timeline().locator('#range');
  await element.filter({ hasNotText: previous }).waitFor({ timeout: 15_000 });
  return element.innerText();
}

function assertNear(actual: number, expected: number): void {
  assert.ok(Math.abs(actual - expected) <= 1, `${actual} is not within a cycle of ${expected}`);
}
