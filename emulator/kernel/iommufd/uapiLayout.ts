import { hex32, hex64 } from '../../util/u64';

/**
 * A uapi structure as the kernel lays it out on a 64-bit host: each field's byte offset and
 * width (`__u32`, `__u64`/`__aligned_u64`), little-endian as arm64 and x86-64 store it, with
 * the `__reserved` words that must be 0. One table per structure serves encoding, decoding
 * and the debugger's field lines, so an offset is written down once.
 */

export type FieldKind = 'u32' | 'u64';

/** A structure's values: u32 fields as numbers, u64 fields as bigints. */
export type StructValues = Record<string, number | bigint>;

export interface StructField<T extends StructValues> {
  name: keyof T & string;
  offset: number;
  kind: FieldKind;
  /** Names of the bits a flags field defines, lowest first: shown after the value. */
  bits?: readonly (readonly [number, string])[];
  /** Names of the values an enum field defines. */
  values?: readonly (readonly [number, string])[];
}

export interface StructLayout<T extends StructValues> {
  /** `struct iommu_hwpt_pgfault`. */
  name: string;
  /** sizeof() on a 64-bit host. */
  size: number;
  fields: readonly StructField<T>[];
  /** Offsets of `__reserved` u32 words: written as 0, reported when not 0. */
  reserved: readonly number[];
}

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** The structure's bytes; every byte no field covers (the reserved words) is 0. */
export function encodeStruct<T extends StructValues>(layout: StructLayout<T>, values: T): Uint8Array {
  const bytes = new Uint8Array(layout.size);
  const dv = view(bytes);
  for (const f of layout.fields) {
    const value = values[f.name];
    if (f.kind === 'u64') {
      if (typeof value !== 'bigint' || value < 0n || value >= 1n << 64n) throw new RangeError(`${layout.name}.${f.name} ${String(value)} is not a __u64`);
      dv.setBigUint64(f.offset, value, true);
    } else {
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 0xffff_ffff) throw new RangeError(`${layout.name}.${f.name} ${String(value)} is not a __u32`);
      dv.setUint32(f.offset, value, true);
    }
  }
  return bytes;
}

/** The fields of `bytes` (exactly sizeof the structure). */
export function decodeStruct<T extends StructValues>(layout: StructLayout<T>, bytes: Uint8Array): T {
  if (bytes.length !== layout.size) throw new RangeError(`${layout.name} is ${layout.size} bytes, got ${bytes.length}`);
  const dv = view(bytes);
  const values: StructValues = {};
  for (const f of layout.fields) values[f.name] = f.kind === 'u64' ? dv.getBigUint64(f.offset, true) : dv.getUint32(f.offset, true);
  return values as T;
}

function named<T extends StructValues>(value: number, f: StructField<T>): string {
  if (f.values) return f.values.find(([v]) => v === value)?.[1] ?? 'unknown';
  if (!f.bits) return '';
  const set = f.bits.filter(([bit]) => (value & bit) !== 0).map(([, name]) => name);
  const unknown = f.bits.reduce((rest, [bit]) => rest & ~bit, value) >>> 0;
  if (unknown !== 0) set.push(`unknown ${hex32(unknown)}`);
  return set.length > 0 ? set.join('|') : 'none';
}

/**
 * `field: value` lines for a debugger, in memory order, with `@offset`:
 * `flags @0: 0x00000002 (LAST_PAGE)`, `addr @24: 0x0000000000001000`; a reserved word that is
 * not 0 is listed as such.
 */
export function describeStruct<T extends StructValues>(layout: StructLayout<T>, bytes: Uint8Array): string[] {
  const values = decodeStruct(layout, bytes);
  const dv = view(bytes);
  const lines: { offset: number; text: string }[] = layout.fields.map((f) => {
    const value = values[f.name];
    if (typeof value === 'bigint') return { offset: f.offset, text: `${f.name} @${f.offset}: ${hex64(value)}` };
    const meaning = named(value, f);
    return { offset: f.offset, text: `${f.name} @${f.offset}: ${hex32(value)}${meaning ? ` (${meaning})` : ''}` };
  });
  for (const offset of layout.reserved) {
    const word = dv.getUint32(offset, true);
    if (word !== 0) lines.push({ offset, text: `__reserved @${offset}: ${hex32(word)} (must be 0)` });
  }
  return lines.sort((a, b) => a.offset - b.offset).map((l) => l.text);
}
