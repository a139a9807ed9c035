import { DebugClient } from '@vscode/debugadapter-testsupport';
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Breakpoints } from '../debug-adapter/breakpoints';
import { Debuggee } from '../debug-adapter/debuggee';
import { compileScenario } from '../emulator/scenario/compile';
import { distPath, repoPath } from '../test/helpers/repo';
import { tenMillionLabelled } from './emulator.bench';
import { BenchResult, median, round } from './measure';

/** `env`: the adapter process's environment, when it differs from this one's. */
async function client(env?: NodeJS.ProcessEnv): Promise<DebugClient> {
  const dc = new DebugClient(process.execPath, distPath('debug-adapter'), 'iommu', env ? { env } : undefined);
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

/** A million 4K pages mapped, and two million reads over them: what a page table view opens at any point of a run. */
const millionMappings = `smmu s { version v2 }
domain d { map 0x1_0000_0000 -> 0x1_0000_0000 size 4G rw pages 4K }
master m { stream 0x0; domain d }
engine m.e { outstanding 16; repeat 2000000 { read 0x1_0000_0000 + (i % 1048576) * 0x1000 64 } }
`;

/** Every variables request of one stop: each scope, and down the page table from its root to a leaf's fields. */
async function variablesOfStop(dc: DebugClient, threadId: number): Promise<number[]> {
  const timed = async <T>(request: () => Promise<T>): Promise<{ ms: number; response: T }> => {
    const start = performance.now();
    const response = await request();
    return { ms: performance.now() - start, response };
  };
  const frames = await dc.stackTraceRequest({ threadId });
  const scopes = await dc.scopesRequest({ frameId: frames.body.stackFrames[0]?.id ?? 0 });
  const times: number[] = [];
  for (const scope of scopes.body.scopes) {
    let { ms, response } = await timed(() => dc.variablesRequest({ variablesReference: scope.variablesReference }));
    times.push(ms);
    // Root, level 1, level 2, leaf table, then a leaf's fields: the first entry that opens, each time.
    for (let child = response.body.variables.find((v) => v.variablesReference > 0); child; child = response.body.variables.find((v) => v.variablesReference > 0)) {
      const reference = child.variablesReference;
      ({ ms, response } = await timed(() => dc.variablesRequest({ variablesReference: reference })));
      times.push(ms);
    }
  }
  return times;
}

/** The slowest variables request over a 1,000,000-mapping page table, on entry and deep in a run (paused after 3 s of it). */
async function millionMappingVariables(): Promise<number> {
  const dc = await client();
  const { threadId } = await launchToStop(dc, { scenario: scenarioFile('million-mappings.iommu', millionMappings), stopOnEntry: true });
  const times = await variablesOfStop(dc, threadId);
  await dc.continueRequest({ threadId });
  await new Promise((resolve) => setTimeout(resolve, 3000));
  const paused = dc.waitForEvent('stopped');
  await dc.pauseRequest({ threadId });
  await paused;
  times.push(...(await variablesOfStop(dc, threadId)));
  await dc.stop();
  return Math.max(...times);
}

/** Preloaded into a node process: writes its peak RSS (KiB) to the file RSS_FILE names when it exits. */
const rssReporter = `process.on('exit', () => require('fs').writeFileSync(process.env.RSS_FILE, String(process.resourceUsage().maxRSS)));`;

/**
 * Ten million labelled reads under the adapter, no breakpoint: configurationDone to
 * `terminated`, and the adapter's peak RSS; then `iommu-debug run --json` on the same file.
 */
async function tenMillionContinue(): Promise<BenchResult> {
  const dir = mkdtempSync(path.join(tmpdir(), 'iommu-dap-bench-'));
  const scenario = path.join(dir, 'ten-million.iommu');
  writeFileSync(scenario, tenMillionLabelled);
  const reporter = path.join(dir, 'rss.js');
  writeFileSync(reporter, rssReporter);
  const rssFile = path.join(dir, 'adapter-rss');
  const dc = await client({ ...process.env, NODE_OPTIONS: `--require ${reporter}`, RSS_FILE: rssFile });
  dc.defaultTimeout = 600_000;
  const initialized = dc.waitForEvent('initialized');
  await dc.launch({ scenario });
  await initialized;
  const terminated = dc.waitForEvent('terminated', 600_000);
  const start = performance.now();
  await dc.configurationDoneRequest();
  await terminated;
  const dap = (performance.now() - start) / 1000;
  await dc.stop();
  await new Promise((resolve) => setTimeout(resolve, 500));
  const nowhere = openSync('/dev/null', 'w');
  try {
    const cliStart = performance.now();
    const cli = spawnSync(process.execPath, [distPath('cli'), 'run', scenario, '--json'], { stdio: ['ignore', nowhere, 'pipe'], encoding: 'utf8' });
    const cliWall = (performance.now() - cliStart) / 1000;
    if (cli.status !== 0) throw new Error(`the CLI's ten-million run failed (${cli.status}): ${cli.stderr}`);
    return {
      dap_10m_continue_wall_s: round(dap),
      dap_10m_cli_wall_s: round(cliWall),
      dap_10m_vs_cli: round(dap / cliWall),
      dap_10m_rss_mb: round(Number(readFileSync(rssFile, 'utf8')) / 1024),
    };
  } finally {
    closeSync(nowhere);
  }
}

/**
 * Ten million labelled reads under a debuggee in this process, paused every 50 ms and
 * continued at once, to the end: the bytes its kept stops hold then (the budget is 256 MiB).
 */
function tenMillionSnapshots(): Promise<BenchResult> {
  const model = compileScenario(tenMillionLabelled).model;
  if (!model) throw new Error('the ten-million-read scenario does not compile');
  return new Promise((resolve) => {
    let stops = 0;
    const debuggee: Debuggee = new Debuggee(
      model,
      new Breakpoints(model),
      { noDebug: false, stopOnFault: true, trace: false, maxEvents: undefined, maxSeconds: undefined },
      {
        stopped: () => {
          stops++;
          setImmediate(() => debuggee.continue());
        },
        progress: { start: () => undefined, update: () => undefined, end: () => undefined },
        output: () => undefined,
        thread: () => undefined,
        terminated: () => {
          clearInterval(pauses);
          resolve({ dap_10m_snapshot_mb: round(debuggee.snapshotBytes / 2 ** 20), dap_10m_stops: stops });
        },
      },
    );
    const pauses = setInterval(() => debuggee.pause(), 50);
    debuggee.start(false);
  });
}

/** How quickly the debugger answers: a step, a launch to the first stop, a big page table's root; and a ten-million-read run. */
export async function run(): Promise<BenchResult> {
  return {
    dap_step_median_ms: round(median(await steps())),
    dap_launch_to_stop_ms: round(median(await launches())),
    dap_page_table_root_ms: round(await bigTableRoot()),
    dap_variables_1m_mappings_ms: round(await millionMappingVariables()),
    ...(await tenMillionContinue()),
    ...(await tenMillionSnapshots()),
  };
}
