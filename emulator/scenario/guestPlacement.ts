import { Granule } from '../pgtable/granule';
import { CD_BYTES } from '../smmu/v3/program';

/**
 * Where a nested domain's guest keeps its structures in its IPA space (docs/scenario-language.md,
 * "Nesting"): the CD (table) the guest STE's S1ContextPtr points at, and the stage-1 top-level
 * table (CD.TTB0). `cd at` and `tables at` write them; what a scenario leaves out is decided
 * here, once, for the checker's predictions and for the machine.
 */
export interface GuestPlacement {
  cdAt: bigint;
  tablesAt: bigint;
}

/** A range of IPAs the stage-2 domain maps (a checked `map`'s input side). */
export interface Stage2Range {
  iova: bigint;
  size: bigint;
}

/**
 * Bytes of a CD table of 2^S1CDMax CDs of 64 bytes. Arm SMMUv3 5.2 (STE.S1Fmt 0b00): a linear
 * table is aligned to its size, so this is also the alignment of `cd at`.
 */
export function cdTableBytes(s1cdmax: number): bigint {
  return BigInt(CD_BYTES) << BigInt(s1cdmax);
}

function alignUp(value: bigint, alignment: bigint): bigint {
  return ((value + alignment - 1n) / alignment) * alignment;
}

/** The first address from `from` up, aligned to `alignment`, whose `size` bytes miss every range of `avoid`. */
function clearOf(from: bigint, size: bigint, alignment: bigint, avoid: readonly Stage2Range[]): bigint {
  let at = alignUp(from, alignment);
  for (;;) {
    const hit = avoid.find((r) => r.iova < at + size && at < r.iova + r.size);
    if (!hit) return at;
    at = alignUp(hit.iova + hit.size, alignment);
  }
}

/**
 * The guest's placement: a written `cd at` / `tables at` as written; left out, the CD at the
 * first page the stage-2 domain maps (the lowest mapped IPA; IPA 0 when it maps nothing, where
 * the CD fetch then faults, CLASS=CD), the top-level table from the first page after the CD table,
 * aligned to the table's size (`rootBytes`, as a TTB0 must be; Arm ARM D8.2.3) — both clear of
 * the guest's own buffers (`avoid`: the IPAs its maps output), as a guest kernel's page-table
 * pages are never the pages it gives a device. The further tables the guest allocates follow above it.
 */
export function guestPlacement(input: {
  stage2Maps: readonly Stage2Range[];
  /** The IPAs the nested domain's own maps output (its buffers). */
  avoid: readonly Stage2Range[];
  /** The stage-2 domain's granule: its page is the unit of the IPA space. */
  stage2Granule: Granule;
  /** The CD table's bytes (cdTableBytes). */
  cdBytes: bigint;
  /** The stage-1 top-level table's bytes for the nested domain's granule and ias. */
  rootBytes: bigint;
  cdAt?: bigint;
  tablesAt?: bigint;
}): GuestPlacement {
  const page = BigInt(input.stage2Granule.bytes);
  const first = input.stage2Maps.reduce<bigint | undefined>((low, map) => (low === undefined || map.iova < low ? map.iova : low), undefined) ?? 0n;
  const cdAt = input.cdAt ?? clearOf(first, input.cdBytes, input.cdBytes > page ? input.cdBytes : page, input.avoid);
  const tablesAt = input.tablesAt ?? clearOf(alignUp(cdAt + input.cdBytes, page), input.rootBytes, input.rootBytes, input.avoid);
  return { cdAt, tablesAt };
}

/** The first IPA of [start, start + size) that no stage-2 range covers: where stage 2 faults; undefined when all is mapped. */
export function firstUnmappedIpa(start: bigint, size: bigint, stage2Maps: readonly Stage2Range[]): bigint | undefined {
  const sorted = [...stage2Maps].sort((a, b) => (a.iova < b.iova ? -1 : a.iova > b.iova ? 1 : 0));
  let next = start;
  const end = start + size;
  for (const map of sorted) {
    if (next >= end) return undefined;
    if (map.iova > next) return next;
    if (map.iova + map.size > next) next = map.iova + map.size;
  }
  return next >= end ? undefined : next;
}
