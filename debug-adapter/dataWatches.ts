import { DebugProtocol } from '@vscode/debugprotocol';
import { Machine, WritableBankRegister } from '../emulator/machine/machine';
import { PA_LIMIT } from '../emulator/inspect/memory';
import { hex } from '../emulator/util/u64';
import { RequestError } from './errors';
import { contextBankOf } from '../emulator/inspect/smmus';

/** What a data breakpoint watches: 8 bytes of memory (a descriptor), or a context-bank register. */
export type Watched =
  | { kind: 'memory'; pa: number; label: string }
  | { kind: 'register'; smmu: number; bank: number; register: WritableBankRegister | 'TTBR0' | 'TCR'; label: string };

interface Watch {
  id: number;
  watched: Watched;
  last: bigint;
}

/** `pa:0x40003010` or `reg:0:0:FSR`: how a watched thing travels as a DAP dataId. */
export function dataIdOf(watched: Watched): string {
  return watched.kind === 'memory' ? `pa:${hex(watched.pa)}:${watched.label}` : `reg:${watched.smmu}:${watched.bank}:${watched.register}:${watched.label}`;
}

const watchedRegisters: readonly Extract<Watched, { kind: 'register' }>['register'][] = ['SCTLR', 'FSR', 'FAR', 'FSYNR0', 'CBFRSYNRA', 'TTBR0', 'TCR'];

function notOurs(dataId: string): RequestError {
  return new RequestError(`'${dataId}' is not a data breakpoint this adapter made`);
}

/** A dataId back into what it watches; one this adapter cannot have made is refused. */
function parseDataId(machine: Machine, dataId: string): Watched {
  const [kind, a, b, c, ...rest] = dataId.split(':');
  if (kind === 'pa' && a !== undefined && /^0x[0-9a-f]+$/i.test(a)) {
    const pa = Number(a);
    // A descriptor or a dword: 8 bytes, 8-byte aligned, in the 48-bit physical address space.
    if (pa % 8 !== 0 || pa + 8 > PA_LIMIT) throw notOurs(dataId);
    return { kind: 'memory', pa, label: [b, c, ...rest].filter((p) => p !== undefined).join(':') };
  }
  if (kind === 'reg' && a !== undefined && b !== undefined && /^\d+$/.test(a) && /^\d+$/.test(b)) {
    const register = watchedRegisters.find((r) => r === c);
    const smmu = Number(a);
    const bank = Number(b);
    if (!register || !contextBankOf(machine.state, smmu, bank)) throw notOurs(dataId);
    return { kind: 'register', smmu, bank, register, label: rest.join(':') };
  }
  throw notOurs(dataId);
}

/** Data breakpoints: stop when a watched descriptor or register changes value. */
export class DataWatches {
  private watches: Watch[] = [];
  private nextId = 1_000_000;

  constructor(private readonly machine: Machine) {}

  private read(watched: Watched): bigint {
    if (watched.kind === 'memory') return this.machine.runtime.memory.readU64(watched.pa);
    const bank = contextBankOf(this.machine.state, watched.smmu, watched.bank);
    if (!bank) return 0n;
    switch (watched.register) {
      case 'SCTLR':
        return BigInt(bank.sctlr);
      case 'FSR':
        return BigInt(bank.fsr >>> 0);
      case 'FAR':
        return bank.far;
      case 'FSYNR0':
        return BigInt(bank.fsynr0);
      case 'CBFRSYNRA':
        return BigInt(bank.cbfrsynra);
      case 'TTBR0':
        return bank.ttbr0;
      case 'TCR':
        return BigInt(bank.tcr);
    }
  }

  /** Replaces every watch by those of `dataIds`; one that cannot be watched is answered unverified. */
  set(dataIds: readonly string[]): DebugProtocol.Breakpoint[] {
    this.watches = [];
    return dataIds.map((dataId) => {
      const id = this.nextId++;
      try {
        const watched = parseDataId(this.machine, dataId);
        this.watches.push({ id, watched, last: this.read(watched) });
        return { id, verified: true };
      } catch (error) {
        if (!(error instanceof RequestError)) throw error;
        return { id, verified: false, message: error.message };
      }
    });
  }

  /** Re-reads every watched value: after going back in time, what is there now is the baseline. */
  rebase(): void {
    for (const watch of this.watches) watch.last = this.read(watch.watched);
  }

  /** The first watch whose value changed since it was last read, as a stop on `threadId`. */
  changed(threadId: number) {
    for (const watch of this.watches) {
      const now = this.read(watch.watched);
      if (now === watch.last) continue;
      const before = watch.last;
      watch.last = now;
      return {
        reason: 'data breakpoint' as const,
        threadId,
        description: 'Paused on data breakpoint',
        text: `${watch.watched.label} changed: ${hex(before)} → ${hex(now)}`,
        hitBreakpointIds: [watch.id],
      };
    }
    return undefined;
  }
}
