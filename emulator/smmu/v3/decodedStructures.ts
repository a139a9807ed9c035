import { PhysicalMemory } from '../../memory/physicalMemory';
import { PAGE_SIZE } from '../../util/u64';

/** An STE and a CD are both 64 bytes (5.2, 5.4): sixteen 32-bit words, 64-byte aligned, so never across a page. */
const WORDS = 16;
const DWORDS = 8;

interface Decoded<T> {
  words: Uint32Array;
  value: T;
}

/**
 * STEs (or CDs) decoded once, each used again while memory still holds the 64 bytes it
 * was decoded from.
 *
 * The model has no configuration cache (it takes no CMD_CFGI_*): a transaction sees its
 * STE and CD as memory holds them when it arrives, so a write to either counts at once.
 * Checking an entry's sixteen words against memory on every use keeps exactly that — no
 * write, snapshot restore or debugger poke can leave a stale entry behind — and costs a
 * fraction of reading eight BigInt dwords and decoding them, which every transaction did.
 * Entries are per memory (a machine's), and a decoded value is shared: callers never change it.
 */
export class DecodedStructures<T> {
  private readonly byMemory = new WeakMap<PhysicalMemory, Map<number, Decoded<T>>>();

  constructor(private readonly decode: (dwords: readonly bigint[]) => T) {}

  /** The structure at `pa` (64-byte aligned), decoded. */
  read(memory: PhysicalMemory, pa: number): T {
    let entries = this.byMemory.get(memory);
    if (entries === undefined) this.byMemory.set(memory, (entries = new Map()));
    const known = entries.get(pa);
    if (known !== undefined && holds(memory, pa, known.words)) return known.value;
    // Read as before (readU64 checks the address), then remember the words it came from.
    const dwords: bigint[] = [];
    for (let i = 0; i < DWORDS; i++) dwords.push(memory.readU64(pa + 8 * i));
    const value = this.decode(dwords);
    const words = new Uint32Array(WORDS);
    for (let i = 0; i < WORDS; i++) words[i] = wordAt(memory, pa, i);
    entries.set(pa, { words, value });
    return value;
  }
}

function wordAt(memory: PhysicalMemory, pa: number, i: number): number {
  return memory.pageWord(Math.floor(pa / PAGE_SIZE), ((pa % PAGE_SIZE) >>> 2) + i);
}

/** Whether memory at `pa` still holds `words`. */
function holds(memory: PhysicalMemory, pa: number, words: Uint32Array): boolean {
  for (let i = 0; i < WORDS; i++) if (wordAt(memory, pa, i) !== words[i]) return false;
  return true;
}
