import { DebugProtocol } from '@vscode/debugprotocol';
import { Machine } from '../emulator/machine/machine';
import { FaultRecord, IopfGroupState, TransactionState } from '../emulator/machine/state';
import { describeWalk } from '../emulator/inspect/walks';
import { hex } from '../emulator/util/u64';
import { FrameInfo } from './frames';
import { findTransaction } from '../emulator/inspect/transactions';
import { rootOf, tableEntries, tableVariables } from './variables/pageTable';
import { pendingCount, queuesVariables } from './variables/queues';
import { registerVariables } from './variables/registers';
import { faultVariables, stalledVariables, transactionVariables } from './variables/scopes';
import { streamRegisterVariables } from './variables/streamRegisters';
import { VariableStore } from './variables/store';
import { contextBankOf, streamTableOf } from '../emulator/inspect/smmus';
import { domainTables, liveTableFor } from '../emulator/inspect/tables';

/** Where a frame's state lives: its transaction, fault, context bank (v2) or stream (v3), and domain. */
export interface FrameContext {
  transaction: TransactionState | undefined;
  fault: FaultRecord | undefined;
  smmu: number | undefined;
  /** The context bank it translates in, on an SMMU that has context banks. */
  bank: number | undefined;
  domain: number | undefined;
  /** The StreamID and SubstreamID of its traffic (whose STE and CD apply, on an SMMU with a stream table). */
  sid: number | undefined;
  ssid: number | undefined;
  /** SMMUv3: the group an iopf handler answers. */
  group: IopfGroupState | undefined;
}

/** Where the engine's StreamID goes now, as its SMMU routes it: the domain, and its context bank (v2) or stream (v3). */
function routeOfEngine(machine: Machine, engine: number): Omit<FrameContext, 'transaction' | 'fault' | 'group'> | undefined {
  const model = machine.model.engines[engine];
  const smmu = machine.model.masters[model?.master ?? -1]?.smmu;
  if (!model || smmu === undefined) return undefined;
  const route = machine.smmu(smmu)?.route(model.sid, undefined);
  if (route?.kind !== 'translate') return undefined;
  const { bank, domain } = route.context;
  return { smmu, bank, domain, sid: model.sid, ssid: undefined };
}

function bankDomain(machine: Machine, smmu: number, bank: number | undefined): number | undefined {
  return bank === undefined ? undefined : contextBankOf(machine.state, smmu, bank)?.domain;
}

function activityContext(machine: Machine, frame: Extract<FrameInfo, { kind: 'handler' | 'kernel' }>): FrameContext {
  const { activity } = frame;
  const { fault, group } = activity;
  const transaction = fault ? findTransaction(machine, fault.transaction) : undefined;
  return {
    transaction,
    fault,
    smmu: activity.smmu,
    bank: activity.bank,
    domain: activity.domain ?? bankDomain(machine, activity.smmu, activity.bank),
    sid: group?.sid ?? fault?.sid,
    ssid: group ? group.ssid : transaction?.pasid === undefined ? undefined : Number(transaction.pasid),
    group,
  };
}

export function contextOf(machine: Machine, frame: FrameInfo): FrameContext {
  if (frame.kind === 'handler' || frame.kind === 'kernel') return activityContext(machine, frame);
  const transaction = frame.transaction;
  // Where it translated, else where its stream goes now (nothing issued yet, not routed yet, or it reached no domain).
  const domain = transaction && (transaction.domain ?? bankDomain(machine, transaction.smmu, transaction.bank));
  const route = transaction?.bank === undefined && domain === undefined ? routeOfEngine(machine, frame.engine) : undefined;
  return {
    transaction,
    fault: transaction?.lastFault,
    smmu: transaction?.smmu ?? route?.smmu,
    bank: transaction?.bank ?? route?.bank,
    domain: domain ?? route?.domain,
    sid: transaction?.sid ?? route?.sid,
    ssid: transaction ? (transaction.pasid === undefined ? undefined : Number(transaction.pasid)) : route?.ssid,
    group: undefined,
  };
}

/** The Registers scope: the context bank's registers, or the stream's STE and CDs — what the SMMU has. */
function registersScope(machine: Machine, store: VariableStore, context: FrameContext, onWrite: () => void): DebugProtocol.Scope | undefined {
  const smmu = context.smmu;
  if (smmu === undefined) return undefined;
  const smmuName = machine.model.smmus[smmu]?.name ?? '?';
  if (context.bank !== undefined) {
    return { name: `Registers (${smmuName} cb${context.bank})`, presentationHint: 'registers', variablesReference: store.add(registerVariables(machine, store, smmu, context.bank, onWrite)), expensive: false };
  }
  const sid = context.sid;
  if (sid === undefined || !streamTableOf(machine.state, smmu).some((s) => s.sid === sid)) return undefined;
  const container = streamRegisterVariables(machine, store, smmu, sid, context.ssid);
  return { name: `Registers (${smmuName} sid ${hex(sid)})`, presentationHint: 'registers', variablesReference: store.add(container), expensive: false };
}

/** The scopes of a frame: Transaction, Fault, Registers, Stalled, Page table, Queues (what applies). */
export function scopesOf(machine: Machine, store: VariableStore, frame: FrameInfo, onWrite: (pa?: number) => void): DebugProtocol.Scope[] {
  const context = contextOf(machine, frame);
  const scopes: DebugProtocol.Scope[] = [];
  if (context.fault) {
    // The table the fault walked (a pagetable, TTBR1), at the address it indexes.
    const walked = context.domain === undefined ? undefined : (context.fault.table ?? context.domain);
    const iova = context.domain === undefined ? context.fault.iova : liveTableFor(machine, context.domain, context.fault.iova).walkIova;
    // Walked when opened, not now: a descriptor written since (setVariable, a handler) shows.
    const walkNow = walked === undefined ? undefined : () => describeWalk(machine, walked, iova);
    scopes.push({ name: 'Fault', presentationHint: 'locals', variablesReference: store.add(faultVariables(machine, store, context.fault, walkNow, (pa) => onWrite(pa))), expensive: false });
  }
  if (context.transaction) {
    const scope: DebugProtocol.Scope = { name: 'Transaction', presentationHint: 'locals', variablesReference: store.add(transactionVariables(machine, context.transaction)), expensive: false };
    // A handler is about its fault; an engine about its transaction.
    if (frame.kind === 'handler' || frame.kind === 'kernel') scopes.push(scope);
    else scopes.unshift(scope);
  }
  const registers = registersScope(machine, store, context, () => onWrite());
  if (registers) scopes.push(registers);
  const stalled = [...machine.state.transactions.values()].filter((t) => t.status === 'stalled').length;
  scopes.push({ name: `Stalled (${stalled})`, variablesReference: store.add(stalledVariables(machine, store)), expensive: false });
  if (context.domain !== undefined) {
    // A TTBR1 domain owns several tables: one scope each, named by its owner, the live TTBR0 marked.
    const several = machine.model.domains[context.domain]?.ttbr1 === true;
    for (const owned of domainTables(machine, context.domain)) {
      const root = rootOf(machine, owned.table);
      const name = several ? `${owned.label}${owned.ttbr === 0 && owned.live ? ', live TTBR0' : ''}` : (machine.model.domains[context.domain]?.name ?? '?');
      scopes.push({
        name: `Page table (${name})`,
        variablesReference: store.add(tableVariables(machine, store, root, (pa) => onWrite(pa))),
        indexedVariables: tableEntries(machine, root).length,
        expensive: false,
      });
    }
  }
  if (machine.model.smmus.some((_, index) => (machine.smmu(index)?.queues().length ?? 0) > 0)) {
    scopes.push({ name: `Queues (${pendingCount(machine)} pending)`, variablesReference: store.add(queuesVariables(machine, store)), expensive: false });
  }
  return scopes;
}
