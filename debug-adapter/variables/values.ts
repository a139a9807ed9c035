import { hex } from '../../emulator/util/u64';
import { RequestError } from '../errors';

/** A value the user typed into the Variables view: decimal, hex (`0x…`, `_` allowed), or true/false. */
export function parseValue(text: string): bigint {
  const trimmed = text.trim().replace(/_/g, '');
  if (trimmed === 'true') return 1n;
  if (trimmed === 'false') return 0n;
  if (/^(0x[0-9a-f]+|\d+)$/i.test(trimmed)) return BigInt(trimmed);
  throw new RequestError(`'${text}' is not a number: write it in decimal or as 0x…`);
}

/** A physical address as a DAP memoryReference: its hex form. */
export function memoryReference(pa: bigint | number): string {
  return hex(pa);
}

export function parseMemoryReference(reference: string): number {
  if (!/^0x[0-9a-f]+$/i.test(reference)) throw new RequestError(`memoryReference '${reference}' is not a physical address (0x…)`);
  const pa = Number(BigInt(reference));
  if (pa >= 2 ** 48) throw new RequestError(`memoryReference ${reference} is beyond the 48-bit physical address space`);
  return pa;
}
