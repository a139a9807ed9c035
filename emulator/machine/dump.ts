import { selectTtbr } from '../pgtable/ttbrSelect';
import { walk, WalkResult } from '../pgtable/walker';
import { DumpedRegister } from '../smmu/registerDump';
import { hex, hex32, hex64 } from '../util/u64';
import { Runtime } from './runtime';
import { ActivityState, TransactionState } from './state';

export interface DumpedSubmit {
  engine: string;
  /** The submit of the engine's oldest transaction in flight, else the innermost it is executing. */
  submit: bigint | undefined;
  inFlight: number;
  issued: number;
}

export interface DumpedTransaction {
  id: number;
  engine: string;
  access: 'read' | 'write';
  iova: bigint;
  label: string | undefined;
  behind: boolean;
}

/** A crash dump, as a GPU driver captures one from its fault handler. */
export interface CrashDump {
  id: number;
  time: number;
  thread: string;
  handler: string;
  domain: string;
  smmu: string;
  /** Where the fault arrived: `cb0` on SMMUv2; the stream, substream and grpid on SMMUv3. */
  where: string;
  /** Offset of the `dump` statement. */
  offset: number;
  registers: DumpedRegister[];
  submits: DumpedSubmit[];
  /** The walk of the faulting address (FAR) as the tables stand now, through the table the fault walked. */
  walk: WalkResult | undefined;
  /** That table's owner, where the domain has more than one (`proc7 (pagetable, ASID 2)`); undefined otherwise. */
  table: string | undefined;
  stalled: DumpedTransaction[];
}

/**
 * The engine's oldest transaction still in flight: the submit it belongs to is the one the
 * GPU hangs on, even when the engine has moved on to issue from a later submit.
 */
function oldestInFlight(transactions: Iterable<TransactionState>, engine: number): TransactionState | undefined {
  let oldest: TransactionState | undefined;
  for (const t of transactions) {
    if (t.engine !== engine || (t.status !== 'stalled' && t.status !== 'pending')) continue;
    if (!oldest || t.id < oldest.id) oldest = t;
  }
  return oldest;
}

/** Captures what a crash dump holds at this instant: registers, submits, the walk, stalls. */
export function captureDump(rt: Runtime, activity: ActivityState, offset: number): CrashDump {
  const { model, state } = rt;
  const domain = activity.domain ?? -1;
  const walked = activity.fault?.table ?? domain;
  const table = rt.tables[walked];
  const smmu = rt.smmus[activity.smmu];
  const far = activity.cfi?.far ?? activity.fault?.iova;
  const domainModel = model.domains[domain];
  // A TTBR1 table is built over the low ias bits of its (sign-extended) IOVAs.
  const faultIova = far !== undefined && domainModel?.ttbr1 ? selectTtbr(far, domainModel.ias, true).walkIova : far;
  const group = activity.group;
  return {
    id: rt.journal.dumps.length,
    time: state.now,
    thread: state.threads[activity.thread - 1]?.name ?? '?',
    handler: activity.handler !== undefined ? (model.handlers[activity.handler]?.name ?? '?') : '-',
    domain: model.domains[domain]?.name ?? '?',
    smmu: model.smmus[activity.smmu]?.name ?? '?',
    where: group ? `sid ${hex(group.sid)}${group.ssid === undefined ? '' : ` ssid ${group.ssid}`} ${group.kind === 'stall' ? 'stag' : 'prgi'} ${hex(group.grpid)}` : `cb${activity.bank}`,
    offset,
    registers: smmu?.dumpRegisters(activity.bank) ?? [],
    submits: model.engines.map((engine, index) => {
      const s = state.engines[index];
      const submit = oldestInFlight(state.transactions.values(), index)?.submit ?? s?.submits[s.submits.length - 1]?.id;
      return { engine: engine.name, submit, inFlight: s?.inFlight ?? 0, issued: s?.issued ?? 0 };
    }),
    walk: table && faultIova !== undefined ? walk(rt.memory, table.tableConfig(), faultIova) : undefined,
    table: domainModel?.ttbr1 ? rt.tableOwners[walked]?.label : undefined,
    stalled: (smmu?.held() ?? []).flatMap(({ id, behind }) => {
      const t = state.transactions.get(id);
      return t ? [{ id, engine: model.engines[t.engine]?.name ?? '?', access: t.access, iova: t.iova, label: t.label, behind }] : [];
    }),
  };
}

/** The dump as text, the way a driver's devcoredump reads. */
export function formatDump(dump: CrashDump): string {
  const lines = [
    `crash dump #${dump.id} at cycle ${dump.time}: handler ${dump.handler} on ${dump.thread}, domain ${dump.domain}, ${dump.smmu} ${dump.where}`,
    'registers:',
    ...dump.registers.map((r) => `  ${r.name.padEnd(10)} ${r.name === 'FAR' || r.name === 'TTBR0' || r.name === 'TTBR1' ? hex64(r.value) : hex32(Number(r.value))}  ${r.decoded}`),
    'submits:',
    ...dump.submits.map((s) => `  ${s.engine.padEnd(12)} submit ${s.submit === undefined ? '-' : s.submit.toString()}  in flight ${s.inFlight}, issued ${s.issued}`),
  ];
  if (dump.walk) {
    lines.push(`walk of ${hex(dump.walk.iova)}${dump.table ? ` in ${dump.table}` : ''}:`);
    for (const step of dump.walk.steps) {
      lines.push(`  L${step.level}[${step.index}] @ ${hex(step.descriptorAddress)} = ${hex64(step.value)}  ${step.descriptor.text}`);
    }
    const outcome = dump.walk.outcome;
    lines.push(outcome.kind === 'success' ? `  → ${hex(outcome.pa)}` : `  → ${outcome.kind} fault at level ${outcome.level}: ${outcome.reason}`);
  }
  lines.push(`stalled: ${dump.stalled.length === 0 ? 'none' : ''}`);
  for (const t of dump.stalled) {
    lines.push(`  #${t.id} ${t.engine} ${t.access} ${hex(t.iova)}${t.label ? ` (${t.label})` : ''}${t.behind ? ' behind the fault' : ''}`);
  }
  return lines.join('\n');
}
