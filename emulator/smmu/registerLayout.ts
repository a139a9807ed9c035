/** How a register or descriptor word breaks into fields: what the debugger expands and a dump prints. */
export interface BitField {
  name: string;
  /** Lowest bit. */
  lsb: number;
  width: number;
  description: string;
  /** Meanings of particular values, when they have names. */
  values?: Readonly<Record<number, string>>;
}

export interface RegisterLayout {
  name: string;
  width: 32 | 64;
  description: string;
  fields: readonly BitField[];
}

export interface DecodedField {
  field: BitField;
  value: bigint;
  /** The value's meaning, when the field names it. */
  meaning: string | undefined;
}

export function fieldValue(field: BitField, value: bigint): bigint {
  return (value >> BigInt(field.lsb)) & ((1n << BigInt(field.width)) - 1n);
}

export function withField(field: BitField, register: bigint, value: bigint): bigint {
  const mask = ((1n << BigInt(field.width)) - 1n) << BigInt(field.lsb);
  return (register & ~mask) | ((value << BigInt(field.lsb)) & mask);
}

/** The field of `layout` named `name` (as Arm names it); one it does not have is a programming error. */
export function layoutField(layout: RegisterLayout, name: string): BitField {
  const field = layout.fields.find((candidate) => candidate.name === name);
  if (!field) throw new Error(`${layout.name} has no field ${name}`);
  return field;
}

/** A 32-bit register's field `name`, as a number. */
export function field32(layout: RegisterLayout, name: string, value: number): number {
  return Number(fieldValue(layoutField(layout, name), BigInt(value >>> 0)));
}

export function decode(layout: RegisterLayout, value: bigint): DecodedField[] {
  return layout.fields.map((field) => {
    const v = fieldValue(field, value);
    return { field, value: v, meaning: field.values?.[Number(v)] };
  });
}

/** `TF|SS` — the set one-bit fields, as the kernel prints flag registers. */
export function setFlags(layout: RegisterLayout, value: bigint): string {
  const flags = layout.fields.filter((f) => f.width === 1 && fieldValue(f, value) === 1n).map((f) => f.name);
  return flags.length > 0 ? flags.join('|') : '0';
}
