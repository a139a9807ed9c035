import * as path from 'path';
import {
  ContinuedEvent,
  DebugSession,
  Event,
  ExitedEvent,
  Handles,
  InitializedEvent,
  InvalidatedEvent,
  MemoryEvent,
  OutputEvent,
  ProgressEndEvent,
  ProgressStartEvent,
  ProgressUpdateEvent,
  Response,
  Source,
  StoppedEvent,
  TerminatedEvent,
  ThreadEvent,
} from '@vscode/debugadapter';
import { DebugProtocol } from '@vscode/debugprotocol';
import { Expression } from '../emulator/language/ast';
import { compileScenario } from '../emulator/scenario/compile';
import { ScenarioModel } from '../emulator/scenario/model';
import { dataBreakpointIds, exceptionBreakpointArguments, functionBreakpoints, sourceBreakpoints } from './breakpointArguments';
import { Breakpoints } from './breakpoints';
import { capabilities, unsupportedRequests } from './capabilities';
import { consoleCompletions, ConsoleEvaluator } from './consoleEvaluate';
import * as custom from './customRequests';
import { Debuggee, DebuggeeListener, Stop } from './debuggee';
import { ErrorId, RequestError, showsUser } from './errors';
import { kernelSource, kernelStackFrame } from './kernelFrames';
import { readExceptionBreakpoints } from './exceptionBreakpoints';
import { defaultExceptionFilters, exceptionTitle } from './exceptionFilters';
import { FrameInfo, stackOf } from './frames';
import { filterScope } from '../emulator/inspect/nameScopes';
import { IommuLaunchArguments, LaunchArgumentError, parseLaunchArguments } from './launchArguments';
import { isOver, Phase, phasesFor, refusal } from './lifecycle';
import { memoryWrite, readMemory } from './memoryRequests';
import { customEvents, customRequests, RunEndedEventBody } from './protocol';
import { RequestArguments } from './requestArguments';
import { queuesOf } from './queueViews';
import { resume } from './resume';
import { runEnd } from './runEnd';
import { smmus } from './smmus';
import { ScenarioReader } from './scenarioReader';
import { errorLines, shownPath } from './scenarioErrors';
import { contextOf, scopesOf } from './scopesOf';
import { VariableStore } from './variables/store';
import { memoryReference } from './variables/values';

/** The session's life but for where a launched run is, which its debuggee knows (lifecycle.ts). */
type Life = { phase: 'new' } | { phase: 'launching' } | Launched | { phase: 'terminated' } | { phase: 'disconnected' };

interface Launched {
  phase: 'launched';
  debuggee: Debuggee;
  args: IommuLaunchArguments;
}

/** Requests answered after a disconnect too: they change nothing (no threads are left). */
const answeredWhenDisconnected: ReadonlySet<string> = new Set(['threads', 'disconnect']);

/**
 * `initialize`'s arguments, checked: the base class would fail on ones that are not an
 * object (with a stack trace in the message) and refuse a missing `pathFormat`, which DAP
 * defaults to `path`.
 */
function initializeArguments(raw: unknown): DebugProtocol.InitializeRequestArguments {
  const args = RequestArguments.of('initialize', raw);
  const pathFormat = args.optionalString('pathFormat') ?? 'path';
  if (pathFormat !== 'path') throw new RequestError(`initialize: the IOMMU debugger takes file paths (pathFormat 'path'), not '${pathFormat}'`, ErrorId.BadArguments);
  const linesStartAt1 = args.optionalBoolean('linesStartAt1');
  const columnsStartAt1 = args.optionalBoolean('columnsStartAt1');
  const supportsProgressReporting = args.optionalBoolean('supportsProgressReporting');
  return {
    adapterID: args.optionalString('adapterID') ?? 'iommu',
    pathFormat,
    ...(linesStartAt1 !== undefined ? { linesStartAt1 } : {}),
    ...(columnsStartAt1 !== undefined ? { columnsStartAt1 } : {}),
    ...(supportsProgressReporting !== undefined ? { supportsProgressReporting } : {}),
  };
}

/**
 * The DAP face of the emulator. The same class runs inline in the extension host and
 * standalone on stdio (`main.ts`); what differs between the two (how a scenario is read)
 * is injected. Every request answers — with its result, or an error that says why — in
 * every phase of the session's life; none ends the session but terminate and disconnect.
 */
export class IommuDebugSession extends DebugSession {
  private life: Life = { phase: 'new' };
  /** Bumped by every launch, restart, terminate and disconnect: a load that finds it changed was overtaken. */
  private generation = 0;
  /** `terminated` has been sent (or the client disconnected): no event may follow. */
  private closed = false;
  private readonly variables = new VariableStore();
  private frames = new Handles<FrameInfo>();
  /** The configuration the client sent, kept so that a restart applies it again. */
  private lineBreakpoints: DebugProtocol.SourceBreakpoint[] = [];
  private lineBreakpointIds: number[] = [];
  private functionBreakpoints: DebugProtocol.FunctionBreakpoint[] = [];
  private functionBreakpointIds: number[] = [];
  private exceptionFilters = defaultExceptionFilters<Expression>();
  /** Whether the client shows progress events; the run's progress shown now, if any. */
  private progressReporting = false;
  private progressId: string | undefined;
  private progressCount = 0;

  constructor(private readonly readScenario: ScenarioReader) {
    super();
    this.setDebuggerLinesStartAt1(true);
    this.setDebuggerColumnsStartAt1(true);
  }

  /** Where the session is (lifecycle.ts). */
  get phase(): Phase {
    if (this.life.phase !== 'launched') return this.life.phase;
    const state = this.life.debuggee.state;
    if (state === 'ready') return 'configuring';
    // A launched debuggee is disposed only as the life moves on: `disposed` is not seen here.
    return state === 'disposed' ? 'terminated' : state;
  }

  /** Every event goes out through here: after `terminated`, nothing does. */
  override sendEvent(event: DebugProtocol.Event): void {
    if (this.closed) return;
    if (event.event === 'terminated') this.closed = true;
    super.sendEvent(event);
  }

  /**
   * Runs a request handler; a refusal or a bug becomes an error response, never a crash.
   * A handler that finishes at once is answered at once, so that requests read in one chunk
   * are answered in their order, errors and successes alike; only a launch or a restart,
   * which read the scenario, answer later.
   */
  private async handle<R extends DebugProtocol.Response>(response: R, run: () => void | Promise<void>): Promise<void> {
    try {
      const pending = run();
      if (pending) await pending;
      this.sendResponse(response);
    } catch (error) {
      const refused = error instanceof RequestError;
      const id = refused ? error.id : ErrorId.Internal;
      const message = refused ? error.message : `internal error in the IOMMU debug adapter: ${error instanceof Error ? error.message : String(error)}`;
      // Empty variables: the message goes out as it is, whatever braces a user's text put in it
      // (without them, the base class fails on a `{_name}` as it formats).
      this.sendErrorResponse(response, { id, format: message, variables: {}, showUser: showsUser(id) });
    }
  }

  /** Runs a handler with its arguments read from what the client sent. */
  private answer<R extends DebugProtocol.Response>(response: R, raw: unknown, run: (args: RequestArguments) => void | Promise<void>): void {
    void this.handle(response, () => run(RequestArguments.of(response.command, raw)));
  }

  /** The launched run, in one of the phases a request is answered in; else the refusal that phase gives. */
  private launchedIn(allowed: readonly Phase[]): Launched {
    const phase = this.phase;
    if (this.life.phase !== 'launched' || !allowed.includes(phase)) throw refusal(phase);
    return this.life;
  }

  private debuggeeIn(allowed: readonly Phase[]): Debuggee {
    return this.launchedIn(allowed).debuggee;
  }

  private get scenarioPath(): string {
    return this.life.phase === 'launched' ? this.life.args.scenario : '';
  }

  private source(): Source {
    return new Source(path.basename(this.scenarioPath), this.convertDebuggerPathToClient(this.scenarioPath));
  }

  private thread(debuggee: Debuggee, threadId: number): number {
    if (!debuggee.machine.state.threads[threadId - 1]) throw new RequestError(`there is no thread ${threadId}`);
    return threadId;
  }

  private frame(frameId: number): FrameInfo {
    const frame = this.frames.get(frameId);
    if (!frame) throw new RequestError(`frameId ${frameId} is not one of the current stop's`);
    return frame;
  }

  /** Whether a client path names the scenario being debugged. */
  private isScenario(args: RequestArguments): boolean {
    const source = args.object('source');
    const sourcePath = source.optionalString('path');
    return sourcePath === undefined || path.resolve(this.convertClientPathToDebugger(sourcePath)) === path.resolve(this.scenarioPath);
  }

  // -------------------------------------------------------------------------------------
  // Life cycle

  /**
   * After a disconnect, almost every request is refused here; `initialize`'s arguments are
   * checked before the base class reads them; commands this adapter does not implement are
   * refused rather than answered with an empty success.
   */
  protected override dispatchRequest(request: DebugProtocol.Request): void {
    try {
      // The client has gone: what it may still send is answered, and refused.
      if (this.phase === 'disconnected' && !answeredWhenDisconnected.has(request.command)) throw refusal(this.phase);
      if (request.command === 'initialize') super.dispatchRequest({ ...request, arguments: initializeArguments(request.arguments) });
      else if (unsupportedRequests.has(request.command)) throw new RequestError(`the IOMMU debugger does not support '${request.command}'`, ErrorId.UnknownRequest);
      else super.dispatchRequest(request);
    } catch (error) {
      void this.handle(new Response(request), () => {
        throw error;
      });
    }
  }

  protected override initializeRequest(response: DebugProtocol.InitializeResponse, args: DebugProtocol.InitializeRequestArguments): void {
    this.progressReporting = args.supportsProgressReporting === true;
    response.body = capabilities;
    this.sendResponse(response);
  }

  protected override launchRequest(response: DebugProtocol.LaunchResponse, raw: DebugProtocol.LaunchRequestArguments): void {
    this.answer(response, raw, async (given) => {
      const phase = this.phase;
      if (phase === 'launching') throw new RequestError('a launch is already under way', ErrorId.WrongState);
      if ((phasesFor.live as readonly Phase[]).includes(phase)) throw new RequestError('this session has launched its scenario already: restart it, or start a new session', ErrorId.WrongState);
      if (phase !== 'new') throw refusal(phase);
      let args: IommuLaunchArguments;
      try {
        args = parseLaunchArguments({ ...given.raw });
      } catch (error) {
        if (error instanceof LaunchArgumentError) throw new RequestError(error.message, ErrorId.BadLaunchArguments);
        throw error;
      }
      const debuggee = await this.loading(args, () => {
        this.life = { phase: 'new' };
      });
      this.life = { phase: 'launched', debuggee, args };
      this.sendEvent(new InitializedEvent());
    });
  }

  /**
   * Loads a scenario in the `launching` phase. A load a terminate or disconnect overtook
   * is refused (its run never reports anything); when the load itself fails, `failed`
   * says where the session goes.
   */
  private async loading(args: IommuLaunchArguments, failed: () => void): Promise<Debuggee> {
    this.life = { phase: 'launching' };
    const generation = ++this.generation;
    const overtaken = (): boolean => generation !== this.generation;
    try {
      const model = await this.load(args);
      // Built only when still wanted: a run never made reports nothing (not even a trace header).
      if (overtaken()) throw new RequestError('the session ended before its scenario was loaded', ErrorId.WrongState);
      const options = { noDebug: args.noDebug, stopOnFault: args.stopOnFault, trace: args.trace, maxEvents: args.maxEvents, maxSeconds: args.maxSeconds };
      const debuggee = new Debuggee(model, new Breakpoints(model), options, this.listener());
      debuggee.setExceptionFilters(this.exceptionFilters);
      return debuggee;
    } catch (error) {
      if (!overtaken()) failed();
      throw error;
    }
  }

  /**
   * Reads and checks the scenario. A scenario with errors sends each to the Debug Console
   * (scenarioErrors.ts), then fails with a short message no client needs to show: the
   * lines say it all, with links to where they are.
   */
  private async load(args: IommuLaunchArguments): Promise<ScenarioModel> {
    let text: string;
    try {
      text = await this.readScenario(args.scenario);
    } catch (error) {
      throw new RequestError(`cannot read scenario ${args.scenario}: ${error instanceof Error ? error.message : String(error)}`, ErrorId.UnreadableScenario);
    }
    const compiled = compileScenario(text);
    const model = compiled.model;
    if (!model) {
      const source = new Source(path.basename(args.scenario), this.convertDebuggerPathToClient(args.scenario));
      const errors = errorLines(shownPath(args.scenario, args.cwd), compiled.lines, compiled.diagnostics);
      for (const error of errors) {
        const event = new OutputEvent(error.output, 'stderr') as DebugProtocol.OutputEvent;
        event.body.source = source;
        event.body.line = this.convertDebuggerLineToClient(error.line);
        event.body.column = this.convertDebuggerColumnToClient(error.column);
        this.sendEvent(event);
      }
      const count = errors.length === 1 ? 'an error' : `${errors.length} errors`;
      throw new RequestError(`${path.basename(args.scenario)} has ${count}, so it cannot run`, ErrorId.ScenarioHasErrors);
    }
    return model;
  }

  private listener(): DebuggeeListener {
    return {
      stopped: (stop: Stop) => {
        this.variables.reset();
        this.frames.reset();
        const event = new StoppedEvent(stop.reason, stop.threadId, stop.text) as DebugProtocol.StoppedEvent;
        event.body.description = stop.description;
        event.body.allThreadsStopped = true;
        if (stop.hitBreakpointIds) event.body.hitBreakpointIds = stop.hitBreakpointIds;
        this.sendEvent(event);
      },
      output: (text, category) => this.sendEvent(new OutputEvent(text, category)),
      progress: {
        start: (message) => {
          if (!this.progressReporting) return;
          this.progressId = `iommu-run-${++this.progressCount}`;
          const event = new ProgressStartEvent(this.progressId, `Running ${path.basename(this.scenarioPath)}`, message) as DebugProtocol.ProgressStartEvent;
          // Cancelling pauses the run where it is (cancelRequest).
          event.body.cancellable = true;
          this.sendEvent(event);
        },
        update: (message) => {
          if (this.progressId) this.sendEvent(new ProgressUpdateEvent(this.progressId, message));
        },
        end: () => {
          if (this.progressId) this.sendEvent(new ProgressEndEvent(this.progressId));
          this.progressId = undefined;
        },
      },
      thread: (reason, threadId) => this.sendEvent(new ThreadEvent(reason, threadId)),
      terminated: (exitCode, error) => {
        this.sendEnded('finished', error);
        this.sendEvent(new ExitedEvent(exitCode));
        this.sendEvent(new TerminatedEvent());
      },
    };
  }

  /**
   * Cancelling the run's progress pauses the run where it is. A request's cancel is a hint
   * with nothing to do: every request is answered before the next is read.
   */
  protected override cancelRequest(response: DebugProtocol.CancelResponse, raw: DebugProtocol.CancelArguments): void {
    this.answer(response, raw, (given) => {
      const progressId = given.optionalString('progressId');
      if (progressId !== undefined && progressId === this.progressId && this.phase === 'running') this.debuggeeIn(['running']).pause();
    });
  }

  protected override configurationDoneRequest(response: DebugProtocol.ConfigurationDoneResponse, raw: DebugProtocol.ConfigurationDoneArguments): void {
    this.answer(response, raw, () => {
      const phase = this.phase;
      if (phase === 'running' || phase === 'stopped') throw new RequestError('configurationDone was sent already: the run has started', ErrorId.WrongState);
      const { debuggee, args } = this.launchedIn(['configuring']);
      debuggee.start(args.stopOnEntry && !args.noDebug);
    });
  }

  protected override restartRequest(response: DebugProtocol.RestartResponse, raw: DebugProtocol.RestartArguments): void {
    // `arguments` (a changed launch configuration) is not read: the launch is restarted as it was.
    this.answer(response, raw, async () => {
      const { debuggee: old, args } = this.launchedIn(phasesFor.live);
      old.dispose();
      // The old run is gone: when no new one comes (the file has errors now, say), the session is over.
      const debuggee = await this.loading(args, () => {
        this.life = { phase: 'terminated' };
        this.sendEvent(new TerminatedEvent());
      });
      this.life = { phase: 'launched', debuggee, args };
      // References into the old run name nothing in the new one.
      this.variables.reset();
      this.frames.reset();
      // The client keeps the breakpoint ids it was given: the same requests get the same ids.
      debuggee.breakpoints.setLineBreakpoints(this.lineBreakpoints, this.lineBreakpointIds);
      debuggee.breakpoints.setFunctionBreakpoints(this.functionBreakpoints, this.functionBreakpointIds);
      debuggee.start(args.stopOnEntry && !args.noDebug);
    });
  }

  /** `iommu/ended`: the run's last state, which the client keeps once the session has gone. */
  private sendEnded(how: RunEndedEventBody['how'], error: string | undefined): void {
    if (this.life.phase !== 'launched') return;
    let body: RunEndedEventBody;
    try {
      body = runEnd(this.life.debuggee, this.scenarioPath, how, error);
    } catch (failure) {
      // The run ends all the same: only what the client keeps of it is lost.
      this.sendEvent(new OutputEvent(`internal error in the IOMMU debug adapter: cannot keep the run's last state: ${failure instanceof Error ? failure.message : String(failure)}\n`, 'stderr'));
      return;
    }
    this.sendEvent(new Event(customEvents.ended, body));
  }

  /** The run goes for good (terminate, disconnect); a load under way finds itself overtaken. */
  private end(life: Extract<Life, { phase: 'terminated' | 'disconnected' }>): void {
    if (this.life.phase === 'launched') this.life.debuggee.dispose();
    this.generation++;
    this.life = life;
  }

  protected override terminateRequest(response: DebugProtocol.TerminateResponse, raw: DebugProtocol.TerminateArguments): void {
    this.answer(response, raw, () => {
      // Ended already: `terminated` has been sent, and nothing more is.
      if (isOver(this.phase)) return;
      if (this.phase === 'running' || this.phase === 'stopped') this.sendEnded('terminated', undefined);
      this.end({ phase: 'terminated' });
      this.sendEvent(new TerminatedEvent());
    });
  }

  protected override disconnectRequest(response: DebugProtocol.DisconnectResponse): void {
    // Whatever its arguments say (restart, terminateDebuggee), the run goes with the client.
    void this.handle(response, () => {
      this.end({ phase: 'disconnected' });
      this.closed = true;
    });
  }

  // -------------------------------------------------------------------------------------
  // Breakpoints

  protected override setBreakPointsRequest(response: DebugProtocol.SetBreakpointsResponse, raw: DebugProtocol.SetBreakpointsArguments): void {
    this.answer(response, raw, (args) => {
      const debuggee = this.debuggeeIn(phasesFor.live);
      const requests = sourceBreakpoints(args).map((b) => ({ ...b, line: this.convertClientLineToDebugger(b.line) }));
      const toClient = (b: DebugProtocol.Breakpoint): DebugProtocol.Breakpoint => (b.line === undefined ? b : { ...b, line: this.convertDebuggerLineToClient(b.line) });
      if (!this.isScenario(args)) {
        response.body = { breakpoints: requests.map((r) => toClient({ verified: false, line: r.line, message: 'this file is not the scenario being debugged' })) };
        return;
      }
      this.lineBreakpoints = requests;
      const breakpoints = debuggee.breakpoints.setLineBreakpoints(requests);
      this.lineBreakpointIds = breakpoints.flatMap((b) => (b.id === undefined ? [] : [b.id]));
      response.body = { breakpoints: breakpoints.map((b) => toClient({ ...b, source: this.source() })) };
    });
  }

  protected override breakpointLocationsRequest(response: DebugProtocol.BreakpointLocationsResponse, raw: DebugProtocol.BreakpointLocationsArguments): void {
    this.answer(response, raw, (args) => {
      const debuggee = this.debuggeeIn(phasesFor.live);
      const first = this.convertClientLineToDebugger(args.integer('line'));
      const endLine = args.optionalInteger('endLine');
      // Only the scenario's own lines can hold one, however far the range reaches.
      const last = Math.min(endLine === undefined ? first : this.convertClientLineToDebugger(endLine), debuggee.machine.model.lines.lineCount);
      const lines: DebugProtocol.BreakpointLocation[] = [];
      if (this.isScenario(args)) for (let line = Math.max(first, 1); line <= last; line++) if (debuggee.breakpoints.isExecutable(line)) lines.push({ line: this.convertDebuggerLineToClient(line) });
      response.body = { breakpoints: lines };
    });
  }

  protected override setFunctionBreakPointsRequest(response: DebugProtocol.SetFunctionBreakpointsResponse, raw: DebugProtocol.SetFunctionBreakpointsArguments): void {
    this.answer(response, raw, (args) => {
      const debuggee = this.debuggeeIn(phasesFor.live);
      this.functionBreakpoints = functionBreakpoints(args);
      const breakpoints = debuggee.breakpoints.setFunctionBreakpoints(this.functionBreakpoints);
      this.functionBreakpointIds = breakpoints.flatMap((b) => (b.id === undefined ? [] : [b.id]));
      response.body = { breakpoints };
    });
  }

  protected override setExceptionBreakPointsRequest(response: DebugProtocol.SetExceptionBreakpointsResponse, raw: DebugProtocol.SetExceptionBreakpointsArguments): void {
    this.answer(response, raw, (args) => {
      const phase = this.phase;
      if (!(phasesFor.filters as readonly Phase[]).includes(phase)) throw refusal(phase);
      const debuggee = this.life.phase === 'launched' ? this.life.debuggee : undefined;
      const { filters, breakpoints } = readExceptionBreakpoints(exceptionBreakpointArguments(args), debuggee ? filterScope(debuggee.machine.model) : undefined);
      this.exceptionFilters = filters;
      debuggee?.setExceptionFilters(filters);
      response.body = { breakpoints };
    });
  }

  protected override dataBreakpointInfoRequest(response: DebugProtocol.DataBreakpointInfoResponse, raw: DebugProtocol.DataBreakpointInfoArguments): void {
    this.answer(response, raw, (args) => {
      this.debuggeeIn(phasesFor.live);
      const name = args.string('name');
      const reference = args.optionalInteger('variablesReference');
      const info = reference === undefined ? undefined : this.variables.get(reference).dataId?.(name);
      response.body = info
        ? { dataId: info.dataId, description: info.description, accessTypes: ['write'], canPersist: false }
        : { dataId: null, description: `${name} cannot be watched: only registers and page-table descriptors can` };
    });
  }

  protected override setDataBreakpointsRequest(response: DebugProtocol.SetDataBreakpointsResponse, raw: DebugProtocol.SetDataBreakpointsArguments): void {
    this.answer(response, raw, (args) => {
      response.body = { breakpoints: this.debuggeeIn(phasesFor.live).watches.set(dataBreakpointIds(args)) };
    });
  }

  protected override exceptionInfoRequest(response: DebugProtocol.ExceptionInfoResponse, raw: DebugProtocol.ExceptionInfoArguments): void {
    this.answer(response, raw, (args) => {
      const debuggee = this.debuggeeIn(phasesFor.live);
      this.thread(debuggee, args.integer('threadId'));
      const exception = debuggee.lastStop?.exception;
      if (!exception) throw new RequestError('the run did not stop on an exception');
      response.body = {
        // VS Code titles the exception widget "Exception has occurred: <exceptionId>".
        exceptionId: exceptionTitle(exception.filter),
        description: exception.message,
        breakMode: 'always',
        details: { message: exception.message, typeName: exception.typeName },
      };
    });
  }

  // -------------------------------------------------------------------------------------
  // Execution

  /** A stopped run and the thread a step names. */
  private stepping(args: RequestArguments): { debuggee: Debuggee; threadId: number } {
    const debuggee = this.debuggeeIn(phasesFor.stopped);
    return { debuggee, threadId: this.thread(debuggee, args.integer('threadId')) };
  }

  protected override continueRequest(response: DebugProtocol.ContinueResponse, raw: DebugProtocol.ContinueArguments): void {
    this.answer(response, raw, (args) => {
      this.stepping(args).debuggee.continue();
      response.body = { allThreadsContinued: true };
    });
  }

  protected override nextRequest(response: DebugProtocol.NextResponse, raw: DebugProtocol.NextArguments): void {
    this.answer(response, raw, (args) => {
      const { debuggee, threadId } = this.stepping(args);
      debuggee.next(threadId);
    });
  }

  protected override stepInRequest(response: DebugProtocol.StepInResponse, raw: DebugProtocol.StepInArguments): void {
    this.answer(response, raw, (args) => {
      const { debuggee, threadId } = this.stepping(args);
      debuggee.stepIn(threadId);
    });
  }

  protected override stepOutRequest(response: DebugProtocol.StepOutResponse, raw: DebugProtocol.StepOutArguments): void {
    this.answer(response, raw, (args) => {
      const { debuggee, threadId } = this.stepping(args);
      debuggee.stepOut(threadId);
    });
  }

  /** The run, stopped after an earlier stop: there is somewhere to go back to. */
  private goingBack(args: RequestArguments): Debuggee {
    const { debuggee } = this.stepping(args);
    if (!debuggee.canStepBack) throw new RequestError('this is the first stop: there is nothing earlier to go back to');
    return debuggee;
  }

  protected override stepBackRequest(response: DebugProtocol.StepBackResponse, raw: DebugProtocol.StepBackArguments): void {
    this.answer(response, raw, (args) => this.goingBack(args).stepBack());
  }

  protected override reverseContinueRequest(response: DebugProtocol.ReverseContinueResponse, raw: DebugProtocol.ReverseContinueArguments): void {
    this.answer(response, raw, (args) => this.goingBack(args).reverseContinue());
  }

  protected override pauseRequest(response: DebugProtocol.PauseResponse, raw: DebugProtocol.PauseArguments): void {
    // A stopped run stays where it is: the pause is answered, and no second stop is sent.
    this.answer(response, raw, (args) => {
      const debuggee = this.debuggeeIn(['running', 'stopped']);
      this.thread(debuggee, args.integer('threadId'));
      debuggee.pause();
    });
  }

  // -------------------------------------------------------------------------------------
  // State

  protected override threadsRequest(response: DebugProtocol.ThreadsResponse): void {
    // Answered in every phase: a run that has not been launched, or has ended, has none.
    void this.handle(response, () => {
      const live = (phasesFor.live as readonly Phase[]).includes(this.phase);
      response.body = { threads: live && this.life.phase === 'launched' ? this.life.debuggee.threads() : [] };
    });
  }

  protected override stackTraceRequest(response: DebugProtocol.StackTraceResponse, raw: DebugProtocol.StackTraceArguments): void {
    this.answer(response, raw, (args) => {
      const debuggee = this.debuggeeIn(phasesFor.live);
      const all = stackOf(debuggee, this.thread(debuggee, args.integer('threadId')));
      const start = args.optionalInteger('startFrame', { min: 0 }) ?? 0;
      const levels = args.optionalInteger('levels', { min: 0 }) ?? 0;
      const column = this.convertDebuggerColumnToClient(1);
      const frames = all.slice(start, levels > 0 ? start + levels : undefined).map((frame): DebugProtocol.StackFrame => {
        const id = this.frames.create(frame);
        if (frame.kind === 'kernel') return kernelStackFrame(id, frame.name);
        return { id, name: frame.name, source: this.source(), line: this.convertDebuggerLineToClient(frame.line), column };
      });
      response.body = { stackFrames: frames, totalFrames: all.length };
    });
  }

  protected override sourceRequest(response: DebugProtocol.SourceResponse, raw: DebugProtocol.SourceArguments): void {
    // Answered in every phase: a kernel file's page does not depend on the run.
    this.answer(response, raw, (args) => {
      const reference = args.has('source') ? args.object('source').optionalInteger('sourceReference', { min: 1 }) : undefined;
      response.body = kernelSource(reference ?? args.integer('sourceReference', { min: 1 }));
    });
  }

  /** The client shows what changed: variables, and the memory at `pa` when it was a descriptor. */
  private invalidate(pa?: number): void {
    this.sendEvent(new InvalidatedEvent(['variables']));
    if (pa !== undefined) this.sendEvent(new MemoryEvent(memoryReference(pa), 0, 8));
  }

  protected override scopesRequest(response: DebugProtocol.ScopesResponse, raw: DebugProtocol.ScopesArguments): void {
    this.answer(response, raw, (args) => {
      const debuggee = this.debuggeeIn(phasesFor.live);
      response.body = { scopes: scopesOf(debuggee.machine, this.variables, this.frame(args.integer('frameId')), (pa) => this.invalidate(pa)) };
    });
  }

  protected override variablesRequest(response: DebugProtocol.VariablesResponse, raw: DebugProtocol.VariablesArguments): void {
    this.answer(response, raw, (args) => {
      this.debuggeeIn(phasesFor.live);
      const reference = args.integer('variablesReference');
      const start = args.optionalInteger('start', { min: 0 });
      const count = args.optionalInteger('count', { min: 0 });
      response.body = { variables: this.variables.get(reference).variables(start, count) };
    });
  }

  protected override setVariableRequest(response: DebugProtocol.SetVariableResponse, raw: DebugProtocol.SetVariableArguments): void {
    this.answer(response, raw, (args) => {
      this.debuggeeIn(phasesFor.stopped);
      const container = this.variables.get(args.integer('variablesReference'));
      const name = args.string('name');
      const value = args.string('value');
      if (!container.set) throw new RequestError(`${name} cannot be written`);
      response.body = container.set(name, value);
    });
  }

  protected override evaluateRequest(response: DebugProtocol.EvaluateResponse, raw: DebugProtocol.EvaluateArguments): void {
    this.answer(response, raw, (args) => {
      const machine = this.debuggeeIn(phasesFor.live).machine;
      const expression = args.string('expression');
      const frameId = args.optionalInteger('frameId');
      const context = frameId === undefined ? undefined : contextOf(machine, this.frame(frameId));
      response.body = new ConsoleEvaluator(machine, context).evaluate(expression, args.optionalString('context'), this.variables);
    });
  }

  protected override completionsRequest(response: DebugProtocol.CompletionsResponse, raw: DebugProtocol.CompletionsArguments): void {
    // The console's names do not depend on the run: answered in every phase.
    this.answer(response, raw, (args) => {
      response.body = { targets: consoleCompletions(args.string('text'), args.integer('column')) };
    });
  }

  protected override readMemoryRequest(response: DebugProtocol.ReadMemoryResponse, raw: DebugProtocol.ReadMemoryArguments): void {
    this.answer(response, raw, (args) => {
      response.body = readMemory(this.debuggeeIn(phasesFor.live).machine, args);
    });
  }

  protected override writeMemoryRequest(response: DebugProtocol.WriteMemoryResponse, raw: DebugProtocol.WriteMemoryArguments): void {
    this.answer(response, raw, (args) => {
      const machine = this.debuggeeIn(phasesFor.stopped).machine;
      const { start, bytes } = memoryWrite(args);
      machine.writeMemory(start, bytes);
      response.body = { bytesWritten: bytes.length };
      this.sendEvent(new MemoryEvent(memoryReference(start), 0, bytes.length));
      this.sendEvent(new InvalidatedEvent(['variables']));
    });
  }

  // -------------------------------------------------------------------------------------
  // Custom requests (protocol.ts)

  protected override customRequest(command: string, response: DebugProtocol.Response, raw: unknown): void {
    this.answer(response, raw, (given) => {
      const source = this.scenarioPath;
      switch (command) {
        case customRequests.stalled:
          response.body = custom.stalled(this.debuggeeIn(phasesFor.live), source);
          return;
        case customRequests.resume: {
          const debuggee = this.debuggeeIn(phasesFor.stopped);
          const answered = resume(debuggee, given);
          response.body = answered;
          this.invalidate();
          // Like the debugger's own actions: the Debug Console says what the driver wrote, and the stop is told again as it now stands.
          const what = `${given.string('action')} for #${answered.resumed.join(', #')}`;
          this.sendEvent(new OutputEvent(`Answered ${what}: ${answered.written}\n`, 'stdout'));
          // VS Code keeps an exception's widget while the same frame stays in focus: the stop is
          // let go (continued) and told again, as a pause, so the widget goes with the exception.
          const stoppedOn = debuggee.lastStop?.threadId;
          if (stoppedOn !== undefined) this.sendEvent(new ContinuedEvent(stoppedOn, true));
          debuggee.restate(`Answered ${what}`);
          return;
        }
        case customRequests.domains:
          response.body = custom.domains(this.debuggeeIn(phasesFor.live));
          return;
        case customRequests.pageTable:
          response.body = custom.pageTable(this.debuggeeIn(phasesFor.live), given);
          return;
        case customRequests.translate:
          response.body = custom.translate(this.debuggeeIn(phasesFor.live), given);
          return;
        case customRequests.dump:
          response.body = custom.dumps(this.debuggeeIn(phasesFor.live), given);
          return;
        case customRequests.faults:
          response.body = custom.faults(this.debuggeeIn(phasesFor.live), source);
          return;
        case customRequests.smmu:
          response.body = smmus(this.debuggeeIn(phasesFor.live), this.variables, () => this.invalidate());
          return;
        case customRequests.timeline:
          response.body = custom.timeline(this.debuggeeIn(phasesFor.live), source, given);
          return;
        case customRequests.queues:
          response.body = { smmus: queuesOf(this.debuggeeIn(phasesFor.live).machine) };
          return;
        case customRequests.lines:
          response.body = custom.lines(this.debuggeeIn(phasesFor.live), source);
          return;
        default:
          throw new RequestError(`unknown request '${command}'`, ErrorId.UnknownRequest);
      }
    });
  }
}
