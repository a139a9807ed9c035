import { DebugProtocol } from '@vscode/debugprotocol';
import { Machine } from '../../emulator/machine/machine';
import { FaultRecord, TransactionState } from '../../emulator/machine/state';
import { describeDescriptor, WalkResult } from '../../emulator/inspect/walks';
import { hex, hex64 } from '../../emulator/util/u64';
import { dataIdOf } from '../dataWatches';
import { RequestError } from '../errors';
import { prgWaitOf, stagOf, waitWords } from '../../emulator/inspect/stalls';
import { leaf, VariableContainer, VariableStore } from './store';
import { staleAccessText } from '../../emulator/inspect/staleAccess';
import { memoryReference, parseValue } from './values';

function lineOfTransaction(machine: Machine, t: TransactionState): number | undefined {
  const op = machine.model.engines[t.engine]?.program[t.op];
  return op?.op === 'transaction' ? machine.model.lines.lineOf(op.node.range.start) : undefined;
}

/** A transaction: where it goes, what became of it. */
export function transactionVariables(machine: Machine, t: TransactionState): VariableContainer {
  return {
    variables: () => {
      const variables: DebugProtocol.Variable[] = [
        leaf('id', `#${t.id}`),
        leaf('engine', machine.model.engines[t.engine]?.name ?? '?'),
        leaf('access', `${t.access}${t.exec ? ' (instruction fetch)' : ''}${t.priv ? ' (privileged)' : ''}`),
        leaf('iova', hex(t.iova), { evaluateName: `translate(${hex(t.iova)})` }),
        leaf('size', `${t.size}`),
        leaf('sid', hex(t.sid)),
        leaf('ssid', t.pasid === undefined ? 'none' : `${t.pasid}`),
        leaf('status', t.status === 'stalled' ? `stalled (${waitWords(machine, t)})` : t.status),
        leaf('pa', t.pa === undefined ? 'none' : hex(t.pa), t.pa === undefined ? {} : { memoryReference: memoryReference(t.pa) }),
        leaf('faults', `${t.faults}`),
        leaf('issued', `cycle ${t.issued}`),
      ];
      const stag = stagOf(machine, t);
      if (stag !== undefined) variables.push(leaf('stag', hex(stag), { type: 'the stall tag CMD_RESUME names' }));
      const group = t.status === 'stalled' && t.stall === 'page-request' ? prgWaitOf(machine, t.smmu, t.id) : undefined;
      if (group) variables.push(leaf('prgi', hex(group.prgi), { type: 'the page request group CMD_PRI_RESP answers' }));
      if (t.stale) variables.push(leaf('stale', staleAccessText(t.stale), { type: 'translated by a TLB entry Linux had not flushed' }));
      if (t.ended !== undefined) variables.push(leaf('ended', `cycle ${t.ended}`));
      if (t.data !== undefined) variables.push(leaf('data', hex(t.data)));
      if (t.label !== undefined) variables.push(leaf('label', t.label));
      if (t.submit !== undefined) variables.push(leaf('submit', `${t.submit}`));
      if (t.iterations.length > 0) variables.push(leaf('i', t.iterations.join(', ')));
      const line = lineOfTransaction(machine, t);
      if (line !== undefined) variables.push(leaf('line', `${line}`));
      return variables;
    },
  };
}

/**
 * The walk of an address, descriptor by descriptor; each one can be watched (a data
 * breakpoint) and written — even an invalid one, which is how a user maps what faulted.
 */
export function walkVariables(walkNow: () => WalkResult, machine?: Machine, onWrite?: (pa: number) => void): VariableContainer {
  const name = (level: number, index: number): string => `L${level}[${index}]`;
  return {
    variables: () => {
      const walk = walkNow();
      const variables = walk.steps.map((step) =>
        leaf(name(step.level, step.index), `${hex64(step.value)}  ${step.descriptor.text}`, { memoryReference: memoryReference(step.descriptorAddress), type: `descriptor at ${hex(step.descriptorAddress)}` }),
      );
      const outcome = walk.outcome;
      variables.push(leaf('result', outcome.kind === 'success' ? `→ ${hex(outcome.pa)} (level ${outcome.level})` : `${outcome.kind} fault at level ${outcome.level}: ${outcome.reason}`));
      return variables;
    },
    ...(machine
      ? {
          set: (variable: string, text: string) => {
            const step = walkNow().steps.find((s) => name(s.level, s.index) === variable);
            if (!step) throw new RequestError(`${variable} is not a descriptor of this walk`);
            const value = parseValue(text) & 0xffff_ffff_ffff_ffffn;
            const bytes = new Uint8Array(8);
            for (let i = 0; i < 8; i++) bytes[i] = Number((value >> BigInt(8 * i)) & 0xffn);
            const pa = Number(step.descriptorAddress);
            machine.writeMemory(pa, bytes);
            onWrite?.(pa);
            return { value: `${hex64(value)}  ${describeDescriptor(Number(value & 0xffff_ffffn), Number(value >> 32n), step.level, walkNow().granule).text}` };
          },
        }
      : {}),
    dataId: (variable) => {
      const step = walkNow().steps.find((s) => name(s.level, s.index) === variable);
      if (!step) return undefined;
      const pa = Number(step.descriptorAddress);
      return { dataId: dataIdOf({ kind: 'memory', pa, label: `${variable} @ ${hex(pa)}` }), description: `descriptor ${variable} at ${hex(pa)} changes` };
    },
  };
}

/** A fault: what the SMMU recorded, and the walk of its address as the tables stand now. */
export function faultVariables(machine: Machine, store: VariableStore, fault: FaultRecord, walkNow: (() => WalkResult) | undefined, onWrite: (pa: number) => void): VariableContainer {
  return {
    variables: () => {
      const variables = [
        leaf('kind', fault.kind),
        leaf('level', `${fault.level}`),
        leaf('iova', hex(fault.iova)),
        leaf('reason', fault.reason),
        leaf('access', `${fault.write ? 'write' : 'read'}${fault.exec ? ' (instruction fetch)' : ''}${fault.priv ? ' (privileged)' : ''}`),
        leaf('sid', hex(fault.sid)),
        leaf('stalled', `${fault.stalled}`),
        ...reportOf(machine, fault),
        leaf('response', machine.state.responses.get(fault.id) ?? 'none yet'),
        leaf('cycle', `${fault.time}`),
      ];
      const walk = walkNow?.();
      if (walkNow && walk) {
        const value = walk.outcome.kind === 'success' ? 'translates now' : `${walk.outcome.kind} fault at level ${walk.outcome.level}`;
        variables.push({ name: 'walk', value, variablesReference: store.add(walkVariables(walkNow, machine, onWrite)) });
      }
      return variables;
    },
  };
}

/** How the SMMU told software about the fault: its `registers` or its `event` record. */
function reportOf(machine: Machine, fault: FaultRecord): DebugProtocol.Variable[] {
  const report = machine.smmu(fault.smmu)?.faultReport(fault);
  return report ? [leaf(report.name, report.text)] : [];
}

/** A row of the Stalled scope: stalled by its fault (with its STAG where it has one), behind one, or waiting for a page request group's response. */
function stalledWords(machine: Machine, t: TransactionState): string {
  if (t.stall === 'behind') return 'behind a fault (HUPCF=0)';
  return t.stall === 'page-request' ? `waiting ${waitWords(machine, t)}` : `stalled ${waitWords(machine, t)}`;
}

/** Every transaction stalled now, by its fault or behind one. */
export function stalledVariables(machine: Machine, store: VariableStore): VariableContainer {
  return {
    variables: () =>
      [...machine.state.transactions.values()]
        .filter((t) => t.status === 'stalled')
        .map((t) => ({
          name: `#${t.id} ${machine.model.engines[t.engine]?.name ?? '?'}`,
          value: `${t.access} ${hex(t.iova)}${t.label ? ` (${t.label})` : ''} — ${stalledWords(machine, t)}, ${machine.now - t.issued} cycles`,
          variablesReference: store.add(transactionVariables(machine, t)),
        })),
  };
}
