import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import { DebugProtocol } from '@vscode/debugprotocol';
import { startDebugClient } from '../helpers/debugClient';
import { repoPath } from '../helpers/repo';
import { ResumeResponseBody } from '../../debug-adapter/protocol';

/** How long a test waits for an event or a response before it calls the adapter hung. */
export const TIMEOUT = 4000;

// ---------------------------------------------------------------------------------------
// Scenario files

let tempDir: string | undefined;
let fileCount = 0;

/** Writes a scenario to a fresh file in this process's temp dir; returns its path. */
export function scenarioFile(text: string, name = 'scenario'): string {
  if (!tempDir) {
    tempDir = mkdtempSync(path.join(os.tmpdir(), 'iommu-dap-'));
    const dir = tempDir;
    process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  }
  const file = path.join(tempDir, `${name}-${++fileCount}.iommu`);
  writeFileSync(file, text);
  return file;
}

/** The path of one of the repository's examples (`examples/NAME.iommu`). */
export function example(name: string): string {
  return repoPath('examples', `${name}.iommu`);
}

/** The 1-based line of `text` that contains `marker` (it must occur exactly once). */
export function lineOf(text: string, marker: string): number {
  const lines = text.split('\n');
  const found = lines.flatMap((line, index) => (line.includes(marker) ? [index + 1] : []));
  assert.equal(found.length, 1, `'${marker}' must occur on exactly one line, found on ${found.length}`);
  return found[0] as number;
}

// ---------------------------------------------------------------------------------------
// A session with every event recorded

const eventNames = [
  'initialized',
  'stopped',
  'continued',
  'exited',
  'terminated',
  'thread',
  'output',
  'breakpoint',
  'invalidated',
  'memory',
  'capabilities',
  'process',
  'progressStart',
  'progressUpdate',
  'progressEnd',
  'iommu/ended',
] as const;
export type EventName = (typeof eventNames)[number];

export interface Waiter {
  type: EventName;
  predicate: (event: DebugProtocol.Event) => boolean;
  resolve: (event: DebugProtocol.Event) => void;
  timer: NodeJS.Timeout;
}

/** Launch-time configuration, sent between `initialized` and `configurationDone` as VS Code does. */
export interface Configuration {
  breakpoints?: DebugProtocol.SourceBreakpoint[];
  functionBreakpoints?: DebugProtocol.FunctionBreakpoint[];
  /** Exception filters; absent: none sent (the adapter's defaults, translation and stall, apply). */
  exceptionFilters?: string[];
  filterOptions?: DebugProtocol.ExceptionFilterOptions[];
  /** What the client says of itself at `initialize`, besides the defaults (e.g. `supportsProgressReporting`). */
  client?: Partial<DebugProtocol.InitializeRequestArguments>;
}

export interface Launched {
  breakpoints: DebugProtocol.Breakpoint[];
  functionBreakpoints: DebugProtocol.Breakpoint[];
  exceptionBreakpoints: DebugProtocol.Breakpoint[] | undefined;
}

export interface IommuLaunch {
  scenario: string;
  noDebug?: boolean;
  stopOnEntry?: boolean;
  stopOnFault?: boolean;
  trace?: boolean;
  maxEvents?: number;
  maxSeconds?: number;
}

/**
 * The standalone adapter (`node dist/debug-adapter.js`) behind a DebugClient, with every
 * event it sent kept in order: a test asks for "the next stopped event" whether it came
 * before or after the request that caused it.
 */
export class Dap {
  readonly events: DebugProtocol.Event[] = [];
  /** Per event type: how many of the recorded ones `next` has handed out. */
  private readonly consumed = new Map<string, number>();
  private readonly waiters: Waiter[] = [];

  private constructor(readonly client: DebugClient) {
    client.defaultTimeout = TIMEOUT;
    for (const name of eventNames) {
      client.on(name, (event: DebugProtocol.Event) => {
        this.events.push(event);
        for (const waiter of [...this.waiters]) {
          if (waiter.type === name && waiter.predicate(event)) {
            this.waiters.splice(this.waiters.indexOf(waiter), 1);
            waiter.resolve(event);
          }
        }
      });
    }
  }

  static async start(): Promise<Dap> {
    return new Dap(await startDebugClient());
  }

  /** Ends the session; waits still pending are dropped (they neither resolve nor fail). */
  async stop(): Promise<void> {
    for (const waiter of this.waiters.splice(0)) clearTimeout(waiter.timer);
    await this.client.stop();
  }

  /** Every recorded event of a type, in order. */
  all<T extends DebugProtocol.Event = DebugProtocol.Event>(type: EventName): T[] {
    return this.events.filter((e) => e.event === type) as T[];
  }

  /** The next event of a type not handed out yet: recorded already, or the next to come. */
  next<T extends DebugProtocol.Event = DebugProtocol.Event>(type: EventName, timeout = TIMEOUT): Promise<T> {
    const seen = this.consumed.get(type) ?? 0;
    const recorded = this.all<T>(type);
    const ready = recorded[seen];
    this.consumed.set(type, seen + 1);
    if (ready) return Promise.resolve(ready);
    return this.waitFor<T>(type, (_e) => this.all(type).length > seen, timeout, `event '${type}' #${seen + 1}`);
  }

  /** The first event of a type, recorded or to come, that `predicate` accepts. */
  waitFor<T extends DebugProtocol.Event = DebugProtocol.Event>(type: EventName, predicate: (event: T) => boolean, timeout = TIMEOUT, what = `a matching '${type}' event`): Promise<T> {
    const found = this.all<T>(type).find(predicate);
    if (found) return Promise.resolve(found);
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(new Error(`no ${what} after ${timeout} ms; events so far: ${this.summary()}`));
      }, timeout);
      timer.unref();
      const waiter: Waiter = {
        type,
        predicate: (event) => predicate(event as T),
        resolve: (event) => {
          clearTimeout(timer);
          resolve(event as T);
        },
        timer,
      };
      this.waiters.push(waiter);
    });
  }

  /** The events so far in one line each, for failure messages. */
  summary(): string {
    return this.events
      .map((e) => {
        const body = e.body as Record<string, unknown> | undefined;
        if (e.event === 'output') return `output(${JSON.stringify(body?.['output'])})`;
        if (e.event === 'stopped') return `stopped(${String(body?.['reason'])}, ${String(body?.['description'])}, thread ${String(body?.['threadId'])})`;
        return e.event;
      })
      .join(', ');
  }

  /** The next `stopped` event's body; fails at once when the run terminates instead. */
  async stopped(timeout = TIMEOUT): Promise<DebugProtocol.StoppedEvent['body']> {
    const stopped = this.next<DebugProtocol.StoppedEvent>('stopped', timeout).then((e) => e.body);
    const ended = this.waitFor('terminated', () => true, timeout + 1000).then(
      () => undefined,
      () => undefined,
    );
    const first = await Promise.race([stopped, ended]);
    if (first) return first;
    // Both may be recorded already: a stop that came before the end still counts.
    const late = await Promise.race([stopped, Promise.resolve(undefined)]);
    if (late) return late;
    assert.fail(`the run ended instead of stopping; events so far: ${this.summary()}`);
  }

  /** Every `output` event's text so far, joined. */
  output(category?: string): string {
    return this.all<DebugProtocol.OutputEvent>('output')
      .filter((e) => category === undefined || (e.body.category ?? 'console') === category)
      .map((e) => e.body.output)
      .join('');
  }

  // -------------------------------------------------------------------------------------
  // Launching

  /** initialize → launch → initialized → breakpoints and filters; the answers to the configuration requests. */
  async launch(args: IommuLaunch, config: Configuration = {}): Promise<Launched> {
    await this.client.initializeRequest(config.client ? { adapterID: 'iommu', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path', ...config.client } : undefined);
    const initialized = this.next('initialized');
    await this.client.launchRequest(args as DebugProtocol.LaunchRequestArguments);
    await initialized;
    const launched: Launched = { breakpoints: [], functionBreakpoints: [], exceptionBreakpoints: undefined };
    if (config.breakpoints) {
      const response = await this.client.setBreakpointsRequest({ source: { path: args.scenario }, breakpoints: config.breakpoints });
      launched.breakpoints = response.body.breakpoints;
    }
    if (config.functionBreakpoints) {
      const response = await this.client.setFunctionBreakpointsRequest({ breakpoints: config.functionBreakpoints });
      launched.functionBreakpoints = response.body.breakpoints;
    }
    if (config.exceptionFilters || config.filterOptions) {
      const response = await this.client.setExceptionBreakpointsRequest({ filters: config.exceptionFilters ?? [], ...(config.filterOptions ? { filterOptions: config.filterOptions } : {}) });
      launched.exceptionBreakpoints = response.body?.breakpoints;
    }
    return launched;
  }

  /** A bare launch request with whatever arguments (for refusals): its response. */
  launchRequest(args: Record<string, unknown>): Promise<DebugProtocol.LaunchResponse> {
    return this.client.launchRequest(args as DebugProtocol.LaunchRequestArguments);
  }

  /** The whole start of a session up to its first stop: the stopped event's body. */
  async launchAndStop(args: IommuLaunch, config: Configuration = {}): Promise<DebugProtocol.StoppedEvent['body']> {
    await this.launch(args, config);
    await this.client.configurationDoneRequest();
    return this.stopped();
  }

  /** Launches and lets the run end; resolves with the exit code. */
  async launchToEnd(args: IommuLaunch, config: Configuration = {}): Promise<number> {
    await this.launch(args, config);
    await this.client.configurationDoneRequest();
    return this.exitCode();
  }

  /** Waits for `exited` and `terminated`; the exit code. */
  async exitCode(timeout = TIMEOUT): Promise<number> {
    const exited = await this.next<DebugProtocol.ExitedEvent>('exited', timeout);
    await this.next('terminated', timeout);
    return exited.body.exitCode;
  }

  // -------------------------------------------------------------------------------------
  // Inspecting a stop

  async threads(): Promise<DebugProtocol.Thread[]> {
    return (await this.client.threadsRequest()).body.threads;
  }

  /** The id of the thread with this name (it must be alive). */
  async threadId(name: string): Promise<number> {
    const threads = await this.threads();
    const thread = threads.find((t) => t.name === name);
    assert.ok(thread, `no thread '${name}' among ${threads.map((t) => t.name).join(', ')}`);
    return thread.id;
  }

  async frames(threadId: number): Promise<DebugProtocol.StackFrame[]> {
    return (await this.client.stackTraceRequest({ threadId })).body.stackFrames;
  }

  /** `name @ line` for every frame of a thread (line 0 for a kernel frame without source). */
  async stack(threadId: number): Promise<string[]> {
    // A kernel frame is at a paragraph of its file's page: `process_one_work @ workqueue.c:8`.
    return (await this.frames(threadId)).map((f) => `${f.name} @ ${f.source?.sourceReference ? `${f.source.name ?? ''}:${f.line}` : f.line}`);
  }

  async topFrame(threadId: number): Promise<DebugProtocol.StackFrame> {
    const [top] = await this.frames(threadId);
    assert.ok(top, `thread ${threadId} has no frames`);
    return top;
  }

  async scopes(frameId: number): Promise<DebugProtocol.Scope[]> {
    return (await this.client.scopesRequest({ frameId })).body.scopes;
  }

  /** The scope of a frame whose name starts with `name` ("Registers" finds "Registers (kgsl cb0)"). */
  async scope(frameId: number, name: string): Promise<DebugProtocol.Scope> {
    const scopes = await this.scopes(frameId);
    const scope = scopes.find((s) => s.name === name || s.name.startsWith(`${name} (`));
    assert.ok(scope, `no scope '${name}' among ${scopes.map((s) => s.name).join(', ')}`);
    return scope;
  }

  async variables(variablesReference: number, start?: number, count?: number): Promise<DebugProtocol.Variable[]> {
    return (await this.client.variablesRequest({ variablesReference, ...(start !== undefined ? { start } : {}), ...(count !== undefined ? { count } : {}) })).body.variables;
  }

  /** `name → value` of a container's variables. */
  async values(variablesReference: number): Promise<Record<string, string>> {
    return Object.fromEntries((await this.variables(variablesReference)).map((v) => [v.name, v.value]));
  }

  async variable(variablesReference: number, name: string): Promise<DebugProtocol.Variable> {
    const variables = await this.variables(variablesReference);
    const variable = variables.find((v) => v.name === name);
    assert.ok(variable, `no variable '${name}' among ${variables.map((v) => v.name).join(', ')}`);
    return variable;
  }

  /** Follows a path of names from a scope of the top frame: `['Fault', 'walk', 'L2[56]']`. */
  async lookup(threadId: number, scopeName: string, ...names: string[]): Promise<{ container: number; variable: DebugProtocol.Variable | undefined }> {
    const top = await this.topFrame(threadId);
    let container = (await this.scope(top.id, scopeName)).variablesReference;
    let variable: DebugProtocol.Variable | undefined;
    for (const [index, name] of names.entries()) {
      variable = await this.variable(container, name);
      if (index < names.length - 1) container = variable.variablesReference;
    }
    return { container, variable };
  }

  async evaluate(expression: string, context: string = 'repl', frameId?: number): Promise<DebugProtocol.EvaluateResponse['body']> {
    return (await this.client.evaluateRequest({ expression, context, ...(frameId !== undefined ? { frameId } : {}) })).body;
  }

  async custom<T>(command: string, args?: object): Promise<T> {
    const response = await this.client.customRequest(command, args);
    return response.body as T;
  }

  /**
   * `iommu/resume`, as a view sends it: its answer, after checking what every answer does
   * besides — the Debug Console says what the driver wrote, and the stop is told again as it
   * now stands (a pause, no longer an exception).
   */
  async answer(transaction: number, action: string): Promise<ResumeResponseBody> {
    const restated = this.next<DebugProtocol.StoppedEvent>('stopped');
    const answered = await this.custom<ResumeResponseBody>('iommu/resume', { transaction, action });
    const what = `${action} for #${answered.resumed.join(', #')}`;
    const stop = (await restated).body;
    assert.deepEqual([stop.reason, stop.description], ['pause', `Answered ${what}`]);
    assert.ok(this.output('stdout').includes(`Answered ${what}: ${answered.written}\n`), 'the Debug Console says what the driver wrote');
    return answered;
  }
}

/** The error a request was answered with; fails the test if it succeeded. */
export async function errorOf(request: Promise<unknown>): Promise<Error> {
  try {
    await request;
  } catch (error) {
    assert.ok(error instanceof Error);
    return error;
  }
  assert.fail('the request succeeded');
}

/** Waits a little to show that nothing more happens (no event is expected). */
export function settle(ms = 150): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
