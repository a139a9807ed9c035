import { Level } from '../pgtable/descriptor';

/**
 * The SMMU's TLB: a fixed number of entries, least recently used evicted first. It caches
 * what a hit needs — the output page, the permission mask, the leaf — so a hit never reads
 * the tables: an `unmap` without invalidation keeps translating, as on hardware.
 *
 * Entries are per 4 KiB page, tagged with a translation context (an id the SMMU assigns to
 * a context bank or a stream/substream, < 2^16) and the virtual page number (< 2^36, since
 * ias ≤ 48). The tag is one number, context * 2^36 + vpn, below 2^52 and so exact.
 *
 * That holds for every granule: a 16K or 64K page, like a 2M block, is cached as the 4 KiB
 * pieces transactions touched, each remembering how many 4 KiB pages its leaf spans. A
 * TLBI by VA drops every piece of the leaf the VA falls in, which is what invalidating that
 * leaf means (D8.17), so one tag format and one hash serve all granules and the 4K hit
 * path stays exactly as it was.
 *
 * Everything lives in typed arrays and an open-addressing hash (linear probing) from tag
 * to slot: a hit computes a hash, compares doubles and makes the slot the most recently
 * used, allocating nothing. LRU order is a doubly linked list through every slot, least
 * recently used first, with the free slots at that end: an insert takes the first slot of
 * the list, free or the one to evict, without a scan (a TLB that streams misses inserts
 * once per transaction).
 */

const VPN_SPAN = 2 ** 36;
const MAX_CONTEXT = 2 ** 16;

/** What an insert copies, field for field (a HotWalkResult has them all). */
export interface TlbFill {
  readonly outputPage: number;
  readonly level: number;
  /** The 4 KiB pages the leaf spans (a 4K page 1, a 16K page 4, a 2M block 512). */
  readonly pages: number;
  readonly permissions: number;
  readonly lo: number;
  readonly hi: number;
  readonly descriptorAddress: number;
}

/** One entry, for display. */
export interface TlbEntry {
  context: number;
  vpn: number;
  outputPage: number;
  level: Level;
  pages: number;
  permissions: number;
  lo: number;
  hi: number;
  descriptorAddress: number;
}

type StateArray = Int32Array | Uint8Array | Float64Array | Uint32Array;

/** A copy of a TLB's state, never written: restoring copies it back. */
export interface TlbSnapshot {
  readonly capacity: number;
  readonly arrays: readonly StateArray[];
}

export class Tlb {
  readonly capacity: number;
  private readonly bucketMask: number;
  private readonly hashShift: number;
  /** Hash bucket → slot, -1 when empty. */
  private readonly buckets: Int32Array;

  // Per slot:
  private readonly valid: Uint8Array;
  private readonly tags: Float64Array;
  private readonly contexts: Int32Array;
  private readonly vpns: Float64Array;
  private readonly homes: Int32Array;
  private readonly outputPages: Float64Array;
  private readonly levels: Uint8Array;
  private readonly leafPages: Float64Array;
  private readonly permissionMasks: Uint8Array;
  private readonly los: Uint32Array;
  private readonly his: Uint32Array;
  private readonly descriptorAddresses: Float64Array;

  /**
   * The LRU list: per slot its neighbours towards the least (`older`) and the most
   * (`newer`) recently used end. Index `capacity` is the list's head: newer[head] is the
   * least recently used slot (or a free one), older[head] the most recently used.
   */
  private readonly older: Int32Array;
  private readonly newer: Int32Array;

  constructor(capacity = 64) {
    if (!Number.isInteger(capacity) || capacity < 1 || capacity > 1 << 20) {
      throw new RangeError(`a TLB of ${capacity} entries`);
    }
    this.capacity = capacity;
    // At most a quarter full keeps the probe sequences short.
    const bits = Math.max(4, Math.ceil(Math.log2(capacity * 4)));
    this.bucketMask = (1 << bits) - 1;
    this.hashShift = 32 - bits;
    this.buckets = new Int32Array(1 << bits).fill(-1);
    this.valid = new Uint8Array(capacity);
    this.tags = new Float64Array(capacity);
    this.contexts = new Int32Array(capacity);
    this.vpns = new Float64Array(capacity);
    this.homes = new Int32Array(capacity);
    this.outputPages = new Float64Array(capacity);
    this.levels = new Uint8Array(capacity);
    this.leafPages = new Float64Array(capacity);
    this.permissionMasks = new Uint8Array(capacity);
    this.los = new Uint32Array(capacity);
    this.his = new Uint32Array(capacity);
    this.descriptorAddresses = new Float64Array(capacity);
    this.older = new Int32Array(capacity + 1);
    this.newer = new Int32Array(capacity + 1);
    this.emptyList();
  }

  /** The slot caching (context, vpn), made most recently used, or -1 on a miss. */
  lookup(context: number, vpn: number): number {
    const tag = context * VPN_SPAN + vpn;
    const buckets = this.buckets;
    const mask = this.bucketMask;
    for (let bucket = this.hash(context, vpn); ; bucket = (bucket + 1) & mask) {
      const slot = buckets[bucket];
      if (slot < 0) {
        return -1;
      }
      if (this.tags[slot] === tag) {
        this.makeNewest(slot);
        return slot;
      }
    }
  }

  /** A hit's output page (PA >> 12) for the looked-up vpn. */
  outputPage(slot: number): number {
    return this.outputPages[slot];
  }

  /** A hit's permission mask (PRIV_READ … UNPRIV_EXECUTE). */
  permissions(slot: number): number {
    return this.permissionMasks[slot];
  }

  /** A hit's leaf level (what a fault syndrome reports as the lookup level). */
  level(slot: number): Level {
    return this.levels[slot] as Level;
  }

  get size(): number {
    let count = 0;
    for (let slot = 0; slot < this.capacity; slot++) {
      count += this.valid[slot];
    }
    return count;
  }

  /** Caches a walk of (context, vpn), evicting the least recently used entry if full. */
  insert(context: number, vpn: number, fill: TlbFill): void {
    if (!Number.isInteger(context) || context < 0 || context >= MAX_CONTEXT) {
      throw new RangeError(`TLB context ${context} is outside 0..65535`);
    }
    if (!Number.isInteger(vpn) || vpn < 0 || vpn >= VPN_SPAN) {
      throw new RangeError(`virtual page ${vpn} is beyond 2^36`);
    }
    let slot = this.lookup(context, vpn);
    if (slot < 0) {
      slot = this.newer[this.capacity]; // free, or the least recently used
      if (this.valid[slot] === 1) {
        this.remove(slot);
      }
      const home = this.hash(context, vpn);
      let bucket = home;
      while (this.buckets[bucket] >= 0) {
        bucket = (bucket + 1) & this.bucketMask;
      }
      this.buckets[bucket] = slot;
      this.valid[slot] = 1;
      this.tags[slot] = context * VPN_SPAN + vpn;
      this.contexts[slot] = context;
      this.vpns[slot] = vpn;
      this.homes[slot] = home;
      this.makeNewest(slot);
    }
    this.outputPages[slot] = fill.outputPage;
    this.levels[slot] = fill.level;
    this.leafPages[slot] = fill.pages;
    this.permissionMasks[slot] = fill.permissions;
    this.los[slot] = fill.lo;
    this.his[slot] = fill.hi;
    this.descriptorAddresses[slot] = fill.descriptorAddress;
  }

  invalidateAll(): void {
    this.buckets.fill(-1);
    this.valid.fill(0);
    this.emptyList();
  }

  /** Drops every entry of one context (TLBIASID, CMD_TLBI_NH_ASID and the like). */
  invalidateContext(context: number): void {
    for (let slot = 0; slot < this.capacity; slot++) {
      if (this.valid[slot] === 1 && this.contexts[slot] === context) {
        this.remove(slot);
      }
    }
  }

  /**
   * Drops the entries of `context` that translate `vpn` (TLBIVA). An entry of a block
   * leaf, or of a 16K/64K page, stands for the whole leaf, so every cached piece of it goes.
   */
  invalidateVa(context: number, vpn: number): void {
    for (let slot = 0; slot < this.capacity; slot++) {
      if (this.valid[slot] === 1 && this.contexts[slot] === context) {
        const pages = this.leafPages[slot];
        if (Math.floor(this.vpns[slot] / pages) === Math.floor(vpn / pages)) {
          this.remove(slot);
        }
      }
    }
  }

  /** The entries, most recently used first. */
  entries(): TlbEntry[] {
    const slots: number[] = [];
    for (let slot = this.older[this.capacity]; slot !== this.capacity && this.valid[slot] === 1; slot = this.older[slot]) {
      slots.push(slot);
    }
    return slots.map((slot) => ({
      context: this.contexts[slot],
      vpn: this.vpns[slot],
      outputPage: this.outputPages[slot],
      level: this.levels[slot] as Level,
      pages: this.leafPages[slot],
      permissions: this.permissionMasks[slot],
      lo: this.los[slot],
      hi: this.his[slot],
      descriptorAddress: this.descriptorAddresses[slot],
    }));
  }

  snapshot(): TlbSnapshot {
    return { capacity: this.capacity, arrays: this.stateArrays().map((array) => array.slice()) };
  }

  restore(snapshot: TlbSnapshot): void {
    if (snapshot.capacity !== this.capacity) {
      throw new RangeError(`a snapshot of a ${snapshot.capacity}-entry TLB restored into ${this.capacity} entries`);
    }
    this.stateArrays().forEach((array, index) => array.set(snapshot.arrays[index]));
  }

  private stateArrays(): StateArray[] {
    return [
      this.buckets,
      this.valid,
      this.tags,
      this.contexts,
      this.vpns,
      this.homes,
      this.older,
      this.newer,
      this.outputPages,
      this.levels,
      this.leafPages,
      this.permissionMasks,
      this.los,
      this.his,
      this.descriptorAddresses,
    ];
  }

  /** Mixes the context and both halves of the vpn into a bucket index. */
  private hash(context: number, vpn: number): number {
    const high = (vpn / 0x1_0000_0000) | 0; // bits [35:32] of the vpn
    return Math.imul((vpn >>> 0) ^ Math.imul(context | (high << 16), 0x27d4_eb2d), 0x9e37_79b1) >>> this.hashShift;
  }

  /** Every slot free, in index order: the first insert takes slot 0. */
  private emptyList(): void {
    const head = this.capacity;
    for (let slot = 0; slot <= head; slot++) {
      this.older[slot] = slot === 0 ? head : slot - 1;
      this.newer[slot] = slot === head ? 0 : slot + 1;
    }
  }

  private unlink(slot: number): void {
    const older = this.older[slot];
    const newer = this.newer[slot];
    this.newer[older] = newer;
    this.older[newer] = older;
  }

  /** Moves a slot to the most recently used end. */
  private makeNewest(slot: number): void {
    const head = this.capacity;
    const newest = this.older[head];
    if (newest === slot) {
      return;
    }
    this.unlink(slot);
    this.older[slot] = newest;
    this.newer[slot] = head;
    this.newer[newest] = slot;
    this.older[head] = slot;
  }

  /** Moves a freed slot to the least recently used end, where the next insert takes it. */
  private makeOldest(slot: number): void {
    const head = this.capacity;
    this.unlink(slot);
    const oldest = this.newer[head];
    this.newer[slot] = oldest;
    this.older[slot] = head;
    this.older[oldest] = slot;
    this.newer[head] = slot;
  }

  /** Frees a slot and closes the gap in its probe sequence (backward-shift deletion). */
  private remove(slot: number): void {
    const buckets = this.buckets;
    const mask = this.bucketMask;
    let hole = this.homes[slot];
    while (buckets[hole] !== slot) {
      hole = (hole + 1) & mask;
    }
    buckets[hole] = -1;
    this.valid[slot] = 0;
    this.makeOldest(slot);
    for (let next = (hole + 1) & mask; buckets[next] >= 0; next = (next + 1) & mask) {
      const home = this.homes[buckets[next]];
      // An entry may fill the hole unless its home lies cyclically in (hole, next].
      const staysPut = hole <= next ? hole < home && home <= next : hole < home || home <= next;
      if (!staysPut) {
        buckets[hole] = buckets[next];
        buckets[next] = -1;
        hole = next;
      }
    }
  }
}
