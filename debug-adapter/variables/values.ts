import { hex } from '../../emulator/util/u64';
import { ErrorId, RequestError } from '../errors';

/**
 * A value the user typed into the Variables view: decimal, hex (`0x…`, `_` allowed), or
 * true/false; refused when it does not fit in the `bits` of what it is written to.
 */
export function parseValue(text: string, bits = 64): bigint {
  const trimmed = text.trim().replace(/_/g, '');
  let value: bigint;
  if (trimmed === 'true') value = 1n;
  else if (trimmed === 'false') value = 0n;
  else if (/^(0x[0-9a-f]+|\d+)$/i.test(trimmed)) value = BigInt(trimmed);
  else throw new RequestError(`'${text}' is not a number: write it in decimal or as 0x…`, ErrorId.BadArguments);
  if (value >> BigInt(bits) !== 0n) throw new RequestError(`'${text}' does not fit in ${bits} bit${bits === 1 ? '' : 's'}`, ErrorId.BadArguments);
  return value;
}

/** A physical address as a DAP memoryReference: its hex form. */
export function memoryReference(pa: bigint | number): string {
  return hex(pa);
}

export function parseMemoryReference(reference: string): number {
  if (!/^0x[0-9a-f]+$/i.test(reference)) throw new RequestError(`memoryReference '${reference}' is not a physical address (0x…)`, ErrorId.BadArguments);
  const pa = BigInt(reference);
  if (pa >= 2n ** 48n) throw new RequestError(`memoryReference ${reference} is beyond the 48-bit physical address space`, ErrorId.BadArguments);
  return Number(pa);
}
