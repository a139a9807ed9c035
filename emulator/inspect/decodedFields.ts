import { DecodedField } from '../smmu/v3/ste';
import { hex } from '../util/u64';

/** One field of an SMMUv3 structure as the debugger shows it: value in hex when wider than 4 bits. */
export interface FieldView {
  name: string;
  bits: string;
  value: string;
  meaning: string;
}

/** How many bits a label like `[55:6]` or `91` covers. */
export function widthOf(bits: string): number {
  const range = /^\[(\d+):(\d+)\]$/.exec(bits);
  return range ? Number(range[1]) - Number(range[2]) + 1 : 1;
}

export function fieldView(field: DecodedField): FieldView {
  const value = widthOf(field.bits) > 4 ? hex(field.value) : field.value.toString();
  return { name: field.name, bits: field.bits, value, meaning: field.meaning };
}

/** `0x10 (F_TRANSLATION: translation fault)`; a meaning that only repeats the value is left out. */
export function fieldText(field: FieldView): string {
  return field.meaning && field.meaning !== field.value ? `${field.value} (${field.meaning})` : field.value;
}

export type { DecodedField } from '../smmu/v3/ste';
