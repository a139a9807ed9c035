import { PhysicalMemory } from '../../memory/physicalMemory';
import { Command, decodeCommand, encodeCommand } from '../../smmu/v3/commands';
import { EVENT_FIELDS } from '../../smmu/v3/eventRecord';
import { readBits } from '../../smmu/v3/ste';
import { consume, discard, entryAddress, inOverflow, isEmpty, isFull, newQueue, pointerFields, produce, QueueMemory, QueueState } from '../../smmu/v3/queue';

/**
 * The guest's virtual SMMUv3 event and command queues: circular queues (IHI 0070 §3.5.1) the
 * guest's arm-smmu-v3 driver places in its own memory, at IPAs (SMMU_EVENTQ_BASE and
 * SMMU_CMDQ_BASE of the virtual SMMU hold IPAs). The state is queue.ts' QueueState with
 * `base` an IPA; every entry access goes through the VM's stage 2, `translate` (IPA → PA,
 * undefined where stage 2 maps nothing).
 *
 * An entry never crosses a page (the base is 32-byte aligned and entries are 16 or 32
 * bytes), so one translation per entry is the whole story. An access stage 2 cannot
 * translate is the virtual SMMU's external abort on its queue (§13.1, the queue access
 * rows): GERROR.EVENTQ_ABT_ERR for the event queue, GERROR.CMDQ_ERR with CERROR_ABT (§7.1)
 * for a command fetch; the VMM reports the first, raises the second.
 */

export type Stage2Translate = (ipa: bigint) => bigint | undefined;

export interface GuestMemory {
  memory: PhysicalMemory;
  translate: Stage2Translate;
}

/** The virtual SMMU's two queues: bases are IPAs. Plain data, like every QueueState. */
export interface VirtualSmmuQueues {
  eventq: QueueState;
  cmdq: QueueState;
  /** Stall records that met a full event queue: they wait for room, oldest first (§7.4). */
  waitingStalls: bigint[][];
}

/** SMMU_EVENTQ_BASE / SMMU_CMDQ_BASE as the guest programs them: IPA and LOG2SIZE; entries of 32 and 16 bytes. */
export function newVirtualQueues(eventq: { ipa: number; log2size: number }, cmdq: { ipa: number; log2size: number }): VirtualSmmuQueues {
  return { eventq: newQueue(eventq.ipa, eventq.log2size, 32), cmdq: newQueue(cmdq.ipa, cmdq.log2size, 16), waitingStalls: [] };
}

/** The PA of the entry at `register`'s index, or undefined where stage 2 faults. */
function entryPa(guest: GuestMemory, q: QueueState, register: number): { ipa: bigint; pa: bigint | undefined } {
  const ipa = BigInt(entryAddress(q, pointerFields(q, register).index));
  return { ipa, pa: guest.translate(ipa) };
}

/** The queue memory seen through stage 2: only called for entries entryPa found mapped. */
function throughStage2(guest: GuestMemory): QueueMemory {
  const pa = (ipa: number): number => {
    const out = guest.translate(BigInt(ipa));
    if (out === undefined) throw new Error(`IPA 0x${ipa.toString(16)} is not mapped at stage 2`);
    return Number(out);
  };
  return {
    readU64: (ipa) => guest.memory.readU64(pa(ipa)),
    writeU64: (ipa, value) => guest.memory.writeU64(pa(ipa), value),
  };
}

export type InjectOutcome =
  | { outcome: 'written'; index: number; ipa: bigint; pa: bigint }
  /** A stall record and a full queue (or stall records already waiting): it waits, no overflow (§7.4). */
  | { outcome: 'waiting' }
  /** Any other record and a full queue: discarded, SMMU_EVENTQ_PROD.OVFLG toggles unless an overflow is already unacknowledged (§7.4). */
  | { outcome: 'overflow'; toggled: boolean }
  /** Stage 2 maps no page at the entry's IPA: nothing written, PROD unchanged (GERROR.EVENTQ_ABT_ERR). */
  | { outcome: 'abort'; ipa: bigint };

function write(guest: GuestMemory, q: QueueState, dwords: readonly bigint[]): InjectOutcome {
  const index = pointerFields(q, q.prod).index;
  const { ipa, pa } = entryPa(guest, q, q.prod);
  if (pa === undefined) return { outcome: 'abort', ipa };
  produce(throughStage2(guest), q, dwords);
  return { outcome: 'written', index, ipa, pa };
}

/**
 * The VMM writes a 32-byte event record at the guest's EVENTQ_PROD and moves PROD, as the
 * virtual SMMU's hardware would: a stall record is never lost (it waits for room, behind any
 * already waiting); any other record meeting a full queue is discarded.
 */
export function injectEvent(guest: GuestMemory, vq: VirtualSmmuQueues, dwords: readonly bigint[]): InjectOutcome {
  const q = vq.eventq;
  if (readBits(dwords, EVENT_FIELDS.STALL) === 1n && (vq.waitingStalls.length > 0 || isFull(q))) {
    vq.waitingStalls.push([...dwords]);
    return { outcome: 'waiting' };
  }
  if (isFull(q)) {
    const toggled = !inOverflow(q);
    discard(q);
    return { outcome: 'overflow', toggled };
  }
  return write(guest, q, dwords);
}

/** Room was made: the stall records that waited go in, oldest first; what each write did. */
export function injectWaitingStalls(guest: GuestMemory, vq: VirtualSmmuQueues): InjectOutcome[] {
  const done: InjectOutcome[] = [];
  while (vq.waitingStalls.length > 0 && !isFull(vq.eventq)) {
    const outcome = write(guest, vq.eventq, vq.waitingStalls[0]);
    done.push(outcome);
    if (outcome.outcome === 'abort') break;
    vq.waitingStalls.shift();
  }
  return done;
}

export type TakeOutcome = { outcome: 'read'; index: number; dwords: bigint[] } | { outcome: 'empty' } | { outcome: 'abort'; ipa: bigint };

function take(guest: GuestMemory, q: QueueState): TakeOutcome {
  if (isEmpty(q)) return { outcome: 'empty' };
  const { ipa, pa } = entryPa(guest, q, q.cons);
  if (pa === undefined) return { outcome: 'abort', ipa };
  const entry = consume(throughStage2(guest), q);
  return entry ? { outcome: 'read', ...entry } : { outcome: 'empty' };
}

/** The guest's arm_smmu_evtq_thread takes the record at EVENTQ_CONS (its CPU accesses go through the same stage 2). */
export function guestTakeEvent(guest: GuestMemory, q: QueueState): TakeOutcome {
  return take(guest, q);
}

/** The guest's driver writes a command at CMDQ_PROD (arm_smmu_cmdq_issue_cmd) and moves PROD: the write the VMM traps. */
export function guestIssueCommand(guest: GuestMemory, q: QueueState, command: Command): { outcome: 'written'; index: number } | { outcome: 'full' } | { outcome: 'abort'; ipa: bigint } {
  if (isFull(q)) return { outcome: 'full' };
  const index = pointerFields(q, q.prod).index;
  const { ipa, pa } = entryPa(guest, q, q.prod);
  if (pa === undefined) return { outcome: 'abort', ipa };
  produce(throughStage2(guest), q, encodeCommand(command));
  return { outcome: 'written', index };
}

/** The VMM, trapping the CMDQ_PROD write, fetches the command at CMDQ_CONS and moves CONS. A fetch stage 2 cannot translate is CERROR_ABT. */
export function vmmFetchCommand(guest: GuestMemory, q: QueueState): (TakeOutcome & { outcome: 'empty' | 'abort' }) | { outcome: 'read'; index: number; dwords: bigint[]; command: Command } {
  const taken = take(guest, q);
  return taken.outcome === 'read' ? { ...taken, command: decodeCommand(taken.dwords) } : taken;
}
