import { DebugProtocol } from '@vscode/debugprotocol';
import { customRequests } from '../../debug-adapter/protocol';
import { Arg, Given, GivenKind, RequestSpec } from './dapRequests';

/**
 * What the fuzzer believes of a session, from what it sent and what came back: where the
 * session is, what the adapter gave out (and at which stop), and from that what each
 * request deserves.
 */

export type ModelPhase = 'new' | 'configuring' | 'running' | 'stopped' | 'over' | 'disconnected';

export type Expectation = 'success' | 'error' | 'either';

/** References that live for one stop: the adapter hands them out afresh at every stop. */
const perStop: ReadonlySet<GivenKind> = new Set(['frame', 'variables', 'variable']);

/** Requests after whose success the run goes on until a stop or the end. */
const resuming: ReadonlySet<string> = new Set(['configurationDone', 'continue', 'next', 'stepIn', 'stepOut', 'restart']);

/** Custom requests that read the whole machine: answered whenever there is a live run. */
const wholeMachineReads: ReadonlySet<string> = new Set([customRequests.stalled, customRequests.domains, customRequests.faults, customRequests.smmu, customRequests.timeline, customRequests.queues]);

interface GivenValue {
  value: unknown;
  /** The stop it was given at. */
  stop: number;
}

function isGiven(arg: Arg): arg is Given {
  return typeof arg === 'object' && arg !== null && !Array.isArray(arg) && '$given' in arg;
}

function records(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value) ? value.filter((v): v is Record<string, unknown> => typeof v === 'object' && v !== null) : [];
}

function body(response: DebugProtocol.Response): Record<string, unknown> {
  return typeof response.body === 'object' && response.body !== null ? (response.body as Record<string, unknown>) : {};
}

export class DapModel {
  phase: ModelPhase = 'new';
  /** Stops (and restarts) so far: references given at an earlier one are stale. */
  private stop = 0;
  /** Stops and ends so far, and when the last answer came: a resume whose stop came before its answer has finished. */
  endings = 0;
  private endingsAtLastAnswer = 0;
  private readonly given = new Map<GivenKind, GivenValue[]>();
  private readonly lines: number;
  private readonly handlers: string[];
  private readonly domains: string[];

  constructor(
    text: string,
    private readonly scenarioPath: string,
    /** Whether the scenario compiles: a sane launch of it succeeds. */
    private readonly compiles: boolean,
  ) {
    this.lines = text.split('\n').length;
    this.handlers = [...text.matchAll(/^\s*handler\s+([A-Za-z_][\w-]*)/gm)].map((m) => m[1] ?? '');
    this.domains = [...text.matchAll(/^\s*domain\s+([A-Za-z_][\w-]*)/gm)].map((m) => m[1] ?? '');
  }

  private give(kind: GivenKind, value: unknown): void {
    const values = this.given.get(kind) ?? [];
    if (!values.some((v) => JSON.stringify(v.value) === JSON.stringify(value) && v.stop === this.stop)) values.push({ value, stop: this.stop });
    this.given.set(kind, values);
  }

  /** A thread the adapter named, for a pause the fuzzer sends itself. */
  anyThread(): number {
    const thread = this.given.get('thread')?.[0]?.value;
    return typeof thread === 'number' ? thread : 1;
  }

  /** One symbolic value made concrete; `fresh` when the adapter gave it out and it has not gone stale. */
  private pick(kind: GivenKind, pick: number): { value: unknown; fresh: boolean } {
    switch (kind) {
      case 'scenario':
        return { value: this.scenarioPath, fresh: true };
      case 'line':
        return { value: (pick % (this.lines + 2)) + 1, fresh: true };
      case 'handler':
        return this.handlers.length > 0 ? { value: this.handlers[pick % this.handlers.length], fresh: true } : { value: 'h', fresh: false };
      default:
        break;
    }
    const values = this.given.get(kind) ?? [];
    const chosen = values.length > 0 ? values[pick % values.length] : undefined;
    if (chosen) return { value: chosen.value, fresh: !perStop.has(kind) || chosen.stop === this.stop };
    return { value: this.standIn(kind), fresh: false };
  }

  /** What a symbolic value becomes when the adapter has given out nothing of its kind yet. */
  private standIn(kind: GivenKind): unknown {
    switch (kind) {
      case 'domain':
        return this.domains[0] ?? 'd';
      case 'pageTable':
        return { domain: this.domains[0] ?? 'd' };
      case 'memory':
        return '0x40000000';
      case 'dataId':
        return 'pa:0x40000000:stand-in';
      case 'variable':
        return { variablesReference: 1, name: 'FSR' };
      default:
        return 1;
    }
  }

  /** The request's arguments made concrete, and whether every reference in them is fresh. */
  resolve(arg: Arg | undefined): { value: unknown; fresh: boolean } {
    if (arg === undefined) return { value: undefined, fresh: true };
    if (isGiven(arg)) {
      const picked = this.pick(arg.$given, arg.pick);
      if (!arg.with) return picked;
      const extra = this.resolve(arg.with);
      return { value: { ...(picked.value as object), ...(extra.value as object) }, fresh: picked.fresh && extra.fresh };
    }
    if (Array.isArray(arg)) {
      const items = arg.map((a) => this.resolve(a));
      return { value: items.map((i) => i.value), fresh: items.every((i) => i.fresh) };
    }
    if (typeof arg === 'object' && arg !== null) {
      const entries = Object.entries(arg).map(([key, a]) => [key, this.resolve(a)] as const);
      return { value: Object.fromEntries(entries.map(([key, r]) => [key, r.value])), fresh: entries.every(([, r]) => r.fresh) };
    }
    return { value: arg, fresh: true };
  }

  /** What a request sent now deserves. */
  expect(spec: RequestSpec, fresh: boolean): Expectation {
    const { command, intent } = spec;
    if (command === 'threads' || command === 'disconnect') return 'success';
    if (intent === 'spoilt') return 'error';
    const phase = this.phase;
    if (phase === 'disconnected') return 'error';
    const live = phase === 'configuring' || phase === 'running' || phase === 'stopped';
    const strict = intent === 'sane' && fresh ? 'success' : 'either';
    switch (command) {
      case 'initialize':
      case 'completions':
      case 'terminate':
        return 'success';
      case 'launch':
        return phase !== 'new' ? 'error' : this.compiles && intent === 'sane' ? 'success' : 'either';
      case 'configurationDone':
        return phase === 'configuring' ? 'success' : 'error';
      case 'restart':
      case 'setBreakpoints':
      case 'setFunctionBreakpoints':
      case 'setDataBreakpoints':
      case 'breakpointLocations':
        return live ? 'success' : 'error';
      case 'setExceptionBreakpoints':
        return phase === 'over' ? 'error' : 'success';
      case 'continue':
      case 'next':
      case 'stepIn':
      case 'stepOut':
        return phase === 'stopped' ? strict : 'error';
      case 'stepBack':
      case 'reverseContinue':
      case 'setVariable':
      case customRequests.resume:
        return phase === 'stopped' ? 'either' : 'error';
      case 'pause':
        return phase === 'running' || phase === 'stopped' ? strict : 'error';
      case 'readMemory':
        return live ? (intent === 'sane' ? 'success' : 'either') : 'error';
      case 'writeMemory':
        return phase === 'stopped' ? (intent === 'sane' ? 'success' : 'either') : 'error';
      case 'stackTrace':
      case 'scopes':
      case 'variables':
      case customRequests.dump:
      case customRequests.pageTable:
      case customRequests.translate:
        return live ? strict : 'error';
      case 'dataBreakpointInfo':
        return live ? strict : 'error';
      case 'evaluate':
      case 'exceptionInfo':
        return live ? 'either' : 'error';
      default:
        if (wholeMachineReads.has(command)) return live ? 'success' : 'error';
        // Commands the adapter does not implement (disassemble), or does not know.
        return 'error';
    }
  }

  onEvent(event: DebugProtocol.Event): void {
    const eventBody = (event.body ?? {}) as Record<string, unknown>;
    if (typeof eventBody['threadId'] === 'number') this.give('thread', eventBody['threadId']);
    if (event.event === 'stopped') {
      this.stop++;
      this.endings++;
      this.phase = 'stopped';
    } else if (event.event === 'terminated') {
      this.endings++;
      this.phase = 'over';
    }
  }

  /** `endingsAtSend`: the stops and ends that had come when the request was sent. */
  onResponse(response: DebugProtocol.Response, args: unknown, endingsAtSend: number): void {
    // The adapter answers in order: a stop (or the end) that came after both the request was
    // sent and the answer before it came while this request was handled (stopOnEntry, a step
    // back, a restart's entry stop, a step behind a step back in one write).
    const finishedAlready = this.endings !== Math.max(endingsAtSend, this.endingsAtLastAnswer);
    this.endingsAtLastAnswer = this.endings;
    if (!response.success) return;
    this.harvest(response, args);
    const { command } = response;
    if (command === 'launch') this.phase = 'configuring';
    else if (command === 'terminate' && this.phase !== 'disconnected') this.phase = 'over';
    else if (command === 'disconnect') this.phase = 'disconnected';
    if (command === 'restart') this.stop++;
    if (resuming.has(command) && !finishedAlready) this.phase = 'running';
  }

  /** Keeps what the adapter gave out in an answer, to name it in later requests. */
  private harvest(response: DebugProtocol.Response, args: unknown): void {
    const b = body(response);
    const reference = (v: unknown): void => {
      if (typeof v === 'number' && v > 0) this.give('variables', v);
    };
    const memory = (v: unknown): void => {
      if (typeof v === 'string') this.give('memory', v);
    };
    switch (response.command) {
      case 'threads':
        for (const t of records(b['threads'])) this.give('thread', t['id']);
        return;
      case 'stackTrace':
        for (const f of records(b['stackFrames'])) this.give('frame', f['id']);
        return;
      case 'scopes':
        for (const s of records(b['scopes'])) reference(s['variablesReference']);
        return;
      case 'variables':
        for (const v of records(b['variables'])) {
          reference(v['variablesReference']);
          memory(v['memoryReference']);
          this.give('variable', { variablesReference: (args as { variablesReference?: unknown }).variablesReference, name: v['name'] });
        }
        return;
      case 'evaluate':
        reference(b['variablesReference']);
        memory(b['memoryReference']);
        return;
      case 'dataBreakpointInfo':
        if (typeof b['dataId'] === 'string') this.give('dataId', b['dataId']);
        return;
      case customRequests.stalled:
        for (const t of records(b['transactions'])) this.give('transaction', t['id']);
        return;
      case customRequests.domains:
        for (const d of records(b['domains'])) {
          this.give('domain', d['name']);
          this.give('pageTable', { domain: d['name'], table: d['root'], level: d['rootLevel'] });
        }
        return;
      case customRequests.pageTable:
        for (const e of records(b['entries'])) {
          memory(e['descriptorAddress']);
          const next = e['next'] as Record<string, unknown> | undefined;
          if (next) this.give('pageTable', { domain: b['domain'], table: next['table'], level: next['level'], iovaBase: next['iovaBase'] });
        }
        return;
      case customRequests.dump:
        for (const d of records(b['dumps'])) this.give('dump', d['id']);
        return;
      case customRequests.smmu:
        for (const s of records(b['smmus'])) {
          for (const bank of records(s['contextBanks'])) reference(bank['variablesReference']);
          for (const stream of records(s['streams'])) {
            reference(stream['variablesReference']);
            memory(stream['ste']);
          }
        }
        return;
      default:
        return;
    }
  }
}
