import { faultAtLevel } from '../machine/faultText';
import { formatDump } from '../machine/dump';
import { ttbrSwitchText } from '../machine/ttbrSwitch';
import { staleAccessText } from '../inspect/staleAccess';
import { MachineEvent } from '../machine/events';
import { Machine } from '../machine/machine';
import { resultSummary, RunResult } from '../machine/results';
import { TransactionState } from '../machine/state';
import { hex } from '../util/u64';
import { RunOutput } from './output';
import { FixedText, piecesText, PieceWriter } from './pieces';
import { vfioPlacementLines } from './vfioTrace';

/** Columns of a trace line: the cycle, right-aligned, and the thread or unit, left-aligned. */
const TIME_WIDTH = 8;
const WHO_WIDTH = 14;
const ACCESS_WIDTH = 5;
const ACCESS_COLUMN = { read: new FixedText(`${'read'.padEnd(ACCESS_WIDTH)} `), write: new FixedText(`${'write'.padEnd(ACCESS_WIDTH)} `) } as const;
const COMPLETED_AT = new FixedText(' → ');
const COMPLETED = new FixedText(' completed (');

function timeColumn(time: number): string {
  return String(time).padStart(TIME_WIDTH);
}

/** What a transaction's line says that its op fixes: ` as LABEL (line N)`, for the label it was made with. */
interface OpText {
  label: string | undefined;
  tail: FixedText;
}

/**
 * The readable trace of `iommu-debug run`: one event a line, with its cycle and the
 * thread or unit it happened on.
 */
export class TraceFormatter {
  constructor(private readonly machine: Machine) {}

  private get model() {
    return this.machine.model;
  }

  /**
   * The words of a transaction that its op fixes (label and source line), and its engine's
   * column, made once per op: a million transactions of one loop share them.
   */
  private readonly opTexts: (OpText | undefined)[][] = [];
  /** The unit column, padded and with the spaces around it, by name: a handful of names, millions of lines. */
  private readonly whoColumns = new Map<string, FixedText>();

  private line(time: number, who: string, what: string): string {
    return `${timeColumn(time)}${this.whoColumn(who).text}${what}`;
  }

  private whoColumn(who: string): FixedText {
    let column = this.whoColumns.get(who);
    if (column === undefined) this.whoColumns.set(who, (column = new FixedText(`  ${who.padEnd(WHO_WIDTH)} `)));
    return column;
  }

  private thread(id: number): string {
    return this.machine.state.threads[id - 1]?.name ?? `thread ${id}`;
  }

  private smmu(smmu: number): string {
    return this.model.smmus[smmu]?.name ?? '?';
  }

  private bank(smmu: number, bank: number): string {
    return `${this.model.smmus[smmu]?.name ?? '?'}/cb${bank}`;
  }

  private sourceLine(offset: number): number {
    return this.model.lines.lineOf(offset);
  }

  private transaction(t: TransactionState): string {
    return piecesText((out) => this.writeTransaction(t, out));
  }

  /** `read  0x1000 64 as tex (line 5)`: what a transaction's lines say of it. */
  private writeTransaction(t: TransactionState, out: PieceWriter): void {
    out.fixed(ACCESS_COLUMN[t.access]);
    out.hex(t.iova);
    out.append(' ');
    out.decimal(t.size);
    out.fixed(this.opText(t).tail);
  }

  /** The line of a transaction that ended: one a transaction, so written in pieces. */
  private writeEnded(event: Extract<MachineEvent, { kind: 'transaction-ended' }>, out: PieceWriter): void {
    const t = event.transaction;
    out.decimal(event.time, TIME_WIDTH);
    out.fixed(this.whoColumn(this.engine(t)));
    this.writeTransaction(t, out);
    if (event.status === 'completed' && t.pa !== undefined) {
      out.fixed(COMPLETED_AT);
      out.hex(t.pa);
      out.fixed(COMPLETED);
    } else {
      out.append(' ');
      out.append(event.status);
      out.append(' (');
    }
    out.append(event.how);
    out.append(')');
  }

  /** The line for one event and its newline, to the CLI's output; nothing for events the trace leaves out. */
  writeLine(event: MachineEvent, out: RunOutput): void {
    if (event.kind === 'transaction-ended') {
      this.writeEnded(event, out);
      out.append('\n');
      return;
    }
    const line = this.format(event);
    if (line === undefined) return;
    out.append(line);
    out.append('\n');
  }

  private opText(t: TransactionState): OpText {
    const texts = (this.opTexts[t.engine] ??= []);
    const known = texts[t.op];
    if (known !== undefined && known.label === t.label) return known;
    const op = this.model.engines[t.engine]?.program[t.op];
    const line = op?.op === 'transaction' ? ` (line ${this.sourceLine(op.node.range.start)})` : '';
    const text: OpText = { label: t.label, tail: new FixedText(`${t.label ? ` as ${t.label}` : ''}${line}`) };
    texts[t.op] = text;
    return text;
  }

  private engine(t: TransactionState): string {
    return this.model.engines[t.engine]?.name ?? '?';
  }

  /** The line for one event, or undefined for events the trace leaves out. */
  format(event: MachineEvent): string | undefined {
    switch (event.kind) {
      case 'transaction-ended':
        return piecesText((out) => this.writeEnded(event, out));
      case 'transaction-stalled': {
        const t = event.transaction;
        const why = this.machine.smmu(t.smmu)?.stallNote(t) ?? '';
        return this.line(event.time, this.engine(t), `${this.transaction(t)} stalled${why}`);
      }
      case 'fault': {
        const f = event.fault;
        const where = f.bank === undefined ? this.model.smmus[f.smmu]?.name ?? '?' : this.bank(f.smmu, f.bank);
        const registers = this.machine.smmu(f.smmu)?.faultNote(f) ?? '';
        return this.line(event.time, where, `${faultAtLevel(f)}, ${hex(f.iova)} sid ${hex(f.sid)}${f.ssid ? ` ssid ${f.ssid}` : ''}: ${f.reason}${registers}`);
      }
      case 'irq':
        return this.line(event.time, 'irq', `context interrupt from ${this.bank(event.smmu, event.bank)}`);
      case 'kernel-step':
        return this.line(event.time, this.thread(event.thread), `${event.step}: ${event.detail}`);
      case 'handler-step': {
        const start = event.statement.range.start;
        const text = this.model.lines.text.slice(start, event.statement.range.end).split('\n')[0]?.trim() ?? '';
        return this.line(event.time, this.thread(event.thread), `${text}  (line ${this.sourceLine(start)})`);
      }
      case 'log':
        return this.line(event.time, this.thread(event.thread), `log: ${event.message}`);
      case 'note':
        return this.line(event.time, this.thread(event.thread), `note: ${event.text}`);
      case 'kernel-log':
        return this.line(event.time, this.thread(event.thread), `kernel: ${event.line}`);
      case 'dump': {
        const dump = this.machine.journal.dumps.get(event.dump);
        const body = dump ? formatDump(dump).split('\n').map((l) => `${' '.repeat(26)}${l}`) : [];
        return [this.line(event.time, this.thread(event.thread), `dump #${event.dump}`), ...body].join('\n');
      }
      case 'resume': {
        const what = event.ignored ? `ignored: ${event.ignored}` : `resumes ${event.transactions.map((id) => `#${id}`).join(', ') || 'nothing'}`;
        return this.line(event.time, this.bank(event.smmu, event.bank), `RESUME ${event.action}: ${what}`);
      }
      case 'page-table':
        return this.line(event.time, this.model.domains[event.domain]?.name ?? '?', event.description);
      case 'tlb-invalidate':
        return this.line(event.time, this.model.smmus[event.smmu]?.name ?? '?', event.description);
      case 'iotlb':
        return this.line(event.time, this.model.domains[event.domain]?.name ?? '?', event.description);
      case 'stale-access':
        return this.line(event.time, this.engine(event.transaction), `${this.transaction(event.transaction)} ${staleAccessText(event.stale)}`);
      case 'event-record':
        return this.line(event.time, this.smmu(event.smmu), `EVTQ[${event.index}] ← ${event.text}`);
      case 'event-dropped':
        return this.line(event.time, this.smmu(event.smmu), `EVTQ full: ${event.text} discarded${event.overflow ? ', PROD.OVFLG toggles' : ''}`);
      case 'page-request':
        return this.line(event.time, this.smmu(event.smmu), event.index === undefined ? event.text : `PRIQ[${event.index}] ← ${event.text}`);
      case 'command':
        return this.line(event.time, this.smmu(event.smmu), `CMDQ: ${event.text}: ${event.effect}`);
      case 'ttbr-switch':
        return this.line(event.time, this.model.engines[event.switched.engine]?.name ?? '?', ttbrSwitchText(this.machine.runtime, event.switched));
      case 'stall-mode':
        return this.line(event.time, this.bank(event.smmu, event.bank), `SCTLR.CFCFG ← ${event.stall ? '1 (stall)' : '0 (terminate)'}`);
      case 'transaction-issued':
      case 'thread-started':
      case 'thread-exited':
        return undefined;
    }
  }

  /** What comes before the first event: where each master was attached, then the vfio containers' placements. */
  header(): string[] {
    const lines = [`scenario ${this.model.title ? `"${this.model.title}"` : '(untitled)'}`];
    for (const a of this.machine.attachments) {
      const master = this.model.masters[a.master]?.name ?? '?';
      const domain = this.model.domains[a.domain]?.name ?? '?';
      lines.push(a.attached ? `attach ${master} → ${domain}` : `attach ${master} → ${domain} failed: ${a.reason}`);
    }
    return [...lines, ...vfioPlacementLines(this.model, (time, who, what) => this.line(time, who, what))];
  }

  /** The counters, the engines that are not done, and every expectation, after the last event. */
  summary(result: RunResult): string[] {
    return resultSummary(result).map((line) => line.text);
  }
}
