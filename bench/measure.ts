import { performance } from 'node:perf_hooks';

/** A benchmark's results: metric name (with its unit, `_ms`) → value. */
export type BenchResult = Record<string, number>;

export function median(samples: readonly number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const upper = sorted[middle] ?? NaN;
  return sorted.length % 2 === 1 ? upper : ((sorted[middle - 1] ?? NaN) + upper) / 2;
}

export function percentile(samples: readonly number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

/** Wall-clock milliseconds of `work`, `runs` times (after one warm-up run). */
export async function time(runs: number, work: () => unknown): Promise<number[]> {
  await work();
  const samples: number[] = [];
  for (let run = 0; run < runs; run++) {
    const start = performance.now();
    await work();
    samples.push(performance.now() - start);
  }
  return samples;
}

export function round(value: number): number {
  return Math.round(value * 100) / 100;
}
