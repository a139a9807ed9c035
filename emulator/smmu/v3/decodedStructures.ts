import { PhysicalMemory } from '../../memory/physicalMemory';
import { PAGE_SIZE } from '../../util/u64';

/** An STE and a CD are both 64 bytes (5.2, 5.4): sixteen 32-bit words, 64-byte aligned, so never across a page. */
const WORDS = 16;
const DWORDS = 8;

interface Decoded<T> {
  words: Uint32Array;
  value: T;
  /** The memory's write count when the words were last found the same: no write since, no need to look. */
  checked: number;
}

/**
 * A machine's STEs (or CDs) decoded once, each used again while its memory still holds the
 * 64 bytes it was decoded from.
 *
 * The model has no configuration cache (it takes no CMD_CFGI_*): a transaction sees its
 * STE and CD as memory holds them when it arrives, so a write to either counts at once.
 * An entry is checked against memory on every use — at once when nothing at all was
 * written since its last check (the memory's write count), else word by word — so no
 * write, snapshot restore or debugger poke can leave a stale one behind; and that costs a
 * fraction of reading eight BigInt dwords and decoding them, which every transaction did.
 * A decoded value is shared: callers never change it.
 */
export class DecodedStructures<T> {
  private readonly entries = new Map<number, Decoded<T>>();

  constructor(
    private readonly memory: PhysicalMemory,
    private readonly decode: (dwords: readonly bigint[]) => T,
  ) {}

  /** The structure at `pa` (64-byte aligned), decoded. */
  read(pa: number): T {
    const memory = this.memory;
    const known = this.entries.get(pa);
    if (known !== undefined) {
      if (known.checked === memory.writeCount) return known.value;
      if (holds(memory, pa, known.words)) {
        known.checked = memory.writeCount;
        return known.value;
      }
    }
    // Read as before (readU64 checks the address), then remember the words it came from.
    const dwords: bigint[] = [];
    for (let i = 0; i < DWORDS; i++) dwords.push(memory.readU64(pa + 8 * i));
    const value = this.decode(dwords);
    const words = new Uint32Array(WORDS);
    for (let i = 0; i < WORDS; i++) words[i] = wordAt(memory, pa, i);
    this.entries.set(pa, { words, value, checked: memory.writeCount });
    return value;
  }
}

function wordAt(memory: PhysicalMemory, pa: number, i: number): number {
  return memory.pageWord(Math.floor(pa / PAGE_SIZE), ((pa % PAGE_SIZE) >>> 2) + i);
}

/** Whether memory at `pa` still holds `words`. */
function holds(memory: PhysicalMemory, pa: number, words: Uint32Array): boolean {
  const page = Math.floor(pa / PAGE_SIZE);
  const first = (pa % PAGE_SIZE) >>> 2;
  for (let i = 0; i < WORDS; i++) if (memory.pageWord(page, first + i) !== words[i]) return false;
  return true;
}
