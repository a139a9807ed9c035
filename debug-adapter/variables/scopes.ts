import { DebugProtocol } from '@vscode/debugprotocol';
import { Machine } from '../../emulator/machine/machine';
import { FaultRecord, TransactionState } from '../../emulator/machine/state';
import { describeDescriptor, describeStage2Descriptor, DomainWalk, FaultKind, Granule, Level, NestedWalkResult, Stage2WalkResult, walkFaultText } from '../../emulator/inspect/walks';
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

/** One descriptor read of a walk, stage 1 or stage 2 alike. */
interface ShownStep {
  level: Level;
  index: number;
  descriptorAddress: bigint;
  value: bigint;
  descriptor: { text: string };
}

/** A walk as the Variables view shows it: a stage-1 (WalkResult) or stage-2 (Stage2WalkResult) walk. */
interface ShownWalk {
  granule: Granule;
  steps: readonly ShownStep[];
  outcome: { kind: 'success'; pa: bigint; level: Level } | { kind: FaultKind | 'stopped'; level: Level; reason: string };
}

interface WalkView {
  /** A descriptor's text after a write: stage 1's fields or stage 2's (S2AP, MemAttr, XN). */
  describe: (lo: number, hi: number, level: Level, granule: Granule) => string;
  /** Where descriptor `step` is in physical memory: a nested stage 1's descriptor addresses are IPAs. */
  paOf?: (step: number) => bigint | undefined;
}

const STAGE1_VIEW: WalkView = { describe: (lo, hi, level, granule) => describeDescriptor(lo, hi, level, granule).text };
const STAGE2_VIEW: WalkView = { describe: (lo, hi, level, granule) => describeStage2Descriptor(lo, hi, level, granule).text };

function resultText(outcome: ShownWalk['outcome']): string {
  if (outcome.kind === 'success') return `→ ${hex(outcome.pa)} (level ${outcome.level})`;
  return outcome.kind === 'stopped' ? `stopped: ${outcome.reason}` : `${outcome.kind} fault at level ${outcome.level}: ${outcome.reason}`;
}

/**
 * The walk of an address, descriptor by descriptor; each one can be watched (a data
 * breakpoint) and written — even an invalid one, which is how a user maps what faulted.
 */
export function walkVariables(walkNow: () => ShownWalk, machine?: Machine, onWrite?: (pa: number) => void, view: WalkView = STAGE1_VIEW): VariableContainer {
  const name = (level: number, index: number): string => `L${level}[${index}]`;
  const paOf = (walk: ShownWalk, step: ShownStep): bigint | undefined => (view.paOf ? view.paOf(walk.steps.indexOf(step)) : step.descriptorAddress);
  const found = (variable: string): { step: ShownStep; pa: bigint | undefined; granule: Granule } | undefined => {
    const walk = walkNow();
    const step = walk.steps.find((s) => name(s.level, s.index) === variable);
    return step && { step, pa: paOf(walk, step), granule: walk.granule };
  };
  return {
    variables: () => {
      const walk = walkNow();
      const variables = walk.steps.map((step) => {
        const pa = paOf(walk, step);
        const at = view.paOf ? `descriptor at IPA ${hex(step.descriptorAddress)} (PA ${pa === undefined ? 'none' : hex(pa)})` : `descriptor at ${hex(step.descriptorAddress)}`;
        return leaf(name(step.level, step.index), `${hex64(step.value)}  ${step.descriptor.text}`, { ...(pa === undefined ? {} : { memoryReference: memoryReference(pa) }), type: at });
      });
      const outcome = walk.outcome;
      variables.push(leaf('result', resultText(outcome)));
      return variables;
    },
    ...(machine
      ? {
          set: (variable: string, text: string) => {
            const target = found(variable);
            if (!target) throw new RequestError(`${variable} is not a descriptor of this walk`);
            if (target.pa === undefined) throw new RequestError(`${variable} is at an IPA stage 2 does not map: there is no memory to write`);
            const value = parseValue(text) & 0xffff_ffff_ffff_ffffn;
            const bytes = new Uint8Array(8);
            for (let i = 0; i < 8; i++) bytes[i] = Number((value >> BigInt(8 * i)) & 0xffn);
            const pa = Number(target.pa);
            machine.writeMemory(pa, bytes);
            onWrite?.(pa);
            return { value: `${hex64(value)}  ${view.describe(Number(value & 0xffff_ffffn), Number(value >> 32n), target.step.level, target.granule)}` };
          },
        }
      : {}),
    dataId: (variable) => {
      const target = found(variable);
      if (!target || target.pa === undefined) return undefined;
      const pa = Number(target.pa);
      return { dataId: dataIdOf({ kind: 'memory', pa, label: `${variable} @ ${hex(pa)}` }), description: `descriptor ${variable} at ${hex(pa)} changes` };
    },
  };
}

/** A walk's outcome in a few words: the Fault scope's `walk` row. */
function walkSummary(walk: DomainWalk): string {
  const outcome = walk.walk.outcome;
  if (outcome.kind === 'success') return 'translates now';
  // A stage-2 domain's faults are all stage 2's; a nested walk's say which stage.
  const stage = walk.stage === 1 ? '' : `stage ${'stage' in outcome ? outcome.stage : 2} `;
  return `${stage}${outcome.kind} fault at level ${outcome.level}`;
}

/**
 * A nested walk (STE.Config 0b111): stage 1 at IPAs — each descriptor shown at its IPA
 * and the PA stage 2 gave it —, stage 2's walk of each table fetch, then of the output IPA.
 */
function nestedWalkVariables(machine: Machine | undefined, store: VariableStore, walkNow: () => NestedWalkResult, onWrite?: (pa: number) => void): VariableContainer {
  const fetchPa = (walk: NestedWalkResult, step: number): bigint | undefined => {
    const outcome = walk.tableFetches[step]?.stage2.outcome;
    return outcome?.kind === 'success' ? outcome.pa : undefined;
  };
  const stage2Row = (name: string, ipa: bigint, walk: () => Stage2WalkResult): DebugProtocol.Variable => {
    const outcome = walk().outcome;
    const value = outcome.kind === 'success' ? `IPA ${hex(ipa)} → ${hex(outcome.pa)}` : `IPA ${hex(ipa)}: ${outcome.kind} fault at level ${outcome.level}`;
    return { name, value, variablesReference: store.add(walkVariables(walk, machine, onWrite, STAGE2_VIEW)) };
  };
  return {
    variables: () => {
      const walk = walkNow();
      const stage1 = (): ShownWalk => {
        const now = walkNow();
        // A table fetch stage 2 refused ends stage 1 there: its own outcome would be the zeros the fetch never read.
        const outcome = now.outcome;
        const stopped = outcome.kind !== 'success' && outcome.stage === 2 && outcome.class === 'TT';
        return stopped ? { ...now.stage1, outcome: { kind: 'stopped', level: now.tableFetches.at(-1)?.level ?? 0, reason: outcome.reason } } : now.stage1;
      };
      const rows: DebugProtocol.Variable[] = [
        { name: 'stage 1', value: `IOVA ${hex(walk.iova)}: ${walk.stage1.steps.length} descriptors at IPAs`, variablesReference: store.add(walkVariables(stage1, machine, onWrite, { ...STAGE1_VIEW, paOf: (step) => fetchPa(walkNow(), step) })) },
        ...walk.tableFetches.map((fetch, i) => stage2Row(`stage 2 of L${fetch.level} fetch`, fetch.ipa, () => walkNow().tableFetches[i]?.stage2 ?? fetch.stage2)),
      ];
      const output = walk.output;
      if (output) rows.push(stage2Row('stage 2 of output', output.ipa, () => walkNow().output ?? output));
      rows.push(leaf('result', nestedOutcomeText(walk)));
      return rows;
    },
  };
}

function nestedOutcomeText(walk: NestedWalkResult): string {
  const outcome = walk.outcome;
  if (outcome.kind === 'success') return `→ ${hex(outcome.pa)} (IPA ${hex(outcome.ipa)}; stage 1 level ${outcome.level}, stage 2 level ${outcome.s2Level})`;
  return walkFaultText({ stage: 'nested', walk }) ?? '';
}

/**
 * A walk to open, in the stage(s) it takes, re-walked when opened; `machine` makes its
 * descriptors writable (the Fault scope), without it they are read-only (a Debug Console result).
 */
export function domainWalkVariables(store: VariableStore, walk: DomainWalk, walkNow: () => DomainWalk | undefined, machine?: Machine, onWrite?: (pa: number) => void): VariableContainer {
  if (walk.stage === 'nested') {
    const nested = (): NestedWalkResult => {
      const now = walkNow();
      return now?.stage === 'nested' ? now.walk : walk.walk;
    };
    return nestedWalkVariables(machine, store, nested, onWrite);
  }
  const same = (): ShownWalk => {
    const now = walkNow();
    return now && now.stage === walk.stage ? now.walk : walk.walk;
  };
  return walkVariables(same, machine, onWrite, walk.stage === 2 ? STAGE2_VIEW : STAGE1_VIEW);
}

/** The `walk` row of a fault: the walk as its table stands now, in the stage(s) it takes. */
function walkRow(machine: Machine, store: VariableStore, walkNow: () => DomainWalk | undefined, onWrite: (pa: number) => void): DebugProtocol.Variable | undefined {
  const walk = walkNow();
  if (!walk) return undefined;
  return { name: 'walk', value: walkSummary(walk), variablesReference: store.add(domainWalkVariables(store, walk, walkNow, machine, onWrite)) };
}

/** A fault: what the SMMU recorded, which stage and CLASS it was at, and the walk of its address as the tables stand now. */
export function faultVariables(machine: Machine, store: VariableStore, fault: FaultRecord, walkNow: (() => DomainWalk | undefined) | undefined, onWrite: (pa: number) => void): VariableContainer {
  return {
    variables: () => {
      const variables = [
        leaf('kind', fault.kind),
        leaf('level', `${fault.level}`),
        leaf('iova', hex(fault.iova)),
        leaf('reason', fault.reason),
        leaf('stage', `${fault.stage.stage}`, { type: 'the event record\'s S2 bit: which stage\'s walk faulted' }),
        leaf('class', fault.stage.class, { type: 'CLASS: CD the CD fetch, TT a stage-1 table fetch, IN the input address' }),
        leaf('ipa', fault.stage.ipa === undefined ? 'none' : hex(fault.stage.ipa), { type: 'the IPA stage 2 could not translate' }),
        leaf('access', `${fault.write ? 'write' : 'read'}${fault.exec ? ' (instruction fetch)' : ''}${fault.priv ? ' (privileged)' : ''}`),
        leaf('sid', hex(fault.sid)),
        leaf('stalled', `${fault.stalled}`),
        ...reportOf(machine, fault),
        leaf('response', machine.state.responses.get(fault.id) ?? 'none yet'),
        leaf('cycle', `${fault.time}`),
      ];
      const walk = walkNow && walkRow(machine, store, walkNow, onWrite);
      if (walk) variables.push(walk);
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
