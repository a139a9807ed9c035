import { DebugProtocol } from '@vscode/debugprotocol';
import { Machine } from '../emulator/machine/machine';
import { PA_LIMIT } from '../emulator/inspect/memory';
import { hex } from '../emulator/util/u64';
import { ErrorId, RequestError } from './errors';
import { RequestArguments } from './requestArguments';
import { memoryReference, parseMemoryReference } from './variables/values';

/** The most a readMemory answers with at once: a few pages (a longer one gets a short read). */
const MAX_MEMORY_READ = 1 << 16;

/** Where a memory request starts: its memoryReference plus its offset, inside the physical address space. */
function startOf(args: RequestArguments, command: string): number {
  const pa = parseMemoryReference(args.string('memoryReference'));
  const offset = args.optionalInteger('offset') ?? 0;
  const start = pa + offset;
  if (start < 0 || start >= PA_LIMIT) {
    throw new RequestError(`${command}: ${hex(pa)} ${offset < 0 ? '-' : '+'} ${Math.abs(offset)} is outside the 48-bit physical address space`, ErrorId.BadArguments);
  }
  return start;
}

/**
 * `readMemory`: up to MAX_MEMORY_READ bytes from the start (a short read asks for the rest
 * again); bytes past the end of physical memory are reported unreadable.
 */
export function readMemory(machine: Machine, args: RequestArguments): DebugProtocol.ReadMemoryResponse['body'] {
  const start = startOf(args, 'readMemory');
  const count = args.integer('count', { min: 0 });
  const readable = Math.min(count, PA_LIMIT - start);
  const read = Math.min(readable, MAX_MEMORY_READ);
  const bytes = machine.runtime.memory.readBytes(start, read);
  return { address: memoryReference(start), data: Buffer.from(bytes).toString('base64'), unreadableBytes: read < readable ? 0 : count - readable };
}

/** Standard base64, as DAP carries memory: `Buffer.from` would skip any other character silently. */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** The bytes and where a `writeMemory` puts them; refused when they do not fit in physical memory. */
export function memoryWrite(args: RequestArguments): { start: number; bytes: Uint8Array } {
  const start = startOf(args, 'writeMemory');
  const data = args.string('data');
  if (!BASE64.test(data)) throw new RequestError("writeMemory: 'data' must be base64", ErrorId.BadArguments);
  const bytes = new Uint8Array(Buffer.from(data, 'base64'));
  if (start + bytes.length > PA_LIMIT) throw new RequestError('the write goes beyond physical memory', ErrorId.BadArguments);
  return { start, bytes };
}
