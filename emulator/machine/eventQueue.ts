/**
 * The virtual clock's agenda: a binary min-heap ordered by (time, seq). `seq` is the
 * order things were scheduled in, so events of one cycle always run in the same order —
 * the machine's determinism rests on this.
 */
export interface Scheduled<A> {
  time: number;
  seq: number;
  action: A;
}

export interface EventQueueSnapshot<A> {
  heap: Scheduled<A>[];
  nextSeq: number;
}

function before<A>(a: Scheduled<A>, b: Scheduled<A>): boolean {
  return a.time < b.time || (a.time === b.time && a.seq < b.seq);
}

export class EventQueue<A> {
  private heap: Scheduled<A>[] = [];
  private nextSeq = 0;

  get size(): number {
    return this.heap.length;
  }

  schedule(time: number, action: A): void {
    const item: Scheduled<A> = { time, seq: this.nextSeq++, action };
    const heap = this.heap;
    let i = heap.length;
    heap.push(item);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = heap[parent];
      if (!p || !before(item, p)) break;
      heap[i] = p;
      i = parent;
    }
    heap[i] = item;
  }

  peek(): Scheduled<A> | undefined {
    return this.heap[0];
  }

  pop(): Scheduled<A> | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (top === undefined || last === undefined || heap.length === 0) return top;
    let i = 0;
    const n = heap.length;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      const l = heap[left] as Scheduled<A>;
      const r = heap[right];
      const child = r !== undefined && before(r, l) ? right : left;
      const c = heap[child] as Scheduled<A>;
      if (!before(c, last)) break;
      heap[i] = c;
      i = child;
    }
    heap[i] = last;
    return top;
  }

  /** Every pending event, in the order they will run (for display; O(n log n)). */
  pending(): Scheduled<A>[] {
    return [...this.heap].sort((a, b) => (before(a, b) ? -1 : 1));
  }

  /** Actions are plain data, so copying the array of items is a full copy. */
  snapshot(clone: (action: A) => A): EventQueueSnapshot<A> {
    return { heap: this.heap.map((item) => ({ ...item, action: clone(item.action) })), nextSeq: this.nextSeq };
  }

  restore(snapshot: EventQueueSnapshot<A>, clone: (action: A) => A): void {
    this.heap = snapshot.heap.map((item) => ({ ...item, action: clone(item.action) }));
    this.nextSeq = snapshot.nextSeq;
  }
}
