import { PhysicalMemory } from '../../memory/physicalMemory';
import { hex, hex32 } from '../../util/u64';

/**
 * An SMMUv3 circular queue in emulated memory (IHI 0070 §3.5.1): 2^log2size entries at
 * `base`, a producer index PROD and a consumer index CONS, each with a wrap bit just above
 * the index so every entry can be used (full: indexes equal, wrap bits differ). For the
 * output queues (event, PRI) the SMMU produces and software consumes; for the command queue
 * it is the other way round, and the same operations serve both.
 *
 * Overflow (§7.4, §8.1): a record discarded because an output queue is full toggles
 * PROD.OVFLG (bit 31) unless an overflow is already present (OVFLG != CONS.OVACKFLG);
 * software acknowledges by writing OVACKFLG = OVFLG with its CONS update.
 *
 * Plain numbers only: the machine snapshots this state with structuredClone.
 */

export interface QueueState {
  base: number; // PA of entry 0 (page aligned; hardware wants it aligned to the queue's size)
  log2size: number;
  entryBytes: number; // 32 event, 16 PRI, 16 command
  prod: number; // PROD: WR index, wrap bit at bit log2size, OVFLG at bit 31 (output queues)
  cons: number; // CONS: RD index, wrap bit, OVACKFLG at bit 31 (output queues); ERR ignored
  dropped: number; // records discarded because the queue was full (a model counter)
}

/** §3.5.1: a queue has at most 2^19 entries (PROD/CONS hold a 19-bit index plus wrap). */
const MAX_LOG2SIZE = 19;
const FLAG = 0x8000_0000; // PROD.OVFLG and CONS.OVACKFLG

/**
 * What the queue operations read and write: physical memory for the SMMU's own queues; a
 * guest's virtual SMMU queues pass a view whose addresses are IPAs (kernel/iommufd/virtualQueues.ts).
 */
export type QueueMemory = Pick<PhysicalMemory, 'readU64' | 'writeU64'>;

export function newQueue(base: number, log2size: number, entryBytes: number): QueueState {
  if (!Number.isInteger(log2size) || log2size < 0 || log2size > MAX_LOG2SIZE) {
    throw new RangeError(`queue log2size ${log2size} is outside 0..${MAX_LOG2SIZE}`);
  }
  if (!Number.isInteger(entryBytes) || entryBytes <= 0 || entryBytes % 8 !== 0) {
    throw new RangeError(`queue entries of ${entryBytes} bytes are not whole dwords`);
  }
  // SMMU_*Q_BASE.ADDR is [55:5]: below 32 bytes there is no address to hold. (Real hardware
  // also ignores the bits below the queue's size; the model uses `base` as given, so a
  // multi-page queue only needs contiguous pages here.)
  if (!Number.isInteger(base) || base < 0 || base % 32 !== 0) {
    throw new RangeError(`queue base ${hex(base)} is not 32-byte aligned`);
  }
  return { base, log2size, entryBytes, prod: 0, cons: 0, dropped: 0 };
}

export function queueEntries(q: QueueState): number {
  return 2 ** q.log2size;
}

/** The index and wrap bit: the part of PROD/CONS that moves. */
function pointer(q: QueueState, register: number): number {
  return register & (2 * queueEntries(q) - 1);
}

function indexOf(q: QueueState, register: number): number {
  return register & (queueEntries(q) - 1);
}

function wrapOf(q: QueueState, register: number): number {
  return (register >>> q.log2size) & 1;
}

/** A PROD or CONS register in its fields: WR/RD index, wrap bit, and OVFLG/OVACKFLG (bit 31). */
export interface PointerFields {
  index: number;
  wrap: number;
  flag: number;
}

/** Decodes PROD or CONS: every view of the pointers (debugger, crash dump) reads them through this. */
export function pointerFields(q: QueueState, register: number): PointerFields {
  return { index: indexOf(q, register), wrap: wrapOf(q, register), flag: (register >>> 31) & 1 };
}

/** The register after one more entry: index + 1, toggling wrap at the top; flags kept. */
function advanced(q: QueueState, register: number): number {
  const moved = (pointer(q, register) + 1) & (2 * queueEntries(q) - 1);
  return ((register & FLAG) | moved) >>> 0;
}

export function isFull(q: QueueState): boolean {
  return (pointer(q, q.prod) ^ pointer(q, q.cons)) === queueEntries(q);
}

export function isEmpty(q: QueueState): boolean {
  return pointer(q, q.prod) === pointer(q, q.cons);
}

export function occupancy(q: QueueState): number {
  return (pointer(q, q.prod) - pointer(q, q.cons)) & (2 * queueEntries(q) - 1);
}

export function inOverflow(q: QueueState): boolean {
  return ((q.prod ^ q.cons) & FLAG) !== 0;
}

/** The address of entry `index`: base + index × entry size. */
export function entryAddress(q: QueueState, index: number): number {
  return q.base + index * q.entryBytes;
}

function readEntry(memory: QueueMemory, q: QueueState, index: number): bigint[] {
  const dwords: bigint[] = [];
  for (let offset = 0; offset < q.entryBytes; offset += 8) dwords.push(memory.readU64(entryAddress(q, index) + offset));
  return dwords;
}

/**
 * The producer writes an entry at PROD.WR and advances PROD. 'full': nothing written.
 * A PRI queue also takes no entries while an overflow is unacknowledged (§8.1, unlike the
 * event queue): its caller checks inOverflow first, as this state does not know its kind.
 */
export function produce(memory: QueueMemory, q: QueueState, dwords: readonly bigint[]): 'written' | 'full' {
  if (dwords.length * 8 !== q.entryBytes) {
    throw new RangeError(`a ${q.entryBytes}-byte queue entry is ${q.entryBytes / 8} dwords, got ${dwords.length}`);
  }
  if (isFull(q)) return 'full';
  const address = entryAddress(q, indexOf(q, q.prod));
  dwords.forEach((dword, i) => memory.writeU64(address + 8 * i, dword));
  q.prod = advanced(q, q.prod);
  return 'written';
}

/** A discarded record: counts it and toggles PROD.OVFLG unless an overflow condition is already present (7.4). */
export function discard(q: QueueState): void {
  q.dropped++;
  if (!inOverflow(q)) q.prod = (q.prod ^ FLAG) >>> 0;
}

/** The consumer reads the entry at CONS.RD and advances CONS; undefined when empty. */
export function consume(memory: QueueMemory, q: QueueState): { index: number; dwords: bigint[] } | undefined {
  if (isEmpty(q)) return undefined;
  const index = indexOf(q, q.cons);
  const dwords = readEntry(memory, q, index);
  q.cons = advanced(q, q.cons);
  return { index, dwords };
}

/** Software acknowledges overflow with its CONS write: OVACKFLG = OVFLG. */
export function acknowledgeOverflow(q: QueueState): void {
  q.cons = ((q.cons & ~FLAG) | (q.prod & FLAG)) >>> 0;
}

/** The entries not yet consumed, oldest first, with their index (for views). */
export function pendingEntries(memory: QueueMemory, q: QueueState): { index: number; dwords: bigint[] }[] {
  const entries: { index: number; dwords: bigint[] }[] = [];
  for (let i = 0; i < occupancy(q); i++) {
    const index = indexOf(q, q.cons + i);
    entries.push({ index, dwords: readEntry(memory, q, index) });
  }
  return entries;
}

/** A slot's dwords as in memory (consumed ones included), for a debugger's view. */
export function slot(memory: QueueMemory, q: QueueState, index: number): bigint[] {
  if (!Number.isInteger(index) || index < 0 || index >= queueEntries(q)) {
    throw new RangeError(`slot ${index} is outside a queue of ${queueEntries(q)} entries`);
  }
  return readEntry(memory, q, index);
}

/** `PROD 0x00000021 (WR 1, wrap 1, OVFLG 0) · CONS 0x00000000 (RD 0, wrap 0, OVACKFLG 0)`. */
export function describePointers(q: QueueState): string {
  const describe = (register: number, index: 'WR' | 'RD', flag: 'OVFLG' | 'OVACKFLG'): string => {
    const fields = pointerFields(q, register);
    return `${hex32(register)} (${index} ${fields.index}, wrap ${fields.wrap}, ${flag} ${fields.flag})`;
  };
  return `PROD ${describe(q.prod, 'WR', 'OVFLG')} · CONS ${describe(q.cons, 'RD', 'OVACKFLG')}`;
}
