import { ResponseKind } from '../language/ast';
import { CrashDump } from '../machine/dump';
import { EventQueue } from '../machine/eventQueue';
import { JournalSink, LogRecord } from '../machine/journal';
import { Machine } from '../machine/machine';
import { FaultRecord, TransactionState } from '../machine/state';
import { worthReporting } from '../machine/transactions';
import { UnfinishedEngine } from '../machine/unfinished';
import { hex } from '../util/u64';
import { JsonSpool } from './jsonSpool';
import { element, Json, logElement, member } from './jsonText';
import { TransactionElements } from './jsonTransaction';
import { RunOutput } from './output';
import { piecesText } from './pieces';

/**
 * Elements an ordered list holds back while an earlier one is still to come. Past this, the
 * oldest go out anyway: a transaction stalled for the whole of a long run is then listed
 * after later ones, and memory stays bounded.
 */
const HELD_BACK = 1 << 16;

/** A fault not settled yet: its transaction may still be answered. */
interface OpenFault {
  record: FaultRecord;
  response: ResponseKind | undefined;
}

/**
 * The `--json` document of `iommu-debug run` (docs/scenario-language.md, "Command line"),
 * written while the run goes: each reported transaction as it ends (in issue order), each
 * fault once its transaction has ended (so its answer is known), dumps and logs as they are
 * made. `transactions` goes straight out; the other lists wait in spools until it is closed.
 * Memory does not grow with the run.
 */
export class JsonRunWriter implements JournalSink {
  private machine: Machine | undefined;
  private elements: TransactionElements | undefined;
  private readonly transactionOrder = new EventQueue<string>();
  private readonly faultOrder = new EventQueue<string>();
  /** Unsettled faults by transaction, and their ids in recording order (the first is the oldest). */
  private readonly open = new Map<number, OpenFault[]>();
  private readonly unsettled = new Set<number>();
  private readonly faults = new JsonSpool();
  private readonly dumps = new JsonSpool();
  private readonly logs = new JsonSpool();
  private transactionCount = 0;

  constructor(private readonly out: RunOutput) {}

  /** Starts the document: the machine was made with this writer as its journal's sink. */
  begin(machine: Machine): void {
    this.machine = machine;
    this.elements = new TransactionElements(machine);
    this.out.write('{\n  "transactions": [');
  }

  private get attached(): Machine {
    if (!this.machine) throw new Error('the JSON writer was not begun');
    return this.machine;
  }

  private get transactionElements(): TransactionElements {
    if (!this.elements) throw new Error('the JSON writer was not begun');
    return this.elements;
  }

  transactionEnded(t: TransactionState): void {
    const live = this.attached.state.transactions.keys().next();
    const watermark = live.done ? Infinity : live.value;
    // Nothing earlier is still to come (the usual case): it goes out at once, with no text of its own.
    if (this.transactionOrder.size === 0 && t.id < watermark) {
      this.separateTransaction();
      this.transactionElements.write(t, this.out);
    } else {
      this.holdTransaction(t);
      this.release(this.transactionOrder, watermark, (text) => this.writeTransaction(text));
    }
    this.settleFaultsOf(t);
    this.releaseFaults();
  }

  fault(record: FaultRecord): void {
    const list = this.open.get(record.transaction) ?? [];
    if (list.length === 0) this.open.set(record.transaction, list);
    list.push({ record, response: undefined });
    this.unsettled.add(record.id);
  }

  answered(record: FaultRecord, response: ResponseKind): void {
    const open = this.open.get(record.transaction)?.find((f) => f.record.id === record.id);
    if (open) open.response = response;
  }

  dump(d: CrashDump): void {
    this.dumps.add(
      element({
        cycle: d.time,
        handler: d.handler,
        thread: d.thread,
        line: this.attached.model.lines.lineOf(d.offset),
        registers: Object.fromEntries(d.registers.map((r) => [r.name, hex(r.value)])),
        submits: d.submits.map((s) => ({ engine: s.engine, submit: s.submit === undefined ? null : Number(s.submit), inFlight: s.inFlight })),
        stalled: d.stalled.map((t) => ({ engine: t.engine, iova: hex(t.iova), name: t.label ?? null })),
      }),
    );
  }

  log(l: LogRecord): void {
    this.logs.add(logElement(l.time, this.attached.state.threads[l.thread - 1]?.name ?? null, l.message, l.kernel));
  }

  private holdTransaction(t: TransactionState): void {
    this.transactionOrder.schedule(t.id, piecesText((out) => this.transactionElements.write(t, out)));
  }

  private settleFaultsOf(transaction: TransactionState): void {
    const list = this.open.get(transaction.id);
    if (!list) return;
    this.open.delete(transaction.id);
    const line = this.transactionElements.lineOf(transaction);
    for (const { record: f, response } of list) {
      this.unsettled.delete(f.id);
      const { stage, class: faultClass, ipa } = f.stage;
      const json: Json = { kind: f.kind, iova: hex(f.iova), sid: f.sid, ssid: f.ssid, level: f.level, stage, class: faultClass, ipa: ipa === undefined ? null : hex(ipa), stalled: f.stalled, response: response ?? null, line };
      this.faultOrder.schedule(f.id, element(json));
    }
  }

  private releaseFaults(): void {
    const oldest = this.unsettled.values().next();
    this.release(this.faultOrder, oldest.done ? Infinity : oldest.value, (text) => this.faults.add(text));
  }

  /** Hands on every held element before `watermark` in order, and the oldest beyond the bound. */
  private release(order: EventQueue<string>, watermark: number, write: (text: string) => void): void {
    for (let next = order.peek(); next && (next.time < watermark || order.size > HELD_BACK); next = order.peek()) {
      order.pop();
      write(next.action);
    }
  }

  private writeTransaction(text: string): void {
    this.separateTransaction();
    this.out.write(text);
  }

  private separateTransaction(): void {
    this.out.append(this.transactionCount === 0 ? '\n' : ',\n');
    this.transactionCount++;
  }

  /**
   * Ends the document: the transactions still live (stalled, or pending at `--until`) and
   * their faults, then the lists that waited, the expects, counters and the rest.
   */
  finish(error: string | undefined): void {
    const machine = this.attached;
    for (const t of machine.state.transactions.values()) {
      if (worthReporting(t)) this.holdTransaction(t);
      this.settleFaultsOf(t);
    }
    this.release(this.transactionOrder, Infinity, (text) => this.writeTransaction(text));
    this.releaseFaults();
    const result = machine.result();
    this.out.write(this.transactionCount === 0 ? '],\n' : '\n  ],\n');
    this.writeSpool('faults', this.faults, ',\n');
    this.out.write(`${member('expects', result.expects.map((e) => ({ line: e.line, text: e.text, ok: e.ok, detail: e.detail })))},\n`);
    this.out.write(`${member('counters', { ...result.counters })},\n`);
    this.out.write(`${member('cycles', result.cycles)},\n`);
    this.writeSpool('dumps', this.dumps, ',\n');
    const tail: string[] = [];
    // Only with containers, and with engines not done: a scenario without either prints what it always printed.
    if (machine.model.vfio.length > 0) tail.push(member('vfio', vfioToJson(machine)));
    if (result.unfinished.length > 0) tail.push(member('unfinished', unfinishedToJson(result.unfinished)));
    if (error !== undefined) tail.push(member('error', error));
    this.writeSpool('logs', this.logs, tail.length > 0 ? ',\n' : '\n');
    if (tail.length > 0) this.out.write(`${tail.join(',\n')}\n`);
    this.out.write('}\n');
  }

  private writeSpool(key: string, spool: JsonSpool, after: string): void {
    if (spool.length === 0) {
      this.out.write(`  ${JSON.stringify(key)}: []${after}`);
      return;
    }
    this.out.write(`  ${JSON.stringify(key)}: [\n`);
    spool.copyTo(this.out);
    this.out.write(`\n  ]${after}`);
  }

  /** Removes what the spools put on disk (a run that ended before `finish`). */
  dispose(): void {
    this.faults.dispose();
    this.dumps.dispose();
    this.logs.dispose();
  }
}

/** Each engine not done: what it issued, what it would still issue (a count; beyond 2^53 inexact), what holds it. */
function unfinishedToJson(unfinished: readonly UnfinishedEngine[]): Json {
  return unfinished.map((u) => ({ engine: u.name, issued: u.issued, unissued: Number(u.unissued), line: u.line ?? null, waiting: u.waiting.map((w) => ({ transaction: w.transaction, why: w.why })), summary: u.summary }));
}

/** Where each master of each container landed: names, with `domain` null for a master attached nowhere. */
function vfioToJson(machine: Machine): Json {
  const { masters, domains } = machine.model;
  return machine.model.vfio.map((container) => ({
    name: container.name,
    placements: container.placements.map((p) => ({
      master: masters[p.master]?.name ?? null,
      domain: p.domain === undefined ? null : (domains[p.domain]?.name ?? null),
      reason: p.reason,
    })),
  }));
}
