/**
 * An append-only log that keeps only its newest `capacity` records, so that a run of any
 * length holds a bounded history. Indexes count every record ever appended: the record at
 * index `i` (a fault's id, a dump's number) keeps that index, and reads `undefined` once
 * it has been dropped.
 */
export class RecordLog<T> {
  private readonly ring: (T | undefined)[] = [];
  private total = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`a record log keeps at least one record, not ${capacity}`);
  }

  /** Records ever appended (the next one's index). */
  get length(): number {
    return this.total;
  }

  /** Index of the oldest record still kept. */
  get first(): number {
    return Math.max(0, this.total - this.capacity);
  }

  /** Appends a record; returns the one it pushed out, if the log was full. */
  push(record: T): T | undefined {
    const slot = this.total % this.capacity;
    const dropped = this.total >= this.capacity ? this.ring[slot] : undefined;
    this.ring[slot] = record;
    this.total++;
    return dropped;
  }

  get(index: number): T | undefined {
    if (!Number.isInteger(index) || index < this.first || index >= this.total) return undefined;
    return this.ring[index % this.capacity];
  }

  /** Forgets every record from `length` on (back to a snapshot); records dropped before stay dropped. */
  truncate(length: number): void {
    for (let i = Math.max(length, this.first); i < this.total; i++) this.ring[i % this.capacity] = undefined;
    this.total = Math.min(this.total, length);
  }

  /** The newest kept record that `matches`. */
  findLast(matches: (record: T) => boolean): T | undefined {
    for (let i = this.total - 1; i >= this.first; i--) {
      const record = this.ring[i % this.capacity];
      if (record !== undefined && matches(record)) return record;
    }
    return undefined;
  }

  /** The kept records, oldest first. */
  *[Symbol.iterator](): IterableIterator<T> {
    for (let i = this.first; i < this.total; i++) {
      const record = this.ring[i % this.capacity];
      if (record !== undefined) yield record;
    }
  }
}
