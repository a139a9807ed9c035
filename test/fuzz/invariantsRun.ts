import { ResponseKind } from '../../emulator/language/ast';
import { JournalSink } from '../../emulator/machine/journal';
import { Machine, RunStop } from '../../emulator/machine/machine';
import { FaultRecord } from '../../emulator/machine/state';
import { ScenarioModel } from '../../emulator/scenario/model';

/** Events a generated scenario's run may take: far more than any needs (they end in a few thousand). */
export const MAX_EVENTS = 300_000;
/** Wall-clock seconds a run may take before it counts as one that does not end. */
const MAX_SECONDS = 20;

/** One event as a listener saw it, with the number of actions the machine had run by then. */
export interface SeenEvent {
  at: number;
  text: string;
}

/** A run with everything the invariants need that the machine does not keep itself. */
export interface ObservedRun {
  machine: Machine;
  stop: RunStop;
  events: SeenEvent[];
  /** Transaction ids as they were issued and as they ended, with where each one's op is. */
  issued: { id: number; engine: number; op: number }[];
  ended: number[];
  /** Every fault recorded (the journal keeps only the newest), and how often each was answered. */
  faults: FaultRecord[];
  answers: Map<number, ResponseKind[]>;
  /** The handlers (by index) an activity of the fault path ran for. */
  handlersRun: Set<number>;
}

function bigintsAsHex(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? `0x${value.toString(16)}` : value;
}

/** An event as text, taken as it is emitted (the objects it names change later). */
export function eventText(event: object): string {
  return JSON.stringify(event, bigintsAsHex);
}

/** Records events with the machine's action count; returns the list it fills. */
export function recordEvents(machine: Machine): SeenEvent[] {
  const events: SeenEvent[] = [];
  machine.on((event) => events.push({ at: machine.state.events, text: eventText(event) }));
  return events;
}

/** A fresh machine for `model`, run to its end under the fuzzer's budget, watched. */
export function observedRun(model: ScenarioModel): ObservedRun {
  const faults: FaultRecord[] = [];
  const answers = new Map<number, ResponseKind[]>();
  const sink: JournalSink = {
    transactionEnded: () => undefined,
    fault: (record) => faults.push(record),
    answered: (record, response) => answers.set(record.id, [...(answers.get(record.id) ?? []), response]),
    dump: () => undefined,
    log: () => undefined,
  };
  const machine = new Machine(model, { maxEvents: MAX_EVENTS, maxSeconds: MAX_SECONDS, sink });
  const events = recordEvents(machine);
  const issued: ObservedRun['issued'] = [];
  const ended: number[] = [];
  const handlersRun = new Set<number>();
  machine.on((event) => {
    if (event.kind === 'transaction-issued') issued.push({ id: event.transaction.id, engine: event.transaction.engine, op: event.transaction.op });
    if (event.kind === 'transaction-ended') ended.push(event.transaction.id);
    if (event.kind === 'kernel-step' || event.kind === 'handler-step') {
      const handler = machine.state.activities.get(event.activity)?.handler;
      if (handler !== undefined) handlersRun.add(handler);
    }
  });
  const stop = machine.run();
  return { machine, stop, events, issued, ended, faults, answers, handlersRun };
}

/** A run's outcome as text: the result, the journal's logs and dumps, the clock. */
export function outcomeText(machine: Machine): string {
  return JSON.stringify({ result: machine.result(), logs: [...machine.journal.logs], dumps: [...machine.journal.dumps], events: machine.state.events, now: machine.now }, bigintsAsHex);
}
