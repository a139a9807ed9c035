import { EngineOp, upcomingTransaction } from '../emulator/inspect/schedule';
import { ActivityState, isIopfWorkStep, TransactionState } from '../emulator/machine/state';
import { ScenarioModel } from '../emulator/scenario/model';
import { KernelFunctionName } from '../emulator/inspect/kernelSources';
import { Debuggee } from './debuggee';

/** What a frame of the call stack stands for; scopes are built from it. */
export type FrameInfo =
  /** An engine at a transaction: one it issued (`transaction`), or the next it will issue. */
  | { kind: 'transaction'; engine: number; op: number; transaction: TransactionState | undefined; upcoming: boolean; name: string; line: number }
  | { kind: 'loop'; engine: number; transaction: TransactionState | undefined; name: string; line: number }
  | { kind: 'engine'; engine: number; transaction: TransactionState | undefined; name: string; line: number }
  /** A kernel thread in a handler, or in a step of the fault path (no source). */
  | { kind: 'handler'; activity: ActivityState; name: string; line: number }
  | { kind: 'kernel'; activity: ActivityState; name: KernelFunctionName };

function lineOf(model: ScenarioModel, offset: number): number {
  return model.lines.lineOf(offset);
}

/** The repeats and submits around each op of an engine, innermost last. */
function enclosing(program: readonly EngineOp[], op: number): EngineOp[] {
  const stack: EngineOp[] = [];
  for (let i = 0; i < op; i++) {
    const o = program[i];
    if (o?.op === 'repeat' || o?.op === 'submit') stack.push(o);
    else if (o?.op === 'next' || o?.op === 'end-submit') stack.pop();
  }
  return stack;
}

function firstLine(model: ScenarioModel, range: { start: number; end: number }): string {
  return model.lines.text.slice(range.start, range.end).split('\n')[0]?.trim() ?? '';
}

function engineFrames(debuggee: Debuggee, engine: number): FrameInfo[] {
  const { machine } = debuggee;
  const model = machine.model;
  const engineModel = model.engines[engine];
  const state = machine.state.engines[engine];
  if (!engineModel || !state) return [];
  const stop = debuggee.lastStop;
  const focused = stop?.transaction?.engine === engine ? stop.transaction : undefined;
  const recent = debuggee.recent.get(engine);
  const upcoming = focused ? undefined : upcomingTransaction(engineModel, state);
  const current = focused ?? (upcoming ? undefined : recent);
  const op = current?.op ?? upcoming?.op;
  const iterations = current?.iterations ?? upcoming?.iterations ?? [];
  const frames: FrameInfo[] = [];
  const transaction = current ?? recent;
  const node = op === undefined ? undefined : engineModel.program[op];
  if (op !== undefined && node?.op === 'transaction') {
    const label = current ? ` — #${current.id} ${current.status}` : ' — next';
    frames.push({ kind: 'transaction', engine, op, transaction, upcoming: !current, name: `${firstLine(model, node.node.range)}${label}`, line: lineOf(model, node.node.range.start) });
    const loops = enclosing(engineModel.program, op).reverse();
    let depth = iterations.length - 1;
    for (const loop of loops) {
      if (loop.op === 'repeat') {
        frames.push({ kind: 'loop', engine, transaction, name: `repeat ${loop.count} (i = ${iterations[depth] ?? '?'})`, line: lineOf(model, loop.node.range.start) });
        depth--;
      } else if (loop.op === 'submit') {
        frames.push({ kind: 'loop', engine, transaction, name: `submit ${loop.id}`, line: lineOf(model, loop.node.range.start) });
      }
    }
  }
  const declaration = model.file.declarations.find((d) => d.kind === 'engine' && d.name && `${d.name.master.text}.${d.name.engine.text}` === engineModel.name);
  frames.push({ kind: 'engine', engine, transaction, name: `engine ${engineModel.name}`, line: declaration ? lineOf(model, declaration.range.start) : 1 });
  return frames;
}

/** Kernel functions on the stack of an activity, innermost first, below its current step. */
function kernelCallers(activity: ActivityState): KernelFunctionName[] {
  const step = activity.steps[activity.step];
  const before = activity.steps.slice(0, activity.step);
  const inside: KernelFunctionName[] = [];
  // SMMUv2: the handler is called by report_iommu_fault — drm/msm's fault handler too, and
  // before 6.16 the resume_translation a handler in the IRQ calls — and everything after
  // arm_smmu_context_fault's first read runs inside it.
  const calledByReport = step === 'handler' || step === 'a6xx_fault_handler' || step === 'adreno_fault_handler' || step === 'qcom_adreno_smmu_resume_translation';
  if (calledByReport && before.includes('report_iommu_fault')) inside.push('report_iommu_fault');
  if (step !== 'arm_smmu_context_fault' && before.includes('arm_smmu_context_fault')) inside.push('arm_smmu_context_fault');
  // SMMUv3: the iopf work item (its function by release) calls the domain's handler, which answers the group.
  const work = before.find(isIopfWorkStep);
  if (work) inside.push(work);
  return [...inside, ...[...activity.callers].reverse()];
}

function activityFrames(debuggee: Debuggee, activity: ActivityState): FrameInfo[] {
  const { machine } = debuggee;
  const model = machine.model;
  const step = activity.steps[activity.step];
  const frames: FrameInfo[] = [];
  const handler = activity.handler === undefined ? undefined : model.handlers[activity.handler];
  const declaration = handler ? model.file.declarations.find((d) => d.kind === 'handler' && d.name?.text === handler.name) : undefined;
  if (step === 'handler' && handler && declaration) {
    const op = machine.nextHandlerOp(activity.id);
    if (op) frames.push({ kind: 'handler', activity, name: firstLine(model, op.node.range), line: lineOf(model, op.node.range.start) });
    else frames.push({ kind: 'handler', activity, name: 'return', line: lineOf(model, declaration.range.end) });
    frames.push({ kind: 'handler', activity, name: `${handler.name}()`, line: lineOf(model, declaration.range.start) });
  } else if (step !== undefined && step !== 'handler') {
    frames.push({ kind: 'kernel', activity, name: step });
  }
  for (const name of kernelCallers(activity)) frames.push({ kind: 'kernel', activity, name });
  return frames;
}

/** The call stack of a thread, innermost first. */
export function stackOf(debuggee: Debuggee, threadId: number): FrameInfo[] {
  const thread = debuggee.machine.state.threads[threadId - 1];
  if (!thread) return [];
  if (thread.kind === 'engine') return engineFrames(debuggee, threadId - 1);
  const activity = thread.running === undefined ? undefined : debuggee.machine.state.activities.get(thread.running);
  return activity ? activityFrames(debuggee, activity) : [];
}
