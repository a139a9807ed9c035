import { serialize } from 'node:v8';
import { MachineSnapshot } from '../emulator/machine/machine';
import { TimelineSnapshot, timelineBytes } from './timeline';

/** Stops kept for going back in time, at most (older ones are forgotten). */
export const HISTORY = 200;

/**
 * What the kept stops may hold in all, in bytes (docs/debugging.md): past it, the oldest
 * are forgotten, as past HISTORY stops. A long run's stops share most of memory, so a
 * budget of bytes, not of stops, is what keeps a big scenario's adapter from growing.
 */
export const SNAPSHOT_BUDGET_BYTES = 256 * 1024 * 1024;

/**
 * Whether the oldest of `stops` kept stops, holding `bytes`, must be forgotten: past
 * HISTORY stops, or past the byte budget while more than the current stop and the one
 * before it are kept (those two always stay: a step back is always possible).
 */
export function mustForgetOldest(stops: number, bytes: number): boolean {
  return stops > HISTORY || (stops > 2 && bytes > SNAPSHOT_BUDGET_BYTES);
}

/** What one stop's snapshot holds: memory slabs (shared with other stops) and bytes of its own. */
export interface SnapshotSize {
  slabs: Set<Uint32Array>;
  own: number;
}

/**
 * A stop's size: the slabs its memory pages are in (copy-on-write: stops share the pages
 * that did not change between them, so each slab is counted once however many hold it),
 * and what it holds alone — the machine's state and event queue as their structured-clone
 * bytes, the TLBs' arrays, the timeline's new spans. `since`: the timeline's `next` at the
 * stop kept before it.
 */
export function snapshotSize(machine: MachineSnapshot, timeline: TimelineSnapshot, since: number, extra: unknown): SnapshotSize {
  const tlbs = machine.tlbs.reduce((sum, tlb) => sum + tlb.arrays.reduce((s, array) => s + array.byteLength, 0), 0);
  const own = serialize(machine.state).byteLength + serialize(machine.queue.heap).byteLength + serialize(extra).byteLength + tlbs + timelineBytes(timeline, since);
  return { slabs: machine.memory.slabs(), own };
}

/** The bytes all kept stops hold together. */
export class KeptBytes {
  /** Each slab held, and by how many kept stops. */
  private readonly holders = new Map<Uint32Array, number>();
  private slabBytes = 0;
  private ownBytes = 0;

  get total(): number {
    return this.slabBytes + this.ownBytes;
  }

  hold(size: SnapshotSize): void {
    this.ownBytes += size.own;
    for (const slab of size.slabs) {
      const holders = this.holders.get(slab) ?? 0;
      if (holders === 0) this.slabBytes += slab.byteLength;
      this.holders.set(slab, holders + 1);
    }
  }

  release(size: SnapshotSize): void {
    this.ownBytes -= size.own;
    for (const slab of size.slabs) {
      const holders = (this.holders.get(slab) ?? 1) - 1;
      if (holders > 0) this.holders.set(slab, holders);
      else {
        this.holders.delete(slab);
        this.slabBytes -= slab.byteLength;
      }
    }
  }
}
