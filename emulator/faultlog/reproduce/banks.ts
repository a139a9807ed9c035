import { settingSpec } from '../../language/schema';
import { hex } from '../../util/u64';
import { line } from './result';

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

/** smmu `context-banks` (SMMU_IDR1.NUMCB): its default and the most it takes, from the schema. */
const contextBanks = ((): { default: number; max: number } => {
  const spec = settingSpec('smmu', 'context-banks')?.value;
  if (spec?.kind !== 'number' || spec.default === undefined) throw new Error('the schema has no numeric smmu context-banks');
  return { default: Number(spec.default), max: Number(spec.max) };
})();

/** The most context banks an SMMU of a scenario has. */
export const MAX_CONTEXT_BANKS = contextBanks.max;

/** The smmu block's `context-banks` line when bank `cb` is beyond the default's. */
export function contextBanksFor(cb: number): string[] {
  return cb + 1 > contextBanks.default ? [line(`  context-banks ${cb + 1}`, `enough for bank ${cb}`)] : [];
}
