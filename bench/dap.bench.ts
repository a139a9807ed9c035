import { DebugClient } from '@vscode/debugadapter-testsupport';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { distPath, repoPath } from '../test/helpers/repo';
import { BenchResult, median, round } from './measure';

async function client(): Promise<DebugClient> {
  const dc = new DebugClient(process.execPath, distPath('debug-adapter'), 'iommu');
  dc.defaultTimeout = 60_000;
  await dc.start();
  await dc.initializeRequest();
  return dc;
}

/** Launch → configurationDone → the first `stopped`: its time in ms, and the stopped event. */
async function launchToStop(dc: DebugClient, args: Record<string, unknown>): Promise<{ ms: number; threadId: number }> {
  const initialized = dc.waitForEvent('initialized');
  const start = performance.now();
  await dc.launch(args);
  await initialized;
  const stopped = dc.waitForEvent('stopped');
  await dc.configurationDoneRequest();
  const event = await stopped;
  return { ms: performance.now() - start, threadId: (event.body as { threadId: number }).threadId };
}

function scenarioFile(name: string, text: string): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'iommu-dap-bench-')), name);
  writeFileSync(file, text);
  return file;
}

/** The examples, from launch to their first stop (each stops on its first fault). */
async function launches(): Promise<number[]> {
  const times: number[] = [];
  for (const file of readdirSync(repoPath('examples')).filter((f) => f.endsWith('.iommu'))) {
    const dc = await client();
    times.push((await launchToStop(dc, { scenario: repoPath('examples', file) })).ms);
    await dc.stop();
  }
  return times;
}

/** `next` on an engine, 50 times: request to `stopped`. */
async function steps(): Promise<number[]> {
  const scenario = scenarioFile(
    'steps.iommu',
    `smmu s { version v2 }
domain d { map 0x1000_0000 -> 0x8000_0000 size 2M rw }
master m { stream 0x0; domain d }
engine m.e { repeat 1000 { read 0x1000_0000 + (i % 512) * 0x1000 64 } }
`,
  );
  const dc = await client();
  const { threadId } = await launchToStop(dc, { scenario, stopOnEntry: true });
  const times: number[] = [];
  for (let i = 0; i < 51; i++) {
    const stopped = dc.waitForEvent('stopped');
    const start = performance.now();
    await dc.nextRequest({ threadId });
    await stopped;
    if (i > 0) times.push(performance.now() - start);
  }
  await dc.stop();
  return times;
}

/** Expanding the root of a page table that maps 1,048,576 4K pages (4 GiB). */
async function bigTableRoot(): Promise<number> {
  const scenario = scenarioFile(
    'million-pages.iommu',
    `smmu s { version v2 }
domain d { map 0x1_0000_0000 -> 0x1_0000_0000 size 4G rw pages 4K }
master m { stream 0x0; domain d }
engine m.e { read 0x1_0000_0000 64 }
`,
  );
  const dc = await client();
  const { threadId } = await launchToStop(dc, { scenario, stopOnEntry: true });
  const frames = await dc.stackTraceRequest({ threadId });
  const frameId = frames.body.stackFrames[0]?.id ?? 0;
  const scopes = await dc.scopesRequest({ frameId });
  const table = scopes.body.scopes.find((s) => s.name.startsWith('Page table'));
  if (!table) throw new Error('no Page table scope');
  const start = performance.now();
  await dc.variablesRequest({ variablesReference: table.variablesReference });
  const ms = performance.now() - start;
  await dc.stop();
  return ms;
}

/** How quickly the debugger answers: a step, a launch to the first stop, a big page table's root. */
export async function run(): Promise<BenchResult> {
  return {
    dap_step_median_ms: round(median(await steps())),
    dap_launch_to_stop_ms: round(median(await launches())),
    dap_page_table_root_ms: round(await bigTableRoot()),
  };
}
