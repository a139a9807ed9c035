import type { HeldTransaction } from '../smmu';
import { FaultRecord } from '../../machine/state';
import { hex } from '../../util/u64';
import type { QueueState } from './queue';

/** An SMMUv3's structures and queues as plain data in the machine's state (a snapshot clones them). */

/** A transaction held by its own fault on an SMMUv3 until a CMD_RESUME names its STAG. */
export interface StallV3State {
  stag: number;
  transaction: number;
  sid: number;
  fault: FaultRecord;
}

/** Where Linux put a stream's structures in memory at attach. */
export interface StreamTableEntryState {
  sid: number;
  master: number;
  /** PA of the STE. */
  ste: number;
  /** PA of the CD table (one CD when the master binds no PASIDs), if the STE translates. */
  cdTable: number | undefined;
  /** The domain of each CD in use, by SSID. */
  cds: { ssid: number; domain: number; asid: number }[];
}

/** A page request group the device is waiting on: its PRG index and the transactions behind it. */
export interface PrgWaitState {
  smmu: number;
  sid: number;
  prgi: number;
  transactions: number[];
}

/**
 * A page request group a device is still filling: the failed translations of one submit.
 * The device holds back its latest request, so that the final one can carry Last.
 */
export interface OpenPrgState {
  engine: number;
  submit: bigint;
  prgi: number;
  held: { transaction: number; addr: bigint; write: boolean; ssid: number | undefined; sid: number } | undefined;
}

export interface SmmuV3State {
  version: 'v3';
  /** SMMU_STRTAB_BASE: the level-1 stream table (SPLIT 6: 64 STEs a level-2 table). */
  strtabBase: number;
  /** SMMU_STRTAB_BASE_CFG.LOG2SIZE: StreamID bits the table covers. */
  sidBits: number;
  streams: StreamTableEntryState[];
  eventq: QueueState;
  priq: QueueState;
  cmdq: QueueState;
  stalls: StallV3State[];
  nextStag: number;
  /** Stall records that met a full event queue: written as soon as there is room (7.4). */
  waitingRecords: { transaction: number; fault: number; dwords: bigint[] }[];
  /** The queue's IRQ thread is scheduled or running: a new record needs no new interrupt. */
  evtqIrqActive: boolean;
  priqIrqActive: boolean;
  /** PRI: the groups devices wait on, and each device's next PRG index. */
  prgWaits: PrgWaitState[];
  openPrgs: OpenPrgState[];
  nextPrgi: number[];
  /**
   * The TLB's contexts, in the order translations first used them: a tag is that order (0, 1, …).
   * An SMMUv3 tags a translation with its VMID (stage 2, STE.S2VMID; 0 for the host's stage 1)
   * and its ASID (stage 1, CD.ASID; 0 for a stage-2-only stream). Keyed by `contextKey`:
   * every transaction looks its context up.
   */
  tlbContexts: Map<number, number>;
}

/** A VMID and an ASID (16 bits each) as one number. */
function contextKey(vmid: number, asid: number): number {
  return vmid * 0x1_0000 + asid;
}

/** The TLB tag of a VMID and ASID, made on first use. */
export function tlbContext(state: SmmuV3State, vmid: number, asid: number): number {
  const known = knownTlbContext(state, vmid, asid);
  if (known !== undefined) return known;
  const tag = state.tlbContexts.size;
  state.tlbContexts.set(contextKey(vmid, asid), tag);
  return tag;
}

/** The TLB tag of a VMID and ASID that has cached something, if any has. */
export function knownTlbContext(state: SmmuV3State, vmid: number, asid: number): number | undefined {
  return state.tlbContexts.get(contextKey(vmid, asid));
}

/** The transactions an SMMUv3 holds: those stalled with a STAG, then those waiting on a page request group. */
export function heldByStallsAndGroups(state: SmmuV3State): HeldTransaction[] {
  return [
    ...state.stalls.map((s) => ({ id: s.transaction, behind: false, waits: `stalled with STAG ${hex(s.stag)}, no CMD_RESUME` })),
    ...state.prgWaits.flatMap((w) => w.transactions.map((id) => ({ id, behind: false, waits: `waits on page request group ${hex(w.prgi)}` }))),
  ];
}
