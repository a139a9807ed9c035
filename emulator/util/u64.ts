/**
 * 64-bit values. Addresses come from the scenario as `bigint` and are shown as hex.
 * Below 2^53 a JS number holds an integer exactly, so the hot paths (page tables, TLB)
 * use numbers for addresses under 2^48 (the largest ias/oas there is) and for page
 * numbers (an address >> 12 is below 2^52); everything else stays `bigint`.
 */

export const U64_MAX = (1n << 64n) - 1n;
export const PAGE_SIZE = 4096;

/** `0x7000000`: lowercase, no padding, as the kernel prints addresses. */
export function hex(value: bigint | number): string {
  return `0x${value.toString(16)}`;
}

/** `0x0000000080000f47`: a 64-bit register or descriptor, zero-padded. */
export function hex64(value: bigint): string {
  return `0x${value.toString(16).padStart(16, '0')}`;
}

/** `0x00000002`: a 32-bit register, zero-padded. */
export function hex32(value: number): string {
  return `0x${(value >>> 0).toString(16).padStart(8, '0')}`;
}

/** The 64-bit value of two 32-bit halves. */
export function fromHalves(lo: number, hi: number): bigint {
  return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
}

/** Wraps to unsigned 64 bits, as the hardware's adders do. */
export function wrap64(value: bigint): bigint {
  return BigInt.asUintN(64, value);
}

/** `0x0700_0040`: hex in groups of four digits, as scenarios write addresses. */
export function hexGrouped(value: bigint | number): string {
  if (value === 0 || value === 0n) return '0x0';
  const raw = value.toString(16);
  const digits = raw.padStart(Math.ceil(raw.length / 4) * 4, '0');
  const groups: string[] = [];
  for (let end = digits.length; end > 0; end -= 4) groups.unshift(digits.slice(Math.max(0, end - 4), end));
  return `0x${groups.join('_')}`;
}
