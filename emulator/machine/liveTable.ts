import { selectTtbr, Ttbr } from '../pgtable/ttbrSelect';
import { Runtime } from './runtime';

/**
 * Which table a domain's translation walks right now, and how the TLB tags it. A domain
 * without `ttbr1 on` has one table and tags by its context alone; a TTBR1 domain selects by
 * VA bit 55 (ttbrSelect.ts) between TTBR1 and whatever TTBR0 holds now, and tags each
 * entry with the live ASID and the TTBR, as hardware does (io-pgtable's stage-1 leaves are
 * all nG, so TTBR1 entries are per ASID too).
 */

/** SMMUv2 context banks number below 128: the tag keeps the bank in its low 7 bits. */
const BANK_SPAN = 128;
/** Tags stay below the TLB's 2^16 contexts: 2 TTBRs × (1 + 255 pagetable ASIDs) × 128 banks. */
export const MAX_TLB_SLOTS = 256;

export interface Route {
  table: number;
  ttbr: Ttbr;
  walkIova: bigint;
  inRange: boolean;
  tag: number;
}

/** The route of `iova` through domain `domain`, whose context bank tags TLB entries `context` (the bank's own ASID on SMMUv2). */
export function routeTranslation(rt: Runtime, domain: number, iova: bigint, context: number): Route {
  const model = rt.model.domains[domain];
  const live = rt.state.liveTtbr0[domain] ?? domain;
  if (!model?.ttbr1) return { table: domain, ttbr: 0, walkIova: iova, inRange: iova < 1n << BigInt(model?.ias ?? 48), tag: context };
  const selection = selectTtbr(iova, model.ias, true);
  const owner = rt.tableOwners[live];
  // The default table's ASID is the bank's; a pagetable written with that ASID shares its entries.
  const slot = !owner || owner.asid === undefined || owner.asid === context ? 0 : owner.tlbSlot;
  const table = selection.ttbr === 1 ? (rt.ttbr1Of[domain] ?? domain) : live;
  return { table, ttbr: selection.ttbr, walkIova: selection.walkIova, inRange: selection.inRange, tag: context + BANK_SPAN * (2 * slot + selection.ttbr) };
}

/** Every TLB tag a context bank's entries can carry: what TLBIASID and TLBIVA of the bank reach. */
export function bankTlbTags(rt: Runtime, domain: number, cbndx: number): number[] {
  if (!rt.model.domains[domain]?.ttbr1) return [cbndx];
  const slots = 1 + Math.max(0, ...rt.tableOwners.map((o) => o.tlbSlot));
  return Array.from({ length: 2 * slots }, (_, k) => cbndx + BANK_SPAN * k);
}

/** The page number a TLB entry for `va` carries: the walked address's, the low ias bits for a TTBR1 address. */
export function tlbVpn(rt: Runtime, domain: number, va: bigint): number {
  const model = rt.model.domains[domain];
  return Number((model?.ttbr1 ? selectTtbr(va, model.ias, true).walkIova : va) >> 12n);
}
