import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { PhysicalMemory } from '../emulator/memory/physicalMemory';
import { accessCode, directPermissionsAt } from '../emulator/pgtable/descriptor';
import { HotWalker, HotWalkResult, TableConfig } from '../emulator/pgtable/walker';
import { Tlb } from '../emulator/smmu/tlb';
import { repoPath } from '../test/helpers/repo';

/**
 * The C reference of the hot walk and the TLB hit (bench/native/reference.c), built with the
 * system's compiler and run on the very data the JS bench used: its rates are what the same
 * algorithm costs natively on this machine, now.
 */

/** A hot-walk workload: the tables in `memory`, walked page by page in `order` from `firstPage`. */
export interface WalkWorkload {
  readonly memory: PhysicalMemory;
  readonly table: TableConfig;
  readonly firstPage: number;
  readonly order: Int32Array;
  /** The permission each walk needs (`requiredPermission`). */
  readonly required: number;
}

/** A TLB-hit workload: the filled TLB and the pages looked up, 16 rounds a batch. */
export interface TlbWorkload {
  readonly tlb: Tlb;
  readonly context: number;
  readonly lookups: Float64Array;
}

export interface NativeRates {
  readonly walksPerSecond: number;
  readonly tlbHitsPerSecond: number;
}

const PAGE_SIZE = 4096;
const COMPILERS = ['cc', 'gcc', 'clang'];
const READ = accessCode({ write: false, exec: false, priv: false });

/**
 * The C reference's rates on `walk` and `tlb`, or why there are none (no C compiler). Throws
 * when the reference's walks did not find the pages the JS walks found.
 */
export function nativeRates(walk: WalkWorkload, tlb: TlbWorkload): NativeRates | { readonly missing: string } {
  if (walk.table.granule.bytes !== PAGE_SIZE) throw new RangeError('the native reference walks 4K-granule tables');
  const dir = mkdtempSync(path.join(tmpdir(), 'iommu-native-'));
  try {
    const binary = path.join(dir, 'reference');
    const compiler = COMPILERS.find((cc) => spawnSync(cc, ['-O2', '-o', binary, repoPath('bench', 'native', 'reference.c')]).status === 0);
    if (compiler === undefined) return { missing: `no C compiler (${COMPILERS.join(', ')}) built bench/native/reference.c` };
    const workload = path.join(dir, 'workload.bin');
    writeFileSync(workload, Buffer.concat([walkBytes(walk), tlbBytes(tlb)]));
    const run = spawnSync(binary, [workload], { encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`the native reference failed (${run.status}): ${run.stderr}`);
    const rates = JSON.parse(run.stdout) as { walks_per_s: number; tlb_hits_per_s: number; walk_checksum: number };
    const expected = expectedChecksum(walk);
    if (rates.walk_checksum !== expected) throw new Error(`the native walks found other pages (checksum ${rates.walk_checksum}, not ${expected})`);
    return { walksPerSecond: rates.walks_per_s, tlbHitsPerSecond: rates.tlb_hits_per_s };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The sum of the output pages of one pass over the walk order, as the JS hot walker finds them. */
function expectedChecksum(walk: WalkWorkload): number {
  const walker = new HotWalker(walk.memory, walk.table);
  const out = new HotWalkResult();
  let sum = 0;
  for (let i = 0; i < walk.order.length; i++) {
    walker.walk(walk.firstPage + walk.order[i], READ, out);
    sum += out.outputPage;
  }
  return sum;
}

function u64s(values: readonly number[]): Buffer {
  const bytes = Buffer.alloc(values.length * 8);
  values.forEach((value, i) => bytes.writeBigUInt64LE(BigInt(value), i * 8));
  return bytes;
}

function walkBytes(walk: WalkWorkload): Buffer {
  const { memory, table } = walk;
  const permissions = Buffer.from(Array.from({ length: 16 }, (_, i) => directPermissionsAt(i)));
  const pages = memory.touchedPages().map((base) => base / PAGE_SIZE);
  const parts = [
    u64s([table.root / PAGE_SIZE, table.startLevel, 2 ** (table.ias - 12), table.oas - 32, walk.required]),
    permissions,
    u64s([pages.length]),
  ];
  for (const page of pages) parts.push(u64s([page]), Buffer.from(memory.readBytes(page * PAGE_SIZE, PAGE_SIZE)));
  parts.push(u64s([walk.firstPage, walk.order.length]), Buffer.from(walk.order.buffer, walk.order.byteOffset, walk.order.byteLength));
  return Buffer.concat(parts);
}

function tlbBytes({ tlb, context, lookups }: TlbWorkload): Buffer {
  const entries = tlb.entries().filter((entry) => entry.context === context);
  const parts = [u64s([entries.length, tlb.bucketBits, context])];
  for (const entry of entries) parts.push(u64s([entry.vpn, entry.outputPage, entry.permissions]));
  parts.push(u64s([lookups.length, ...lookups]));
  return Buffer.concat(parts);
}
