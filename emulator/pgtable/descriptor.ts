import { fromHalves, hex } from '../util/u64';
import { Granule } from './granule';

/**
 * The VMSAv8-64 stage-1 descriptor (Arm ARM D8.3) of a 4K, 16K or 64K granule, as
 * io-pgtable-arm's ARM_64_LPAE_S1 format writes it. A descriptor is handled as two 32-bit
 * halves, `lo` (bits [31:0]) and `hi` (bits [63:32]), so the hot paths never touch a bigint.
 *
 * The output address is bits [47:granule shift] (D8.3.1: [47:12] for 4K, [47:14] for 16K,
 * [47:16] for 64K): `hi[15:0]` are OA[47:32], `lo[31:shift]` the rest. The bits below the
 * granule and bits [51:48] (52-bit addresses: FEAT_LPA/LPA2, TCR.DS) are not part of it:
 * io-pgtable-arm never sets them for oas ≤ 48.
 */

export type Level = 0 | 1 | 2 | 3;

// lo: bits [31:0]
export const DESC_VALID = 1 << 0;
export const DESC_TABLE_OR_PAGE = 1 << 1;
export const ATTR_INDX_SHIFT = 2;
export const AP1 = 1 << 6; // AP[1]: unprivileged (EL0) access
export const AP2 = 1 << 7; // AP[2]: read-only
export const SH_SHIFT = 8;
export const AF = 1 << 10;
export const NG = 1 << 11;
// hi: bits [63:32]
export const HI_OA_MASK = 0xffff; // OA[47:32]
export const HI_CONTIGUOUS = 1 << (52 - 32);
export const HI_PXN = 1 << (53 - 32);
export const HI_UXN = 1 << (54 - 32);
export const HI_PXN_TABLE = 1 << (59 - 32);
export const HI_UXN_TABLE = 1 << (60 - 32);
export const HI_AP_TABLE0 = 1 << (61 - 32); // APTable[0]: no unprivileged access below
export const HI_AP_TABLE1 = 1 << (62 - 32); // APTable[1]: read-only below
export const HI_NS_TABLE = 1 << (63 - 32);

/** SH[1:0]: outer and inner shareable (the same encoding at stage 1 and stage 2). */
export const SH_OUTER = 2;
export const SH_INNER = 3;

/** AttrIndx values io-pgtable-arm programs MAIR with (ARM_LPAE_MAIR_ATTR_IDX_*). */
const ATTR_IDX_NONCACHED = 0;
const ATTR_IDX_CACHED = 1;
const ATTR_IDX_DEVICE = 2;

/**
 * What each AttrIndx means under Linux's MAIR: NC 0x44, WBRWA 0xff, Device-nGnRE 0x04,
 * inner-NC/outer-WB 0xf4 (IOMMU_SYS_CACHE), and 0x00 (Device-nGnRnE) in bytes 4–7.
 */
export const ATTR_INDX_NAMES: readonly string[] = [
  'noncached',
  'cached',
  'device',
  'outer-cached',
  'device-nGnRnE',
  'device-nGnRnE',
  'device-nGnRnE',
  'device-nGnRnE',
];

export const SH_NAMES: readonly string[] = ['none', 'reserved', 'outer', 'inner'];

export type MemoryType = 'cached' | 'noncached' | 'device';

/** What `iommu_map` is asked for: IOMMU_READ/WRITE/NOEXEC/PRIV/CACHE/MMIO and AF=0. */
export interface Prot {
  read: boolean;
  write: boolean;
  noexec: boolean;
  priv: boolean;
  /** Leave AF clear, so the first access takes an access-flag fault. */
  noaf: boolean;
  memory: MemoryType;
}

export interface DescriptorWords {
  lo: number;
  hi: number;
}

/**
 * Bit position of a level's index (D8.2.8–D8.2.10): 4K L0 39, L1 30, L2 21, L3 12;
 * 16K L0 47, L1 36, L2 25, L3 14; 64K L1 42, L2 29, L3 16.
 */
export function levelShift(level: Level, granule: Granule): number {
  return granule.shift + granule.bitsPerLevel * (3 - level);
}

/** Bytes one entry of a level spans: 4K 512G/1G/2M/4K, 16K 128T/64G/32M/16K, 64K 4T/512M/64K (below 2^53). */
export function levelSize(level: Level, granule: Granule): number {
  return 2 ** levelShift(level, granule);
}

/** The table index an IOVA selects at `level`. */
export function levelIndex(iova: bigint, level: Level, granule: Granule): number {
  return Number((iova >> BigInt(levelShift(level, granule))) & BigInt(granule.entries - 1));
}

/**
 * Levels of a table for `ias` input bits, the level the walk starts at and the entries of
 * its start-level table (Tables D8-18, D8-28, D8-37: up to a full level's index bits).
 */
export function tableGeometry(ias: number, granule: Granule): { levels: number; startLevel: Level; rootEntries: number } {
  const levels = Math.ceil((ias - granule.shift) / granule.bitsPerLevel);
  const startLevel = (4 - levels) as Level;
  return { levels, startLevel, rootEntries: 2 ** (ias - levelShift(startLevel, granule)) };
}

/** Bits [47:granule shift] of a descriptor as an address (a number: below 2^48). */
export function outputAddressOf(lo: number, hi: number, granule: Granule): number {
  const address = (hi & HI_OA_MASK) * 2 ** 32 + ((lo & ~0xfff) >>> 0);
  return address - (address % granule.bytes);
}

/** Can a leaf sit at this level? Pages at 3, blocks from the granule's block level (D8-17, D8-27, D8-36). */
function isLeafLevel(level: Level, granule: Granule): boolean {
  return level >= granule.blockLevel;
}

/**
 * The leaf descriptor io-pgtable-arm writes for `prot` (arm_lpae_prot_to_pte): nG always,
 * AF unless `noaf`, AP[2] for read-only, AP[1] unless privileged, AttrIndx and SH from
 * the memory type, XN (UXN and PXN) for IOMMU_NOEXEC. `pa` is the block's or page's base.
 */
export function protToLeaf(pa: number, prot: Prot, level: Level, granule: Granule): DescriptorWords {
  if (!isLeafLevel(level, granule)) {
    throw new RangeError(`level ${level} holds no blocks with the ${granule.name} granule`);
  }
  const size = levelSize(level, granule);
  if (!Number.isInteger(pa) || pa < 0 || pa >= 2 ** 48 || pa % size !== 0) {
    throw new RangeError(`${hex(pa)} is not a ${sizeName(size)}-aligned 48-bit address`);
  }
  let lo = DESC_VALID | NG;
  if (level === 3) {
    lo |= DESC_TABLE_OR_PAGE;
  }
  if (!prot.noaf) {
    lo |= AF;
  }
  if (prot.read && !prot.write) {
    lo |= AP2;
  }
  if (!prot.priv) {
    lo |= AP1;
  }
  switch (prot.memory) {
    case 'cached':
      lo |= (ATTR_IDX_CACHED << ATTR_INDX_SHIFT) | (SH_INNER << SH_SHIFT);
      break;
    case 'device':
      lo |= (ATTR_IDX_DEVICE << ATTR_INDX_SHIFT) | (SH_OUTER << SH_SHIFT);
      break;
    case 'noncached':
      lo |= (ATTR_IDX_NONCACHED << ATTR_INDX_SHIFT) | (SH_OUTER << SH_SHIFT);
      break;
  }
  const hi = Math.floor(pa / 2 ** 32) | (prot.noexec ? HI_UXN | HI_PXN : 0);
  return { lo: (lo | (pa % 2 ** 32)) >>> 0, hi: hi >>> 0 };
}

/** A table descriptor: the next-level table's address (granule-aligned) | 0b11. */
export function tableDescriptor(tablePa: number, granule: Granule): DescriptorWords {
  if (!Number.isInteger(tablePa) || tablePa < 0 || tablePa >= 2 ** 48 || tablePa % granule.bytes !== 0) {
    throw new RangeError(`${hex(tablePa)} is not a ${granule.name} aligned 48-bit address`);
  }
  return { lo: ((tablePa % 2 ** 32) | DESC_VALID | DESC_TABLE_OR_PAGE) >>> 0, hi: Math.floor(tablePa / 2 ** 32) };
}

export type DescriptorType = 'invalid' | 'table' | 'block' | 'page' | 'reserved';

/** How a level reads bits [1:0]: invalid, table, block or page — or reserved. */
export function descriptorType(lo: number, level: Level, granule: Granule): DescriptorType {
  if ((lo & DESC_VALID) === 0) {
    return 'invalid';
  }
  const bit1 = (lo & DESC_TABLE_OR_PAGE) !== 0;
  if (level === 3) {
    return bit1 ? 'page' : 'reserved';
  }
  if (bit1) {
    return 'table';
  }
  // No level-0 blocks, nor level-1 ones with 16K/64K, without 52-bit addresses (D8-17, D8-27, D8-36).
  return isLeafLevel(level, granule) ? 'block' : 'reserved';
}

/** Every field of one descriptor, for the debugger's tables and the hover. */
export interface DescriptorFields {
  value: bigint;
  level: Level;
  valid: boolean;
  type: DescriptorType;
  /** Next-level table for a table, OA for a block or page, 0 otherwise. */
  outputAddress: bigint;
  /** Leaf fields (read from the bits whatever the type). */
  attrIndx: number;
  /** AP[2:1] as a 2-bit number. */
  ap: number;
  sh: number;
  af: boolean;
  nG: boolean;
  contiguous: boolean;
  pxn: boolean;
  uxn: boolean;
  /** Table fields. */
  pxnTable: boolean;
  uxnTable: boolean;
  apTable: number;
  nsTable: boolean;
  /** e.g. `page → 0x80000000 rw, AttrIndx 1 (cached), SH inner, AF, nG`. */
  text: string;
}

export function describeDescriptor(lo: number, hi: number, level: Level, granule: Granule): DescriptorFields {
  const type = descriptorType(lo, level, granule);
  const fields: DescriptorFields = {
    value: fromHalves(lo, hi),
    level,
    valid: (lo & DESC_VALID) !== 0,
    type,
    outputAddress: 0n,
    attrIndx: (lo >>> ATTR_INDX_SHIFT) & 7,
    ap: (lo >>> 6) & 3,
    sh: (lo >>> SH_SHIFT) & 3,
    af: (lo & AF) !== 0,
    nG: (lo & NG) !== 0,
    contiguous: (hi & HI_CONTIGUOUS) !== 0,
    pxn: (hi & HI_PXN) !== 0,
    uxn: (hi & HI_UXN) !== 0,
    pxnTable: (hi & HI_PXN_TABLE) !== 0,
    uxnTable: (hi & HI_UXN_TABLE) !== 0,
    apTable: (hi >>> (61 - 32)) & 3,
    nsTable: (hi & HI_NS_TABLE) !== 0,
    text: '',
  };
  switch (type) {
    case 'invalid':
      fields.text = 'invalid';
      break;
    case 'reserved':
      fields.text = level === 3 ? 'reserved (bit1=0 at level 3)' : level === 0 ? 'reserved (no blocks at level 0)' : `reserved (no level ${level} blocks with the ${granule.name} granule)`;
      break;
    case 'table':
      fields.outputAddress = BigInt(outputAddressOf(lo, hi, granule));
      fields.text = `table → ${hex(fields.outputAddress)}${tableAttributesText(fields)}`;
      break;
    case 'block':
    case 'page': {
      fields.outputAddress = BigInt(leafOutputAddress(lo, hi, level, granule));
      const kind = type === 'page' ? 'page' : `block ${sizeName(levelSize(level, granule))}`;
      fields.text = `${kind} → ${hex(fields.outputAddress)} ${leafAttributesText(fields)}`;
      break;
    }
  }
  return fields;
}

/** A leaf's OA: bits [47:levelShift]; a block's lower bits are RES0 and ignored. */
export function leafOutputAddress(lo: number, hi: number, level: Level, granule: Granule): number {
  const address = outputAddressOf(lo, hi, granule);
  return address - (address % levelSize(level, granule));
}

function leafAttributesText(f: DescriptorFields): string {
  const parts = [
    `${f.ap & 2 ? 'r' : 'rw'}${f.ap & 1 ? '' : ' priv'}`,
    `AttrIndx ${f.attrIndx} (${ATTR_INDX_NAMES[f.attrIndx]})`,
    `SH ${SH_NAMES[f.sh]}`,
  ];
  if (f.af) {
    parts.push('AF');
  }
  if (f.nG) {
    parts.push('nG');
  }
  if (f.uxn && f.pxn) {
    parts.push('XN');
  } else if (f.uxn) {
    parts.push('UXN');
  } else if (f.pxn) {
    parts.push('PXN');
  }
  if (f.contiguous) {
    parts.push('Contiguous');
  }
  return parts.join(', ');
}

function tableAttributesText(f: DescriptorFields): string {
  const parts: string[] = [];
  if (f.apTable !== 0) {
    parts.push(`APTable ${f.apTable.toString(2).padStart(2, '0')}`);
  }
  if (f.uxnTable) {
    parts.push('UXNTable');
  }
  if (f.pxnTable) {
    parts.push('PXNTable');
  }
  if (f.nsTable) {
    parts.push('NSTable');
  }
  return parts.length === 0 ? '' : `, ${parts.join(', ')}`;
}

/** `4K`, `2M`, `1G`, `512G`, `16K`, `32M`. */
export function sizeName(bytes: number): string {
  const units: readonly [number, string][] = [
    [2 ** 30, 'G'],
    [2 ** 20, 'M'],
    [2 ** 10, 'K'],
  ];
  for (const [unit, suffix] of units) {
    if (bytes >= unit && bytes % unit === 0) {
      return `${bytes / unit}${suffix}`;
    }
  }
  return `${bytes}`;
}

// Stage-1 Direct permissions (Arm ARM D8.4.1.2.6, Table D8-65), as a bit mask.
export const PRIV_READ = 1 << 0;
export const PRIV_WRITE = 1 << 1;
export const PRIV_EXECUTE = 1 << 2;
export const UNPRIV_READ = 1 << 3;
export const UNPRIV_WRITE = 1 << 4;
export const UNPRIV_EXECUTE = 1 << 5;

const PR = PRIV_READ;
const PW = PRIV_WRITE;
const PX = PRIV_EXECUTE;
const UR = UNPRIV_READ;
const UW = UNPRIV_WRITE;
const UX = UNPRIV_EXECUTE;

/**
 * Table D8-65 with WXN=0, indexed by UXN << 3 | PXN << 2 | AP[2:1]. Note the rows the
 * table does not derive from the bits alone: AP[2:1]=01 (writable at EL0) removes
 * PrivExecute, and EL0 keeps UnprivExecute on a privileged-only page (AP[2:1]=00, 10).
 */
const DIRECT_PERMISSIONS = new Uint8Array([
  // UXN=0 PXN=0
  PR | PW | PX | UX,
  PR | PW | UR | UW | UX,
  PR | PX | UX,
  PR | PX | UR | UX,
  // UXN=0 PXN=1
  PR | PW | UX,
  PR | PW | UR | UW | UX,
  PR | UX,
  PR | UR | UX,
  // UXN=1 PXN=0
  PR | PW | PX,
  PR | PW | UR | UW,
  PR | PX,
  PR | PX | UR,
  // UXN=1 PXN=1
  PR | PW,
  PR | PW | UR | UW,
  PR,
  PR | UR,
]);

/** The permission mask of effective UXN, PXN and AP[2:1] (after APTable/XNTable). */
export function directPermissions(uxn: boolean, pxn: boolean, ap: number): number {
  return DIRECT_PERMISSIONS[(uxn ? 8 : 0) | (pxn ? 4 : 0) | (ap & 3)];
}

/** The same lookup for the hot paths: `index` is UXN << 3 | PXN << 2 | AP[2:1]. */
export function directPermissionsAt(index: number): number {
  return DIRECT_PERMISSIONS[index];
}

/** `priv rw-, unpriv r-x`. */
export function permissionsText(mask: number): string {
  const triple = (read: number, write: number, execute: number): string =>
    `${mask & read ? 'r' : '-'}${mask & write ? 'w' : '-'}${mask & execute ? 'x' : '-'}`;
  return `priv ${triple(PR, PW, PX)}, unpriv ${triple(UR, UW, UX)}`;
}

/** What a transaction asks for: a write, an instruction fetch, a privileged access. */
export interface Access {
  write: boolean;
  exec: boolean;
  priv: boolean;
}

/**
 * An access as a 3-bit code (write 1, exec 2, priv 4), for the allocation-free paths.
 * A write marked as an instruction access is a data write: there are no instruction writes.
 */
export function accessCode(access: Access): number {
  return (access.write ? 1 : 0) | (access.exec ? 2 : 0) | (access.priv ? 4 : 0);
}

/** The permission an access code needs, indexed by the code. */
const REQUIRED_PERMISSION = new Uint8Array([
  UNPRIV_READ, // read
  UNPRIV_WRITE, // write
  UNPRIV_EXECUTE, // fetch
  UNPRIV_WRITE, // write (marked exec)
  PRIV_READ,
  PRIV_WRITE,
  PRIV_EXECUTE,
  PRIV_WRITE,
]);

/** The single permission bit `code` needs; an access is allowed when `mask & bit`. */
export function requiredPermission(code: number): number {
  return REQUIRED_PERMISSION[code & 7];
}
