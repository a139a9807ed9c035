import { hex, PAGE_SIZE } from '../util/u64';

/**
 * Emulated physical memory: sparse, 4 KiB pages, zero until written.
 *
 * Physical addresses are JS numbers below 2^48 (the largest oas), so every address and
 * page number here is an exact integer. Page tables live here, which is why reading a
 * descriptor (two little-endian 32-bit halves) must not allocate: the emulator's hot
 * translation path reads table words through `pageWord`.
 *
 * Snapshots share pages instead of copying them (copy-on-write). The pages written since
 * the last snapshot or restore are "owned": no snapshot can see them, so they are written
 * in place. Any other page may be in a snapshot and is cloned before its first write, so
 * a page never changes once a snapshot holds it.
 *
 * Where the bytes live is chosen for the table walk, which reads one word from each of
 * up to four pages, in random order when the IOVAs are random. A page is 1024 words at an
 * offset inside a 256 KiB slab shared by 64 pages, and a small direct-mapped cache in
 * front of the page map holds, per page number, that slab and offset: a walk step is one
 * cache-slot read and one read of the word, with no per-page object in between (such
 * hops, and a Map look-up of a random key, cost more than the rest of the walk).
 * An owned page that is dropped (`zeroPage`, `restore`) goes back to a free list; a page a
 * snapshot may hold is left to the garbage collector, which frees a slab once none of its
 * pages is referenced any more.
 */

export const PA_LIMIT = 2 ** 48;

const PAGE_OFFSET_MASK = PAGE_SIZE - 1;
const WORDS_PER_PAGE = PAGE_SIZE / 4;
const PAGES_PER_SLAB = 64;
const LOOKUP_SLOTS = 4096; // a power of two

// Descriptors are little-endian; a Uint32Array reads in the machine's byte order.
if (new Uint8Array(new Uint32Array([1]).buffer)[0] !== 1) {
  throw new Error('physical memory needs a little-endian host');
}

/** One page: words [offset, offset + 1024) of a slab. */
class Page {
  constructor(
    readonly slab: Uint32Array,
    readonly offset: number,
  ) {}

  get bytes(): Uint8Array {
    return new Uint8Array(this.slab.buffer, this.offset * 4, PAGE_SIZE);
  }
}

/** Hands out zeroed pages of slabs, reusing the ones given back. */
class PageStore {
  private slab: Uint32Array | undefined;
  private used = PAGES_PER_SLAB;
  private readonly free: Page[] = [];

  allocate(): Page {
    const reused = this.free.pop();
    if (reused !== undefined) {
      reused.slab.fill(0, reused.offset, reused.offset + WORDS_PER_PAGE);
      return reused;
    }
    if (this.slab === undefined || this.used === PAGES_PER_SLAB) {
      this.slab = new Uint32Array(WORDS_PER_PAGE * PAGES_PER_SLAB);
      this.used = 0;
    }
    return new Page(this.slab, WORDS_PER_PAGE * this.used++);
  }

  /** Takes back a page nothing else references. */
  release(page: Page): void {
    this.free.push(page);
  }
}

/** An immutable picture of memory, cheap to take: the page map, sharing every page. */
export class MemorySnapshot {
  /** Only PhysicalMemory reads the pages; they are never written once here. */
  constructor(readonly pages: ReadonlyMap<number, Page>) {}

  get pageCount(): number {
    return this.pages.size;
  }

  /** The slabs its pages are in: what holding it keeps from the garbage collector, as a slab is freed only once none of its pages is held. */
  slabs(): Set<Uint32Array> {
    const slabs = new Set<Uint32Array>();
    for (const page of this.pages.values()) slabs.add(page.slab);
    return slabs;
  }
}

/** A descriptor's two halves, filled by `readDescriptor` so the caller can reuse one object. */
export interface DescriptorHalves {
  lo: number;
  hi: number;
}

export class PhysicalMemory {
  private pages = new Map<number, Page>();
  /** Pages written since the last snapshot or restore: in no snapshot, writable in place. */
  private owned = new Set<Page>();
  private readonly store = new PageStore();
  /**
   * The look-up cache: slot `number % LOOKUP_SLOTS` holds one page number, with its page's
   * slab and offset, or no slab for a page that reads as zeros. Kept exact on every change.
   */
  private readonly lookupNumbers = new Float64Array(LOOKUP_SLOTS).fill(-1);
  private readonly lookupSlabs = new Array<Uint32Array | undefined>(LOOKUP_SLOTS).fill(undefined);
  private readonly lookupOffsets = new Int32Array(LOOKUP_SLOTS);
  private writes = 0;

  /**
   * Counts the writes (and `zeroPage`, `restore`): while it stays the same, every word
   * reads as it did. The hot walker keeps what it learnt from upper-level tables this long.
   */
  get writeCount(): number {
    return this.writes;
  }

  /**
   * Word `index` (0..1023) of page `pageNumber`; 0 for a page never written. The hot
   * path's read: no checks, as callers pass page numbers from 36-bit descriptor fields.
   */
  pageWord(pageNumber: number, index: number): number {
    const slot = pageNumber & (LOOKUP_SLOTS - 1); // exact: the low bits of an integer < 2^53
    if (this.lookupNumbers[slot] !== pageNumber) {
      this.remember(slot, pageNumber);
    }
    const slab = this.lookupSlabs[slot];
    return slab === undefined ? 0 : slab[this.lookupOffsets[slot] + index];
  }

  /** The 32-bit little-endian word at `pa` (4-byte aligned). */
  readU32(pa: number): number {
    checkAligned(pa, 4);
    return this.pageWord(pageNumber(pa), (pa & PAGE_OFFSET_MASK) >>> 2);
  }

  writeU32(pa: number, value: number): void {
    checkAligned(pa, 4);
    const page = this.writablePage(pageNumber(pa));
    page.slab[page.offset + ((pa & PAGE_OFFSET_MASK) >>> 2)] = value >>> 0;
  }

  /** Bits [31:0] of the 64-bit descriptor at `pa` (8-byte aligned). */
  readLo(pa: number): number {
    checkAligned(pa, 8);
    return this.pageWord(pageNumber(pa), (pa & PAGE_OFFSET_MASK) >>> 2);
  }

  /** Bits [63:32] of the 64-bit descriptor at `pa` (8-byte aligned). */
  readHi(pa: number): number {
    checkAligned(pa, 8);
    return this.pageWord(pageNumber(pa), ((pa & PAGE_OFFSET_MASK) >>> 2) + 1);
  }

  /** Reads the descriptor at `pa` into `out` (no allocation) and returns it. */
  readDescriptor<T extends DescriptorHalves>(pa: number, out: T): T {
    checkAligned(pa, 8);
    const number = pageNumber(pa);
    const word = (pa & PAGE_OFFSET_MASK) >>> 2;
    out.lo = this.pageWord(number, word);
    out.hi = this.pageWord(number, word + 1);
    return out;
  }

  writeDescriptor(pa: number, lo: number, hi: number): void {
    checkAligned(pa, 8);
    const page = this.writablePage(pageNumber(pa));
    const word = page.offset + ((pa & PAGE_OFFSET_MASK) >>> 2);
    page.slab[word] = lo >>> 0;
    page.slab[word + 1] = hi >>> 0;
  }

  /** The 64-bit little-endian value at `pa` (8-byte aligned). */
  readU64(pa: number): bigint {
    return (BigInt(this.readHi(pa)) << 32n) | BigInt(this.readLo(pa));
  }

  writeU64(pa: number, value: bigint): void {
    if (value < 0n || value >= 1n << 64n) {
      throw new RangeError(`${hex(value)} is not a 64-bit value`);
    }
    this.writeDescriptor(pa, Number(value & 0xffff_ffffn), Number(value >> 32n));
  }

  /** `length` bytes from `pa`, across pages; untouched pages read as zeros. */
  readBytes(pa: number, length: number): Uint8Array {
    checkRange(pa, length);
    const result = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      const address = pa + done;
      const offset = address & PAGE_OFFSET_MASK;
      const chunk = Math.min(PAGE_SIZE - offset, length - done);
      const page = this.pages.get(pageNumber(address));
      if (page !== undefined) {
        result.set(page.bytes.subarray(offset, offset + chunk), done);
      }
      done += chunk;
    }
    return result;
  }

  writeBytes(pa: number, bytes: Uint8Array): void {
    checkRange(pa, bytes.length);
    let done = 0;
    while (done < bytes.length) {
      const address = pa + done;
      const offset = address & PAGE_OFFSET_MASK;
      const chunk = Math.min(PAGE_SIZE - offset, bytes.length - done);
      this.writablePage(pageNumber(address)).bytes.set(bytes.subarray(done, done + chunk), offset);
      done += chunk;
    }
  }

  /**
   * Makes the page at `pa` read as zeros again by dropping it: O(1), and a snapshot that
   * holds the page keeps its bytes. The table allocator hands out pages this way.
   */
  zeroPage(pa: number): void {
    checkAligned(pa, PAGE_SIZE);
    const number = pageNumber(pa);
    const page = this.pages.get(number);
    if (page === undefined) {
      return;
    }
    this.writes++;
    this.pages.delete(number);
    this.forget(number);
    if (this.owned.delete(page)) {
      this.store.release(page);
    }
  }

  /** Base addresses of the pages that hold data, ascending (for the memory view). */
  touchedPages(): number[] {
    return [...this.pages.keys()].sort((a, b) => a - b).map((page) => page * PAGE_SIZE);
  }

  snapshot(): MemorySnapshot {
    const snapshot = new MemorySnapshot(new Map(this.pages));
    this.owned = new Set();
    return snapshot;
  }

  restore(snapshot: MemorySnapshot): void {
    for (const page of this.owned) {
      this.store.release(page);
    }
    this.owned = new Set();
    this.writes++;
    this.pages = new Map(snapshot.pages);
    this.lookupNumbers.fill(-1);
    this.lookupSlabs.fill(undefined);
  }

  /** Fills a look-up slot from the page map (kept out of `pageWord` so that stays small). */
  private remember(slot: number, number: number): void {
    const page = this.pages.get(number);
    this.lookupNumbers[slot] = number;
    this.lookupSlabs[slot] = page?.slab;
    this.lookupOffsets[slot] = page === undefined ? 0 : page.offset;
  }

  /** Drops a page number from the look-up cache after the map changed for it. */
  private forget(number: number): void {
    const slot = number & (LOOKUP_SLOTS - 1);
    if (this.lookupNumbers[slot] === number) {
      this.lookupNumbers[slot] = -1;
      this.lookupSlabs[slot] = undefined;
    }
  }

  private writablePage(number: number): Page {
    this.writes++;
    const page = this.pages.get(number);
    if (page !== undefined && this.owned.has(page)) {
      return page;
    }
    const writable = this.store.allocate();
    if (page !== undefined) {
      writable.slab.set(page.slab.subarray(page.offset, page.offset + WORDS_PER_PAGE), writable.offset);
    }
    this.pages.set(number, writable);
    this.forget(number);
    this.owned.add(writable);
    return writable;
  }
}

function pageNumber(pa: number): number {
  return Math.floor(pa / PAGE_SIZE);
}

function checkRange(pa: number, length: number): void {
  if (!Number.isInteger(length) || length < 0) {
    throw new RangeError(`length ${length} is not a byte count`);
  }
  if (!Number.isInteger(pa) || pa < 0 || pa + length > PA_LIMIT) {
    throw new RangeError(`physical address ${describe(pa)} (+${length}) is beyond 2^48`);
  }
}

function checkAligned(pa: number, size: number): void {
  checkRange(pa, size);
  if (pa % size !== 0) {
    throw new RangeError(`physical address ${hex(pa)} is not ${size}-byte aligned`);
  }
}

function describe(pa: number): string {
  return Number.isInteger(pa) && pa >= 0 ? hex(pa) : String(pa);
}
