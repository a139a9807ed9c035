import fc from 'fast-check';

/** A file that reproduces a failing case: a scenario, a request sequence as JSON … */
export interface Reproduction {
  /** A file name (no folders): `scenario.iommu`, `requests.json`. */
  name: string;
  text: string;
}

/**
 * One fuzzer's cases and the promises every case must keep. The runner (`npm run fuzz`,
 * and `fuzz.test.ts` with a fixed seed) draws cases, lets fast-check shrink a failing one
 * to a minimal case, and writes that case's reproduction under `fuzz-findings/`.
 */
export interface FuzzTarget<Input> {
  /** `--target NAME`. */
  readonly name: string;
  /** What one case is, for the report ("LSP changes", "DAP sessions"). */
  readonly unit: string;
  /** Cases `npm test` runs (with its fixed seed). */
  readonly testCount: number;
  /** Longest a case may take before it counts as a hang. */
  readonly timeoutMs: number;
  readonly input: fc.Arbitrary<Input>;
  /** Starts what the cases share (a server process); before the first case. */
  open?(): Promise<void>;
  /** Runs one case; throws (or rejects) with the broken promise in words. */
  check(input: Input): Promise<void>;
  /** The files that reproduce `input` on their own. */
  reproduction(input: Input): Reproduction[];
  /** Stops what `open` started; after the last case, failed or not. */
  close?(): Promise<void>;
}

export interface FuzzRun {
  seed: number;
  count: number;
  /** fast-check's replay path of one case (printed with a failure). */
  path?: string;
}

export type FuzzOutcome =
  | { ok: true; target: string; unit: string; cases: number }
  | { ok: false; target: string; unit: string; cases: number; seed: number; path: string; error: string; reproduction: Reproduction[] };

/** A target with its input type closed over: what the runner holds a list of. */
export interface Fuzzer {
  readonly name: string;
  readonly unit: string;
  readonly testCount: number;
  run(run: FuzzRun): Promise<FuzzOutcome>;
}

export function fuzzer<Input>(target: FuzzTarget<Input>): Fuzzer {
  return {
    name: target.name,
    unit: target.unit,
    testCount: target.testCount,
    async run({ seed, count, path }) {
      await target.open?.();
      try {
        const property = fc.asyncProperty(target.input, (input) => target.check(input));
        const details = await fc.check(property, { seed, numRuns: count, path, timeout: target.timeoutMs, markInterruptAsFailure: true });
        const base = { target: target.name, unit: target.unit, cases: details.numRuns };
        if (!details.failed || details.counterexample === null) {
          if (details.failed) return { ...base, ok: false, seed, path: details.counterexamplePath ?? '', error: String(details.errorInstance ?? 'failed without a case'), reproduction: [] };
          return { ...base, ok: true };
        }
        const [input] = details.counterexample;
        const error = details.errorInstance instanceof Error ? (details.errorInstance.stack ?? details.errorInstance.message) : String(details.errorInstance);
        return { ...base, ok: false, seed, path: details.counterexamplePath ?? '', error, reproduction: target.reproduction(input) };
      } finally {
        await target.close?.();
      }
    },
  };
}
