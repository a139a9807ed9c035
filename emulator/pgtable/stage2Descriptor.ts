import { fromHalves, hex } from '../util/u64';
import {
  AF,
  DESC_TABLE_OR_PAGE,
  DESC_VALID,
  descriptorType,
  DescriptorType,
  DescriptorWords,
  HI_CONTIGUOUS,
  leafOutputAddress,
  Level,
  levelSize,
  outputAddressOf,
  PRIV_EXECUTE,
  PRIV_READ,
  PRIV_WRITE,
  Prot,
  SH_INNER,
  SH_NAMES,
  SH_OUTER,
  SH_SHIFT,
  sizeName,
  UNPRIV_EXECUTE,
  UNPRIV_READ,
  UNPRIV_WRITE,
} from './descriptor';
import { Granule } from './granule';

/**
 * The VMSAv8-64 stage-2 descriptor (Arm ARM D8.3.1, Tables D8-51 and D8-53), as
 * io-pgtable-arm's ARM_64_LPAE_S2 format writes it. The type bits, the output address
 * and AF sit where stage 1 has them; the attributes differ:
 *
 * - lo: MemAttr[5:2] (the memory type itself, not a MAIR index), S2AP[7:6] (Table D8-76:
 *   00 no data access, 01 read-only, 10 write-only, 11 read/write — for EL1 and EL0
 *   alike: there is no AP[1]), SH[9:8], AF[10]; bit 11 is RES0 (no nG: stage 2 is
 *   tagged by VMID, not ASID).
 * - hi: XN[1:0] in bits [54:53] (FEAT_XNX, Table D8-78); without FEAT_XNX, bit 54 alone
 *   is XN (Table D8-77) and bit 53 RES0. FEAT_XNX is what an SMMUv3.1 or later has
 *   (SMMU_IDR3.XNX, mandatory from SMMUv3.1: SMMUv3 2.7), so it is the default; an
 *   SMMUv2 stage-2 context bank is an Armv8.0 stage 2: XN bit 54 alone.
 * - A stage-2 table descriptor has no APTable/XNTable/NSTable: bits [62:59] are RES0
 *   without stage-2 indirect permissions, [58:51] IGNORED (Table D8-51), so a stage-2
 *   walk carries no hierarchical attributes.
 */

export const S2AP_READ = 1 << 6; // S2AP[0]
export const S2AP_WRITE = 1 << 7; // S2AP[1]
export const S2_MEMATTR_SHIFT = 2;
export const HI_S2_XN0 = 1 << (53 - 32); // XN[0] (FEAT_XNX)
export const HI_S2_XN1 = 1 << (54 - 32); // XN[1], the XN bit without FEAT_XNX

/**
 * MemAttr io-pgtable-arm writes without S2FWB (ARM_LPAE_PTE_MEMATTR_*): 0b1111 Normal
 * outer and inner write-back (stage 1 may override), 0b0101 Normal non-cacheable,
 * 0b0001 Device-nGnRE.
 */
export const S2_MEMATTR_OIWB = 0xf;
export const S2_MEMATTR_NC = 0x5;
export const S2_MEMATTR_DEV = 0x1;

/**
 * MemAttr[3:0] with HCR_EL2.FWB = 0 (D8.6, "Stage 2 memory type and Cacheability
 * attributes when FWB is disabled"): [3:2] 0b00 is Device with [1:0] the type, else
 * Normal with [3:2] the outer and [1:0] the inner cacheability.
 */
export function memAttrName(memAttr: number): string {
  const outer = (memAttr >>> 2) & 3;
  const inner = memAttr & 3;
  if (outer === 0) {
    return ['Device-nGnRnE', 'Device-nGnRE', 'Device-nGRE', 'Device-GRE'][inner] as string;
  }
  if (memAttr === S2_MEMATTR_OIWB) return 'Normal WB';
  if (memAttr === S2_MEMATTR_NC) return 'Normal NC';
  const cacheability = ['reserved', 'NC', 'WT', 'WB'];
  return `Normal outer ${cacheability[outer]} inner ${inner === 0 ? 'reserved' : cacheability[inner]}`;
}

/** What a stage-2 access needs besides read/write: the hot paths' index of STAGE2_PERMISSIONS. */
function permissionIndex(lo: number, hi: number): number {
  return ((lo >>> 6) & 3) | (((hi >>> 21) & 3) << 2);
}

const READ_BITS = PRIV_READ | UNPRIV_READ;
const WRITE_BITS = PRIV_WRITE | UNPRIV_WRITE;

/**
 * The permission mask (stage 1's bits, so the two stages intersect with `&`) of
 * S2AP[1:0] and XN[1:0], indexed by XN << 2 | S2AP. Data permissions are the same for
 * privileged and unprivileged accesses (Table D8-76, I HXWLL); execute follows Table
 * D8-78 with FEAT_XNX (XN 00 both, 01 EL0 only, 10 neither, 11 EL1 only) or Table D8-77
 * without (XN[1] alone).
 */
function permissionTable(xnx: boolean): Uint8Array {
  const table = new Uint8Array(16);
  for (let index = 0; index < 16; index++) {
    const s2ap = index & 3;
    const xn = index >>> 2;
    let mask = (s2ap & 1 ? READ_BITS : 0) | (s2ap & 2 ? WRITE_BITS : 0);
    if (xnx) {
      if (xn === 0b00 || xn === 0b11) mask |= PRIV_EXECUTE;
      if (xn === 0b00 || xn === 0b01) mask |= UNPRIV_EXECUTE;
    } else if ((xn & 2) === 0) {
      mask |= PRIV_EXECUTE | UNPRIV_EXECUTE;
    }
    table[index] = mask;
  }
  return table;
}

const PERMISSIONS_XNX = permissionTable(true);
const PERMISSIONS_XN = permissionTable(false);

/** The permission table of a stage 2 with or without FEAT_XNX, for the hot walk. */
export function stage2PermissionTable(xnx: boolean): Uint8Array {
  return xnx ? PERMISSIONS_XNX : PERMISSIONS_XN;
}

/** The permission mask of a stage-2 leaf. */
export function stage2Permissions(lo: number, hi: number, xnx: boolean): number {
  return stage2PermissionTable(xnx)[permissionIndex(lo, hi)] as number;
}

/**
 * The leaf io-pgtable-arm writes for `prot` in an ARM_64_LPAE_S2 table
 * (arm_lpae_prot_to_pte, then arm_lpae_init_pte): HAP_READ/HAP_WRITE into S2AP,
 * MemAttr DEV for IOMMU_MMIO, OIWB for IOMMU_CACHE, NC otherwise; SH inner for
 * IOMMU_CACHE, outer otherwise; AF; ARM_LPAE_PTE_XN (bits 54 and 53 both) for
 * IOMMU_NOEXEC. `priv` has no stage-2 encoding and is ignored.
 */
export function s2ProtToLeaf(pa: number, prot: Prot, level: Level, granule: Granule): DescriptorWords {
  if (level < granule.blockLevel) {
    throw new RangeError(`level ${level} holds no blocks with the ${granule.name} granule`);
  }
  const size = levelSize(level, granule);
  if (!Number.isInteger(pa) || pa < 0 || pa >= 2 ** 48 || pa % size !== 0) {
    throw new RangeError(`${hex(pa)} is not a ${sizeName(size)}-aligned 48-bit address`);
  }
  let lo = DESC_VALID | (level === 3 ? DESC_TABLE_OR_PAGE : 0);
  if (!prot.noaf) lo |= AF;
  if (prot.read) lo |= S2AP_READ;
  if (prot.write) lo |= S2AP_WRITE;
  switch (prot.memory) {
    case 'device':
      lo |= (S2_MEMATTR_DEV << S2_MEMATTR_SHIFT) | (SH_OUTER << SH_SHIFT);
      break;
    case 'cached':
      lo |= (S2_MEMATTR_OIWB << S2_MEMATTR_SHIFT) | (SH_INNER << SH_SHIFT);
      break;
    case 'noncached':
      lo |= (S2_MEMATTR_NC << S2_MEMATTR_SHIFT) | (SH_OUTER << SH_SHIFT);
      break;
  }
  const hi = Math.floor(pa / 2 ** 32) | (prot.noexec ? HI_S2_XN1 | HI_S2_XN0 : 0);
  return { lo: (lo | (pa % 2 ** 32)) >>> 0, hi: hi >>> 0 };
}

/** Every field of one stage-2 descriptor, for the debugger and the hover. */
export interface Stage2DescriptorFields {
  value: bigint;
  level: Level;
  valid: boolean;
  type: DescriptorType;
  /** Next-level table for a table, OA for a block or page, 0 otherwise. */
  outputAddress: bigint;
  /** Leaf fields (read from the bits whatever the type). */
  memAttr: number;
  /** S2AP[1:0]: 0 none, 1 read-only, 2 write-only, 3 read/write. */
  s2ap: number;
  sh: number;
  af: boolean;
  /** XN[1:0], bits [54:53]. */
  xn: number;
  contiguous: boolean;
  /** e.g. `page → 0x80000000 S2AP=rw MemAttr=0xf (Normal WB) XN=0 SH=inner AF`. */
  text: string;
}

const S2AP_NAMES: readonly string[] = ['none', 'ro', 'wo', 'rw'];

export function describeStage2Descriptor(lo: number, hi: number, level: Level, granule: Granule): Stage2DescriptorFields {
  const type = descriptorType(lo, level, granule);
  const fields: Stage2DescriptorFields = {
    value: fromHalves(lo, hi),
    level,
    valid: (lo & DESC_VALID) !== 0,
    type,
    outputAddress: 0n,
    memAttr: (lo >>> S2_MEMATTR_SHIFT) & 0xf,
    s2ap: (lo >>> 6) & 3,
    sh: (lo >>> SH_SHIFT) & 3,
    af: (lo & AF) !== 0,
    xn: (hi >>> 21) & 3,
    contiguous: (hi & HI_CONTIGUOUS) !== 0,
    text: '',
  };
  switch (type) {
    case 'invalid':
      fields.text = 'invalid';
      break;
    case 'reserved':
      fields.text = level === 3 ? 'reserved (bit1=0 at level 3)' : `reserved (no level ${level} blocks with the ${granule.name} granule)`;
      break;
    case 'table':
      fields.outputAddress = BigInt(outputAddressOf(lo, hi, granule));
      fields.text = `table → ${hex(fields.outputAddress)}`;
      break;
    case 'block':
    case 'page': {
      fields.outputAddress = BigInt(leafOutputAddress(lo, hi, level, granule));
      const kind = type === 'page' ? 'page' : `block ${sizeName(levelSize(level, granule))}`;
      fields.text = `${kind} → ${hex(fields.outputAddress)} ${stage2AttributesText(fields)}`;
      break;
    }
  }
  return fields;
}

/** `S2AP=rw MemAttr=0xf (Normal WB) XN=0 SH=inner AF`: the leaf attributes as a person reads them. */
export function stage2AttributesText(f: Pick<Stage2DescriptorFields, 's2ap' | 'memAttr' | 'sh' | 'af' | 'xn' | 'contiguous'>): string {
  const parts = [
    `S2AP=${S2AP_NAMES[f.s2ap]}`,
    `MemAttr=0x${f.memAttr.toString(16)} (${memAttrName(f.memAttr)})`,
    `XN=${f.xn === 0 ? '0' : `0b${f.xn.toString(2).padStart(2, '0')}`}`,
    `SH=${SH_NAMES[f.sh]}`,
  ];
  if (f.af) parts.push('AF');
  if (f.contiguous) parts.push('Contiguous');
  return parts.join(' ');
}
