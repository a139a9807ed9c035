import { DebugProtocol } from '@vscode/debugprotocol';
import { Machine } from '../../emulator/machine/machine';
import { QueueEntryView, QueueView, SmmuQueuesView } from '../protocol';
import { queuesOf, queueSummary, queueTitles } from '../queueViews';
import { fieldText } from '../../emulator/inspect/decodedFields';
import { leaf, VariableContainer, VariableStore } from './store';

/** An entry's decoded fields, then its dwords as in memory. */
function entryVariables(entry: QueueEntryView): VariableContainer {
  return {
    variables: () => [
      ...entry.fields.map((f) => leaf(f.name, fieldText(f), { type: `bits ${f.bits}`, presentationHint: { kind: 'property', attributes: ['readOnly'] } })),
      leaf('dwords', entry.dwords.join(' '), { memoryReference: entry.address }),
    ],
  };
}

/** `PROD 0x… (WR 2, wrap 0, OVFLG 0) · CONS …` split into its two registers. */
function pointerParts(queue: QueueView): { prod: string; cons: string } {
  const [prod = '', cons = ''] = queue.pointers.split(' · ');
  return { prod: prod.replace(/^PROD /, ''), cons: cons.replace(/^CONS /, '') };
}

function queueVariables(store: VariableStore, queue: QueueView): VariableContainer {
  return {
    variables: () => {
      const { prod, cons } = pointerParts(queue);
      const variables: DebugProtocol.Variable[] = [
        leaf('base', queue.base, { memoryReference: queue.base, type: `${queue.entries} entries` }),
        leaf('PROD', prod),
        leaf('CONS', cons),
      ];
      if (queue.name !== 'command') variables.push(leaf('overflow', queue.overflow ? 'yes: PROD.OVFLG ≠ CONS.OVACKFLG' : 'no'), leaf('dropped', `${queue.dropped}`));
      for (const entry of queue.pending) {
        variables.push({ name: `[${entry.index}]`, value: entry.text, type: `slot ${entry.index} at ${entry.address}`, memoryReference: entry.address, variablesReference: store.add(entryVariables(entry)) });
      }
      return variables;
    },
  };
}

function stallRows(smmu: SmmuQueuesView): DebugProtocol.Variable[] {
  return smmu.stalls.map((s) => leaf(`STAG ${s.stag}`, `#${s.transaction} · sid ${s.sid}`));
}

function groupRows(smmu: SmmuQueuesView): DebugProtocol.Variable[] {
  return smmu.pageRequestGroups.map((g) => leaf(`PRGI ${g.prgi}`, `sid ${g.sid} · ${g.transactions.map((t) => `#${t}`).join(', ')}`));
}

function waiting(store: VariableStore, name: string, rows: DebugProtocol.Variable[], what: string): DebugProtocol.Variable {
  return {
    name,
    value: rows.length === 0 ? 'none' : `${rows.length} waiting for ${what}`,
    variablesReference: rows.length === 0 ? 0 : store.add({ variables: () => rows }),
  };
}

/**
 * The Queues scope (SMMUv3): each SMMU's event, PRI and command queues as they are in
 * memory — PROD and CONS, then the entries not consumed yet, each opening into its fields
 * — and the stalls and page request groups that wait for an answer.
 */
export function queuesVariables(machine: Machine, store: VariableStore): VariableContainer {
  return {
    variables: () =>
      queuesOf(machine).flatMap((smmu) => [
        ...smmu.queues.map((queue): DebugProtocol.Variable => ({
          name: `${smmu.smmu} · ${queueTitles[queue.name]}`,
          value: queueSummary(queue),
          type: queue.pointers,
          variablesReference: store.add(queueVariables(store, queue)),
        })),
        waiting(store, `${smmu.smmu} · stalls`, stallRows(smmu), 'CMD_RESUME'),
        waiting(store, `${smmu.smmu} · page request groups`, groupRows(smmu), 'CMD_PRI_RESP'),
      ]),
  };
}

/** Entries written and not consumed, over every SMMUv3 queue: the scope's count. */
export function pendingCount(machine: Machine): number {
  return queuesOf(machine).reduce((sum, smmu) => sum + smmu.queues.reduce((n, q) => n + q.pending.length, 0), 0);
}
