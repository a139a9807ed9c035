import { decode, RegisterLayout, setFlags } from './registerLayout';
import { hex } from '../util/u64';

export interface DumpedRegister {
  name: string;
  value: bigint;
  /** `TF|SS`, or the fields with values for multi-bit registers. */
  decoded: string;
}

export function dumpRegister(layout: RegisterLayout, value: bigint): DumpedRegister {
  const decoded =
    layout.fields.every((f) => f.width === 1 || f.name === 'FORMAT')
      ? setFlags(layout, value)
      : decode(layout, value)
          .filter((d) => d.value !== 0n)
          .map((d) => `${d.field.name}=${d.meaning ?? hex(d.value)}`)
          .join(' ');
  return { name: layout.name, value, decoded };
}
