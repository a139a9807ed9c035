import { PhysicalMemory } from '../memory/physicalMemory';
import { IoPgtable } from '../pgtable/ioPgtable';
import { TableAllocator } from '../pgtable/tableAllocator';
import { Guest, TableOwner } from './addressSpaces';
import { GuestPhysicalView } from './guestMemory';
import { HotTableWalker } from './hotWalkers';
import { ScenarioModel } from '../scenario/model';
import type { Smmu } from '../smmu/smmu';
import { Tlb } from '../smmu/tlb';
import { Action } from './actions';
import { MachineEvent } from './events';
import { Journal } from './journal';
import { MachineState } from './state';

/**
 * What the machine's parts share: the scenario, the state, the hardware objects, and the
 * two ways to act on time — schedule an action, tell listeners what happened.
 */
export interface Runtime {
  readonly model: ScenarioModel;
  readonly state: MachineState;
  readonly memory: PhysicalMemory;
  readonly allocator: TableAllocator;
  /** Every table: a domain's default TTBR0 table at the domain's index, then pagetables and TTBR1 tables (addressSpaces.ts). */
  readonly tables: IoPgtable[];
  /** Who owns each table, and which TTBR it goes in. */
  readonly tableOwners: readonly TableOwner[];
  /** Whether any domain has `ttbr1 on`: the hot paths skip table selection when none does. */
  readonly anyTtbr1: boolean;
  /** Per domain: its TTBR1 table, with `ttbr1 on`. */
  readonly ttbr1Of: readonly (number | undefined)[];
  /** Per domain: a nested domain's guest (its memory through stage 2, its table pages). */
  readonly guests: readonly (Guest | undefined)[];
  /** Per `vm`: its guest's memory through its stage 2 (the virtual SMMU's queues are there). */
  readonly vmViews: readonly GuestPhysicalView[];
  /** The hot walker of a table, made when the table is first walked (a scenario may declare thousands); none for a nested domain's. */
  walker(table: number): HotTableWalker | undefined;
  /** Per SMMU: its driver (what every SMMU does, over its state) and its TLB. */
  readonly smmus: readonly Smmu[];
  readonly tlbs: Tlb[];
  readonly journal: Journal;
  /** The labels `expect`s name: only their transactions are tallied. */
  readonly expectedLabels: ReadonlySet<string>;
  /** Whether anyone listens: building an event costs, so callers check first. */
  readonly observed: boolean;
  schedule(delay: number, action: Action): void;
  emit(event: MachineEvent): void;
}
