import { PA_LIMIT, PhysicalMemory } from '../memory/physicalMemory';
import { hex, PAGE_SIZE } from '../util/u64';

/**
 * Where page tables go in physical memory: 4 KiB pages (or aligned runs of them, for the
 * tables of a 16K or 64K granule) handed out upward from a base
 * address, stepping over the physical ranges the scenario maps (so a table never lands on
 * a device's buffer), the same addresses on every run.
 *
 * Tables are never reused: a table io-pgtable-arm would free (unmap of a whole table,
 * a block installed over an empty table) is simply left where it is. Reuse would make a
 * table's address depend on the order of earlier unmaps; leaking keeps addresses stable
 * and the pool (from 1 GiB up to 2^48) is far larger than any scenario needs.
 */

export const DEFAULT_TABLE_POOL_BASE = 0x4000_0000;

/** A physical range [start, start + size), in bytes. */
export interface PhysicalRange {
  readonly start: number;
  readonly size: number;
}

/**
 * What the pool must step over: the scenario's mapped data, and the top-level tables
 * domains placed themselves (`pgd`, each its table's bytes: see rootTableBytes), which no
 * other table may share. The machine and the language server's prediction both reserve
 * these, so their tables land on the same pages.
 */
export function tablePoolReserved(maps: readonly { pa: bigint; size: bigint }[], pgds: readonly { pgd: bigint; bytes: number }[]): PhysicalRange[] {
  return [...maps.map((m) => ({ start: Number(m.pa), size: Number(m.size) })), ...pgds.map(({ pgd, bytes }) => ({ start: Number(pgd), size: bytes }))];
}

export interface TableAllocatorOptions {
  /** First address tried (4 KiB aligned); 0x4000_0000 unless given. */
  base?: number;
  /** Ranges no table may overlap: the scenario's mapped data. */
  reserved?: readonly PhysicalRange[];
}

export interface TableAllocatorSnapshot {
  readonly cursor: number;
  readonly allocated: number;
}

export class TableAllocator {
  private readonly reserved: readonly PhysicalRange[];
  private cursor: number;
  private allocated = 0;

  constructor(
    private readonly memory: Pick<PhysicalMemory, 'zeroPage'>,
    options: TableAllocatorOptions = {},
  ) {
    const base = options.base ?? DEFAULT_TABLE_POOL_BASE;
    if (!Number.isInteger(base) || base < 0 || base >= PA_LIMIT || base % PAGE_SIZE !== 0) {
      throw new RangeError(`table pool base ${hex(base)} is not a 4 KiB aligned physical address`);
    }
    for (const range of options.reserved ?? []) {
      if (!Number.isInteger(range.start) || !Number.isInteger(range.size) || range.start < 0 || range.size < 0) {
        throw new RangeError(`reserved range ${range.start} +${range.size} is not a physical range`);
      }
    }
    this.reserved = [...(options.reserved ?? [])].filter((r) => r.size > 0).sort((a, b) => a.start - b.start);
    this.cursor = base;
  }

  /** How many tables were handed out. */
  get count(): number {
    return this.allocated;
  }

  /** The physical address of a fresh, zeroed 4 KiB table. */
  allocate(): number {
    const pa = this.nextFree(this.cursor);
    this.cursor = pa + PAGE_SIZE;
    this.allocated++;
    this.memory.zeroPage(pa);
    return pa;
  }

  /**
   * A fresh, zeroed table of `bytes` (a power of two, at least 4 KiB), aligned to its size
   * as a 16K or 64K granule's tables are (D8.2.3): the pages skipped to align it are
   * left unused, not counted, so a 4K table comes from exactly where `allocate` gives it.
   */
  allocateTable(bytes: number): number {
    if (bytes === PAGE_SIZE) return this.allocate();
    if (!Number.isInteger(bytes) || bytes < PAGE_SIZE || (bytes & (bytes - 1)) !== 0) throw new RangeError(`a ${bytes}-byte table is not a power of two of pages`);
    let pa = this.cursor;
    for (;;) {
      pa = Math.ceil(pa / bytes) * bytes;
      const free = this.nextFree(pa, bytes);
      if (free === pa) break;
      pa = free;
    }
    this.cursor = pa + bytes;
    this.allocated++;
    for (let page = 0; page < bytes; page += PAGE_SIZE) this.memory.zeroPage(pa + page);
    return pa;
  }

  /**
   * `pages` (a power of two) fresh, zeroed, physically contiguous pages, aligned to their
   * size as the SMMU wants its queues, stream table and linear CD tables: the first of them.
   * A reserved range in the way, or a misaligned start, moves the run on.
   */
  allocateContiguous(pages: number): number {
    if (!Number.isInteger(pages) || pages < 1 || (pages & (pages - 1)) !== 0) throw new RangeError(`${pages} pages is not a power of two`);
    const bytes = pages * PAGE_SIZE;
    let first = this.allocate();
    let run = 1;
    while (first % bytes !== 0 || run < pages) {
      const next = this.allocate();
      if (first % bytes === 0 && next === first + run * PAGE_SIZE) run++;
      else {
        first = next;
        run = 1;
      }
    }
    return first;
  }

  snapshot(): TableAllocatorSnapshot {
    return { cursor: this.cursor, allocated: this.allocated };
  }

  restore(snapshot: TableAllocatorSnapshot): void {
    this.cursor = snapshot.cursor;
    this.allocated = snapshot.allocated;
  }

  /** The first address at or above `pa` (page-aligned) where `bytes` overlap no reserved range. */
  private nextFree(pa: number, bytes = PAGE_SIZE): number {
    let candidate = pa;
    // Ranges are sorted by start: from the first one that ends past the candidate, each
    // overlap moves the candidate past it, until a range starts beyond it.
    for (let i = this.firstEndingAfter(candidate); i < this.reserved.length; i++) {
      const range = this.reserved[i] as PhysicalRange;
      if (range.start >= candidate + bytes) break;
      if (candidate < range.start + range.size) candidate = Math.ceil((range.start + range.size) / PAGE_SIZE) * PAGE_SIZE;
    }
    if (candidate + bytes > PA_LIMIT) {
      throw new RangeError('the page-table pool has reached the top of physical memory');
    }
    return candidate;
  }

  /** Index of the first reserved range (by start) whose start is at or beyond `pa`, less any that still cover it. */
  private firstEndingAfter(pa: number): number {
    let low = 0;
    let high = this.reserved.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if ((this.reserved[middle] as PhysicalRange).start + (this.reserved[middle] as PhysicalRange).size <= pa) low = middle + 1;
      else high = middle;
    }
    return low;
  }

}
