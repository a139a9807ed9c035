// The mocha integration suite (test/integration), which @vscode/test-electron runs in desktop
// VS Code where it can be downloaded, run here in code-server through VS Code's browser
// harness: the page URL's `payload` names the repository as the extension under development
// and out/test/integration/index.js as its tests; the workbench runs them in the remote
// (Node) extension host, forwards their console to `window.codeAutomationLog`, and calls
// `window.codeAutomationExit(code, logs)` when they are done.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { format } from 'node:util';
import { Browser, Page } from 'playwright-core';
import { repoPath, repoRoot } from '../helpers/repo';
import { reportHeader } from '../integration/index';
import { CodeServer, startCodeServer } from './helpers/codeServer';
import { launchBrowser } from './helpers/workbench';

/** The whole suite: VS Code's start, the language server's and every debug session. */
const SUITE_TIMEOUT = 300_000;

/** A path on the code-server machine as the workbench names it: `vscode-remote://HOST:PORT/path`. */
function remoteUri(authority: string, fsPath: string): string {
  return `vscode-remote://${authority}${fsPath.split(path.sep).map(encodeURIComponent).join('/')}`;
}

/** The workbench URL that opens `workspace` and runs the repository's integration tests. */
function harnessUrl(server: CodeServer): string {
  const url = new URL(server.url);
  const payload = [
    ['extensionDevelopmentPath', remoteUri(url.host, repoRoot)],
    ['extensionTestsPath', remoteUri(url.host, repoPath('out', 'test', 'integration', 'index.js'))],
  ];
  return `${url.origin}/?folder=${encodeURIComponent(server.workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
}

interface Finished {
  code: number;
  logs: { relativePath: string; contents: string }[];
}

let server: CodeServer;
let browser: Browser;
let page: Page;

before(async () => {
  // No .vsix in this profile: the extension under test is the repository itself (dist/ built).
  server = await startCodeServer('integration', { installVsix: false });
  browser = await launchBrowser();
  page = await browser.newPage();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('the mocha integration suite passes in the extension host', { timeout: SUITE_TIMEOUT + 30_000 }, async () => {
  const report: string[] = [];
  const pageErrors: string[] = [];
  let exit: (result: Finished) => void = () => undefined;
  const finished = new Promise<Finished>((resolve) => (exit = resolve));
  // Exposed before the page loads, so the workbench finds them when the tests end.
  await page.exposeFunction('codeAutomationExit', (code: number, logs: Finished['logs']) => exit({ code, logs }));
  await page.exposeFunction('codeAutomationLog', (type: string, args: unknown[]) => {
    report.push(`${type === 'info' ? '' : `[${type}] `}${format(...args)}`);
  });
  page.on('pageerror', (error) => pageErrors.push(error.message));

  const started = Date.now();
  await page.goto(harnessUrl(server));
  const timeout = new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), SUITE_TIMEOUT).unref());
  const result = await Promise.race([finished, timeout]);

  // Everything the workbench logged goes to the file; from the suite's first line on, to the console.
  const file = repoPath('test-results', 'integration.log');
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, report.join('\n') + '\n');
  const start = report.findIndex((line) => line.startsWith(reportHeader));
  const mocha = (start < 0 ? report : report.slice(start)).join('\n');
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(`the integration suite in code-server, ${seconds} s (the workbench's whole log: ${path.relative(repoRoot, file)}):\n${mocha}`);

  assert.ok(result, `the workbench did not call codeAutomationExit within ${SUITE_TIMEOUT / 1000} s; page errors: ${pageErrors.join('; ') || 'none'}`);
  assert.ok(start >= 0, `the suite never started (no '${reportHeader}' line); the workbench's log:\n${report.join('\n')}`);
  const failures = mocha.slice(Math.max(0, mocha.search(/^\s*\d+ failing/m)));
  assert.equal(result.code, 0, `the integration suite failed (exit code ${result.code}):\n${failures}`);
  assert.match(mocha, /^\s*\d+ passing/m, 'mocha reported its passing tests');
});
