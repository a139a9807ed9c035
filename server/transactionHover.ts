import { Hover, MarkupKind } from 'vscode-languageserver';
import { staticNote, story, TransactionPrediction } from '../emulator/analysis/prediction';
import { transactionRoute } from '../emulator/analysis/pasidRoute';
import { describeRan } from '../emulator/analysis/runStory';
import { accessOf } from '../emulator/analysis/staticPrediction';
import { staticDomainName } from '../emulator/analysis/staticSystem';
import { contains } from '../emulator/language/source';
import { hex, hexGrouped } from '../emulator/util/u64';
import { Analysis } from './analysis';
import { predictionOf, TransactionSite, transactionSites } from './predictions';
import { domainWalkLines, outcomeLines, walkLines } from './walkMarkdown';

/** Iterations of a repeat the hover lists one by one; the story's summary counts them all. */
const ITERATIONS_LISTED = 8;

/** "as the tables …" → "As the tables ….": a clause made a sentence of its own. */
function sentence(clause: string): string {
  return `${clause.charAt(0).toUpperCase()}${clause.slice(1)}.`;
}

/** The address the story is told for, and the `i` when it repeats. */
function firstAddress(prediction: TransactionPrediction): { iova: bigint; iteration: number | undefined } | undefined {
  if (prediction.source === 'static') return prediction.first && { iova: prediction.first.iova, iteration: prediction.first.iteration };
  const [first] = prediction.ran;
  return first && { iova: first.iova, iteration: prediction.site.repeats.length > 0 ? (first.iterations.at(-1) ?? 0) : undefined };
}

/** Each iteration the run reached, one a row (the first few). */
function iterationLines(prediction: TransactionPrediction): string[] {
  if (prediction.source !== 'run' || prediction.ran.length < 2) return [];
  const rows = prediction.ran.slice(0, ITERATIONS_LISTED).map((t) => `| ${t.iterations.at(-1) ?? 0} | \`${hex(t.iova)}\` | ${describeRan(t, false, prediction.run)} |`);
  const more = prediction.ran.length > ITERATIONS_LISTED ? ['', `… and ${prediction.ran.length - ITERATIONS_LISTED} more`] : [];
  return ['| i | IOVA | in the run |', '|---|---|---|', ...rows, ...more, ''];
}

/** The route, then the walk of the first address as the tables stand before the run. */
function routeLines(analysis: Analysis, site: TransactionSite, iova: bigint, iteration: number | undefined): { head: string; walk: string[] } {
  const engine = analysis.textOf(site.engine.name?.range ?? site.engine.range);
  const head = `${site.transaction.access} \`${hexGrouped(iova)}\`${iteration === undefined ? '' : ` (for i = ${iteration})`} from ${engine}`;
  const route = transactionRoute(analysis.staticSystem, analysis.compiled.check, site.engine, site.transaction);
  if (route.kind === 'unrouted') return { head: `${head}: it reaches no domain — ${route.reason}`, walk: [] };
  // The table the line's submit selects: `submit N pagetable NAME` for TTBR0, the domain's TTBR1 for the upper range.
  const named = site.submit?.pagetable;
  const pagetable = named ? analysis.compiled.check.symbols.get('pagetable', named.text)?.declaration : undefined;
  const via = `stream ${hex(route.sid)} → master ${route.master.name?.text ?? '?'} → domain ${staticDomainName(route.domain)}`;
  // A stage-2 or nested domain: the machine's tables (the static system builds stage 1 only).
  const translated = analysis.stage2Walk(staticDomainName(route.domain), iova, accessOf(site.transaction));
  if (translated) return { head: `${head}: ${via}`, walk: domainWalkLines(translated) };
  const walk = analysis.staticSystem.walk(route.domain, iova, accessOf(site.transaction), pagetable);
  const owner = analysis.staticSystem.tableFor(route.domain, iova, pagetable).owner;
  return { head: `${head}: ${via}${owner ? ` → ${owner}` : ''}`, walk: [...outcomeLines(walk), '', ...walkLines(walk)] };
}

/**
 * A transaction's address: what the run did with it (each iteration of a repeat), its route,
 * and the walk of its tables before the run; or, where the run did not reach it, the static
 * walk, saying so.
 */
export function transactionHover(analysis: Analysis, offset: number): Hover | undefined {
  const site = transactionSites(analysis).find((s) => s.transaction.address && contains(s.transaction.address.range, offset));
  const address = site?.transaction.address;
  if (!site || !address) return undefined;
  const prediction = predictionOf(analysis, site);
  const at = firstAddress(prediction);
  const lines = ((): string[] => {
    if (!at) return [story(prediction)];
    const { head, walk } = routeLines(analysis, site, at.iova, at.iteration);
    if (prediction.source === 'static') return [...walk, ...(walk.length > 0 ? [''] : []), head, '', `_${sentence(staticNote(prediction.why))}_`];
    const before = walk.length > 0 ? ['_As the tables stand before the run (a handler may change them):_', '', ...walk] : [];
    return [`**In the run**: ${story(prediction)}`, '', ...iterationLines(prediction), head, ...(before.length > 0 ? ['', ...before] : [])];
  })();
  return { contents: { kind: MarkupKind.Markdown, value: lines.join('\n') }, range: analysis.lspRange(address.range) };
}
