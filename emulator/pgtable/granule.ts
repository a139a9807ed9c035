/**
 * The VMSAv8-64 translation granules, as a stage-1 table without 52-bit addresses
 * (TCR.DS = 0, no FEAT_LPA/LVA/TTST) uses them — Arm ARM D8.2.8 (4KB), D8.2.9 (16KB),
 * D8.2.10 (64KB):
 *
 * | granule | index bits a level | levels          | blocks                        | OA of a leaf |
 * | 4K      | 9                  | 0–3             | 1G (L1), 2M (L2): Table D8-17 | [47:12]      |
 * | 16K     | 11                 | 0 (IA[47]) to 3 | 32M (L2): Table D8-27         | [47:14]      |
 * | 64K     | 13                 | 1–3             | 512M (L2): Table D8-36        | [47:16]      |
 *
 * The 64G (16K, L1) and 4T (64K, L1) blocks need 52-bit addresses and are not modelled:
 * a block descriptor there reads as reserved, a translation fault.
 *
 * T0SZ 16..39 (ias 25..48) is what each granule allows without FEAT_TTST or 52-bit
 * addresses: Tables D8-18 (4KB, stage 1), D8-28 (16KB), D8-37 (64KB).
 */

export type GranuleName = '4K' | '16K' | '64K';

export interface Granule {
  readonly name: GranuleName;
  /** log2 of the page: 12, 14, 16. */
  readonly shift: number;
  /** Bytes of a page, and of a full table. */
  readonly bytes: number;
  /** Index bits a full level resolves: shift - 3. */
  readonly bitsPerLevel: number;
  /** Entries of a full table: 2^bitsPerLevel. */
  readonly entries: number;
  /** The shallowest level that may hold a block (blocks sit at levels blockLevel..2). */
  readonly blockLevel: number;
  /** TCR.TG0 (SMMUv2 TTBCR, SMMUv3 CD.TG0): 0b00 4K, 0b10 16K, 0b01 64K. */
  readonly tg0: number;
  /** TCR.TG1, which encodes the granules otherwise (D8.2.3): 0b10 4K, 0b01 16K, 0b11 64K. */
  readonly tg1: number;
  /** io-pgtable-arm's pgsize_bitmap for this granule (arm_lpae_restrict_pgsizes), as leaf sizes. */
  readonly pageSizes: readonly bigint[];
}

export const MIN_IAS = 25;
export const MAX_IAS = 48;

function granule(name: GranuleName, shift: number, blockLevel: number, tg0: number, tg1: number): Granule {
  const bitsPerLevel = shift - 3;
  const pageSizes: bigint[] = [];
  for (let level = 3; level >= blockLevel; level--) pageSizes.push(1n << BigInt(shift + bitsPerLevel * (3 - level)));
  return { name, shift, bytes: 2 ** shift, bitsPerLevel, entries: 2 ** bitsPerLevel, blockLevel, tg0, tg1, pageSizes };
}

export const GRANULE_4K = granule('4K', 12, 1, 0b00, 0b10);
export const GRANULE_16K = granule('16K', 14, 2, 0b10, 0b01);
export const GRANULE_64K = granule('64K', 16, 2, 0b01, 0b11);

export const GRANULES: Readonly<Record<GranuleName, Granule>> = { '4K': GRANULE_4K, '16K': GRANULE_16K, '64K': GRANULE_64K };

/** The granule of a page size in bytes (`granule 16K` is 0x4000). */
export function granuleOfBytes(bytes: number): Granule {
  const found = Object.values(GRANULES).find((g) => g.bytes === bytes);
  if (!found) throw new RangeError(`${bytes} bytes is not a translation granule`);
  return found;
}
