import { CompiledScenario } from '../scenario/compile';
import { hex, hexGrouped } from '../util/u64';
import { PredictedRun, predictRun, RunTransaction } from './predictedRun';
import { describeRan, failed, ranInlayLabel, summary } from './runStory';
import { firstStaticFault, predictStatic, StaticPrediction } from './staticPrediction';
import { StaticSystem } from './staticSystem';
import { TransactionSite, transactionSites } from './transactionSites';

/*
 * One prediction per written transaction, read by the language server's hover, inlay hints
 * and diagnostics and by `iommu-debug check`. It comes from a bounded run of the real machine
 * (`run`), on SMMUv2 and SMMUv3 alike, so an outstanding fault, a stall or a full queue is
 * predicted as the run does it; the static walk (`static`) speaks only for what the run did
 * not reach, and says so.
 */

export type TransactionPrediction =
  | { source: 'run'; site: TransactionSite; ran: RunTransaction[]; run: PredictedRun }
  | {
      source: 'static';
      site: TransactionSite;
      /** The first iteration on the tables as written; undefined when its address cannot be computed. */
      first: StaticPrediction | undefined;
      /** The first of the iterations checked that faults or reaches no domain. */
      firstFault: StaticPrediction | undefined;
      /** Why the run does not speak for it: "the run did not reach it". */
      why: string;
    };

/** The predictions of one compiled scenario, each computed on first use. */
export class ScenarioPredictions {
  readonly sites: readonly TransactionSite[];
  private ranOnce: PredictedRun | null | undefined;
  private builtSystem: StaticSystem | undefined;
  private readonly cache = new Map<TransactionSite, TransactionPrediction>();

  /** `system` builds the tables as they stand before the run (the server shares its own), asked for at most once. */
  constructor(
    private readonly compiled: CompiledScenario,
    private readonly system: () => StaticSystem,
  ) {
    this.sites = transactionSites(compiled.file);
  }

  /** The bounded run of what runs of the scenario (all of it, or its declarations without errors), when the machine builds. */
  get run(): PredictedRun | undefined {
    if (this.ranOnce === undefined) {
      const model = this.compiled.runnable?.model;
      this.ranOnce = (model && predictRun(model)) ?? null;
    }
    return this.ranOnce ?? undefined;
  }

  of(site: TransactionSite): TransactionPrediction {
    let prediction = this.cache.get(site);
    if (!prediction) {
      prediction = this.predict(site);
      this.cache.set(site, prediction);
    }
    return prediction;
  }

  all(): TransactionPrediction[] {
    return this.sites.map((site) => this.of(site));
  }

  private predict(site: TransactionSite): TransactionPrediction {
    const run = this.run;
    const ran = run?.sites.get(site.transaction);
    if (run && ran && ran.length > 0) return { source: 'run', site, ran, run };
    this.builtSystem ??= this.system();
    const system = this.builtSystem;
    const check = this.compiled.check;
    return { source: 'static', site, first: predictStatic(system, check, site), firstFault: firstStaticFault(system, check, site), why: this.whyStatic(run, site) };
  }

  private whyStatic(run: PredictedRun | undefined, site: TransactionSite): string {
    const runnable = this.compiled.runnable;
    if (!runnable) return 'the file has errors, so it does not run';
    if (runnable.dropped.includes(site.engine)) return 'its engine has errors, so it does not run';
    if (!run) return 'the machine could not be built, so it does not run';
    // The stop's reason is told on the transactions the run left stalled or pending.
    return run.stopMessage ? 'the run stopped before reaching it' : 'the run did not reach it';
  }
}

function repeated(site: TransactionSite): boolean {
  return site.repeats.length > 0;
}

/** " (i = 2, 0x1100000)" when the address depends on the repeat's `i`. */
function iterationOf(p: StaticPrediction): string {
  return p.iteration === undefined ? '' : ` (i = ${p.iteration}, ${hex(p.iova)})`;
}

/** "translation fault at level 2: L2[56] is invalid (i = 2, 0x1100000)", or undefined when it translates or reaches no domain. */
function staticFault(p: StaticPrediction): string | undefined {
  const outcome = p.outcome && 'fault' in p.outcome ? p.outcome.fault.outcome : undefined;
  if (!outcome || outcome.kind === 'success') return undefined;
  return `${outcome.kind} fault at level ${outcome.level}: ${outcome.reason}${iterationOf(p)}`;
}

/** One iteration on the tables as written: where it goes, or the fault it takes, or why it reaches no domain. */
function staticOutcome(p: StaticPrediction): string {
  if (p.route.kind === 'unrouted') return `reaches no domain: ${p.route.reason}${iterationOf(p)}`;
  const outcome = p.outcome;
  return outcome && 'pa' in outcome ? `translates → ${hexGrouped(outcome.pa)}${iterationOf(p)}` : (staticFault(p) ?? `reaches no domain${iterationOf(p)}`);
}

/** How a static prediction says what it is. */
export function staticNote(why: string): string {
  return `as the tables stand before the run (${why})`;
}

/** The inlay hint after the address: the first iteration in a few words. */
export function inlayLabel(p: TransactionPrediction): string | undefined {
  if (p.source === 'run') {
    const [first] = p.ran;
    return first && ranInlayLabel(first);
  }
  const outcome = p.first?.outcome;
  if (!outcome) return undefined;
  return 'pa' in outcome ? `→ ${hexGrouped(outcome.pa)}` : `→ ${outcome.fault.outcome.kind} fault`;
}

/**
 * The whole story, as the inlay hint's tooltip and `check`'s hint tell it: the first
 * iteration, then for a repeat all of them ("4 of 4 raz"); a static one says it is static.
 */
export function story(p: TransactionPrediction): string {
  if (p.source === 'run') {
    const [first] = p.ran;
    if (!first) return '';
    const head = describeRan(first, repeated(p.site), p.run);
    return p.ran.length > 1 ? `${head} — ${summary(p.ran)}` : head;
  }
  if (!p.first) return `the address cannot be computed before the run — ${p.why}`;
  // A repeat whose first iteration translates but a later one faults says both.
  const later = p.firstFault && p.firstFault.iteration !== p.first.iteration ? `; ${staticOutcome(p.firstFault)}` : '';
  return `${staticOutcome(p.first)}${later} — ${staticNote(p.why)}`;
}

/** The "will fault" hint: the first iteration that fails, and all of them when it repeats; undefined when none does. */
export function faultMessage(p: TransactionPrediction): string | undefined {
  if (p.source === 'run') {
    const first = p.ran.find(failed);
    if (!first) return undefined;
    const head = describeRan(first, repeated(p.site), p.run);
    return p.ran.length > 1 ? `${head} — ${summary(p.ran)}` : head;
  }
  const fault = p.firstFault && staticFault(p.firstFault);
  return fault && `${fault} — ${staticNote(p.why)}`;
}
