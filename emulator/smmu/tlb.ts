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
 * to slot: a hit computes a hash, compares doubles and stamps the slot, allocating nothing.
 * LRU order is a use counter per slot (a stamp). A full TLB that streams misses evicts once
 * per transaction, so eviction must not scan: it takes the oldest from a list of the entries
 * in LRU order that one sort made (see `leastRecentlyUsed`); free slots come off a stack.
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
  readonly clock: number;
}

export class Tlb {
  readonly capacity: number;
  /** The hash has 2^bucketBits buckets: at most a quarter full keeps the probe sequences short. */
  readonly bucketBits: number;
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
  private readonly stamps: Float64Array;
  private readonly outputPages: Float64Array;
  private readonly levels: Uint8Array;
  private readonly leafPages: Float64Array;
  private readonly permissionMasks: Uint8Array;
  private readonly los: Uint32Array;
  private readonly his: Uint32Array;
  private readonly descriptorAddresses: Float64Array;

  /** Last use stamp handed out; stamps order the slots from least to most recently used. */
  private clock = 0;

  /** Free slots, a stack: an insert takes the top (slot 0 first in an empty TLB). */
  private readonly freeSlots: Int32Array;
  private freeCount = 0;

  /**
   * The eviction list: the entries when it was made, oldest first, each with its stamp
   * then. Derived from the stamps: a restore empties it.
   */
  private readonly evictionSlots: Int32Array;
  private readonly evictionStamps: Float64Array;
  private evictionNext = 0;
  private evictionLength = 0;

  constructor(capacity = 64) {
    if (!Number.isInteger(capacity) || capacity < 1 || capacity > 1 << 20) {
      throw new RangeError(`a TLB of ${capacity} entries`);
    }
    this.capacity = capacity;
    const bits = Math.max(4, Math.ceil(Math.log2(capacity * 4)));
    this.bucketBits = bits;
    this.bucketMask = (1 << bits) - 1;
    this.hashShift = 32 - bits;
    this.buckets = new Int32Array(1 << bits).fill(-1);
    this.valid = new Uint8Array(capacity);
    this.tags = new Float64Array(capacity);
    this.contexts = new Int32Array(capacity);
    this.vpns = new Float64Array(capacity);
    this.homes = new Int32Array(capacity);
    this.stamps = new Float64Array(capacity);
    this.outputPages = new Float64Array(capacity);
    this.levels = new Uint8Array(capacity);
    this.leafPages = new Float64Array(capacity);
    this.permissionMasks = new Uint8Array(capacity);
    this.los = new Uint32Array(capacity);
    this.his = new Uint32Array(capacity);
    this.descriptorAddresses = new Float64Array(capacity);
    this.freeSlots = new Int32Array(capacity);
    this.evictionSlots = new Int32Array(capacity);
    this.evictionStamps = new Float64Array(capacity);
    this.rebuildFreeSlots();
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
        this.stamps[slot] = ++this.clock;
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
    return this.capacity - this.freeCount;
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
      if (this.freeCount > 0) {
        slot = this.freeSlots[--this.freeCount];
      } else {
        slot = this.leastRecentlyUsed();
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
      this.stamps[slot] = ++this.clock;
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
    this.rebuildFreeSlots();
  }

  /** Drops every entry of one context (TLBIASID, CMD_TLBI_NH_ASID and the like). */
  invalidateContext(context: number): void {
    for (let slot = 0; slot < this.capacity; slot++) {
      if (this.valid[slot] === 1 && this.contexts[slot] === context) {
        this.free(slot);
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
          this.free(slot);
        }
      }
    }
  }

  /** The entries, most recently used first. */
  entries(): TlbEntry[] {
    const slots: number[] = [];
    for (let slot = 0; slot < this.capacity; slot++) {
      if (this.valid[slot] === 1) {
        slots.push(slot);
      }
    }
    slots.sort((a, b) => this.stamps[b] - this.stamps[a]);
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
    return { capacity: this.capacity, arrays: this.stateArrays().map((array) => array.slice()), clock: this.clock };
  }

  restore(snapshot: TlbSnapshot): void {
    if (snapshot.capacity !== this.capacity) {
      throw new RangeError(`a snapshot of a ${snapshot.capacity}-entry TLB restored into ${this.capacity} entries`);
    }
    this.stateArrays().forEach((array, index) => array.set(snapshot.arrays[index]));
    this.clock = snapshot.clock;
    this.rebuildFreeSlots();
  }

  private stateArrays(): StateArray[] {
    return [
      this.buckets,
      this.valid,
      this.tags,
      this.contexts,
      this.vpns,
      this.homes,
      this.stamps,
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

  /** Every invalid slot on the free stack, the lowest on top; the eviction list emptied. */
  private rebuildFreeSlots(): void {
    this.freeCount = 0;
    for (let slot = this.capacity - 1; slot >= 0; slot--) {
      if (this.valid[slot] === 0) {
        this.freeSlots[this.freeCount++] = slot;
      }
    }
    this.evictionNext = this.evictionLength = 0;
  }

  /**
   * The least recently used entry of a full TLB: the first on the eviction list that still
   * has the stamp it was listed with. One used (or its slot refilled) since has a newer
   * stamp and is passed over; one inserted since is newer than every listed one. So this
   * is exact LRU, with one sort per up to `capacity` evictions.
   */
  private leastRecentlyUsed(): number {
    for (;;) {
      while (this.evictionNext < this.evictionLength) {
        const slot = this.evictionSlots[this.evictionNext];
        const stamp = this.evictionStamps[this.evictionNext++];
        if (this.valid[slot] === 1 && this.stamps[slot] === stamp) {
          return slot;
        }
      }
      this.listInLruOrder();
    }
  }

  private listInLruOrder(): void {
    const slots: number[] = [];
    for (let slot = 0; slot < this.capacity; slot++) {
      if (this.valid[slot] === 1) {
        slots.push(slot);
      }
    }
    slots.sort((a, b) => this.stamps[a] - this.stamps[b]);
    this.evictionLength = slots.length;
    this.evictionNext = 0;
    for (let i = 0; i < this.evictionLength; i++) {
      this.evictionSlots[i] = slots[i];
      this.evictionStamps[i] = this.stamps[slots[i]];
    }
  }

  /** Drops an entry and puts its slot on the free stack. */
  private free(slot: number): void {
    this.remove(slot);
    this.freeSlots[this.freeCount++] = slot;
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
