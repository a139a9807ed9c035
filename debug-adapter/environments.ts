import { Environment, evaluate, toInteger, Value } from '../emulator/language/evaluate';
import { counterNames, CounterName } from '../emulator/language/schema';
import { Machine } from '../emulator/machine/machine';
import { FaultRecord, TransactionState } from '../emulator/machine/state';
import { findTransaction } from './transactions';
import { prgWaitOf, stagOf, stagOfFault } from './v3Tags';
import { v2StateOf } from '../emulator/smmu/smmuState';

/** Names every context knows: the counters. */
export function counterValue(machine: Machine, name: string): Value | undefined {
  return (counterNames as readonly string[]).includes(name) ? BigInt(machine.state.counters[name as CounterName]) : undefined;
}

/** Names of the scenario stand for themselves, to be compared (`engine == gpu.cp`). */
function withFallback(lookup: (name: string) => Value | undefined, machine: Machine): Environment {
  return { lookup: (name) => lookup(name) ?? counterValue(machine, name) ?? name };
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
  return withFallback((name) => fields[name]?.(), machine);
}

/** What a fault recorded, with the context bank's registers as they are now (SMMUv3: its STAG or page request group, while it waits). */
export function faultEnvironment(machine: Machine, fault: FaultRecord): Environment {
  const bank = fault.bank === undefined ? undefined : v2StateOf(machine.state, fault.smmu)?.banks[fault.bank];
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
  return withFallback((name) => fields[name]?.(), machine);
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
  return withFallback((name) => fields[name]?.(), machine);
}
