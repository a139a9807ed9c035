import { hex } from '../../util/u64';

/** A count as the comment says it: in words up to twelve. */
const COUNT_WORDS = ['no', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve'];
const countText = (n: number): string => COUNT_WORDS[n] ?? String(n);

/**
 * The domains that take context banks 0..cb-1 first, so that the reproduced fault's domain
 * gets bank `cb`: each attached by a master of its own (declaration order is attach order),
 * on StreamIDs other than `sid`.
 */
export function bankFillers(cb: number, sid: number): string[] {
  if (cb === 0) return [];
  const sids: number[] = [];
  for (let candidate = 0; sids.length < cb; candidate++) if (candidate !== sid) sids.push(candidate);
  return [
    `// cb=${cb}: ${cb === 1 ? 'one other domain takes bank 0' : `${countText(cb)} other domains take banks 0-${cb - 1}`} first (attached before, in declaration order)`,
    ...sids.flatMap((other, i) => [`domain bank${i} { }`, `master other${i} { stream ${hex(other)}; domain bank${i} }`]),
    '',
  ];
}
