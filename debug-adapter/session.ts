import * as path from 'path';
import {
  DebugSession,
  ExitedEvent,
  Handles,
  InitializedEvent,
  InvalidatedEvent,
  MemoryEvent,
  OutputEvent,
  Source,
  StoppedEvent,
  TerminatedEvent,
  ThreadEvent,
} from '@vscode/debugadapter';
import { DebugProtocol } from '@vscode/debugprotocol';
import { Expression } from '../emulator/language/ast';
import { compileScenario } from '../emulator/scenario/compile';
import { formatDiagnostic } from '../emulator/cli/diagnosticFormat';
import { Breakpoints } from './breakpoints';
import { capabilities } from './capabilities';
import { consoleCompletions, ConsoleEvaluator } from './consoleEvaluate';
import * as custom from './customRequests';
import { Debuggee, DebuggeeListener, Stop } from './debuggee';
import { ErrorId, RequestError } from './errors';
import { readExceptionBreakpoints } from './exceptionBreakpoints';
import { defaultExceptionFilters, exceptionTitle } from './exceptionFilters';
import { FrameInfo, stackOf } from './frames';
import { filterScope } from './nameScopes';
import { IommuLaunchArguments, LaunchArgumentError, parseLaunchArguments } from './launchArguments';
import { customRequests } from './protocol';
import { RequestArguments } from './requestArguments';
import { queuesOf } from './queueViews';
import { resume } from './resume';
import { smmus } from './smmus';
import { ScenarioReader } from './scenarioReader';
import { contextOf, scopesOf } from './scopesOf';
import { VariableStore } from './variables/store';
import { memoryReference, parseMemoryReference } from './variables/values';

/** The most a readMemory may ask for: a few pages. */
const MAX_MEMORY_READ = 1 << 16;

/**
 * The DAP face of the emulator. The same class runs inline in the extension host and
 * standalone on stdio (`main.ts`); what differs between the two (how a scenario is read)
 * is injected. Every request answers, or fails with a message; none ends the session.
 */
export class IommuDebugSession extends DebugSession {
  private args: IommuLaunchArguments | undefined;
  private debuggee: Debuggee | undefined;
  private readonly variables = new VariableStore();
  private frames = new Handles<FrameInfo>();
  /** The configuration the client sent, kept so that a restart applies it again. */
  private lineBreakpoints: DebugProtocol.SourceBreakpoint[] = [];
  private lineBreakpointIds: number[] = [];
  private functionBreakpoints: DebugProtocol.FunctionBreakpoint[] = [];
  private functionBreakpointIds: number[] = [];
  private exceptionFilters = defaultExceptionFilters<Expression>();

  constructor(private readonly readScenario: ScenarioReader) {
    super();
    this.setDebuggerLinesStartAt1(true);
    this.setDebuggerColumnsStartAt1(true);
  }

  /** Runs a request handler; a refusal or a bug becomes an error response, never a crash. */
  private async handle<R extends DebugProtocol.Response>(response: R, run: () => void | Promise<void>): Promise<void> {
    try {
      await run();
      this.sendResponse(response);
    } catch (error) {
      if (error instanceof RequestError) {
        this.sendErrorResponse(response, { id: error.id, format: error.message, showUser: error.id !== ErrorId.BadRequest });
      } else {
        const message = error instanceof Error ? error.message : String(error);
        this.sendErrorResponse(response, { id: ErrorId.Internal, format: `internal error in the IOMMU debug adapter: ${message}`, showUser: true });
      }
    }
  }

  private get running(): Debuggee {
    if (!this.debuggee) throw new RequestError('no scenario is running: launch one first');
    return this.debuggee;
  }

  private get scenarioPath(): string {
    return this.args?.scenario ?? '';
  }

  private source(): Source {
    return new Source(path.basename(this.scenarioPath), this.convertDebuggerPathToClient(this.scenarioPath));
  }

  private thread(threadId: number): number {
    const threads = this.running.machine.state.threads;
    if (!Number.isInteger(threadId) || !threads[threadId - 1]) throw new RequestError(`there is no thread ${threadId}`);
    return threadId;
  }

  private frame(frameId: number): FrameInfo {
    const frame = this.frames.get(frameId);
    if (!frame) throw new RequestError(`frameId ${frameId} is not one of the current stop's`);
    return frame;
  }

  // -------------------------------------------------------------------------------------
  // Life cycle

  protected override initializeRequest(response: DebugProtocol.InitializeResponse): void {
    response.body = capabilities;
    this.sendResponse(response);
  }

  protected override launchRequest(response: DebugProtocol.LaunchResponse, raw: DebugProtocol.LaunchRequestArguments): void {
    void this.handle(response, async () => {
      try {
        this.args = parseLaunchArguments({ ...raw });
      } catch (error) {
        if (error instanceof LaunchArgumentError) throw new RequestError(error.message, ErrorId.BadLaunchArguments);
        throw error;
      }
      await this.load();
      this.sendEvent(new InitializedEvent());
    });
  }

  /** Reads, checks and builds the scenario; a scenario with errors fails with the first of them. */
  private async load(): Promise<void> {
    const args = this.args;
    if (!args) throw new RequestError('launch first');
    let text: string;
    try {
      text = await this.readScenario(args.scenario);
    } catch (error) {
      throw new RequestError(`cannot read scenario ${args.scenario}: ${error instanceof Error ? error.message : String(error)}`, ErrorId.UnreadableScenario);
    }
    const compiled = compileScenario(text);
    const model = compiled.model;
    if (!model) {
      const errors = compiled.diagnostics.filter((d) => d.severity === 'error');
      const shown = errors.slice(0, 5).map((d) => formatDiagnostic(args.scenario, compiled.lines, d));
      const more = errors.length > shown.length ? `\n… and ${errors.length - shown.length} more` : '';
      throw new RequestError(`the scenario has errors:\n${shown.join('\n')}${more}`, ErrorId.ScenarioHasErrors);
    }
    const breakpoints = new Breakpoints(model);
    this.debuggee = new Debuggee(model, breakpoints, { stopOnFault: args.stopOnFault, trace: args.trace }, this.listener());
    this.debuggee.setExceptionFilters(this.exceptionFilters);
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
      thread: (reason, threadId) => this.sendEvent(new ThreadEvent(reason, threadId)),
      terminated: (exitCode) => {
        this.sendEvent(new ExitedEvent(exitCode));
        this.sendEvent(new TerminatedEvent());
      },
    };
  }

  protected override configurationDoneRequest(response: DebugProtocol.ConfigurationDoneResponse): void {
    void this.handle(response, () => {
      this.running.start(this.args?.stopOnEntry ?? false);
    });
  }

  protected override restartRequest(response: DebugProtocol.RestartResponse): void {
    void this.handle(response, async () => {
      this.debuggee?.dispose();
      await this.load();
      const debuggee = this.running;
      // The client keeps the breakpoint ids it was given: the same requests get the same ids.
      debuggee.breakpoints.setLineBreakpoints(this.lineBreakpoints, this.lineBreakpointIds);
      debuggee.breakpoints.setFunctionBreakpoints(this.functionBreakpoints, this.functionBreakpointIds);
      debuggee.start(this.args?.stopOnEntry ?? false);
    });
  }

  protected override terminateRequest(response: DebugProtocol.TerminateResponse): void {
    this.debuggee?.dispose();
    this.sendResponse(response);
    this.sendEvent(new TerminatedEvent());
  }

  protected override disconnectRequest(response: DebugProtocol.DisconnectResponse): void {
    this.debuggee?.dispose();
    this.debuggee = undefined;
    this.sendResponse(response);
  }

  // -------------------------------------------------------------------------------------
  // Breakpoints

  protected override setBreakPointsRequest(response: DebugProtocol.SetBreakpointsResponse, args: DebugProtocol.SetBreakpointsArguments): void {
    void this.handle(response, () => {
      const requests = args.breakpoints ?? (args.lines ?? []).map((line) => ({ line }));
      const sourcePath = args.source.path ? this.convertClientPathToDebugger(args.source.path) : undefined;
      if (sourcePath !== undefined && path.resolve(sourcePath) !== path.resolve(this.scenarioPath)) {
        response.body = { breakpoints: requests.map((r) => ({ verified: false, line: r.line, message: 'this file is not the scenario being debugged' })) };
        return;
      }
      this.lineBreakpoints = requests;
      const breakpoints = this.running.breakpoints.setLineBreakpoints(requests);
      this.lineBreakpointIds = breakpoints.flatMap((b) => (b.id === undefined ? [] : [b.id]));
      response.body = { breakpoints: breakpoints.map((b) => ({ ...b, source: this.source() })) };
    });
  }

  protected override breakpointLocationsRequest(response: DebugProtocol.BreakpointLocationsResponse, args: DebugProtocol.BreakpointLocationsArguments): void {
    void this.handle(response, () => {
      const breakpoints = this.running.breakpoints;
      const lines: DebugProtocol.BreakpointLocation[] = [];
      for (let line = args.line; line <= (args.endLine ?? args.line); line++) if (breakpoints.isExecutable(line)) lines.push({ line });
      response.body = { breakpoints: lines };
    });
  }

  protected override setFunctionBreakPointsRequest(response: DebugProtocol.SetFunctionBreakpointsResponse, args: DebugProtocol.SetFunctionBreakpointsArguments): void {
    void this.handle(response, () => {
      this.functionBreakpoints = args.breakpoints;
      const breakpoints = this.running.breakpoints.setFunctionBreakpoints(args.breakpoints);
      this.functionBreakpointIds = breakpoints.flatMap((b) => (b.id === undefined ? [] : [b.id]));
      response.body = { breakpoints };
    });
  }

  protected override setExceptionBreakPointsRequest(response: DebugProtocol.SetExceptionBreakpointsResponse, args: DebugProtocol.SetExceptionBreakpointsArguments): void {
    void this.handle(response, () => {
      const { filters, breakpoints } = readExceptionBreakpoints(args, this.debuggee ? filterScope(this.debuggee.machine.model) : undefined);
      this.exceptionFilters = filters;
      this.debuggee?.setExceptionFilters(filters);
      response.body = { breakpoints };
    });
  }

  protected override dataBreakpointInfoRequest(response: DebugProtocol.DataBreakpointInfoResponse, args: DebugProtocol.DataBreakpointInfoArguments): void {
    void this.handle(response, () => {
      const info = args.variablesReference === undefined ? undefined : this.variables.get(args.variablesReference).dataId?.(args.name);
      response.body = info
        ? { dataId: info.dataId, description: info.description, accessTypes: ['write'], canPersist: false }
        : { dataId: null, description: `${args.name} cannot be watched: only registers and page-table descriptors can` };
    });
  }

  protected override setDataBreakpointsRequest(response: DebugProtocol.SetDataBreakpointsResponse, args: DebugProtocol.SetDataBreakpointsArguments): void {
    void this.handle(response, () => {
      response.body = { breakpoints: this.running.watches.set(args.breakpoints) };
    });
  }

  protected override exceptionInfoRequest(response: DebugProtocol.ExceptionInfoResponse, args: DebugProtocol.ExceptionInfoArguments): void {
    void this.handle(response, () => {
      this.thread(args.threadId);
      const exception = this.running.lastStop?.exception;
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

  private whenStopped(threadId: number | undefined, run: (debuggee: Debuggee) => void): void {
    const debuggee = this.running;
    if (threadId !== undefined) this.thread(threadId);
    if (debuggee.hasEnded) throw new RequestError('the run has ended');
    if (debuggee.isRunning) throw new RequestError('the scenario is running: pause it first');
    run(debuggee);
  }

  protected override continueRequest(response: DebugProtocol.ContinueResponse, args: DebugProtocol.ContinueArguments): void {
    void this.handle(response, () => {
      this.whenStopped(args.threadId, (d) => d.continue());
      response.body = { allThreadsContinued: true };
    });
  }

  protected override nextRequest(response: DebugProtocol.NextResponse, args: DebugProtocol.NextArguments): void {
    void this.handle(response, () => this.whenStopped(args.threadId, (d) => d.next(args.threadId)));
  }

  protected override stepInRequest(response: DebugProtocol.StepInResponse, args: DebugProtocol.StepInArguments): void {
    void this.handle(response, () => this.whenStopped(args.threadId, (d) => d.stepIn(args.threadId)));
  }

  protected override stepOutRequest(response: DebugProtocol.StepOutResponse, args: DebugProtocol.StepOutArguments): void {
    void this.handle(response, () => this.whenStopped(args.threadId, (d) => d.stepOut(args.threadId)));
  }

  protected override stepBackRequest(response: DebugProtocol.StepBackResponse, args: DebugProtocol.StepBackArguments): void {
    void this.handle(response, () =>
      this.whenStopped(args.threadId, (d) => {
        if (!d.canStepBack) throw new RequestError('this is the first stop: there is nothing earlier to go back to');
        d.stepBack();
      }),
    );
  }

  protected override reverseContinueRequest(response: DebugProtocol.ReverseContinueResponse, args: DebugProtocol.ReverseContinueArguments): void {
    void this.handle(response, () =>
      this.whenStopped(args.threadId, (d) => {
        if (!d.canStepBack) throw new RequestError('this is the first stop: there is nothing earlier to go back to');
        d.reverseContinue();
      }),
    );
  }

  protected override pauseRequest(response: DebugProtocol.PauseResponse, args: DebugProtocol.PauseArguments): void {
    void this.handle(response, () => {
      this.thread(args.threadId);
      this.running.pause();
    });
  }

  // -------------------------------------------------------------------------------------
  // State

  protected override threadsRequest(response: DebugProtocol.ThreadsResponse): void {
    void this.handle(response, () => {
      response.body = { threads: this.debuggee?.threads() ?? [] };
    });
  }

  protected override stackTraceRequest(response: DebugProtocol.StackTraceResponse, args: DebugProtocol.StackTraceArguments): void {
    void this.handle(response, () => {
      const all = stackOf(this.running, this.thread(args.threadId));
      const start = args.startFrame ?? 0;
      const frames = all.slice(start, args.levels ? start + args.levels : undefined).map((frame): DebugProtocol.StackFrame => {
        const id = this.frames.create(frame);
        if (frame.kind === 'kernel') return { id, name: frame.name, line: 0, column: 0, presentationHint: 'subtle' };
        return { id, name: frame.name, source: this.source(), line: frame.line, column: 1 };
      });
      response.body = { stackFrames: frames, totalFrames: all.length };
    });
  }

  private invalidate(pa?: number): void {
    this.sendEvent(new InvalidatedEvent(['variables']));
    if (pa !== undefined) this.sendEvent(new MemoryEvent(memoryReference(pa), 0, 8));
  }

  protected override scopesRequest(response: DebugProtocol.ScopesResponse, args: DebugProtocol.ScopesArguments): void {
    void this.handle(response, () => {
      response.body = { scopes: scopesOf(this.running.machine, this.variables, this.frame(args.frameId), (pa) => this.invalidate(pa)) };
    });
  }

  protected override variablesRequest(response: DebugProtocol.VariablesResponse, args: DebugProtocol.VariablesArguments): void {
    void this.handle(response, () => {
      response.body = { variables: this.variables.get(args.variablesReference).variables(args.start, args.count) };
    });
  }

  protected override setVariableRequest(response: DebugProtocol.SetVariableResponse, args: DebugProtocol.SetVariableArguments): void {
    void this.handle(response, () => {
      if (this.running.isRunning) throw new RequestError('the scenario is running: pause it first');
      const container = this.variables.get(args.variablesReference);
      if (!container.set) throw new RequestError(`${args.name} cannot be written`);
      response.body = container.set(args.name, args.value);
    });
  }

  protected override evaluateRequest(response: DebugProtocol.EvaluateResponse, args: DebugProtocol.EvaluateArguments): void {
    void this.handle(response, () => {
      const machine = this.running.machine;
      const context = args.frameId === undefined ? undefined : contextOf(machine, this.frame(args.frameId));
      response.body = new ConsoleEvaluator(machine, context).evaluate(args.expression, args.context, this.variables);
    });
  }

  protected override completionsRequest(response: DebugProtocol.CompletionsResponse, args: DebugProtocol.CompletionsArguments): void {
    void this.handle(response, () => {
      response.body = { targets: consoleCompletions(args.text, args.column) };
    });
  }

  protected override readMemoryRequest(response: DebugProtocol.ReadMemoryResponse, args: DebugProtocol.ReadMemoryArguments): void {
    void this.handle(response, () => {
      const start = parseMemoryReference(args.memoryReference) + (args.offset ?? 0);
      const count = Math.max(0, Math.min(args.count, MAX_MEMORY_READ, 2 ** 48 - start));
      if (start < 0) throw new RequestError('the read starts below physical address 0');
      const bytes = this.running.machine.runtime.memory.readBytes(start, count);
      response.body = { address: memoryReference(start), data: Buffer.from(bytes).toString('base64'), unreadableBytes: args.count - count };
    });
  }

  protected override writeMemoryRequest(response: DebugProtocol.WriteMemoryResponse, args: DebugProtocol.WriteMemoryArguments): void {
    void this.handle(response, () => {
      if (this.running.isRunning) throw new RequestError('the scenario is running: pause it first');
      const start = parseMemoryReference(args.memoryReference) + (args.offset ?? 0);
      const bytes = Buffer.from(args.data, 'base64');
      if (start < 0 || start + bytes.length > 2 ** 48) throw new RequestError('the write goes beyond physical memory');
      this.running.machine.writeMemory(start, new Uint8Array(bytes));
      response.body = { bytesWritten: bytes.length };
      this.sendEvent(new MemoryEvent(memoryReference(start), 0, bytes.length));
      this.sendEvent(new InvalidatedEvent(['variables']));
    });
  }

  // -------------------------------------------------------------------------------------
  // Custom requests (protocol.ts)

  protected override customRequest(command: string, response: DebugProtocol.Response, args: unknown): void {
    void this.handle(response, () => {
      const debuggee = this.running;
      const source = this.scenarioPath;
      const given = new RequestArguments(command, typeof args === 'object' && args !== null ? (args as Record<string, unknown>) : {});
      switch (command) {
        case customRequests.stalled:
          response.body = custom.stalled(debuggee, source);
          return;
        case customRequests.resume: {
          response.body = resume(debuggee, given);
          this.sendEvent(new InvalidatedEvent(['variables']));
          return;
        }
        case customRequests.domains:
          response.body = custom.domains(debuggee);
          return;
        case customRequests.pageTable:
          response.body = custom.pageTable(debuggee, given);
          return;
        case customRequests.translate:
          response.body = custom.translate(debuggee, given);
          return;
        case customRequests.dump:
          response.body = custom.dumps(debuggee, given);
          return;
        case customRequests.faults:
          response.body = custom.faults(debuggee, source);
          return;
        case customRequests.smmu:
          response.body = smmus(debuggee, this.variables, () => this.invalidate());
          return;
        case customRequests.timeline:
          response.body = custom.timeline(debuggee, source);
          return;
        case customRequests.queues:
          response.body = { smmus: queuesOf(debuggee.machine) };
          return;
        default:
          throw new RequestError(`unknown request '${command}'`);
      }
    });
  }
}
