import { DebugProtocol } from '@vscode/debugprotocol';
import { ErrorId } from '../../debug-adapter/errors';
import { customRequests } from '../../debug-adapter/protocol';
import { answerProblems, eventProblems } from './dapAnswers';
import { DapModel, Expectation } from './dapModel';
import { RequestSpec, Step } from './dapRequests';
import { FuzzScenario } from './dapScenarios';
import { DapAdapter, DapMessage, OutgoingRequest } from './dapWire';

/**
 * Runs one DAP session of the fuzzer on an adapter and checks, as it goes, the promises
 * every session keeps: each request gets exactly one response, an error only where the
 * request deserves one and never an internal one; no stack trace in any message or output;
 * no event after `terminated`; a resume is followed by a stop or the end; the adapter stays
 * alive to the last request.
 */

/** Longest wait for a response. */
const RESPONSE_MS = 10_000;
/** Longest wait for a run to stop or end by itself before the fuzzer pauses it. */
const SETTLE_MS = 4_000;

/** The ids an error response may carry: the adapter's own, never Internal (nor the base class's 1104 with a stack). */
const errorIds: ReadonlySet<number> = new Set([
  ErrorId.BadLaunchArguments,
  ErrorId.UnreadableScenario,
  ErrorId.ScenarioHasErrors,
  ErrorId.BadRequest,
  ErrorId.BadArguments,
  ErrorId.WrongState,
  ErrorId.UnknownRequest,
]);

/** A line of a JavaScript stack trace. */
const STACK_LINE = /\n\s+at [^\n]*:\d+:\d+/;

/** Requests answered after the scenario is read: the requests behind them may be answered first. */
const answersLater: ReadonlySet<string> = new Set(['launch', 'restart']);

/** Requests whose handling may send a stop before their response (an answer to a stall restates the stop it changed). */
const stopsWhileAnswering: ReadonlySet<string> = new Set(['configurationDone', 'restart', 'stepBack', 'reverseContinue', customRequests.resume]);

export type TranscriptEntry = { sent: OutgoingRequest & { seq: number } } | { received: DapMessage };

export interface SessionRun {
  transcript: TranscriptEntry[];
  problems: string[];
  /** Where the transcript starts to depend on timing: the fuzzer had to pause a run that went on. */
  racyFrom: number | undefined;
  /** Failures the emulator reported (`the emulator failed at cycle …`): its defects, not the adapter's. */
  emulatorFailures: string[];
}

interface Pending {
  spec: RequestSpec;
  arguments: unknown;
  expectation: Expectation;
  endingsAtSend: number;
}

/** Consecutive steps sent in one write: a batch and the step that ends it. */
function groups(steps: readonly Step[]): Step[][] {
  const all: Step[][] = [];
  let current: Step[] = [];
  for (const step of steps) {
    current.push(step);
    if (!step.batched) {
      all.push(current);
      current = [];
    }
  }
  if (current.length > 0) all.push(current);
  return all;
}

function describe(command: string, args: unknown): string {
  const text = args === undefined ? '' : ` ${JSON.stringify(args)}`;
  return `${command}${text.length > 300 ? `${text.slice(0, 300)}…` : text}`;
}

export async function runSession(scenario: FuzzScenario, scenarioPath: string, compiles: boolean, steps: readonly Step[], adapter: DapAdapter): Promise<SessionRun> {
  const { wire } = adapter;
  const model = new DapModel(scenario.text, scenarioPath, compiles);
  const run: SessionRun = { transcript: [], problems: [], racyFrom: undefined, emulatorFailures: [] };
  const problem = (text: string): void => {
    run.problems.push(text);
  };
  const pending = new Map<number, Pending>();
  const answered = new Set<number>();
  let processed = 0;
  let closedBy: string | undefined;
  let initialized = 0;

  const checkText = (text: string, where: string): void => {
    if (STACK_LINE.test(text)) problem(`a stack trace in ${where}: ${text}`);
    if (/internal error/i.test(text)) problem(`an internal error in ${where}: ${text}`);
    const emulator = /the emulator failed at cycle \d+: (.*)/.exec(text)?.[1];
    if (emulator !== undefined) run.emulatorFailures.push(emulator);
  };

  const onResponse = (response: DebugProtocol.Response): void => {
    const sent = pending.get(response.request_seq);
    if (!sent) {
      problem(`a response to request ${response.request_seq}, which ${answered.has(response.request_seq) ? 'was answered already' : 'was never sent'}`);
      return;
    }
    pending.delete(response.request_seq);
    answered.add(response.request_seq);
    const overtaken = [...pending].filter(([seq, p]) => seq < response.request_seq && !answersLater.has(p.spec.command)).map(([seq, p]) => `${p.spec.command} (${seq})`);
    if (overtaken.length > 0) problem(`${response.command} (${response.request_seq}) was answered before ${overtaken.join(', ')}, sent earlier`);
    const what = `${describe(response.command, sent.arguments)} (phase ${model.phase})`;
    if (response.success && sent.expectation === 'error') problem(`${what} succeeded; it deserves an error`);
    if (response.success) for (const wrong of answerProblems(response, sent.arguments)) problem(`${wrong} (${what})`);
    if (!response.success) {
      const id = (response.body as { error?: DebugProtocol.Message } | undefined)?.error?.id;
      if (sent.expectation === 'success') problem(`${what} answered an error: ${response.message ?? ''}`);
      if (!response.message) problem(`${what} answered an error without a message`);
      if (id === undefined || !errorIds.has(id)) problem(`${what} answered an error with id ${String(id)}: ${response.message ?? ''}`);
      checkText(response.message ?? '', `the answer to ${what}`);
    }
    model.onResponse(response, sent.arguments, sent.endingsAtSend);
    if (response.command === 'disconnect' && response.success) closedBy ??= 'the disconnect response';
  };

  const onEvent = (event: DebugProtocol.Event): void => {
    if (closedBy) problem(`event '${event.event}' ${JSON.stringify(event.body ?? {})} after ${closedBy}`);
    const outstanding = [...pending.values()].map((p) => p.spec.command);
    for (const wrong of eventProblems(event)) problem(wrong);
    if (event.event === 'output') checkText(String((event.body as { output?: unknown } | undefined)?.output ?? ''), 'an output event');
    if (event.event === 'stopped' && model.phase !== 'running' && !outstanding.some((c) => stopsWhileAnswering.has(c))) problem(`a stopped event in phase ${model.phase} with nothing running: ${JSON.stringify(event.body)}`);
    if (event.event === 'initialized' && (++initialized > 1 || !outstanding.includes('launch'))) problem('an initialized event that no launch asked for');
    model.onEvent(event);
    if (event.event === 'terminated') closedBy ??= 'the terminated event';
  };

  const drain = (): void => {
    while (processed < wire.received.length) {
      const message = wire.received[processed++] as DapMessage;
      run.transcript.push({ received: message });
      if (message.type === 'response') onResponse(message as DebugProtocol.Response);
      else if (message.type === 'event') onEvent(message as DebugProtocol.Event);
      else problem(`a message of type '${String(message.type)}'`);
    }
  };

  /** Sends requests in one write and waits for their answers; false when one never came. */
  const exchange = async (batch: { spec: RequestSpec; arguments: unknown; expectation: Expectation }[]): Promise<boolean> => {
    const seqs = wire.send(batch.map((b) => ({ command: b.spec.command, arguments: b.arguments })));
    batch.forEach((b, i) => {
      const seq = seqs[i] as number;
      pending.set(seq, { ...b, endingsAtSend: model.endings });
      run.transcript.push({ sent: { seq, command: b.spec.command, arguments: b.arguments } });
    });
    const all = await wire.until(() => {
      drain();
      return seqs.every((seq) => answered.has(seq));
    }, RESPONSE_MS);
    if (!all) problem(`no response within ${RESPONSE_MS} ms to ${batch.map((b) => describe(b.spec.command, b.arguments)).join(', ')}${adapter.gone ? ` (${adapter.gone})` : ''}`);
    return all;
  };

  const stoppedOrEnded = (): boolean => {
    drain();
    return model.phase !== 'running';
  };

  /** Waits for a running session to stop or end; pauses it (from then on the transcript depends on timing) if it goes on. */
  const settle = async (): Promise<boolean> => {
    if (await wire.until(stoppedOrEnded, SETTLE_MS)) return true;
    run.racyFrom ??= run.transcript.length;
    const pause = { spec: { command: 'pause', intent: 'wild' as const }, arguments: { threadId: model.anyThread() }, expectation: 'either' as const };
    if (!(await exchange([pause]))) return false;
    if (await wire.until(stoppedOrEnded, SETTLE_MS)) return true;
    problem(`a run neither stopped nor ended within ${SETTLE_MS} ms of a pause`);
    return false;
  };

  const probe: Step[] = [
    { request: { command: 'threads', intent: 'sane' }, batched: false },
    { request: { command: 'disconnect', args: {}, intent: 'sane' }, batched: false },
  ];
  for (const group of groups([...steps, ...probe])) {
    const batch = group.map((step, index) => {
      const { value, fresh } = model.resolve(step.request.args);
      // Behind the first request of a batch the phase is not known yet; and a launch or a
      // restart, which reads the scenario before it answers, can be overtaken by what follows
      // it (a terminate). There, only what holds in every phase is expected.
      const unknown: Expectation = step.request.command === 'threads' || step.request.command === 'disconnect' ? 'success' : step.request.intent === 'spoilt' ? 'error' : 'either';
      const overtakable = group.length > 1 && (step.request.command === 'launch' || step.request.command === 'restart');
      return { spec: step.request, arguments: value, expectation: index === 0 && !overtakable ? model.expect(step.request, fresh) : unknown };
    });
    if (!(await exchange(batch))) break;
    if (model.phase === 'running' && !(await settle())) break;
  }
  // Anything the adapter still sends now comes after the disconnect.
  await new Promise((resolve) => setTimeout(resolve, 5));
  drain();
  const exited = run.transcript.flatMap((e) => ('received' in e && e.received.type === 'event' ? [(e.received as DebugProtocol.Event).event] : []));
  if (exited.filter((e) => e === 'exited').length > 1) problem('more than one exited event');
  if (exited.includes('exited') && exited.lastIndexOf('terminated') < exited.indexOf('exited')) problem('an exited event without a terminated event after it');
  if (adapter.gone) problem(adapter.gone);
  if (adapter.stderr) problem(`the adapter wrote to stderr: ${adapter.stderr}`);
  run.problems.push(...wire.problems);
  return run;
}
