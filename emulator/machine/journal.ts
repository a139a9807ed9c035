import { ResponseKind } from '../language/ast';
import { CrashDump } from './dump';
import { RecordLog } from './recordLog';
import { FaultRecord, MachineState, TransactionState } from './state';
import { TtbrSwitchRecord } from './ttbrSwitch';

/** The printk level of a kernel line: dev_err, pr_warn / WARN, dev_info. */
export type KernelLogLevel = 'err' | 'warn' | 'info';

/** A `log` statement's output, or a line the kernel printed. */
export interface LogRecord {
  time: number;
  thread: number;
  message: string;
  /** Offset of the statement in the scenario (-1 for the kernel's own lines). */
  offset: number;
  /** A kernel line's printk level; undefined for a `log` statement's output. */
  kernel?: KernelLogLevel;
}

/** A `map` a handler made: which source line built which range. */
export interface MapRecord {
  time: number;
  domain: number;
  iova: bigint;
  size: bigint;
  /** Offset of the `map` statement. */
  offset: number;
}

/**
 * Who takes every record as it is made, so that a run of any length can be written out
 * whole (the CLI's `--json`) while the journal itself keeps only the newest.
 */
export interface JournalSink {
  /** A transaction worth reporting ended: labelled, or it did not simply complete. */
  transactionEnded(transaction: TransactionState): void;
  fault(record: FaultRecord): void;
  /** A stalled fault was answered (at most once). */
  answered(record: FaultRecord, response: ResponseKind): void;
  dump(dump: CrashDump): void;
  log(log: LogRecord): void;
}

/** How many records of each kind had been made: what a snapshot keeps of the journal. */
export interface JournalLengths {
  faults: number;
  ended: number;
  dumps: number;
  logs: number;
  maps: number;
  switches: number;
}

/** Records of each kind the journal keeps by default: the newest ten thousand. */
export const DEFAULT_JOURNAL_RECORDS = 10_000;

/**
 * The run's history: faults, transactions worth reporting once they ended, crash dumps,
 * logs and the maps handlers made. It keeps the newest `records` of each (the debugger's
 * views read them); a sink sees every one. How each fault was answered lives in the
 * machine's state (`responses`, cloned with snapshots) for as long as the fault is kept.
 */
export class Journal {
  readonly faults: RecordLog<FaultRecord>;
  readonly ended: RecordLog<TransactionState>;
  readonly dumps: RecordLog<CrashDump>;
  readonly logs: RecordLog<LogRecord>;
  readonly maps: RecordLog<MapRecord>;
  /** The CP's TTBR0 switches around `submit … pagetable` (ttbrSwitch.ts). */
  readonly switches: RecordLog<TtbrSwitchRecord>;

  constructor(
    records: number,
    private readonly state: MachineState,
    private readonly sink: JournalSink | undefined,
  ) {
    this.faults = new RecordLog(records);
    this.ended = new RecordLog(records);
    this.dumps = new RecordLog(records);
    this.logs = new RecordLog(records);
    this.maps = new RecordLog(records);
    this.switches = new RecordLog(records);
  }

  fault(record: FaultRecord): void {
    const dropped = this.faults.push(record);
    if (dropped) this.state.responses.delete(dropped.id);
    this.sink?.fault(record);
  }

  answer(record: FaultRecord, response: ResponseKind): void {
    this.state.responses.set(record.id, response);
    this.sink?.answered(record, response);
  }

  transactionEnded(transaction: TransactionState): void {
    this.ended.push(transaction);
    this.sink?.transactionEnded(transaction);
  }

  dump(dump: CrashDump): void {
    this.dumps.push(dump);
    this.sink?.dump(dump);
  }

  log(log: LogRecord): void {
    this.logs.push(log);
    this.sink?.log(log);
  }

  map(map: MapRecord): void {
    this.maps.push(map);
  }

  lengths(): JournalLengths {
    return { faults: this.faults.length, ended: this.ended.length, dumps: this.dumps.length, logs: this.logs.length, maps: this.maps.length, switches: this.switches.length };
  }

  /** Back to `lengths` (a snapshot's): what was recorded since is forgotten. */
  truncate(lengths: JournalLengths): void {
    this.faults.truncate(lengths.faults);
    this.ended.truncate(lengths.ended);
    this.dumps.truncate(lengths.dumps);
    this.logs.truncate(lengths.logs);
    this.maps.truncate(lengths.maps);
    this.switches.truncate(lengths.switches);
  }
}
