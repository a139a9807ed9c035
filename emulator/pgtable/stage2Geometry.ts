import { PAGE_SIZE } from '../util/u64';
import { Level, levelShift, tableGeometry } from './descriptor';
import { Granule, MAX_IAS, MIN_IAS } from './granule';

/**
 * Where a stage-2 walk starts (Arm ARM D8.2.8.2, D8.2.9.2, D8.2.10.2) and what VTCR
 * says so — without 52-bit addresses (VTCR.DS = 0) and FEAT_TTST, for ias 25..48.
 *
 * Unlike stage 1, stage 2 names its initial lookup level (SL0) and may CONCATENATE up
 * to 16 tables there (D8.2.2, R HRSBS/R JKZFY): an initial lookup resolving up to four
 * more IA bits than a table holds, 2^n tables side by side, aligned to their total size.
 */

/** How the initial lookup of a stage-2 table is laid out. */
export interface Stage2Layout {
  readonly startLevel: Level;
  /** Entries of the start level: up to 16 full tables. */
  readonly rootEntries: number;
  /** Concatenated tables at the start level (1 when none). */
  readonly tables: number;
  /** Bytes of the start-level table(s): its entries × 8, at least a 4 KiB page as the kernel allocates. */
  readonly rootBytes: number;
}

/** Most tables an initial lookup may concatenate (D8.2.2 I TDMHR), io-pgtable-arm's ARM_LPAE_S2_MAX_CONCAT_PAGES. */
export const S2_MAX_CONCAT_TABLES = 16;

/**
 * The layout of a walk of `ias` bits starting at `startLevel`, or why it is inconsistent
 * (the walk then takes a stage-2 level 0 Translation fault: D8.2.8.2, D8.2.9.2, D8.2.10.2).
 * Tables D8-21..24 (4K), D8-30..33 (16K), D8-39..41 (64K) reduce, for DS = 0 and
 * ias 25..48, to: the initial lookup resolves 1 to bitsPerLevel + 4 bits, except that a
 * 16K walk cannot start at level 0 (Table D8-30 needs DS = 1) nor a 4K one at level 3
 * (Table D8-24 needs FEAT_TTST).
 */
export function stage2Layout(ias: number, granule: Granule, startLevel: Level): Stage2Layout | string {
  if (!Number.isInteger(ias) || ias < MIN_IAS || ias > MAX_IAS) return `ias ${ias} is outside ${MIN_IAS}..${MAX_IAS}`;
  const name = granule.name;
  if (name === '16K' && startLevel === 0) return 'a 16K stage 2 cannot start at level 0 without 52-bit addresses (Table D8-30)';
  if (name === '4K' && startLevel === 3) return 'a 4K stage 2 cannot start at level 3 without FEAT_TTST (Table D8-24)';
  if (name === '64K' && startLevel === 0) return 'a 64K stage 2 has no level 0 (Table D8-38)';
  const bits = ias - levelShift(startLevel, granule);
  if (bits < 1) return `a ${ias}-bit IPA space does not reach level ${startLevel} with the ${name} granule`;
  const extra = bits - granule.bitsPerLevel;
  if (extra > 4) {
    return `level ${startLevel} would need ${2 ** extra} concatenated tables for ${ias} bits with the ${name} granule (at most ${S2_MAX_CONCAT_TABLES})`;
  }
  const rootEntries = 2 ** bits;
  return { startLevel, rootEntries, tables: Math.max(1, 2 ** extra), rootBytes: Math.max(PAGE_SIZE, rootEntries * 8) };
}

/** The layout, or a RangeError naming the inconsistency. */
export function checkedStage2Layout(ias: number, granule: Granule, startLevel: Level): Stage2Layout {
  const layout = stage2Layout(ias, granule, startLevel);
  if (typeof layout === 'string') throw new RangeError(layout);
  return layout;
}

/**
 * When io-pgtable-arm concatenates a stage-2 pgd (arm_64_lpae_alloc_pgtable_s2):
 * - `mandatory` (since Mostafa Saleh's "Fix stage-2 concatenation with 16K", Linux 6.14):
 *   only where the architecture requires it (arm_lpae_concat_mandatory): 16K from level 0
 *   when ias or oas is 48 (R DXBSH), 4K from level 0 when oas is 40 or 42, 16K from level
 *   1 when oas is 40 (R SRKBC);
 * - `level0` (before): whenever the walk would start at level 0 and its pgd has at most
 *   16 entries.
 * Either way it then starts one level lower, with the pgd's entries × the table's.
 */
export type Stage2Concatenation = 'mandatory' | 'level0';

/** The layout io-pgtable-arm gives an ARM_64_LPAE_S2 table of `ias`/`oas` bits. */
export function linuxStage2Layout(ias: number, oas: number, granule: Granule, concatenation: Stage2Concatenation = 'mandatory'): Stage2Layout {
  const { startLevel, rootEntries } = tableGeometry(ias, granule);
  const concatenate =
    concatenation === 'level0' ? startLevel === 0 && rootEntries <= S2_MAX_CONCAT_TABLES : concatMandatory(ias, oas, granule, startLevel);
  if (concatenate && rootEntries > S2_MAX_CONCAT_TABLES) {
    // The kernel's WARN_ON: no table is allocated. Unreachable for ias ≤ 48.
    throw new RangeError(`a ${ias}-bit ${granule.name} stage 2 would concatenate ${rootEntries} tables`);
  }
  return checkedStage2Layout(ias, granule, (concatenate ? startLevel + 1 : startLevel) as Level);
}

function concatMandatory(ias: number, oas: number, granule: Granule, startLevel: Level): boolean {
  if (granule.name === '16K' && startLevel === 0) return oas === 48 || ias === 48;
  if (granule.name === '4K' && startLevel === 0) return oas === 40 || oas === 42;
  return granule.name === '16K' && startLevel === 1 && oas === 40;
}

/**
 * VTCR.SL0 of a start level (Tables D8-19, D8-29, D8-38): 4K 0b10 L0, 0b01 L1, 0b00 L2,
 * 0b11 L3; 16K and 64K 0b11 L0, 0b10 L1, 0b01 L2, 0b00 L3 — io-pgtable-arm's
 * `~sl & 3`, with sl one more for 4K.
 */
export function sl0Of(startLevel: Level, granule: Granule): number {
  return ~(startLevel + (granule.name === '4K' ? 1 : 0)) & 3;
}

/** The start level SL0 names, or undefined where the encoding is reserved (64K 0b11). */
export function startLevelOfSl0(sl0: number, granule: Granule): Level | undefined {
  if (granule.name === '64K' && (sl0 & 3) === 0b11) return undefined;
  const level = (~sl0 & 3) - (granule.name === '4K' ? 1 : 0);
  return (level < 0 ? 3 : level) as Level;
}

/** Bit 31 of VTCR_EL2 and of an SMMUv2 stage-2 context bank's TCR is RES1. */
const VTCR_RES1 = 1n << 31n;

/** VTCR.PS (SMMUv3 STE.S2PS) of an output size: 32 0, 36 1, 40 2, 42 3, 44 4, 48 5. */
const PS_OF_OAS: Readonly<Record<number, number>> = { 32: 0, 36: 1, 40: 2, 42: 3, 44: 4, 48: 5 };

/** What io-pgtable-arm leaves in `cfg->arm_lpae_s2_cfg.vtcr` for the SMMU drivers to program. */
export interface Stage2Vtcr {
  /** 64 - ias. */
  readonly t0sz: number;
  readonly sl0: number;
  /** The granule in TG0's encoding: 0b00 4K, 0b10 16K, 0b01 64K. */
  readonly tg0: number;
  readonly ps: number;
  /** Walk cacheability: 1 (write-back write-allocate) for a coherent walk, 0 (non-cacheable) otherwise. */
  readonly irgn0: number;
  readonly orgn0: number;
  /** Walk shareability: 3 inner for a coherent walk, 2 outer otherwise. */
  readonly sh0: number;
  readonly layout: Stage2Layout;
  /**
   * The fields in VTCR_EL2's layout, which is also SMMUv3's STE.S2VTCR (S2T0SZ[5:0],
   * S2SL0[7:6], S2IR0[9:8], S2OR0[11:10], S2SH0[13:12], S2TG[15:14], S2PS[18:16]).
   */
  readonly value: bigint;
  /** SMMUv2's stage-2 context bank TCR (arm_smmu_lpae_vtcr): the same fields and ARM_SMMU_VTCR_RES1, bit 31. */
  readonly contextBankTcr: bigint;
}

export interface Stage2VtcrOptions {
  /** The SMMU walks coherently (cfg->coherent_walk: SMMU_IDR0.COHACC, or the v2 "dma-coherent"). Default true. */
  coherent?: boolean;
  concatenation?: Stage2Concatenation;
}

/** The VTCR io-pgtable-arm computes for an ARM_64_LPAE_S2 table (arm_64_lpae_alloc_pgtable_s2). */
export function stage2Vtcr(ias: number, oas: number, granule: Granule, options: Stage2VtcrOptions = {}): Stage2Vtcr {
  const ps = PS_OF_OAS[oas];
  if (ps === undefined) throw new RangeError(`oas ${oas} has no VTCR.PS encoding (32, 36, 40, 42, 44 or 48)`);
  const layout = linuxStage2Layout(ias, oas, granule, options.concatenation);
  const coherent = options.coherent ?? true;
  const t0sz = 64 - ias;
  const sl0 = sl0Of(layout.startLevel, granule);
  const irgn0 = coherent ? 1 : 0;
  const orgn0 = irgn0;
  const sh0 = coherent ? 3 : 2;
  const tg0 = granule.tg0;
  const value = BigInt(t0sz | (sl0 << 6) | (irgn0 << 8) | (orgn0 << 10) | (sh0 << 12) | (tg0 << 14) | (ps << 16));
  return { t0sz, sl0, tg0, ps, irgn0, orgn0, sh0, layout, value, contextBankTcr: value | VTCR_RES1 };
}
