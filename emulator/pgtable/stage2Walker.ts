import { PhysicalMemory } from '../memory/physicalMemory';
import { fromHalves, hex, PAGE_SIZE } from '../util/u64';
import { Access, accessCode, AF, leafOutputAddress, Level, levelShift, levelSize, outputAddressOf, permissionsText, requiredPermission } from './descriptor';
import { Granule } from './granule';
import { checkedStage2Layout } from './stage2Geometry';
import {
  describeStage2Descriptor,
  HI_S2_XN0,
  HI_S2_XN1,
  memAttrName,
  S2_MEMATTR_SHIFT,
  S2AP_READ,
  S2AP_WRITE,
  Stage2DescriptorFields,
  stage2PermissionTable,
  stage2Permissions,
} from './stage2Descriptor';
import { DescriptorReader, FaultKind, HotWalkResult, WALK_ACCESS_FLAG_FAULT, WALK_ADDRESS_SIZE_FAULT, WALK_OK, WALK_PERMISSION_FAULT, WALK_TRANSLATION_FAULT } from './walker';

// Module-local copies for the hot loop: compiled to CommonJS, an imported const is read as a property each time.
const OK = WALK_OK;
const TRANSLATION_FAULT = WALK_TRANSLATION_FAULT;
const ADDRESS_SIZE_FAULT = WALK_ADDRESS_SIZE_FAULT;
const ACCESS_FLAG_FAULT = WALK_ACCESS_FLAG_FAULT;
const PERMISSION_FAULT = WALK_PERMISSION_FAULT;
const AF_BIT = AF;

/**
 * Stage-2 walks (IPA → PA) over emulated physical memory, in D8.15.5's order as stage 1:
 * a translation fault (IPA beyond VTCR.T0SZ's range — level 0, D8.1 —, an invalid or
 * reserved descriptor), then an address size fault on the descriptor's address, then at
 * the leaf the access flag, then the permissions of S2AP and XN (D8.4.2). The walk
 * carries no table attributes (a stage-2 table descriptor has none: Table D8-51), and the
 * start-level table may be up to 16 concatenated tables (D8.2.2).
 *
 * `walkStage2` describes every step; `HotStage2Walker` is the TLB-miss path and
 * allocates nothing. They give the same answer.
 */

/** What a stage-2 walk starts from: VTTBR (STE.S2TTB, the v2 bank's TTBR0) and VTCR's sizes, SL0 and TG0. */
export interface Stage2TableConfig {
  readonly root: number;
  readonly startLevel: Level;
  /** IPA bits: 64 - VTCR.T0SZ. */
  readonly ias: number;
  /** PA bits: VTCR.PS. */
  readonly oas: number;
  readonly granule: Granule;
  /** FEAT_XNX: XN[1:0] (Table D8-78, SMMUv3.1+), else XN bit 54 alone (Table D8-77). Default true. */
  readonly xnx?: boolean;
}

export interface Stage2Translation {
  kind: 'success';
  pa: bigint;
  level: Level;
  size: bigint;
  /** S2AP and XN as a mask of PRIV_READ … UNPRIV_EXECUTE: privileged and unprivileged alike for data. */
  permissions: number;
  permissionsText: string;
  memAttr: number;
  /** `Normal WB`, `Device-nGnRE` … */
  memory: string;
}

export interface Stage2WalkFault {
  kind: FaultKind;
  level: Level;
  reason: string;
}

export interface Stage2WalkStep {
  level: Level;
  index: number;
  tableAddress: bigint;
  descriptorAddress: bigint;
  lo: number;
  hi: number;
  value: bigint;
  descriptor: Stage2DescriptorFields;
}

export interface Stage2WalkResult {
  ipa: bigint;
  granule: Granule;
  /** Every descriptor read, root first: each one memory read. */
  steps: Stage2WalkStep[];
  outcome: Stage2Translation | Stage2WalkFault;
}

/** Entries of the start level, after checking the config is one VTCR can describe. */
function checkStage2Config(config: Stage2TableConfig): number {
  if (!Number.isInteger(config.oas) || config.oas < 32 || config.oas > 48) throw new RangeError(`oas ${config.oas} is outside 32..48`);
  const { rootEntries } = checkedStage2Layout(config.ias, config.granule, config.startLevel);
  if (!Number.isInteger(config.root) || config.root < 0 || config.root >= 2 ** 48 || config.root % PAGE_SIZE !== 0) {
    throw new RangeError(`stage-2 table base ${config.root} is not a 4 KiB aligned 48-bit address`);
  }
  // VTTBR.BADDR is aligned to the concatenated tables' total size (D8.2.2 I YXFPJ).
  if (config.root % (rootEntries * 8) !== 0) throw new RangeError(`stage-2 table base ${hex(config.root)} is not aligned to its ${rootEntries * 8}-byte table`);
  return rootEntries;
}

/** The describing stage-2 walk of `ipa`; without `access` no permission is checked. */
export function walkStage2(memory: DescriptorReader, config: Stage2TableConfig, ipa: bigint, access?: Access): Stage2WalkResult {
  const rootEntries = checkStage2Config(config);
  const granule = config.granule;
  const xnx = config.xnx ?? true;
  const steps: Stage2WalkStep[] = [];
  const result = (outcome: Stage2Translation | Stage2WalkFault): Stage2WalkResult => ({ ipa, granule, steps, outcome });
  const fault = (kind: FaultKind, level: Level, reason: string): Stage2WalkResult => result({ kind, level, reason });

  if (ipa < 0n || ipa >= 1n << BigInt(config.ias)) {
    return fault('translation', 0, `IPA ${hex(ipa)} is beyond the ${config.ias}-bit stage-2 input range`);
  }
  const oaLimit = 2 ** config.oas;
  const beyondOas = `is beyond the ${config.oas}-bit output range`;
  if (config.root >= oaLimit) return fault('address-size', 0, `stage-2 table base ${hex(config.root)} ${beyondOas}`);

  let level = config.startLevel;
  let tableAddress = config.root;
  for (;;) {
    const entries = level === config.startLevel ? rootEntries : granule.entries;
    const index = Number((ipa >> BigInt(levelShift(level, granule))) & BigInt(entries - 1));
    const descriptorAddress = tableAddress + index * 8;
    const lo = memory.readLo(descriptorAddress);
    const hi = memory.readHi(descriptorAddress);
    const descriptor = describeStage2Descriptor(lo, hi, level, granule);
    steps.push({ level, index, tableAddress: BigInt(tableAddress), descriptorAddress: BigInt(descriptorAddress), lo, hi, value: fromHalves(lo, hi), descriptor });
    const where = `L${level}[${index}]`;
    switch (descriptor.type) {
      case 'invalid':
        return fault('translation', level, `${where} is invalid`);
      case 'reserved':
        return fault('translation', level, `${where} is ${descriptor.text}`);
      case 'table': {
        const next = outputAddressOf(lo, hi, granule);
        if (next >= oaLimit) return fault('address-size', level, `${where} table address ${hex(next)} ${beyondOas}`);
        tableAddress = next;
        level = (level + 1) as Level;
        continue;
      }
      case 'block':
      case 'page':
        break;
    }
    const pa = leafOutputAddress(lo, hi, level, granule);
    if (pa >= oaLimit) return fault('address-size', level, `${where} output address ${hex(pa)} ${beyondOas}`);
    if ((lo & AF) === 0) return fault('access-flag', level, `${where} has AF=0`);
    const permissions = stage2Permissions(lo, hi, xnx);
    if (access !== undefined && (permissions & requiredPermission(accessCode(access))) === 0) {
      return fault('permission', level, stage2PermissionFaultReason(access, level, lo, hi, xnx));
    }
    const memAttr = (lo >>> S2_MEMATTR_SHIFT) & 0xf;
    return result({
      kind: 'success',
      pa: BigInt(pa) + (ipa % BigInt(levelSize(level, granule))),
      level,
      size: BigInt(levelSize(level, granule)),
      permissions,
      permissionsText: permissionsText(permissions),
      memAttr,
      memory: memAttrName(memAttr),
    });
  }
}

/** Why S2AP or XN denies `access` (Tables D8-76, D8-77, D8-78). */
function stage2PermissionFaultReason(access: Access, level: Level, lo: number, hi: number, xnx: boolean): string {
  const noun = level === 3 ? 'page' : 'block';
  const s2ap = `S2AP=${(lo >>> 7) & 1}${(lo >>> 6) & 1}`;
  if (access.write) {
    return (lo & S2AP_READ) !== 0
      ? `write to a stage-2 read-only ${noun} (${s2ap})`
      : `write to a stage-2 ${noun} with no data access (${s2ap})`;
  }
  if (!access.exec) {
    return (lo & S2AP_WRITE) !== 0
      ? `read of a stage-2 write-only ${noun} (${s2ap})`
      : `read of a stage-2 ${noun} with no data access (${s2ap})`;
  }
  if (!xnx) return `instruction fetch from a stage-2 execute-never ${noun} (XN=1)`;
  const xn = `XN=0b${(hi & HI_S2_XN1) !== 0 ? 1 : 0}${(hi & HI_S2_XN0) !== 0 ? 1 : 0}`;
  return access.priv
    ? `privileged instruction fetch from a stage-2 ${noun} not executable at EL1 (${xn})`
    : `unprivileged instruction fetch from a stage-2 ${noun} not executable at EL0 (${xn})`;
}

/**
 * The TLB-miss stage-2 walk: no allocation, JS numbers only, in 4 KiB page numbers as
 * HotWalker (an IPA page number is below 2^36). Its own class, so the stage-1 hot walk
 * keeps its shape: here the start level's index may be up to 4 bits wider (concatenated
 * tables), there are no table attributes, and the permissions are S2AP/XN's.
 *
 * Like HotWalker it remembers, per level-3 table's span, the level-3 table the upper
 * levels led to, and forgets everything on any write to memory.
 */
export class HotStage2Walker {
  readonly startLevel: Level;
  private readonly rootPage: number;
  private readonly blockLevel: number;
  private readonly vpnShifts = new Int32Array(4);
  private readonly vpnDivisors = new Float64Array(4);
  /** Per level: the index mask (the start level's covers its concatenated tables). */
  private readonly indexMasks = new Int32Array(4);
  private readonly shiftLevel: number;
  private readonly tablePageMask: number;
  private readonly regionPages: number;
  private readonly leafPageMasks = new Int32Array(4);
  private readonly vpnOffsetMasks = new Int32Array(4);
  private readonly leafPages = new Float64Array(4);
  private readonly pageLimit: number;
  private readonly oasShift: number;
  private readonly rootBeyondOas: boolean;
  private readonly permissionTable: Uint8Array;
  private readonly cacheMask: number;
  private readonly cachedRegions: Int32Array;
  private readonly cachedTables: Float64Array;
  private cachedWrites = -1;

  constructor(
    private readonly memory: PhysicalMemory,
    config: Stage2TableConfig,
    cacheSlots = 1024,
  ) {
    const rootEntries = checkStage2Config(config);
    if (!Number.isInteger(Math.log2(cacheSlots))) throw new RangeError(`a walk cache of ${cacheSlots} slots is not a power of two`);
    this.cacheMask = cacheSlots - 1;
    this.cachedRegions = new Int32Array(cacheSlots).fill(-1);
    this.cachedTables = new Float64Array(cacheSlots);
    const granule = config.granule;
    this.startLevel = config.startLevel;
    this.rootPage = config.root / PAGE_SIZE;
    this.blockLevel = granule.blockLevel;
    let shiftLevel = 0;
    for (let level = 0; level < 4; level++) {
      const vpnShift = levelShift(level as Level, granule) - 12;
      const entries = level === config.startLevel ? rootEntries : granule.entries;
      this.vpnShifts[level] = vpnShift;
      this.vpnDivisors[level] = 2 ** vpnShift;
      this.indexMasks[level] = entries - 1;
      if (vpnShift + Math.log2(entries) > 32) shiftLevel = level + 1;
      const pages = 2 ** vpnShift;
      this.leafPages[level] = pages;
      this.vpnOffsetMasks[level] = pages - 1;
      this.leafPageMasks[level] = 0xfffff & ~(pages - 1);
    }
    this.shiftLevel = shiftLevel;
    this.tablePageMask = 0xfffff & ~(granule.bytes / PAGE_SIZE - 1);
    this.regionPages = this.leafPages[2] as number;
    this.pageLimit = 2 ** (config.ias - 12);
    this.oasShift = config.oas - 32;
    this.rootBeyondOas = config.root >= 2 ** config.oas;
    this.permissionTable = stage2PermissionTable(config.xnx ?? true);
  }

  /** Walks IPA page `ipaPage` for an access code (write 1, exec 2, priv 4): WALK_OK or the fault, details in `out`. */
  walk(ipaPage: number, access: number, out: HotWalkResult): number {
    out.level = 0;
    if (!(ipaPage >= 0 && ipaPage < this.pageLimit)) return TRANSLATION_FAULT;
    if (this.rootBeyondOas) return ADDRESS_SIZE_FAULT;
    const memory = this.memory;
    if (memory.writeCount !== this.cachedWrites) {
      this.cachedRegions.fill(-1);
      this.cachedWrites = memory.writeCount;
    }
    const region = (ipaPage / this.regionPages) | 0;
    const slot = region & this.cacheMask;
    let level: number;
    let page: number;
    if (this.cachedRegions[slot] === region) {
      level = 3;
      page = this.cachedTables[slot] as number;
    } else {
      level = this.startLevel;
      page = this.rootPage;
    }
    for (;;) {
      out.level = level;
      const mask = this.indexMasks[level] as number;
      const index = level < this.shiftLevel ? (ipaPage / (this.vpnDivisors[level] as number)) & mask : (ipaPage >>> (this.vpnShifts[level] as number)) & mask;
      const tablePage = page + (index >>> 9);
      const word = (index & 0x1ff) << 1;
      const lo = memory.pageWord(tablePage, word);
      if ((lo & 1) === 0) return TRANSLATION_FAULT;
      const hi = memory.pageWord(tablePage, word + 1);
      const oaHigh = hi & 0xffff;
      const bit1 = lo & 2;
      if (level !== 3 && bit1 !== 0) {
        if (oaHigh >>> this.oasShift !== 0) return ADDRESS_SIZE_FAULT;
        page = oaHigh * 0x10_0000 + ((lo >>> 12) & this.tablePageMask);
        level++;
        if (level === 3) {
          this.cachedRegions[slot] = region;
          this.cachedTables[slot] = page;
        }
        continue;
      }
      if (level < this.blockLevel || (level === 3 && bit1 === 0)) return TRANSLATION_FAULT;
      if (oaHigh >>> this.oasShift !== 0) return ADDRESS_SIZE_FAULT;
      out.lo = lo;
      out.hi = hi;
      out.descriptorAddress = page * PAGE_SIZE + index * 8;
      out.outputPage = oaHigh * 0x10_0000 + ((lo >>> 12) & (this.leafPageMasks[level] as number)) + (ipaPage & (this.vpnOffsetMasks[level] as number));
      out.pages = this.leafPages[level] as number;
      if ((lo & AF_BIT) === 0) return ACCESS_FLAG_FAULT;
      const permissions = this.permissionTable[((lo >>> 6) & 3) | (((hi >>> 21) & 3) << 2)] as number;
      out.permissions = permissions;
      return (permissions & requiredPermission(access)) === 0 ? PERMISSION_FAULT : OK;
    }
  }
}
