import { Environment, evaluate, toInteger, Value } from '../language/evaluate';
import { namesEnvironment } from '../language/namesEnvironment';
import { Machine } from '../machine/machine';
import { ActivityState, FaultRecord, TransactionState } from '../machine/state';
import { handlerEnvironment as kernelHandlerEnvironment } from '../kernel/faultEnvironment';
import { findTransaction } from './transactions';
import { prgWaitOf, stagOf, stagOfFault } from './stalls';
import { contextBankOf } from '../smmu/structures';

/**
 * Every expression environment the debugger evaluates in, built one way (namesEnvironment):
 * a transaction's, a fault record's, an engine's about to issue, a handler's (the kernel's
 * own, as the handler reads it), and the run's alone (counters).
 */

/** No context but the run: counters, and names standing for themselves. */
export function runEnvironment(machine: Machine): Environment {
  return namesEnvironment({}, machine.state.counters);
}

/** What the handler running as `activity` reads of its fault, exactly as the kernel hands it over. */
export function handlerEnvironment(machine: Machine, activity: ActivityState): Environment {
  return kernelHandlerEnvironment(machine.runtime, activity);
}

function engineName(machine: Machine, engine: number): string {
  return machine.model.engines[engine]?.name ?? '';
}

function masterName(machine: Machine, engine: number): string {
  return machine.model.masters[machine.model.engines[engine]?.master ?? -1]?.name ?? '';
}

/** A transaction's fields, for conditions on engine lines and the Debug Console. */
export function transactionEnvironment(machine: Machine, t: TransactionState): Environment {
  const fields: Record<string, () => Value> = {
    iova: () => t.iova,
    pa: () => t.pa ?? 0n,
    sid: () => BigInt(t.sid),
    ssid: () => t.pasid ?? 0n,
    pasid: () => t.pasid ?? 0n,
    size: () => BigInt(t.size),
    write: () => t.access === 'write',
    read: () => t.access === 'read',
    exec: () => t.exec,
    priv: () => t.priv,
    stalled: () => t.status === 'stalled',
    engine: () => engineName(machine, t.engine),
    master: () => masterName(machine, t.engine),
    status: () => t.status,
    i: () => BigInt(t.iterations.at(-1) ?? 0),
    stag: () => BigInt(stagOf(machine, t) ?? 0),
    prgi: () => BigInt(prgWaitOf(machine, t.smmu, t.id)?.prgi ?? 0),
  };
  return namesEnvironment(fields, machine.state.counters);
}

/** What a fault recorded, with the context bank's registers as they are now (SMMUv3: its STAG or page request group, while it waits). */
export function faultRecordEnvironment(machine: Machine, fault: FaultRecord): Environment {
  const bank = fault.bank === undefined ? undefined : contextBankOf(machine.state, fault.smmu, fault.bank);
  const transaction = (): TransactionState | undefined => findTransaction(machine, fault.transaction);
  const fields: Record<string, () => Value> = {
    iova: () => fault.iova,
    pa: () => 0n,
    sid: () => BigInt(fault.sid),
    ssid: () => BigInt(fault.ssid),
    pasid: () => BigInt(fault.ssid),
    kind: () => fault.kind,
    level: () => BigInt(fault.level),
    write: () => fault.write,
    read: () => !fault.write,
    exec: () => fault.exec,
    priv: () => fault.priv,
    stalled: () => fault.stalled,
    engine: () => engineName(machine, fault.engine),
    master: () => masterName(machine, fault.engine),
    domain: () => machine.model.domains[bank?.domain ?? transaction()?.domain ?? -1]?.name ?? '',
    fsr: () => BigInt((bank?.fsr ?? 0) >>> 0),
    far: () => bank?.far ?? 0n,
    fsynr0: () => BigInt(bank?.fsynr0 ?? 0),
    stag: () => BigInt(stagOfFault(machine, fault) ?? 0),
    prgi: () => BigInt(prgWaitOf(machine, fault.smmu, fault.transaction)?.prgi ?? 0),
  };
  return namesEnvironment(fields, machine.state.counters);
}

/** Before an engine issues: `i` of the repeats around the op, and the address it is about to use. */
export function upcomingEnvironment(machine: Machine, engine: number, op: number, iterations: readonly number[]): Environment {
  const node = machine.model.engines[engine]?.program[op];
  const i = BigInt(iterations.at(-1) ?? 0);
  const loop: Environment = { lookup: (name) => (name === 'i' ? i : undefined) };
  const transaction = node?.op === 'transaction' ? node.node : undefined;
  const fields: Record<string, () => Value> = {
    i: () => i,
    iova: () => (transaction?.address ? toInteger(evaluate(transaction.address, loop), transaction.address.range) : 0n),
    write: () => transaction?.access === 'write',
    read: () => transaction?.access === 'read',
    engine: () => engineName(machine, engine),
    master: () => masterName(machine, engine),
    stalled: () => false,
  };
  return namesEnvironment(fields, machine.state.counters);
}
