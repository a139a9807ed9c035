import { DebugProtocol } from '@vscode/debugprotocol';
import { Expression, StringPart } from '../emulator/language/ast';
import { parseExpression, parseTemplate } from '../emulator/language/parser';
import { EngineOp } from '../emulator/inspect/schedule';
import { ScenarioModel } from '../emulator/scenario/model';
import { RequestError } from './errors';
import { HitCondition, parseHitCondition } from './hitCondition';
import { engineScope, handlerScope, NameScope, unknownName, unknownNameInTemplate } from '../emulator/inspect/nameScopes';

/** Where a breakpoint can stop: before a transaction is issued, or before a handler statement runs. */
export type StopPlace = { kind: 'transaction'; engine: number; op: number } | { kind: 'handler'; handler: number; op: number };

export interface LineBreakpoint {
  id: number;
  /** 1-based line it stops at (it may have moved from where it was set). */
  line: number;
  condition: Expression | undefined;
  hitCondition: HitCondition | undefined;
  logMessage: StringPart[] | undefined;
  hits: number;
}

export interface FunctionBreakpoint {
  id: number;
  name: string;
  condition: Expression | undefined;
  hitCondition: HitCondition | undefined;
  hits: number;
}

/** The kernel functions of the fault path (SMMUv2 and SMMUv3) a function breakpoint may name. */
export const kernelFunctions = [
  'irq_default_primary_handler',
  'arm_smmu_context_fault',
  'report_iommu_fault',
  'queue_work',
  'arm_smmu_cb_write(FSR)',
  'arm_smmu_cb_write(RESUME)',
  // SMMUv2 by release and implementation: the decode lines (6.11+), qcom's resume_translation (before 6.16), drm/msm's handler, the global fault IRQ.
  'arm_smmu_print_context_fault_info',
  'qcom_adreno_smmu_resume_translation',
  'a6xx_fault_handler',
  'adreno_fault_handler',
  'arm_smmu_global_fault',
  'arm_smmu_gr0_write(sGFSR)',
  // SMMUv3: the queues' IRQ threads, and the iopf work that runs a handler and answers its group.
  'arm_smmu_evtq_thread',
  'arm_smmu_priq_thread',
  'iopf_handle_group',
  'iopf_handler',
  'iommu_sva_handle_iopf',
  'iopf_complete_group',
  'iopf_group_response',
] as const;

const NONE: readonly LineBreakpoint[] = [];

function condition(text: string | undefined, scope: NameScope): Expression | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  const parsed = parseExpression(text);
  const [problem] = parsed.diagnostics;
  if (problem || !parsed.expression) throw new RequestError(`condition '${text}': ${problem?.message ?? 'not an expression'}`);
  const unknown = unknownName(parsed.expression, scope);
  if (unknown) throw new RequestError(`condition '${text}': ${unknown}`);
  return parsed.expression;
}

function logMessage(text: string | undefined, scope: NameScope): StringPart[] | undefined {
  if (!text) return undefined;
  const parsed = parseTemplate(text);
  const [problem] = parsed.diagnostics;
  if (problem) throw new RequestError(`log message '${text}': ${problem.message}`);
  const unknown = unknownNameInTemplate(parsed.parts, scope);
  if (unknown) throw new RequestError(`log message '${text}': ${unknown}`);
  return parsed.parts;
}

/** Whether op `index` of an engine's program runs inside a `repeat` (where `i` means something). */
function inRepeat(program: readonly EngineOp[], index: number): boolean {
  return program.some((op, r) => op.op === 'repeat' && r < index && index < op.exit);
}

/**
 * The executable lines of a scenario, and the line and function breakpoints set on them.
 * A breakpoint on another line moves to the next executable line of its declaration, or
 * is refused with the reason.
 */
export class Breakpoints {
  private readonly places = new Map<number, StopPlace>();
  private lines = new Map<number, LineBreakpoint[]>();
  private functions: FunctionBreakpoint[] = [];
  private nextId = 1;

  constructor(private readonly model: ScenarioModel) {
    const lineOf = (offset: number): number => model.lines.lineOf(offset);
    model.engines.forEach((engine, e) =>
      engine.program.forEach((op, i) => {
        if (op.op === 'transaction') this.places.set(lineOf(op.node.range.start), { kind: 'transaction', engine: e, op: i });
      }),
    );
    model.handlers.forEach((handler, h) =>
      handler.program.forEach((op, i) => {
        if (op.op !== 'jump' && !this.places.has(lineOf(op.node.range.start))) this.places.set(lineOf(op.node.range.start), { kind: 'handler', handler: h, op: i });
      }),
    );
  }

  /** The line a breakpoint requested at `line` stops at, or why it cannot stop there. */
  private resolve(line: number): number | string {
    if (this.places.has(line)) return line;
    const offset = this.model.lines.offsetAt({ line: line - 1, character: 0 });
    const declaration = this.model.file.declarations.find((d) => d.range.start <= offset && offset <= d.range.end);
    const lastLine = declaration ? this.model.lines.lineOf(declaration.range.end) : line;
    for (let next = line + 1; declaration && next <= lastLine; next++) if (this.places.has(next)) return next;
    return 'nothing runs on this line: breakpoints stop before a transaction is issued or a handler statement runs';
  }

  /** The names a condition or a log message may use on an executable line. */
  private scopeAt(line: number): NameScope {
    const place = this.places.get(line);
    if (place?.kind !== 'transaction') return handlerScope(this.model);
    return engineScope(this.model, inRepeat(this.model.engines[place.engine]?.program ?? [], place.op));
  }

  /** The ids a new breakpoint gets: those given (a restart keeps what the client knows), else fresh ones. */
  private idFor(ids: readonly number[] | undefined, index: number): number {
    const given = ids?.[index];
    if (given === undefined) return this.nextId++;
    this.nextId = Math.max(this.nextId, given + 1);
    return given;
  }

  setLineBreakpoints(requests: readonly DebugProtocol.SourceBreakpoint[], ids?: readonly number[]): DebugProtocol.Breakpoint[] {
    this.lines = new Map();
    return requests.map((request, index) => {
      const id = this.idFor(ids, index);
      const line = this.resolve(request.line);
      if (typeof line === 'string') return { id, verified: false, line: request.line, message: line };
      try {
        const scope = this.scopeAt(line);
        const breakpoint: LineBreakpoint = {
          id,
          line,
          condition: condition(request.condition, scope),
          hitCondition: request.hitCondition ? parseHitCondition(request.hitCondition) : undefined,
          logMessage: logMessage(request.logMessage, scope),
          hits: 0,
        };
        this.lines.set(line, [...(this.lines.get(line) ?? []), breakpoint]);
        return { id, verified: true, line };
      } catch (error) {
        if (!(error instanceof RequestError)) throw error;
        return { id, verified: false, line: request.line, message: error.message };
      }
    });
  }

  setFunctionBreakpoints(requests: readonly DebugProtocol.FunctionBreakpoint[], ids?: readonly number[]): DebugProtocol.Breakpoint[] {
    const handlers = new Set(this.model.handlers.map((h) => h.name));
    this.functions = [];
    return requests.map((request, index) => {
      const id = this.idFor(ids, index);
      const known = handlers.has(request.name) || (kernelFunctions as readonly string[]).includes(request.name);
      if (!known) {
        return { id, verified: false, message: `'${request.name}' is neither a handler of this scenario nor a kernel function of the fault path (${kernelFunctions.join(', ')})` };
      }
      try {
        this.functions.push({ id, name: request.name, condition: condition(request.condition, handlerScope(this.model)), hitCondition: request.hitCondition ? parseHitCondition(request.hitCondition) : undefined, hits: 0 });
        return { id, verified: true };
      } catch (error) {
        if (!(error instanceof RequestError)) throw error;
        return { id, verified: false, message: error.message };
      }
    });
  }

  /** The line breakpoints set on the line of a place (a transaction op or a handler op). */
  at(line: number): readonly LineBreakpoint[] {
    return this.lines.get(line) ?? NONE;
  }

  /** Whether any line breakpoint is set: without one, a long run looks at no line. */
  get anyLine(): boolean {
    return this.lines.size > 0;
  }

  functionBreakpoints(name: string): FunctionBreakpoint[] {
    return this.functions.filter((f) => f.name === name);
  }

  /** Every breakpoint's hit count, by id: what going back in time restores. */
  hitCounts(): Map<number, number> {
    const all = [...[...this.lines.values()].flat(), ...this.functions];
    return new Map(all.map((b) => [b.id, b.hits]));
  }

  restoreHitCounts(counts: ReadonlyMap<number, number>): void {
    for (const b of [...[...this.lines.values()].flat(), ...this.functions]) b.hits = counts.get(b.id) ?? 0;
  }

  /** Whether a line is a place where execution can stop. */
  isExecutable(line: number): boolean {
    return this.places.has(line);
  }
}
