import { PAGE_SIZE } from './u64';

/**
 * An address's 4 KiB page number and offset, as the translation path needs them per
 * transaction: by number arithmetic while the address is exact as a JS number (below
 * 2^53, so every input address of a 48-bit range), which allocates no BigInt.
 */
const EXACT_IN_NUMBER = 1n << 53n;

export function pageOf(address: bigint): number {
  return address < EXACT_IN_NUMBER ? Math.floor(Number(address) / PAGE_SIZE) : Number(address >> 12n);
}

export function pageOffsetOf(address: bigint): number {
  return address < EXACT_IN_NUMBER ? Number(address) % PAGE_SIZE : Number(address & 0xfffn);
}

/** The address of `offset` in 4 KiB page `page` (page < 2^36, so the sum is exact). */
export function addressIn(page: number, offset: number): bigint {
  return BigInt(page * PAGE_SIZE + offset);
}

const limits = Array.from({ length: 65 }, (_, bits) => 1n << BigInt(bits));

/** 2^bits (bits ≤ 64), made once: an input-range check per transaction allocates nothing. */
export function twoToThe(bits: number): bigint {
  return limits[bits] ?? 1n << BigInt(bits);
}
