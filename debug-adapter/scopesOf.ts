import { DebugProtocol } from '@vscode/debugprotocol';
import { Machine } from '../emulator/machine/machine';
import { FaultRecord, IopfGroupState, TransactionState } from '../emulator/machine/state';
import { walk, WalkResult } from '../emulator/inspect/walks';
import { hex } from '../emulator/util/u64';
import { FrameInfo } from './frames';
import { findTransaction } from '../emulator/inspect/transactions';
import { rootOf, tableEntries, tableVariables } from './variables/pageTable';
import { pendingCount, queuesVariables } from './variables/queues';
import { registerVariables } from './variables/registers';
import { faultVariables, stalledVariables, transactionVariables } from './variables/scopes';
import { streamRegisterVariables } from './variables/streamRegisters';
import { VariableStore } from './variables/store';
import { v2StateOf, v3StateOf } from '../emulator/inspect/smmus';

/** Where a frame's state lives: its transaction, fault, context bank (v2) or stream (v3), and domain. */
export interface FrameContext {
  transaction: TransactionState | undefined;
  fault: FaultRecord | undefined;
  smmu: number | undefined;
  /** SMMUv2: the context bank. */
  bank: number | undefined;
  domain: number | undefined;
  /** SMMUv3: the StreamID and SubstreamID whose STE and CD apply. */
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

function activityContext(machine: Machine, frame: Extract<FrameInfo, { kind: 'handler' | 'kernel' }>): FrameContext {
  const activity = frame.activity;
  const fault = activity.fault;
  const transaction = fault ? findTransaction(machine, fault.transaction) : undefined;
  if (v3StateOf(machine.state, activity.smmu)) {
    const group = activity.group;
    const sid = group?.sid ?? fault?.sid;
    return { transaction, fault, smmu: activity.smmu, bank: undefined, domain: activity.domain, sid, ssid: group ? group.ssid : transaction?.pasid === undefined ? undefined : Number(transaction.pasid), group };
  }
  const domain = activity.bank === undefined ? undefined : v2StateOf(machine.state, activity.smmu)?.banks[activity.bank]?.domain;
  return { transaction, fault, smmu: activity.smmu, bank: activity.bank, domain, sid: undefined, ssid: undefined, group: undefined };
}

export function contextOf(machine: Machine, frame: FrameInfo): FrameContext {
  if (frame.kind === 'handler' || frame.kind === 'kernel') return activityContext(machine, frame);
  const transaction = frame.transaction;
  const fault = transaction?.lastFault;
  if (transaction && v3StateOf(machine.state, transaction.smmu)) {
    const route = routeOfEngine(machine, frame.engine);
    const ssid = transaction.pasid === undefined ? undefined : Number(transaction.pasid);
    return { transaction, fault, smmu: transaction.smmu, bank: undefined, domain: transaction.domain ?? route?.domain, sid: transaction.sid, ssid, group: undefined };
  }
  if (transaction?.bank !== undefined) {
    return { transaction, fault, smmu: transaction.smmu, bank: transaction.bank, domain: v2StateOf(machine.state, transaction.smmu)?.banks[transaction.bank]?.domain, sid: undefined, ssid: undefined, group: undefined };
  }
  const route = routeOfEngine(machine, frame.engine);
  return { transaction, fault, smmu: route?.smmu, bank: route?.bank, domain: route?.domain, sid: route?.sid, ssid: route?.ssid, group: undefined };
}

/** The Registers scope: the context bank's registers (v2), or the stream's STE and CDs (v3). */
function registersScope(machine: Machine, store: VariableStore, context: FrameContext, onWrite: () => void): DebugProtocol.Scope | undefined {
  const smmu = context.smmu;
  if (smmu === undefined) return undefined;
  const smmuName = machine.model.smmus[smmu]?.name ?? '?';
  if (v3StateOf(machine.state, smmu)) {
    if (context.sid === undefined || !v3StateOf(machine.state, smmu)?.streams.some((s) => s.sid === context.sid)) return undefined;
    const container = streamRegisterVariables(machine, store, smmu, context.sid, context.ssid);
    return { name: `Registers (${smmuName} sid ${hex(context.sid)})`, presentationHint: 'registers', variablesReference: store.add(container), expensive: false };
  }
  if (context.bank === undefined) return undefined;
  return { name: `Registers (${smmuName} cb${context.bank})`, presentationHint: 'registers', variablesReference: store.add(registerVariables(machine, store, smmu, context.bank, onWrite)), expensive: false };
}

/** The scopes of a frame: Transaction, Fault, Registers, Stalled, Page table, Queues (what applies). */
export function scopesOf(machine: Machine, store: VariableStore, frame: FrameInfo, onWrite: (pa?: number) => void): DebugProtocol.Scope[] {
  const context = contextOf(machine, frame);
  const scopes: DebugProtocol.Scope[] = [];
  if (context.fault) {
    const table = context.domain === undefined ? undefined : machine.runtime.tables[context.domain];
    const iova = context.fault.iova;
    // Walked when opened, not now: a descriptor written since (setVariable, a handler) shows.
    const walkNow = table ? (): WalkResult => walk(machine.runtime.memory, table.tableConfig(), iova) : undefined;
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
    const root = rootOf(machine, context.domain);
    scopes.push({
      name: `Page table (${machine.model.domains[context.domain]?.name ?? '?'})`,
      variablesReference: store.add(tableVariables(machine, store, root, (pa) => onWrite(pa))),
      indexedVariables: tableEntries(machine, root).length,
      expensive: false,
    });
  }
  if (machine.state.smmus.some((smmu) => smmu.version === 'v3')) {
    scopes.push({ name: `Queues (${pendingCount(machine)} pending)`, variablesReference: store.add(queuesVariables(machine, store)), expensive: false });
  }
  return scopes;
}
