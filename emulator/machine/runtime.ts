import { PhysicalMemory } from '../memory/physicalMemory';
import { IoPgtable } from '../pgtable/ioPgtable';
import { TableAllocator } from '../pgtable/tableAllocator';
import { HotWalker } from '../pgtable/walker';
import { ScenarioModel } from '../scenario/model';
import { Tlb } from '../smmu/tlb';
import { Action } from './actions';
import { CrashDump } from './dump';
import { MachineEvent } from './events';
import { FaultRecord, MachineState, TransactionState } from './state';

/** A `log` statement's output. */
export interface LogRecord {
  time: number;
  thread: number;
  message: string;
  /** Offset of the statement in the scenario. */
  offset: number;
}

/** A `map` a handler made: which source line built which range. */
export interface MapRecord {
  time: number;
  domain: number;
  iova: bigint;
  size: bigint;
  /** Offset of the `map` statement. */
  offset: number;
}

/**
 * Append-only records of the run. A snapshot keeps their lengths; restoring truncates,
 * so they are never copied.
 */
export interface Journal {
  faults: FaultRecord[];
  /** Transactions worth reporting once they ended: labelled ones, and any that did not complete. */
  ended: TransactionState[];
  dumps: CrashDump[];
  logs: LogRecord[];
  maps: MapRecord[];
}

/**
 * What the machine's parts share: the scenario, the state, the hardware objects, and the
 * two ways to act on time — schedule an action, tell listeners what happened.
 */
export interface Runtime {
  readonly model: ScenarioModel;
  readonly state: MachineState;
  readonly memory: PhysicalMemory;
  readonly allocator: TableAllocator;
  /** Per domain. */
  readonly tables: IoPgtable[];
  readonly walkers: HotWalker[];
  /** Per SMMU. */
  readonly tlbs: Tlb[];
  readonly journal: Journal;
  /** Whether anyone listens: building an event costs, so callers check first. */
  readonly observed: boolean;
  schedule(delay: number, action: Action): void;
  emit(event: MachineEvent): void;
}
