import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { distPath } from '../test/helpers/repo';
import { BenchResult, round } from './measure';

/** One million reads over 64 MiB, 16 in flight: mostly TLB misses, so mostly walks. */
const millionReads = `scenario "one million reads"
smmu s { version v2 }
domain d { map 0x1_0000_0000 -> 0x8000_0000 size 64M rw }
master m { stream 0x0; domain d }
engine m.e { outstanding 16; repeat 1000000 { read 0x1_0000_0000 + (i % 16384) * 0x1000 64 } }
expect completed == 1000000
`;

/** Ten million labelled reads: every one is listed in the JSON (about 2 GB of it), none may stay in memory. */
export const tenMillionLabelled = `scenario "ten million labelled reads"
smmu s { version v2 }
domain d { map 0x1_0000_0000 -> 0x8000_0000 size 64M rw }
master m { stream 0x0; domain d }
engine m.e { outstanding 16; repeat 10000000 { read 0x1_0000_0000 + (i % 16384) * 0x1000 64 as chunk } }
expect chunk completed
expect completed == 10000000
`;

/** Preloaded into the CLI's process: reports its peak RSS when it exits. */
const rssReporter = `process.on('exit', () => require('fs').writeSync(2, '\\nmaxRSS ' + process.resourceUsage().maxRSS + '\\n'));`;

/** `iommu-debug run` on the ten million labelled reads, its output (the JSON document, or the trace with `trace`) thrown away. */
function tenMillionLabelledRun(scenario: string, reporter: string, trace: boolean): { wall: number; rss: number } {
  const nowhere = openSync('/dev/null', 'w');
  try {
    const start = performance.now();
    const result = spawnSync(process.execPath, ['--require', reporter, distPath('cli'), 'run', scenario, ...(trace ? [] : ['--json'])], { encoding: 'utf8', stdio: ['ignore', nowhere, 'pipe'] });
    const wall = (performance.now() - start) / 1000;
    if (result.status !== 0) throw new Error(`the ten-million-transaction run${trace ? ' (trace)' : ''} failed (${result.status}): ${result.stderr}`);
    return { wall, rss: Number(/maxRSS (\d+)/.exec(result.stderr)?.[1]) / 1024 };
  } finally {
    closeSync(nowhere);
  }
}

/**
 * Ten million labelled reads: the JSON run's wall time (`run_10m_wall_s`, issue 19's name for
 * `run_10m_labelled_wall_s`, both from the one run) and peak memory, which must not grow with
 * the run, and the same reads with the text trace. Exit 0 means both expects held.
 */
function tenMillionLabelledRuns(dir: string, reporter: string): BenchResult {
  const scenario = path.join(dir, 'ten-million.iommu');
  writeFileSync(scenario, tenMillionLabelled);
  const json = tenMillionLabelledRun(scenario, reporter, false);
  const trace = tenMillionLabelledRun(scenario, reporter, true);
  return {
    run_10m_labelled_wall_s: round(json.wall),
    run_10m_labelled_rss_mb: round(json.rss),
    run_10m_wall_s: round(json.wall),
    run_10m_trace_wall_s: round(trace.wall),
    run_10m_trace_rss_mb: round(trace.rss),
  };
}

/** The wall time and peak memory of `iommu-debug run --json` on a 1,000,000-transaction scenario, and of ten million labelled ones (JSON and trace). */
export async function run(): Promise<BenchResult> {
  const dir = mkdtempSync(path.join(tmpdir(), 'iommu-bench-'));
  const scenario = path.join(dir, 'million.iommu');
  const reporter = path.join(dir, 'rss.js');
  writeFileSync(scenario, millionReads);
  writeFileSync(reporter, rssReporter);
  const start = performance.now();
  const result = spawnSync(process.execPath, ['--require', reporter, distPath('cli'), 'run', scenario, '--json'], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const wall = (performance.now() - start) / 1000;
  if (result.status !== 0) throw new Error(`the million-transaction run failed (${result.status}): ${result.stderr}`);
  const rss = /maxRSS (\d+)/.exec(result.stderr)?.[1];
  const counters = (JSON.parse(result.stdout) as { counters: Record<string, number> }).counters;
  if (counters['completed'] !== 1_000_000) throw new Error(`completed ${counters['completed']} of 1000000`);
  return { run_1m_wall_s: round(wall), run_1m_rss_mb: round(Number(rss) / 1024), ...tenMillionLabelledRuns(dir, reporter) };
}
