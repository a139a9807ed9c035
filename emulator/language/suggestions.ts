import { QuickFix } from './diagnostics';
import { Range } from './source';

/**
 * Optimal string alignment distance: insertions, deletions, substitutions and swaps of two
 * neighbouring characters each cost 1 (`gpu_dmo` is one swap from `gpu_dom`).
 */
export function editDistance(a: string, b: string): number {
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    const row: number[] = [i];
    for (let j = 1; j <= b.length; j++) {
      if (i === 0) {
        row.push(j);
        continue;
      }
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min((rows[i - 1]?.[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (rows[i - 1]?.[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, (rows[i - 2]?.[j - 2] ?? 0) + 1);
      row.push(best);
    }
    rows.push(row);
  }
  return rows[a.length]?.[b.length] ?? 0;
}

/**
 * The candidate `word` most likely misspells: the nearest by edit distance (case aside),
 * within a third of the word's length (at least one edit, and never all of it: `x` is not a
 * misspelt `m`). None when nothing is that near,
 * when two candidates are equally near (`v4`: v2 or v3?), or when `word` is itself one.
 */
export function closestWord(word: string, candidates: Iterable<string>): string | undefined {
  const limit = Math.min(Math.max(1, Math.floor(word.length / 3)), word.length - 1);
  let best: { candidate: string | undefined; distance: number } = { candidate: undefined, distance: limit + 1 };
  for (const candidate of new Set(candidates)) {
    if (candidate === word) return undefined;
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (distance < best.distance) best = { candidate, distance };
    else if (distance === best.distance) best = { candidate: undefined, distance };
  }
  return best.candidate;
}

/** What a message adds for a misspelt word, and the quick fix that puts the right one in its place. */
export interface Suggestion {
  /** `; did you mean 'gpu_dom'?`, or nothing. */
  hint: string;
  fix: QuickFix | undefined;
}

/** "Did you mean …?" for `word` written at `range`, from the words that would have been understood there. */
export function suggest(word: string, range: Range, candidates: Iterable<string>): Suggestion {
  const meant = closestWord(word, candidates);
  if (meant === undefined) return { hint: '', fix: undefined };
  return { hint: `; did you mean '${meant}'?`, fix: { title: `Change to '${meant}'`, edits: [{ range, newText: meant }] } };
}
