import { DebugProtocol } from '@vscode/debugprotocol';
import { Machine } from '../emulator/machine/machine';
import { FaultRecord, TransactionState } from '../emulator/machine/state';
import { walk, WalkResult } from '../emulator/pgtable/walker';
import { FrameInfo } from './frames';
import { findTransaction } from './transactions';
import { rootOf, tableEntries, tableVariables } from './variables/pageTable';
import { registerVariables } from './variables/registers';
import { faultVariables, stalledVariables, transactionVariables } from './variables/scopes';
import { VariableStore } from './variables/store';

/** Where a frame's state lives: its transaction, fault, context bank and domain. */
export interface FrameContext {
  transaction: TransactionState | undefined;
  fault: FaultRecord | undefined;
  smmu: number | undefined;
  bank: number | undefined;
  domain: number | undefined;
}

/** The domain an engine's master was attached to at start, and its context bank. */
function routeOfEngine(machine: Machine, engine: number): { smmu: number; bank: number; domain: number } | undefined {
  const master = machine.model.engines[engine]?.master;
  const attachment = machine.attachments.find((a) => a.master === master && a.attached);
  if (!attachment) return undefined;
  const smmu = machine.model.masters[attachment.master]?.smmu ?? 0;
  const bank = machine.state.smmus[smmu]?.banks.findIndex((b) => b.domain === attachment.domain) ?? -1;
  return bank < 0 ? undefined : { smmu, bank, domain: attachment.domain };
}

export function contextOf(machine: Machine, frame: FrameInfo): FrameContext {
  if (frame.kind === 'handler' || frame.kind === 'kernel') {
    const activity = frame.activity;
    const fault = activity.fault === undefined ? undefined : machine.journal.faults[activity.fault];
    const transaction = fault ? findTransaction(machine, fault.transaction) : undefined;
    const domain = machine.state.smmus[activity.smmu]?.banks[activity.bank]?.domain;
    return { transaction, fault, smmu: activity.smmu, bank: activity.bank, domain };
  }
  const transaction = frame.transaction;
  const fault = transaction?.lastFault === undefined ? undefined : machine.journal.faults[transaction.lastFault];
  if (transaction?.bank !== undefined) {
    return { transaction, fault, smmu: transaction.smmu, bank: transaction.bank, domain: machine.state.smmus[transaction.smmu]?.banks[transaction.bank]?.domain };
  }
  const route = routeOfEngine(machine, frame.engine);
  return { transaction, fault, smmu: route?.smmu, bank: route?.bank, domain: route?.domain };
}

/** The scopes of a frame: Transaction, Fault, Registers, Stalled, Page table (what applies). */
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
  if (context.smmu !== undefined && context.bank !== undefined) {
    const name = `Registers (${machine.model.smmus[context.smmu]?.name ?? '?'} cb${context.bank})`;
    scopes.push({ name, presentationHint: 'registers', variablesReference: store.add(registerVariables(machine, store, context.smmu, context.bank, () => onWrite())), expensive: false });
  }
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
  return scopes;
}
