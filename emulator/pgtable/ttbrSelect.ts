/**
 * Which table an input address walks, and with which address, when a domain has two VA
 * ranges (Arm ARM D8.2.4, "Selection between TTBR0_ELx and TTBR1_ELx when two VA ranges
 * are supported"): VA bit 55 selects TTBR1; the lower range is [0, 2^(64-T0SZ)), the upper
 * [2^64 - 2^(64-T1SZ), 2^64), and an address in neither is a level 0 Translation fault.
 * T0SZ = T1SZ = 64 - ias, as arm-smmu programs them.
 *
 * io-pgtable's IO_PGTABLE_QUIRK_ARM_TTBR1 builds the TTBR1 table over the low ias bits of a
 * sign-extended IOVA, so the walk of a TTBR1 address indexes its low ias bits: the walker
 * itself never sees the upper half.
 */

export const TTBR0 = 0;
export const TTBR1 = 1;
export type Ttbr = typeof TTBR0 | typeof TTBR1;

/** Where an address goes: the TTBR VA bit 55 selects, the address the table's walk indexes, and whether it is in that TTBR's range. */
export interface TtbrSelection {
  ttbr: Ttbr;
  walkIova: bigint;
  inRange: boolean;
}

/** The lowest address of the TTBR1 range for an `ias`-bit input size: 2^64 - 2^ias. */
export function ttbr1RangeBase(ias: number): bigint {
  return (1n << 64n) - (1n << BigInt(ias));
}

/** The selection of `iova` in a domain of `ias` bits; without `ttbr1` there is one range, TTBR0's. */
export function selectTtbr(iova: bigint, ias: number, ttbr1: boolean): TtbrSelection {
  const size = 1n << BigInt(ias);
  if (!ttbr1 || ((iova >> 55n) & 1n) === 0n) return { ttbr: TTBR0, walkIova: iova, inRange: iova < size };
  return { ttbr: TTBR1, walkIova: iova & (size - 1n), inRange: iova >= ttbr1RangeBase(ias) };
}

/** The address software names for `walkIova` of a table: sign-extended back for TTBR1. */
export function inputAddress(walkIova: bigint, ias: number, ttbr: Ttbr): bigint {
  return ttbr === TTBR1 ? ttbr1RangeBase(ias) | walkIova : walkIova;
}
