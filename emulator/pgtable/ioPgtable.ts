import { PhysicalMemory } from '../memory/physicalMemory';
import { hex, PAGE_SIZE } from '../util/u64';
import {
  DESC_TABLE_OR_PAGE,
  DESC_VALID,
  DescriptorFields,
  describeDescriptor,
  leafOutputAddress,
  Level,
  levelSize,
  outputAddressOf,
  Prot,
  protToLeaf,
  tableDescriptor,
  tableGeometry,
} from './descriptor';
import { Granule, GRANULE_4K, MAX_IAS, MIN_IAS } from './granule';
import { describeStage2Descriptor, s2ProtToLeaf, Stage2DescriptorFields } from './stage2Descriptor';
import { linuxStage2Layout, Stage2Concatenation } from './stage2Geometry';
import { Stage2TableConfig } from './stage2Walker';
import { TableAllocator } from './tableAllocator';
import { TableConfig } from './walker';

/**
 * One domain's table, built the way Linux's iommu_map/iommu_unmap drive io-pgtable-arm
 * (ARM_64_LPAE_S1, or ARM_64_LPAE_S2 with `stage: 2`; 4K, 16K or 64K granule): the root table exists from the
 * start, `map` installs the largest leaves alignment and the granule's pgsize_bitmap allow
 * and allocates intermediate tables (of the granule's size) from the allocator, `unmap`
 * clears leaves (splitting a block it only partly covers).
 *
 * Addresses are bigint at this API and numbers inside: after validation every IOVA is
 * below 2^ias ≤ 2^48 and every PA below 2^oas ≤ 2^48, so the arithmetic is exact.
 */

export const SZ_4K = 0x1000n;
export const SZ_2M = 0x20_0000n;
export const SZ_1G = 0x4000_0000n;

export interface IoPgtableConfig {
  /** Input (IOVA) bits, 25..48. */
  ias: number;
  /** The translation granule (TG0); 4K unless given. */
  granule?: Granule;
  /** Output (PA) bits, 32..48. */
  oas: number;
  /**
   * Whether unmapping part of a block splits it (split_blk_unmap, kernels before 6.13) or is
   * refused (newer ones: "Unmap of a partial large IOPTE is not allowed"). Default: split.
   */
  splitsBlocks?: boolean;
  /**
   * The top-level table's physical address (a domain's `pgd`): aligned to its table (at least 4 KiB), and reserved
   * in the allocator so that no other table lands on it. Default: the allocator's next page.
   */
  pgd?: number;
  /**
   * ARM_64_LPAE_S2: IPA → PA, leaves with S2AP/MemAttr/XN (s2ProtToLeaf), the start level
   * and concatenated pgd of linuxStage2Layout. Default 1 (ARM_64_LPAE_S1).
   */
  stage?: 1 | 2;
  /** For stage 2: which kernel's rule concatenates the pgd (default the newest, `mandatory`). */
  concatenation?: Stage2Concatenation;
}

/**
 * One entry io-pgtable cleared: a leaf (the TLB maintenance is tlb_add_page, gathered) or
 * a table (a whole next-level table freed: tlb_flush_walk, invalidated and synced at once).
 */
export interface ClearedEntry {
  iova: bigint;
  size: bigint;
  leaf: boolean;
}

/** What iommu_unmap did: the bytes it unmapped, the entries it cleared, and, when it stopped at a block it would only partly unmap, where. */
export interface UnmapResult {
  unmapped: bigint;
  cleared: ClearedEntry[];
  refusedPartialBlockAt?: bigint;
}

/** unmapLeaf's word for a chunk inside a block that this kernel will not split. */
const PARTIAL_BLOCK = -1;

export type MapErrorKind = 'misaligned' | 'empty' | 'iova-range' | 'pa-range' | 'no-access' | 'exists';

/** Why `map` refused; nothing was changed. `exists` is the kernel's -EEXIST. */
export class MapError extends Error {
  constructor(
    readonly kind: MapErrorKind,
    message: string,
    /** For `exists`: the first IOVA of the request that is already mapped. */
    readonly iova?: bigint,
  ) {
    super(message);
    this.name = 'MapError';
  }
}

export type MapResult = { ok: true; leaves: number } | { ok: false; error: MapError };

/** One entry of a table, for the lazy page-table view. */
export interface TableEntry {
  index: number;
  /** The first IOVA the entry translates. */
  iova: bigint;
  descriptorAddress: bigint;
  lo: number;
  hi: number;
  descriptor: DescriptorFields;
  /** For a table descriptor: what to pass to `entries` to open it. */
  next?: { level: Level; tableAddress: bigint; iovaBase: bigint };
  /** A stage-2 table's descriptor in its own fields (`descriptor.text` is already stage 2's). */
  stage2?: Stage2DescriptorFields;
}

/** A run of leaves with consecutive IOVAs and PAs and the same attributes. */
export interface MappedRange {
  iova: bigint;
  pa: bigint;
  size: bigint;
  leaves: number;
  /** The first leaf, decoded: its attributes are the range's. */
  descriptor: DescriptorFields;
  /** A stage-2 table's first leaf in its own fields. */
  stage2?: Stage2DescriptorFields;
}

/** The attribute bits a leaf carries besides its type and OA: lo [11:2], hi [63:51]. */
const LEAF_ATTRIBUTES_LO = 0xffc;
const LEAF_ATTRIBUTES_HI = 0xfff8_0000;

/** What io-pgtable touches of memory: descriptors and fresh pages (a guest's tables see it through stage 2). */
export type TableMemory = Pick<PhysicalMemory, 'readLo' | 'readHi' | 'writeDescriptor' | 'zeroPage'>;

/** Where its tables come from. */
export type TableSource = Pick<TableAllocator, 'allocateTable'>;

export class IoPgtable {
  /** 1: ARM_64_LPAE_S1 (IOVA → PA); 2: ARM_64_LPAE_S2 (IPA → PA). */
  readonly stage: 1 | 2;
  readonly ias: number;
  readonly oas: number;
  readonly granule: Granule;
  private readonly splitsBlocks: boolean;
  readonly levels: number;
  readonly startLevel: Level;
  /** The root table's physical address (TTBR). */
  readonly root: number;
  /** Entries of the start-level table: up to the granule's full table (4K: 2^((ias - 12) mod 9), or 512). */
  readonly rootEntries: number;
  /** Bytes the start-level table takes: its entries, but at least a 4 KiB page, as the kernel allocates pages. */
  readonly rootBytes: number;

  constructor(
    private readonly memory: TableMemory,
    private readonly allocator: TableSource,
    config: IoPgtableConfig,
  ) {
    if (!Number.isInteger(config.ias) || config.ias < MIN_IAS || config.ias > MAX_IAS) {
      throw new RangeError(`ias ${config.ias} is outside ${MIN_IAS}..${MAX_IAS}`);
    }
    if (!Number.isInteger(config.oas) || config.oas < 32 || config.oas > 48) {
      throw new RangeError(`oas ${config.oas} is outside 32..48`);
    }
    this.ias = config.ias;
    this.oas = config.oas;
    this.splitsBlocks = config.splitsBlocks ?? true;
    this.granule = config.granule ?? GRANULE_4K;
    this.stage = config.stage ?? 1;
    if (this.stage === 2) {
      const layout = linuxStage2Layout(config.ias, config.oas, this.granule, config.concatenation);
      this.startLevel = layout.startLevel;
      this.rootEntries = layout.rootEntries;
      this.rootBytes = layout.rootBytes;
      this.levels = 4 - layout.startLevel;
    } else {
      const { levels, startLevel, rootEntries } = tableGeometry(config.ias, this.granule);
      this.levels = levels;
      this.startLevel = startLevel;
      this.rootEntries = rootEntries;
      this.rootBytes = rootTableBytes(config.ias, this.granule);
    }
    if (config.pgd === undefined) this.root = allocator.allocateTable(this.rootBytes);
    else {
      if (config.pgd % this.rootBytes !== 0) throw new RangeError(`pgd ${hex(config.pgd)} is not ${this.rootBytes / 1024} KiB aligned`);
      this.root = config.pgd;
      for (let page = 0; page < this.rootBytes; page += PAGE_SIZE) memory.zeroPage(config.pgd + page);
    }
  }

  tableConfig(): TableConfig {
    return { root: this.root, startLevel: this.startLevel, ias: this.ias, oas: this.oas, granule: this.granule };
  }

  /** What a stage-2 walk needs (VTTBR and VTCR's sizes); `xnx`: the SMMU has FEAT_XNX (SMMUv3.1+). */
  stage2Config(xnx = true): Stage2TableConfig {
    if (this.stage !== 2) throw new RangeError('a stage-1 table has no stage-2 walk');
    return { root: this.root, startLevel: this.startLevel, ias: this.ias, oas: this.oas, granule: this.granule, xnx };
  }

  /**
   * iommu_map: maps [iova, iova + size) to [pa, pa + size) with the largest leaves the
   * alignment of both addresses allows, up to `maxLeafSize` (`pages`: the largest of the
   * granule's page sizes not above it; the granule's page when none is). All or nothing: if any page
   * of the range is mapped already, nothing is written.
   */
  map(iova: bigint, pa: bigint, size: bigint, prot: Prot, maxLeafSize?: bigint): MapResult {
    const refused = (kind: MapErrorKind, message: string, at?: bigint): MapResult => ({
      ok: false,
      error: new MapError(kind, message, at),
    });
    const granuleBytes = BigInt(this.granule.bytes);
    for (const [what, value] of [
      ['IOVA', iova],
      ['PA', pa],
      ['size', size],
    ] as const) {
      if (value % granuleBytes !== 0n) {
        return refused('misaligned', `${what} ${hex(value)} is not ${this.granule.name}-aligned`);
      }
    }
    if (size <= 0n) {
      return refused('empty', `size ${size < 0n ? size : hex(size)} maps nothing`);
    }
    if (iova < 0n || iova + size > 1n << BigInt(this.ias)) {
      return refused('iova-range', `IOVA ${hex(iova)} + ${hex(size)} is beyond the ${this.ias}-bit input range`);
    }
    if (pa < 0n || pa + size > 1n << BigInt(this.oas)) {
      return refused('pa-range', `PA ${hex(pa)} + ${hex(size)} is beyond the ${this.oas}-bit output range`);
    }
    if (!prot.read && !prot.write) {
      return refused('no-access', 'a mapping needs read or write: io-pgtable-arm maps nothing without either');
    }
    const start = Number(iova);
    const end = start + Number(size);
    const mapped = this.firstMapped(this.startLevel, this.root, 0, start, end);
    if (mapped !== undefined) {
      return refused('exists', `IOVA ${hex(mapped)} is already mapped`, BigInt(mapped));
    }

    const sizes = this.granule.pageSizes;
    const cap = maxLeafSize === undefined ? sizes[sizes.length - 1] : [...sizes].reverse().find((s) => s <= maxLeafSize);
    const largest = this.leafLevelOf(Number(cap ?? sizes[0]));
    let offset = 0;
    let leaves = 0;
    const total = end - start;
    const base = Number(pa);
    while (offset < total) {
      const level = this.largestLeaf(start + offset, base + offset, total - offset, largest);
      this.installLeaf(start + offset, base + offset, level, prot);
      offset += levelSize(level, this.granule);
      leaves++;
    }
    return { ok: true, leaves };
  }

  /**
   * iommu_unmap: clears [iova, iova + size) in chunks chosen as the kernel's core does
   * (the largest leaf size the IOVA's alignment and the remaining size allow) and returns
   * the bytes unmapped — stopping at the first chunk that is not mapped, so a hole ends
   * it early. A chunk that covers a table clears the whole table; a chunk inside a block
   * splits the block into next-level leaves first (split_blk_unmap). A misaligned or
   * out-of-range request unmaps nothing, as iommu_unmap returns 0 for it.
   * Stale TLB entries are the caller's business: nothing here invalidates.
   */
  unmap(iova: bigint, size: bigint): bigint {
    return this.unmapRange(iova, size).unmapped;
  }

  /** `unmap`, saying also where a kernel that does not split blocks stopped at one it would only partly unmap. */
  unmapRange(iova: bigint, size: bigint): UnmapResult {
    const entries: ClearedEntry[] = [];
    const granuleBytes = BigInt(this.granule.bytes);
    if (iova % granuleBytes !== 0n || size % granuleBytes !== 0n || size <= 0n || iova < 0n || iova + size > 1n << BigInt(this.ias)) {
      return { unmapped: 0n, cleared: entries };
    }
    const start = Number(iova);
    const total = Number(size);
    let unmapped = 0;
    while (unmapped < total) {
      const level = this.largestLeaf(start + unmapped, 0, total - unmapped, this.granule.blockLevel as Level);
      const cleared = this.unmapLeaf(start + unmapped, level, entries);
      if (cleared === PARTIAL_BLOCK) return { unmapped: BigInt(unmapped), cleared: entries, refusedPartialBlockAt: BigInt(start + unmapped) };
      if (cleared === 0) {
        break;
      }
      unmapped += cleared;
    }
    return { unmapped: BigInt(unmapped), cleared: entries };
  }

  /** iova_to_phys: the PA the table gives `iova` (whatever AF and permissions say). */
  iovaToPhys(iova: bigint): bigint | undefined {
    if (iova < 0n || iova >= 1n << BigInt(this.ias)) {
      return undefined;
    }
    const address = Number(iova);
    let level = this.startLevel;
    let table = this.root;
    for (;;) {
      const entry = this.entryAddress(table, level, address);
      const lo = this.memory.readLo(entry);
      const hi = this.memory.readHi(entry);
      if ((lo & DESC_VALID) === 0) {
        return undefined;
      }
      if (level !== 3 && (lo & DESC_TABLE_OR_PAGE) !== 0) {
        table = outputAddressOf(lo, hi, this.granule);
        level = (level + 1) as Level;
        continue;
      }
      if (level < this.granule.blockLevel || (level === 3 && (lo & DESC_TABLE_OR_PAGE) === 0)) {
        return undefined; // a block above the granule's block levels or a level-3 entry with bit1 = 0 maps nothing
      }
      return BigInt(leafOutputAddress(lo, hi, level, this.granule) + (address % levelSize(level, this.granule)));
    }
  }

  /** The valid entries of the table at `tableAddress`, a level-`level` table. */
  entries(level: Level, tableAddress: bigint, iovaBase = 0n): TableEntry[] {
    if (level < this.startLevel) {
      throw new RangeError(`this table starts at level ${this.startLevel}`);
    }
    const count = this.entryCount(level);
    const span = BigInt(levelSize(level, this.granule));
    const table = Number(tableAddress);
    const result: TableEntry[] = [];
    for (let index = 0; index < count; index++) {
      const address = table + index * 8;
      const lo = this.memory.readLo(address);
      if ((lo & DESC_VALID) === 0) {
        continue;
      }
      const hi = this.memory.readHi(address);
      const descriptor = this.describe(lo, hi, level);
      const iova = iovaBase + BigInt(index) * span;
      const entry: TableEntry = { index, iova, descriptorAddress: BigInt(address), lo, hi, descriptor };
      if (this.stage === 2) entry.stage2 = describeStage2Descriptor(lo, hi, level, this.granule);
      if (descriptor.type === 'table') {
        entry.next = { level: (level + 1) as Level, tableAddress: descriptor.outputAddress, iovaBase: iova };
      }
      result.push(entry);
    }
    return result;
  }

  /** `entries(level, tableAddress).length` without describing them: what the debugger shows of each child table it lists. */
  validEntries(level: Level, tableAddress: bigint): number {
    const count = this.entryCount(level);
    const table = Number(tableAddress);
    let valid = 0;
    for (let index = 0; index < count; index++) if ((this.memory.readLo(table + index * 8) & DESC_VALID) !== 0) valid++;
    return valid;
  }

  /** Every mapping, ascending by IOVA, runs of like leaves merged. */
  mappings(): MappedRange[] {
    const ranges: MappedRange[] = [];
    let last: { end: number; paEnd: number; lo: number; hi: number } | undefined;
    this.forEachLeaf(this.startLevel, this.root, 0, (iova, level, lo, hi) => {
      const size = levelSize(level, this.granule);
      const pa = leafOutputAddress(lo, hi, level, this.granule);
      const current = ranges[ranges.length - 1];
      if (
        current !== undefined &&
        last !== undefined &&
        last.end === iova &&
        last.paEnd === pa &&
        (last.lo & LEAF_ATTRIBUTES_LO) === (lo & LEAF_ATTRIBUTES_LO) &&
        ((last.hi & LEAF_ATTRIBUTES_HI) >>> 0) === ((hi & LEAF_ATTRIBUTES_HI) >>> 0)
      ) {
        current.size += BigInt(size);
        current.leaves++;
      } else {
        const range: MappedRange = { iova: BigInt(iova), pa: BigInt(pa), size: BigInt(size), leaves: 1, descriptor: this.describe(lo, hi, level) };
        if (this.stage === 2) range.stage2 = describeStage2Descriptor(lo, hi, level, this.granule);
        ranges.push(range);
      }
      last = { end: iova + size, paEnd: pa + size, lo, hi };
    });
    return ranges;
  }

  private forEachLeaf(
    level: Level,
    table: number,
    base: number,
    visit: (iova: number, level: Level, lo: number, hi: number) => void,
  ): void {
    const count = this.entryCount(level);
    const span = levelSize(level, this.granule);
    for (let index = 0; index < count; index++) {
      const address = table + index * 8;
      const lo = this.memory.readLo(address);
      if ((lo & DESC_VALID) === 0) {
        continue;
      }
      const hi = this.memory.readHi(address);
      const iova = base + index * span;
      if (level !== 3 && (lo & DESC_TABLE_OR_PAGE) !== 0) {
        this.forEachLeaf((level + 1) as Level, outputAddressOf(lo, hi, this.granule), iova, visit);
      } else if (level >= this.granule.blockLevel && (level !== 3 || (lo & DESC_TABLE_OR_PAGE) !== 0)) {
        visit(iova, level, lo, hi);
      }
    }
  }

  /**
   * The first IOVA in [start, end) that a valid entry below `table` covers, if any. Any
   * valid descriptor counts — even one a walk would call reserved — so `map` never
   * overwrites what it did not write itself.
   */
  private firstMapped(level: Level, table: number, base: number, start: number, end: number): number | undefined {
    const span = levelSize(level, this.granule);
    const count = this.entryCount(level);
    const first = Math.floor((Math.max(start, base) - base) / span);
    const last = Math.min(count - 1, Math.floor((end - 1 - base) / span));
    for (let index = first; index <= last; index++) {
      const address = table + index * 8;
      const lo = this.memory.readLo(address);
      if ((lo & DESC_VALID) === 0) {
        continue;
      }
      const entryBase = base + index * span;
      if (level !== 3 && (lo & DESC_TABLE_OR_PAGE) !== 0) {
        const next = outputAddressOf(lo, this.memory.readHi(address), this.granule);
        const found = this.firstMapped((level + 1) as Level, next, entryBase, start, end);
        if (found !== undefined) {
          return found;
        }
        continue;
      }
      return Math.max(start, entryBase);
    }
    return undefined;
  }

  /** A descriptor's fields; a stage-2 table's text is stage 2's (S2AP, MemAttr, XN). */
  private describe(lo: number, hi: number, level: Level): DescriptorFields {
    const fields = describeDescriptor(lo, hi, level, this.granule);
    if (this.stage === 2) fields.text = describeStage2Descriptor(lo, hi, level, this.granule).text;
    return fields;
  }

  /** Entries of a level's table: the root's may be fewer (or, concatenated at stage 2, more), every other is full. */
  private entryCount(level: Level): number {
    return level === this.startLevel ? this.rootEntries : this.granule.entries;
  }

  /** The level of the largest leaf (not above `largest`) that fits at iova/pa. */
  private largestLeaf(iova: number, pa: number, remaining: number, largest: Level): Level {
    for (let level = Math.max(largest, this.startLevel); level < 3; level++) {
      const size = levelSize(level as Level, this.granule);
      if (iova % size === 0 && pa % size === 0 && remaining >= size) {
        return level as Level;
      }
    }
    return 3;
  }

  /** The leaf level of one of the granule's page sizes (4K: 4K/2M/1G; 16K: 16K/32M; 64K: 64K/512M), never above the start level. */
  private leafLevelOf(size: number): Level {
    const level = 3 - (Math.log2(size) - this.granule.shift) / this.granule.bitsPerLevel;
    return Math.max(level, this.startLevel) as Level;
  }

  private entryAddress(table: number, level: Level, iova: number): number {
    return table + (Math.floor(iova / levelSize(level, this.granule)) % this.entryCount(level)) * 8;
  }

  /** Writes one leaf, allocating the tables above it; the range is known to be free. */
  private installLeaf(iova: number, pa: number, leafLevel: Level, prot: Prot): void {
    let table = this.root;
    for (let level = this.startLevel; level < leafLevel; level++) {
      const entry = this.entryAddress(table, level, iova);
      const lo = this.memory.readLo(entry);
      if ((lo & DESC_VALID) !== 0) {
        table = outputAddressOf(lo, this.memory.readHi(entry), this.granule);
        continue;
      }
      const next = this.allocator.allocateTable(this.granule.bytes);
      const descriptor = tableDescriptor(next, this.granule);
      this.memory.writeDescriptor(entry, descriptor.lo, descriptor.hi);
      table = next;
    }
    // The entry is invalid or an emptied table, which the kernel also replaces (the
    // table page is left behind: see TableAllocator).
    const leaf = this.stage === 2 ? s2ProtToLeaf(pa, prot, leafLevel, this.granule) : protToLeaf(pa, prot, leafLevel, this.granule);
    this.memory.writeDescriptor(this.entryAddress(table, leafLevel, iova), leaf.lo, leaf.hi);
  }

  /** Clears the level-`target` entry for `iova`; the bytes it covered, 0 if unmapped, PARTIAL_BLOCK inside a block this kernel will not split. */
  private unmapLeaf(iova: number, target: Level, cleared: ClearedEntry[]): number {
    let table = this.root;
    for (let level = this.startLevel; ; level = (level + 1) as Level) {
      const entry = this.entryAddress(table, level, iova);
      const lo = this.memory.readLo(entry);
      if ((lo & DESC_VALID) === 0) {
        return 0;
      }
      if (level === target) {
        this.memory.writeDescriptor(entry, 0, 0);
        cleared.push({ iova: BigInt(iova), size: BigInt(levelSize(level, this.granule)), leaf: level === 3 || (lo & DESC_TABLE_OR_PAGE) === 0 });
        return levelSize(level, this.granule);
      }
      const hi = this.memory.readHi(entry);
      if ((lo & DESC_TABLE_OR_PAGE) !== 0) {
        table = outputAddressOf(lo, hi, this.granule);
      } else if (level < this.granule.blockLevel) {
        return 0; // not a block: a reserved encoding the builder never writes
      } else if (!this.splitsBlocks) {
        return PARTIAL_BLOCK;
      } else {
        table = this.splitBlock(entry, lo, hi, level);
      }
    }
  }

  /** Replaces the block at `entry` by a full table (512, 2048 or 8192) of next-level leaves mapping the same. */
  private splitBlock(entry: number, lo: number, hi: number, level: Level): number {
    const childLevel = (level + 1) as Level;
    const childSize = levelSize(childLevel, this.granule);
    const pa = leafOutputAddress(lo, hi, level, this.granule);
    const table = this.allocator.allocateTable(this.granule.bytes);
    const typeBits = DESC_VALID | (childLevel === 3 ? DESC_TABLE_OR_PAGE : 0);
    for (let index = 0; index < this.granule.entries; index++) {
      const address = pa + index * childSize;
      this.memory.writeDescriptor(
        table + index * 8,
        ((lo & LEAF_ATTRIBUTES_LO) | typeBits | (address % 2 ** 32)) >>> 0,
        ((hi & LEAF_ATTRIBUTES_HI) | Math.floor(address / 2 ** 32)) >>> 0,
      );
    }
    const descriptor = tableDescriptor(table, this.granule);
    this.memory.writeDescriptor(entry, descriptor.lo, descriptor.hi);
    return table;
  }
}

/**
 * The bytes of the start-level table a domain of `ias` bits and `granule` allocates: its
 * entries × 8 (Tables D8-18, D8-28, D8-37), but a 4 KiB page at least, as the kernel
 * allocates page tables in pages; the TTBR is aligned to it (D8.2.3).
 */
export function rootTableBytes(ias: number, granule: Granule): number {
  return Math.max(PAGE_SIZE, tableGeometry(ias, granule).rootEntries * 8);
}
