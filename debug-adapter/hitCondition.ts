import { RequestError } from './errors';

export type HitCondition = (hits: number) => boolean;

/**
 * VS Code's hit count as users write it: `5` (the 5th hit), `>= 3`, `> 3`, `== 2`,
 * `< 4`, `<= 4`, `% 2` (every 2nd).
 */
export function parseHitCondition(text: string): HitCondition {
  // Trimmed first: blanks on both sides of one pattern make a long run of them quadratic.
  const match = /^(==|=|>=|>|<=|<|%)?\s*(\d+)$/.exec(text.trim());
  if (!match) throw new RequestError(`hit count '${text}' is not understood: write a number, or one of ==, >=, >, <=, <, % before it`);
  const n = Number(match[2]);
  switch (match[1]) {
    case '>=':
      return (hits) => hits >= n;
    case '>':
      return (hits) => hits > n;
    case '<=':
      return (hits) => hits <= n;
    case '<':
      return (hits) => hits < n;
    case '%':
      return (hits) => n > 0 && hits % n === 0;
    default:
      return (hits) => hits === n;
  }
}
