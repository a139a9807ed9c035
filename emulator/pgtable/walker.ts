import { PhysicalMemory } from '../memory/physicalMemory';
import { fromHalves, hex, PAGE_SIZE } from '../util/u64';
import {
  Access,
  accessCode,
  AF,
  AP1,
  AP2,
  ATTR_INDX_NAMES,
  ATTR_INDX_SHIFT,
  DescriptorFields,
  describeDescriptor,
  directPermissions,
  directPermissionsAt,
  HI_AP_TABLE0,
  HI_AP_TABLE1,
  HI_PXN,
  HI_PXN_TABLE,
  HI_UXN,
  HI_UXN_TABLE,
  leafOutputAddress,
  Level,
  levelIndex,
  levelShift,
  levelSize,
  outputAddressOf,
  tableGeometry,
  permissionsText,
  requiredPermission,
} from './descriptor';
import { Granule, MAX_IAS, MIN_IAS } from './granule';

/**
 * Stage-1 table walks over emulated physical memory, in the order Arm ARM D8.15.5 checks
 * faults: at each level a translation fault (invalid or reserved descriptor), then an
 * address size fault on that descriptor's address; at the leaf the access flag, then
 * the permissions of Table D8-65 (WXN=0).
 *
 * Hierarchical attributes apply as on hardware (io-pgtable-arm never sets them, but the
 * debugger can write any descriptor): APTable[0] makes AP[1] effectively 0, APTable[1]
 * makes AP[2] effectively 1, UXNTable and PXNTable force UXN and PXN.
 *
 * Two walkers, one answer: `walk` describes every step for the debugger and the language
 * server; `HotWalker` is the emulator's translation path and allocates nothing.
 */

/** Where a describing walk reads descriptors: physical memory, or (nested) IPAs through stage 2. */
export interface DescriptorReader {
  readLo(address: number): number;
  readHi(address: number): number;
}

/** What the walk starts from: the TTBR (aligned to its table, below 2^48) and the TCR sizes and granule (TG0). */
export interface TableConfig {
  readonly root: number;
  readonly startLevel: Level;
  readonly ias: number;
  readonly oas: number;
  readonly granule: Granule;
}

export type FaultKind = 'translation' | 'address-size' | 'access-flag' | 'permission';

export interface WalkFault {
  kind: FaultKind;
  level: Level;
  reason: string;
}

export interface Translation {
  kind: 'success';
  pa: bigint;
  /** The leaf's level and the bytes it maps (a page of the granule, or a block: 2M/1G, 32M, 512M). */
  level: Level;
  size: bigint;
  /** Effective permissions, a mask of PRIV_READ … UNPRIV_EXECUTE. */
  permissions: number;
  /** `priv rw-, unpriv rw-`. */
  permissionsText: string;
  attrIndx: number;
  /** The AttrIndx's meaning under Linux's MAIR (`cached`, `device` …). */
  memory: string;
}

/** One descriptor read by the walk. */
export interface WalkStep {
  level: Level;
  index: number;
  tableAddress: bigint;
  descriptorAddress: bigint;
  lo: number;
  hi: number;
  value: bigint;
  descriptor: DescriptorFields;
}

export interface WalkResult {
  iova: bigint;
  /** The granule walked (TG0): what the steps' levels and indices mean. */
  granule: Granule;
  /** Every descriptor read, root first. */
  steps: WalkStep[];
  outcome: Translation | WalkFault;
}

/** The table attributes of APTable/UXNTable/PXNTable, bits [62:59] in `hi`. */
const HI_TABLE_ATTRIBUTES = HI_AP_TABLE0 | HI_AP_TABLE1 | HI_UXN_TABLE | HI_PXN_TABLE;

/** The describing walk of `iova`; without `access` no permission is checked. */
export function walk(memory: DescriptorReader, table: TableConfig, iova: bigint, access?: Access): WalkResult {
  checkTableConfig(table);
  const steps: WalkStep[] = [];
  const result = (outcome: Translation | WalkFault): WalkResult => ({ iova, granule: table.granule, steps, outcome });
  const fault = (kind: FaultKind, level: Level, reason: string): WalkResult => result({ kind, level, reason });

  if (iova < 0n || iova >= 1n << BigInt(table.ias)) {
    // Arm ARM D8.1: an address larger than the configured IA size is a level 0 Translation fault.
    return fault('translation', 0, `IOVA ${hex(iova)} is beyond the ${table.ias}-bit input range`);
  }
  const oaLimit = 2 ** table.oas;
  const beyondOas = `is beyond the ${table.oas}-bit output range`;
  if (table.root >= oaLimit) {
    return fault('address-size', 0, `table base ${hex(table.root)} ${beyondOas}`);
  }

  const granule = table.granule;
  let level = table.startLevel;
  let tableAddress = table.root;
  let tableAttributes = 0;
  for (;;) {
    const index = levelIndex(iova, level, granule);
    const descriptorAddress = tableAddress + index * 8;
    const lo = memory.readLo(descriptorAddress);
    const hi = memory.readHi(descriptorAddress);
    const descriptor = describeDescriptor(lo, hi, level, granule);
    steps.push({
      level,
      index,
      tableAddress: BigInt(tableAddress),
      descriptorAddress: BigInt(descriptorAddress),
      lo,
      hi,
      value: fromHalves(lo, hi),
      descriptor,
    });
    const where = `L${level}[${index}]`;

    switch (descriptor.type) {
      case 'invalid':
        return fault('translation', level, `${where} is invalid`);
      case 'reserved':
        return fault('translation', level, `${where} is ${descriptor.text}`);
      case 'table': {
        const next = outputAddressOf(lo, hi, granule);
        if (next >= oaLimit) {
          return fault('address-size', level, `${where} table address ${hex(next)} ${beyondOas}`);
        }
        tableAttributes |= hi & HI_TABLE_ATTRIBUTES;
        tableAddress = next;
        level = (level + 1) as Level;
        continue;
      }
      case 'block':
      case 'page':
        break;
    }

    const pa = leafOutputAddress(lo, hi, level, granule);
    if (pa >= oaLimit) {
      return fault('address-size', level, `${where} output address ${hex(pa)} ${beyondOas}`);
    }
    if ((lo & AF) === 0) {
      return fault('access-flag', level, `${where} has AF=0`);
    }
    const ap = effectiveAp(lo, tableAttributes);
    const uxn = ((hi & HI_UXN) | (tableAttributes & HI_UXN_TABLE)) !== 0;
    const pxn = ((hi & HI_PXN) | (tableAttributes & HI_PXN_TABLE)) !== 0;
    const permissions = directPermissions(uxn, pxn, ap);
    if (access !== undefined && (permissions & requiredPermission(accessCode(access))) === 0) {
      return fault('permission', level, permissionFaultReason(access, level, lo, hi, tableAttributes));
    }
    const offset = iova % BigInt(levelSize(level, granule));
    const attrIndx = (lo >>> ATTR_INDX_SHIFT) & 7;
    return result({
      kind: 'success',
      pa: BigInt(pa) + offset,
      level,
      size: BigInt(levelSize(level, granule)),
      permissions,
      permissionsText: permissionsText(permissions),
      attrIndx,
      memory: ATTR_INDX_NAMES[attrIndx],
    });
  }
}

/** AP[2:1] after APTable: APTable[0] clears AP[1], APTable[1] sets AP[2] (Table D8-64). */
function effectiveAp(lo: number, tableAttributes: number): number {
  const apTable = (tableAttributes >>> (61 - 32)) & 3;
  return (((lo >>> 6) & 3) & ~(apTable & 1)) | (apTable & 2);
}

/**
 * Why Table D8-65 denies `access`, naming the bit that took the permission away: the
 * leaf's own AP/UXN/PXN when it is set, else the table attribute above it.
 */
function permissionFaultReason(access: Access, level: Level, lo: number, hi: number, tableAttributes: number): string {
  const noun = level === 3 ? 'page' : 'block';
  const unprivileged = (): string =>
    (lo & AP1) === 0
      ? `unprivileged access to a privileged ${noun} (AP[1]=0)`
      : `unprivileged access to a ${noun} made privileged by APTable[0]=1`;
  const ap = effectiveAp(lo, tableAttributes);

  if (access.write) {
    if (!access.priv && (ap & 1) === 0) {
      return unprivileged();
    }
    return (lo & AP2) !== 0
      ? `write to a read-only ${noun} (AP[2]=1)`
      : `write to a ${noun} made read-only by APTable[1]=1`;
  }
  if (access.exec && !access.priv) {
    return (hi & HI_UXN) !== 0
      ? `instruction fetch from an execute-never ${noun} (UXN=1)`
      : `instruction fetch from a ${noun} under UXNTable=1`;
  }
  if (access.exec) {
    if (((hi & HI_PXN) | (tableAttributes & HI_PXN_TABLE)) === 0) {
      return `privileged instruction fetch from a ${noun} writable at EL0 (AP[2:1]=01)`;
    }
    return (hi & HI_PXN) !== 0
      ? `privileged instruction fetch from a privileged-execute-never ${noun} (PXN=1)`
      : `privileged instruction fetch from a ${noun} under PXNTable=1`;
  }
  return unprivileged();
}

function checkTableConfig(table: TableConfig): void {
  if (!Number.isInteger(table.ias) || table.ias < MIN_IAS || table.ias > MAX_IAS) {
    throw new RangeError(`ias ${table.ias} is outside ${MIN_IAS}..${MAX_IAS}`);
  }
  if (!Number.isInteger(table.oas) || table.oas < 32 || table.oas > 48) {
    throw new RangeError(`oas ${table.oas} is outside 32..48`);
  }
  if (!Number.isInteger(table.root) || table.root < 0 || table.root >= 2 ** 48 || table.root % PAGE_SIZE !== 0) {
    throw new RangeError(`table base ${table.root} is not a 4 KiB aligned 48-bit address`);
  }
  const { startLevel, rootEntries } = tableGeometry(table.ias, table.granule);
  if (table.startLevel !== startLevel) {
    throw new RangeError(`start level ${table.startLevel} does not fit ias ${table.ias} with the ${table.granule.name} granule`);
  }
  // TTBR.BADDR is aligned to the start-level table's size (D8.2.3: BaseAddr[PAsize-1:x]).
  if (table.root % (rootEntries * 8) !== 0) {
    throw new RangeError(`table base ${hex(table.root)} is not aligned to its ${rootEntries * 8}-byte table`);
  }
}

// Results of the hot walk. The hot loop uses the module-local names: compiled to
// CommonJS, an exported const is read back as a property of `exports`.
const OK = 0;
const TRANSLATION_FAULT = 1;
const ADDRESS_SIZE_FAULT = 2;
const ACCESS_FLAG_FAULT = 3;
const PERMISSION_FAULT = 4;
export const WALK_OK = OK;
export const WALK_TRANSLATION_FAULT = TRANSLATION_FAULT;
export const WALK_ADDRESS_SIZE_FAULT = ADDRESS_SIZE_FAULT;
export const WALK_ACCESS_FLAG_FAULT = ACCESS_FLAG_FAULT;
export const WALK_PERMISSION_FAULT = PERMISSION_FAULT;

/** What a hot walk found, written in place: the fields a TLB entry keeps. */
export class HotWalkResult {
  /** The level of the fault, or of the leaf. */
  level = 0;
  /** The 4 KiB output page of the walked page (PA >> 12, below 2^36). */
  outputPage = 0;
  /** The 4 KiB pages the leaf spans (a 16K page 4, a 2M block 512). */
  pages = 0;
  /** Effective permission mask (set once the leaf passed the access flag). */
  permissions = 0;
  /** The leaf descriptor and its physical address. */
  lo = 0;
  hi = 0;
  descriptorAddress = 0;
}

/** The walk cache: one slot per level-3 table's span (4K: 2 MiB, vpn / 512, below 2^27), direct-mapped, a power of two. */
export const DEFAULT_WALK_CACHE_SLOTS = 4096;

/**
 * The emulator's walk: one call per TLB miss, no allocation, JS numbers only. It works in
 * 4 KiB virtual page numbers whatever the granule: a vpn is below 2^36 (ias ≤ 48) and every
 * page number read from a descriptor below 2^36 too, so the arithmetic is exact; an index
 * whose bits reach above bit 31 of the vpn (4K L0, 16K L0–L1, 64K L1) is taken by division
 * instead of a shift. A 16K or 64K table spans 4 or 16 consecutive 4 KiB pages of memory.
 *
 * Like an SMMU's walk cache, it remembers for each level-3 table's span the table the
 * upper levels led to (and their table attributes), so most walks read one descriptor.
 * Unlike one, it is invisible: any write to physical memory empties it, so a walk always
 * gives what `walk` would. Random walks over more tables than the host's caches hold are
 * bound by memory latency; reading one descriptor instead of four is what lets a
 * million-page table reach several million walks a second.
 */
export class HotWalker {
  private readonly rootPage: number;
  /** The level the walk starts at: a miss costs one lookup from it down to the leaf or the fault. */
  readonly startLevel: Level;
  /** Blocks sit at levels blockLevel..2; above, a block descriptor is reserved. */
  private readonly blockLevel: number;
  /** Per level: the vpn bit its index starts at, or the divisor taking it (levels below shiftLevel). */
  private readonly vpnShifts = new Int32Array(4);
  private readonly vpnDivisors = new Float64Array(4);
  private readonly shiftLevel: number;
  private readonly indexMask: number;
  /** lo[31:12] bits of a table address: those above the granule. */
  private readonly tablePageMask: number;
  /** 4 KiB pages a level-3 table spans: the walk cache's region. */
  private readonly regionPages: number;
  /**
   * Per level: which bits of the leaf's page number come from the descriptor, which from
   * the walked vpn (4K: a 1G block keeps 18 bits of it, a 2M block 9), and the pages it spans.
   */
  private readonly leafPageMasks = new Int32Array(4);
  private readonly vpnOffsetMasks = new Int32Array(4);
  private readonly leafPages = new Float64Array(4);
  private readonly pageLimit: number;
  /** OA[47:32] >>> oasShift is nonzero exactly when the address is ≥ 2^oas. */
  private readonly oasShift: number;
  private readonly rootBeyondOas: boolean;
  private readonly cacheMask: number;
  private readonly cachedRegions: Int32Array;
  private readonly cachedTables: Float64Array;
  private readonly cachedAttributes: Int32Array;
  /** The memory's write count the cache was filled under. */
  private cachedWrites = -1;

  /** `cacheSlots`: a power of two; small for a table walked a few times (the language server's). */
  constructor(
    private readonly memory: PhysicalMemory,
    table: TableConfig,
    cacheSlots = DEFAULT_WALK_CACHE_SLOTS,
  ) {
    checkTableConfig(table);
    if (!Number.isInteger(Math.log2(cacheSlots))) throw new RangeError(`a walk cache of ${cacheSlots} slots is not a power of two`);
    this.cacheMask = cacheSlots - 1;
    this.cachedRegions = new Int32Array(cacheSlots).fill(-1);
    this.cachedTables = new Float64Array(cacheSlots);
    this.cachedAttributes = new Int32Array(cacheSlots);
    this.rootPage = table.root / PAGE_SIZE;
    this.startLevel = table.startLevel;
    const granule = table.granule;
    this.blockLevel = granule.blockLevel;
    this.indexMask = granule.entries - 1;
    let shiftLevel = 0;
    for (let level = 0; level < 4; level++) {
      const vpnShift = levelShift(level as Level, granule) - 12;
      this.vpnShifts[level] = vpnShift;
      this.vpnDivisors[level] = 2 ** vpnShift;
      if (vpnShift + granule.bitsPerLevel > 32) shiftLevel = level + 1;
      const pages = 2 ** vpnShift;
      this.leafPages[level] = pages;
      this.vpnOffsetMasks[level] = pages - 1;
      this.leafPageMasks[level] = 0xfffff & ~(pages - 1);
    }
    this.shiftLevel = shiftLevel;
    this.tablePageMask = 0xfffff & ~(granule.bytes / PAGE_SIZE - 1);
    this.regionPages = this.leafPages[2];
    this.pageLimit = 2 ** (table.ias - 12);
    this.oasShift = table.oas - 32;
    this.rootBeyondOas = table.root >= 2 ** table.oas;
  }

  /**
   * Walks virtual page `vpn` for an access (`accessCode`: write 1, exec 2, priv 4) and
   * returns WALK_OK or the fault; `out` holds the level, and from the leaf on its fields.
   */
  walk(vpn: number, access: number, out: HotWalkResult): number {
    out.level = 0;
    if (!(vpn >= 0 && vpn < this.pageLimit)) {
      return TRANSLATION_FAULT; // level 0, whatever the start level (Arm ARM D8.1)
    }
    out.level = this.startLevel;
    if (this.rootBeyondOas) {
      out.level = 0;
      return ADDRESS_SIZE_FAULT;
    }
    const memory = this.memory;
    if (memory.writeCount !== this.cachedWrites) {
      this.cachedRegions.fill(-1);
      this.cachedWrites = memory.writeCount;
    }
    const oasShift = this.oasShift;
    const region = (vpn / this.regionPages) | 0;
    const slot = region & this.cacheMask;
    let level: number;
    let page: number;
    let tableAttributes: number;
    if (this.cachedRegions[slot] === region) {
      level = 3;
      page = this.cachedTables[slot];
      tableAttributes = this.cachedAttributes[slot];
    } else {
      level = this.startLevel;
      page = this.rootPage;
      tableAttributes = 0;
    }
    for (;;) {
      out.level = level;
      const index = level < this.shiftLevel ? (vpn / this.vpnDivisors[level]) & this.indexMask : (vpn >>> this.vpnShifts[level]) & this.indexMask;
      // A table of more than 512 entries (16K, 64K) goes on into the following 4 KiB pages.
      const tablePage = page + (index >>> 9);
      const word = (index & 0x1ff) << 1;
      const lo = memory.pageWord(tablePage, word);
      if ((lo & 1) === 0) {
        return TRANSLATION_FAULT;
      }
      const hi = memory.pageWord(tablePage, word + 1);
      const oaHigh = hi & 0xffff;
      const bit1 = lo & 2;
      if (level !== 3 && bit1 !== 0) {
        if (oaHigh >>> oasShift !== 0) {
          return ADDRESS_SIZE_FAULT;
        }
        tableAttributes |= hi & HI_TABLE_ATTRIBUTES;
        page = oaHigh * 0x10_0000 + ((lo >>> 12) & this.tablePageMask);
        level++;
        if (level === 3) {
          this.cachedRegions[slot] = region;
          this.cachedTables[slot] = page;
          this.cachedAttributes[slot] = tableAttributes;
        }
        continue;
      }
      // A leaf is a page at level 3 (bit1 = 1) or a block (bit1 = 0) at levels blockLevel..2.
      if (level < this.blockLevel || (level === 3 && bit1 === 0)) {
        return TRANSLATION_FAULT;
      }
      if (oaHigh >>> oasShift !== 0) {
        return ADDRESS_SIZE_FAULT;
      }
      out.lo = lo;
      out.hi = hi;
      out.descriptorAddress = page * PAGE_SIZE + index * 8;
      out.outputPage = oaHigh * 0x10_0000 + ((lo >>> 12) & this.leafPageMasks[level]) + (vpn & this.vpnOffsetMasks[level]);
      out.pages = this.leafPages[level];
      if ((lo & 0x400) === 0 /* AF */) {
        return ACCESS_FLAG_FAULT;
      }
      const apTable = (tableAttributes >>> 29) & 3;
      const ap = (((lo >>> 6) & 3) & ~(apTable & 1)) | (apTable & 2);
      const xn = hi | (tableAttributes >>> 6); // UXNTable (bit 28) onto UXN (22), PXNTable onto PXN
      const permissions = directPermissionsAt((((xn >>> 22) & 1) << 3) | (((xn >>> 21) & 1) << 2) | ap);
      out.permissions = permissions;
      return (permissions & requiredPermission(access)) === 0 ? PERMISSION_FAULT : OK;
    }
  }
}
