import { Locator, Page } from 'playwright-core';

/** A view of the Run and Debug side bar or of a panel, by the title its header shows. */
export function pane(page: Page, title: string): Locator {
  return page.locator('.pane', { has: page.locator('.pane-header', { hasText: title }) });
}

/** The titles of the IOMMU panel's views, in the order the panel lays them out. */
export const iommuViews = ['Stalled Transactions', 'Faults', 'Page Tables', 'SMMU', 'Queues'] as const;
export type IommuView = (typeof iommuViews)[number];

/** Brings the IOMMU panel forward if another tab hides it, and opens one of its views; returns its body. */
export async function iommuView(page: Page, title: IommuView): Promise<Locator> {
  const view = page.locator('.part.panel .pane', { has: page.locator('.pane-header', { hasText: title }) });
  if (!(await view.isVisible())) {
    await runCommand(page, `IOMMU: Focus on ${title} View`);
    await view.waitFor({ timeout: 15_000 });
  }
  return expandPane(page, title);
}

/** Opens a view if it is collapsed; returns its body. */
export async function expandPane(page: Page, title: string): Promise<Locator> {
  const view = pane(page, title);
  const header = view.locator('.pane-header');
  if ((await header.getAttribute('aria-expanded')) !== 'true') await header.click();
  return view.locator('.pane-body');
}

/** Closes a view if it is open, to give the others its room. */
export async function collapsePane(page: Page, title: string): Promise<void> {
  const header = pane(page, title).locator('.pane-header');
  if ((await header.getAttribute('aria-expanded')) === 'true') await header.click();
}

/** The rows a tree view shows now, each as its text on one line. */
export async function rows(view: Locator): Promise<string[]> {
  const texts = await view.locator('.monaco-list-row').allInnerTexts();
  return texts.map((t) => t.replace(/\s*\n\s*/g, ' ').trim());
}

/** The rows of a contributed tree view: each row's label, then its description. */
export async function treeRows(view: Locator): Promise<string[]> {
  return view.locator('.monaco-list-row').evaluateAll((elements) =>
    elements.map((row) => {
      const part = (selector: string): string => row.querySelector(selector)?.textContent?.trim() ?? '';
      return [part('.label-name'), part('.label-description')].filter((p) => p !== '').join(' ');
    }),
  );
}

/** Starts debugging the active editor's scenario with F5 and waits for the debug toolbar. */
export async function pressF5(page: Page): Promise<void> {
  await page.keyboard.press('F5');
  await page.waitForSelector('.debug-toolbar', { timeout: 30_000 });
}

/** Waits until CALL STACK shows a thread paused for `reason` (as VS Code prints it, upper case). */
export async function waitForPause(page: Page, reason: string): Promise<Locator> {
  const callStack = page.locator('.debug-call-stack');
  await callStack.locator('.monaco-list-row', { hasText: reason }).first().waitFor({ timeout: 30_000 });
  return callStack;
}

/** The Debug Console's lines. */
export async function debugConsoleLines(page: Page): Promise<string[]> {
  return page.locator('.repl .monaco-list-row').allInnerTexts();
}

/** Waits until the debug toolbar has gone: the session ended. */
export async function waitForSessionEnd(page: Page): Promise<void> {
  await page.locator('.debug-toolbar').waitFor({ state: 'hidden', timeout: 30_000 });
}

/** Moves the cursor to a 1-based line (and column) with Ctrl+G. */
export async function goToLine(page: Page, line: number, column?: number): Promise<void> {
  await page.keyboard.press('Control+G');
  await page.waitForSelector('.quick-input-widget input');
  await page.keyboard.type(column === undefined ? String(line) : `${line}:${column}`);
  await page.keyboard.press('Enter');
}

/**
 * Shows the hover at the cursor as the keyboard does (Ctrl+K Ctrl+I) and returns its text
 * once it holds every part of `until` (a hover fills in as its providers answer).
 */
export async function keyboardHoverText(page: Page, line: number, column: number, until: string | string[]): Promise<string> {
  await goToLine(page, line, column);
  // Every part must be there: a diagnostic's part of the hover can come after the hover's own.
  const parts = typeof until === 'string' ? [until] : until;
  const widget = parts.reduce((found, part) => found.filter({ hasText: part }), page.locator('.monaco-hover-content')).first();
  for (let attempt = 1; ; attempt++) {
    await page.keyboard.press('Control+K');
    await page.keyboard.press('Control+I');
    try {
      await widget.waitFor({ state: 'visible', timeout: 5_000 });
      return await widget.innerText();
    } catch (error) {
      // The language server may not have answered its first request yet.
      if (attempt === 3) throw error;
      await page.keyboard.press('Escape');
    }
  }
}

/** Hovers the first token of the editor that is exactly `text`; returns the text of the hover once it holds `until`. */
export async function hoverText(page: Page, text: string, hover: string, until: string): Promise<string> {
  const token = page.locator('.monaco-editor .view-line span span', { hasText: new RegExp(`^${text}$`) }).first();
  const widget = page.locator(hover).filter({ hasText: until }).first();
  for (let attempt = 1; ; attempt++) {
    await page.mouse.move(0, 0);
    const box = await token.boundingBox();
    if (!box) throw new Error(`'${text}' is not on screen`);
    // Two moves, as a hand makes them: the debug hover waits for the mouse to rest on the token.
    await page.mouse.move(box.x + box.width / 2 - 2, box.y + box.height / 2);
    await page.waitForTimeout(300);
    await page.mouse.move(box.x + box.width / 2 + 2, box.y + box.height / 2);
    try {
      await widget.waitFor({ state: 'visible', timeout: 5_000 });
      return await widget.innerText();
    } catch (error) {
      // The first hover can come before the language server has answered anything.
      if (attempt === 3) throw error;
    }
  }
}

/** Every frame row CALL STACK shows now, in every thread, each with its file and line. */
async function shownFrames(page: Page): Promise<string[]> {
  const texts = await page.locator('.debug-call-stack .monaco-list-row .stack-frame').allInnerTexts();
  return texts.map((t) => t.replace(/\s+/g, ' ').trim());
}

/**
 * Continues (F5) past every other stop until CALL STACK shows `frame` (e.g. `read  0x0900_0000
 * 64 as stray svm-map-and-retry.iommu 25:1`) in any thread: a stop on a worker thread leaves
 * the stalled engine's frames listed above it.
 */
export async function continueUntilFrame(page: Page, frame: string, maxStops = 10): Promise<void> {
  const firstFrame = page.locator('.debug-call-stack .monaco-list-row .stack-frame').first();
  for (let stop = 0; stop < maxStops; stop++) {
    await firstFrame.waitFor({ timeout: 30_000 });
    const before = (await shownFrames(page)).join('\n');
    if (before.includes(frame)) return;
    await page.keyboard.press('F5');
    for (let wait = 0; wait < 150; wait++) {
      await page.waitForTimeout(200);
      const now = await shownFrames(page);
      if (now.length > 0 && now.join('\n') !== before) break;
    }
    // CALL STACK fills thread by thread after a stop; let it finish before reading it.
    await page.waitForTimeout(500);
  }
  throw new Error(`the run did not stop at '${frame}' within ${maxStops} stops`);
}

/** Clicks the glyph margin left of a line's number, as a user sets a breakpoint. */
export async function clickGutter(page: Page, line: number): Promise<void> {
  const number = page.locator('.monaco-editor .margin-view-overlays .line-numbers', { hasText: new RegExp(`^${line}$`) }).first();
  const box = await number.boundingBox();
  if (!box) throw new Error(`line ${line} is not on screen`);
  const glyphs = await page.locator('.monaco-editor .glyph-margin').first().boundingBox();
  if (!glyphs) throw new Error('the editor has no glyph margin');
  await page.mouse.click(glyphs.x + glyphs.width / 2, box.y + box.height / 2);
}

/** The threads CALL STACK lists, by name, with the state VS Code shows beside each. */
export async function threadRows(page: Page): Promise<string[]> {
  return page.locator('.debug-call-stack .monaco-list-row .thread').evaluateAll((threads) => threads.map((t) => (t.textContent ?? '').trim()));
}

/** Runs a command from the palette (F1) by its title. */
export async function runCommand(page: Page, title: string): Promise<void> {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor();
  // The palette's value is set whole, with its `>` prefix: keys typed while the widget is still
  // taking focus (a debug session busy with events) could be lost or land in the editor.
  await input.fill(`>${title}`);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor({ timeout: 15_000 });
  await input.press('Enter');
}
