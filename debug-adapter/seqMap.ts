/** Keys per chunk: a power of two. */
const CHUNK = 1024;

interface Chunk<V> {
  values: (V | undefined)[];
  count: number;
}

/**
 * Values by a non-negative integer key that grows as a run goes on (a span's sequence
 * number, a transaction's id), most of them let go soon after: a long run adds and deletes
 * one per transaction. A Map costs a rehash now and then for such churn (a quarter of a
 * microsecond per add and delete, more than the rest of the recording); here the keys live
 * in chunks of consecutive keys, and the Map of chunks changes once per CHUNK keys.
 */
export class SeqMap<V> {
  private readonly chunks: Map<number, Chunk<V>>;
  /** The chunk used last, and its number: most uses are at the newest keys. */
  private lastNumber = -1;
  private last: Chunk<V> | undefined;
  private count = 0;

  constructor(chunks?: Map<number, Chunk<V>>) {
    this.chunks = chunks ?? new Map();
    for (const chunk of this.chunks.values()) this.count += chunk.count;
  }

  /** How many keys have a value. */
  get size(): number {
    return this.count;
  }

  /** The bytes of its chunks' arrays (a reference is 8 bytes), not of the values. */
  get bytes(): number {
    return this.chunks.size * CHUNK * 8;
  }

  private chunk(key: number): Chunk<V> | undefined {
    const number = Math.floor(key / CHUNK);
    if (number === this.lastNumber) return this.last;
    const chunk = this.chunks.get(number);
    this.lastNumber = number;
    this.last = chunk;
    return chunk;
  }

  get(key: number): V | undefined {
    return this.chunk(key)?.values[key % CHUNK];
  }

  has(key: number): boolean {
    return this.get(key) !== undefined;
  }

  set(key: number, value: V): void {
    let chunk = this.chunk(key);
    if (!chunk) {
      chunk = { values: new Array<V | undefined>(CHUNK).fill(undefined), count: 0 };
      this.chunks.set(Math.floor(key / CHUNK), chunk);
      this.last = chunk;
    }
    if (chunk.values[key % CHUNK] === undefined) {
      chunk.count++;
      this.count++;
    }
    chunk.values[key % CHUNK] = value;
  }

  delete(key: number): void {
    const chunk = this.chunk(key);
    if (!chunk || chunk.values[key % CHUNK] === undefined) return;
    chunk.values[key % CHUNK] = undefined;
    this.count--;
    if (--chunk.count > 0) return;
    this.chunks.delete(Math.floor(key / CHUNK));
    this.last = undefined;
  }

  /** Every key and value, in the keys' order. */
  forEach(visit: (value: V, key: number) => void): void {
    for (const number of [...this.chunks.keys()].sort((a, b) => a - b)) {
      const values = this.chunks.get(number)?.values ?? [];
      for (let i = 0; i < CHUNK; i++) {
        const value = values[i];
        if (value !== undefined) visit(value, number * CHUNK + i);
      }
    }
  }

  /** A copy that changes apart from this one (the values themselves are shared). */
  copy(): SeqMap<V> {
    const chunks = new Map<number, Chunk<V>>();
    for (const [number, chunk] of this.chunks) chunks.set(number, { values: chunk.values.slice(), count: chunk.count });
    return new SeqMap(chunks);
  }
}
