import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Machine } from '../emulator/machine/machine';
import { compileScenario } from '../emulator/scenario/compile';
import { Analysis } from '../server/analysis';
import { diagnostics } from '../server/diagnostics';
import { distPath } from '../test/helpers/repo';
import { BenchResult, median, round, time } from './measure';

/**
 * A fault storm behind an SMMUv3: 100,000 reads, three in four beyond the buffer, in
 * terminate mode with every fault recorded in the event queue; and 2,000 stalls, each
 * answered by a handler on the iopf workqueue that maps the page and retries.
 */
function storm(reads: number, stalls: number): string {
  return `scenario "SMMUv3 fault storm"
smmu s { version v3; eventq 64 }
domain dma_dom { fault terminate; record on; map 0x0100_0000 -> 0x8000_0000 size 16M rw }
domain gpu_dom { fault stall; map 0x0100_0000 -> 0x9000_0000 size 1M rw }
master dma { stream 0x1; domain dma_dom }
master gpu { stream 0x2; domain gpu_dom; can-stall }
engine dma.copy { outstanding 16; repeat ${reads} { read 0x0100_0000 + (i % 16384) * 0x1000 64 } }
engine gpu.cp { outstanding 4; repeat ${stalls} { read 0x0800_0000 + i * 0x1000 64 } }
handler gpu_fault on gpu_dom { context workqueue; map iova -> 0xa000_0000 + (iova - 0x0800_0000) size 4K rw; retry }
`;
}

/** `reads` reads over 64 MiB, 16 in flight, all mapped: mostly walks, no faults, on an SMMU of `version`. */
function cleanReads(version: 'v2' | 'v3', reads: number): string {
  return `scenario "clean reads on ${version}"
smmu s { version ${version} }
domain d { map 0x1_0000_0000 -> 0x8000_0000 size 64M rw }
master m { stream 0x1; domain d }
engine m.e { outstanding 16; repeat ${reads} { read 0x1_0000_0000 + (i % 16384) * 0x1000 64 } }
`;
}

/** Nanoseconds per transaction of the emulation alone (no output) on `text`, a run of `reads` reads. */
function nsPerTransaction(text: string, reads: number): number {
  const model = compileScenario(text).model;
  if (!model) throw new Error('the clean-reads scenario has errors');
  const start = performance.now();
  const machine = new Machine(model);
  machine.run();
  const elapsed = performance.now() - start;
  if (machine.result().counters['completed'] !== reads) throw new Error(`the clean reads did not all complete`);
  return (elapsed * 1e6) / reads;
}

/**
 * The same clean reads behind an SMMUv2 and an SMMUv3, in turns (the machine is shared and
 * noisy): what an SMMUv3 transaction (STE, CD, its TLB tag) costs beside an SMMUv2 one.
 */
function v3AgainstV2(): BenchResult {
  const reads = 200_000;
  const [v2, v3] = [cleanReads('v2', reads), cleanReads('v3', reads)];
  nsPerTransaction(v2, reads);
  nsPerTransaction(v3, reads);
  const samples: { v2: number[]; v3: number[] } = { v2: [], v3: [] };
  for (let turn = 0; turn < 5; turn++) {
    samples.v2.push(nsPerTransaction(v2, reads));
    samples.v3.push(nsPerTransaction(v3, reads));
  }
  const [perV2, perV3] = [median(samples.v2), median(samples.v3)];
  return { v2_transaction_ns: round(perV2), v3_transaction_ns: round(perV3), v3_per_transaction_vs_v2: round(perV3 / perV2) };
}

/** The CLI's wall time on the storm; then the language server's re-check of a smaller one, which runs the emulator to predict. */
export async function run(): Promise<BenchResult> {
  const dir = mkdtempSync(path.join(tmpdir(), 'iommu-bench-v3-'));
  const scenario = path.join(dir, 'storm.iommu');
  writeFileSync(scenario, storm(100_000, 2_000));
  const start = performance.now();
  const result = spawnSync(process.execPath, [distPath('cli'), 'run', scenario, '--json'], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const wall = (performance.now() - start) / 1000;
  if (result.status !== 0) throw new Error(`the SMMUv3 storm failed (${result.status}): ${result.stderr.slice(0, 500)}`);
  const counters = (JSON.parse(result.stdout) as { counters: Record<string, number> }).counters;
  // 12,288 of every 16,384 reads miss (6 whole rounds; the 1,696 left all hit), and each stall once.
  if (counters['faults'] !== 6 * 12_288 + 2_000) throw new Error(`the storm took ${counters['faults']} faults, not 75728`);

  let version = 0;
  const text = storm(2_000, 200);
  const check = await time(5, () => diagnostics(new Analysis('file:///storm.iommu', ++version, text)));
  // The whole storm: the prediction stops at its event budget, which bounds the worst re-check.
  const big = storm(100_000, 2_000);
  const bigCheck = await time(3, () => diagnostics(new Analysis('file:///storm.iommu', ++version, big)));
  return {
    v3_storm_100k_wall_s: round(wall),
    v3_storm_events: counters['events'] ?? 0,
    lsp_v3_recheck_2k_ms: round(median(check)),
    lsp_v3_recheck_100k_ms: round(median(bigCheck)),
    ...v3AgainstV2(),
  };
}
