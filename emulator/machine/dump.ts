import { walk, WalkResult } from '../pgtable/walker';
import { decode, RegisterLayout, setFlags } from '../smmu/registerLayout';
import { CBFRSYNRA, FAR, FSR, FSYNR0, SCTLR, TCR, TTBR0 } from '../smmu/v2/registers';
import { pointerFields, QueueState } from '../smmu/v3/queue';
import { hex, hex32, hex64 } from '../util/u64';
import { Runtime } from './runtime';
import { ActivityState, BankState, SmmuV3State, TransactionState } from './state';

export interface DumpedRegister {
  name: string;
  value: bigint;
  /** `TF|SS`, or the fields with values for multi-bit registers. */
  decoded: string;
}

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
  /** The walk of the faulting address (FAR) as the tables stand now. */
  walk: WalkResult | undefined;
  stalled: DumpedTransaction[];
}

function dumpRegister(layout: RegisterLayout, value: bigint): DumpedRegister {
  const decoded =
    layout.fields.every((f) => f.width === 1 || f.name === 'FORMAT')
      ? setFlags(layout, value)
      : decode(layout, value)
          .filter((d) => d.value !== 0n)
          .map((d) => `${d.field.name}=${d.meaning ?? hex(d.value)}`)
          .join(' ');
  return { name: layout.name, value, decoded };
}

function bankRegisters(bank: BankState): DumpedRegister[] {
  return [
    dumpRegister(SCTLR, BigInt(bank.sctlr)),
    dumpRegister(FSR, BigInt(bank.fsr >>> 0)),
    dumpRegister(FSYNR0, BigInt(bank.fsynr0)),
    dumpRegister(FAR, bank.far),
    dumpRegister(CBFRSYNRA, BigInt(bank.cbfrsynra)),
    dumpRegister(TTBR0, bank.ttbr0),
    dumpRegister(TCR, BigInt(bank.tcr)),
  ];
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

/** The transactions an SMMU holds now, and whether each waits behind another's fault. */
function heldTransactions(rt: Runtime, smmu: number): { id: number; behind: boolean }[] {
  const v3 = rt.state.v3[smmu];
  if (v3) return [...v3.stalls.map((s) => s.transaction), ...v3.prgWaits.flatMap((w) => w.transactions)].map((id) => ({ id, behind: false }));
  const banks = rt.state.smmus[smmu]?.banks ?? [];
  return banks.flatMap((b) => [...b.stalled.map((id) => ({ id, behind: false })), ...b.behind.map((id) => ({ id, behind: true }))]);
}

/** A PROD or CONS register as the dump lists it; the queue decodes its own pointers. */
function pointerRegister(name: string, q: QueueState, register: number, flag: 'OVFLG' | 'OVACKFLG'): DumpedRegister {
  const fields = pointerFields(q, register);
  return { name, value: BigInt(register >>> 0), decoded: `index ${fields.index} wrap ${fields.wrap} ${flag} ${fields.flag}` };
}

/** SMMUv3 has no per-context fault registers: the dump shows its queues' pointers. */
function queueRegisters(v3: SmmuV3State): DumpedRegister[] {
  return [
    pointerRegister('EVENTQ_PROD', v3.eventq, v3.eventq.prod, 'OVFLG'),
    pointerRegister('EVENTQ_CONS', v3.eventq, v3.eventq.cons, 'OVACKFLG'),
    pointerRegister('PRIQ_PROD', v3.priq, v3.priq.prod, 'OVFLG'),
    pointerRegister('PRIQ_CONS', v3.priq, v3.priq.cons, 'OVACKFLG'),
  ];
}

/** Captures what a crash dump holds at this instant: registers, submits, the walk, stalls. */
export function captureDump(rt: Runtime, activity: ActivityState, offset: number): CrashDump {
  const { model, state } = rt;
  const domain = activity.domain ?? -1;
  const table = rt.tables[domain];
  const v3 = state.v3[activity.smmu];
  const bank = activity.bank === undefined ? undefined : state.smmus[activity.smmu]?.banks[activity.bank];
  const faultIova = activity.cfi?.far ?? activity.fault?.iova;
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
    registers: bank ? bankRegisters(bank) : v3 ? queueRegisters(v3) : [],
    submits: model.engines.map((engine, index) => {
      const s = state.engines[index];
      const submit = oldestInFlight(state.transactions.values(), index)?.submit ?? s?.submits[s.submits.length - 1]?.id;
      return { engine: engine.name, submit, inFlight: s?.inFlight ?? 0, issued: s?.issued ?? 0 };
    }),
    walk: table && faultIova !== undefined ? walk(rt.memory, table.tableConfig(), faultIova) : undefined,
    stalled: heldTransactions(rt, activity.smmu).flatMap(({ id, behind }) => {
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
    ...dump.registers.map((r) => `  ${r.name.padEnd(10)} ${r.name === 'FAR' || r.name === 'TTBR0' ? hex64(r.value) : hex32(Number(r.value))}  ${r.decoded}`),
    'submits:',
    ...dump.submits.map((s) => `  ${s.engine.padEnd(12)} submit ${s.submit === undefined ? '-' : s.submit.toString()}  in flight ${s.inFlight}, issued ${s.issued}`),
  ];
  if (dump.walk) {
    lines.push(`walk of ${hex(dump.walk.iova)}:`);
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
