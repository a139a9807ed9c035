import { Transaction } from '../language/ast';
import { Environment } from '../language/evaluate';
import { EngineModel } from '../scenario/model';
import { TransactionOperands } from '../scenario/engineProgram';
import { closePageRequestGroups } from '../smmu/v3/pri';
import { Runtime } from './runtime';
import { EngineState, TransactionState } from './state';
import { engineFinished, finishEngineThread } from './transactions';
import { switchTtbr0 } from './ttbrSwitch';
import { pagetableTable } from './addressSpaces';

/**
 * The last of a list (the innermost repeat or submit), undefined for none. Not
 * `list[list.length - 1]`: on an empty list V8 looks the key -1 up as a named property,
 * tens of nanoseconds on every transaction issued outside any submit.
 */
function innermost<T>(list: readonly T[]): T | undefined {
  return list.length === 0 ? undefined : list[list.length - 1];
}

/**
 * Where an engine's operands find `i`: the innermost repeat of the engine issuing. Engines
 * issue one transaction at a time, so one environment serves them all, pointed at the
 * issuing engine's loops before its operands are evaluated.
 */
class LoopEnvironment implements Environment {
  loops: EngineState['loops'] = [];

  lookup(name: string): bigint | undefined {
    const loop = innermost(this.loops);
    return name === 'i' && loop ? BigInt(loop.i) : undefined;
  }
}

const loopEnvironment = new LoopEnvironment();

function newTransaction(rt: Runtime, index: number, model: EngineModel, engine: EngineState, node: Transaction, operands: TransactionOperands): TransactionState {
  const env = loopEnvironment;
  env.loops = engine.loops;
  let pasid: bigint | undefined;
  let value: bigint | undefined;
  for (const option of operands.options) {
    if (option.kind === 'pasid') pasid = option.value(env);
    else value = option.value(env);
  }
  const iterations: number[] = [];
  for (const loop of engine.loops) iterations.push(loop.i);
  return {
    id: rt.state.nextTransaction++,
    engine: index,
    op: engine.pc,
    label: node.label?.text,
    access: node.access,
    iova: operands.address(env),
    size: Number(operands.size(env)),
    priv: operands.priv,
    exec: operands.exec,
    pasid,
    value,
    sid: model.sid,
    smmu: rt.model.masters[model.master]?.smmu ?? 0,
    issued: rt.state.now,
    status: 'pending',
    stall: undefined,
    domain: undefined,
    asid: undefined,
    onFault: undefined,
    atsRetried: false,
    tlbTag: undefined,
    stale: undefined,
    bank: undefined,
    table: undefined,
    pa: undefined,
    data: undefined,
    faults: 0,
    lastFault: undefined,
    ended: undefined,
    submit: innermost(engine.submits)?.id,
    iterations,
  };
}

/** The transaction op an engine will issue next, and the repeat iterations around it; nothing changes. */
export function upcomingTransaction(model: EngineModel, engine: EngineState): { op: number; iterations: number[] } | undefined {
  const program = model.program;
  const loops = engine.loops.map((loop) => ({ ...loop }));
  let pc = engine.pc;
  for (let guard = 0; guard < 1_000_000; guard++) {
    const op = program[pc];
    if (!op) return undefined;
    switch (op.op) {
      case 'transaction':
        return { op: pc, iterations: loops.map((loop) => loop.i) };
      case 'repeat':
        if (op.count === 0) pc = op.exit;
        else {
          loops.push({ op: pc, i: 0 });
          pc++;
        }
        break;
      case 'next': {
        const loop = loops[loops.length - 1];
        const enter = loop ? program[loop.op] : undefined;
        if (loop && enter?.op === 'repeat' && ++loop.i < enter.count) pc = op.body;
        else {
          loops.pop();
          pc++;
        }
        break;
      }
      default:
        pc++;
    }
  }
  return undefined;
}

/**
 * The `issue` action: the engine works through loops, submits and waits to its next
 * transaction and issues it — unless `outstanding` are in flight, then it waits for one.
 */
export function issueNext(rt: Runtime, index: number): void {
  const { state } = rt;
  const engine = state.engines[index];
  const model = rt.model.engines[index];
  if (!engine || !model || engine.programDone) return;
  const program = model.program;
  for (;;) {
    const op = program[engine.pc];
    if (!op) {
      engine.programDone = true;
      if (engineFinished(engine)) finishEngineThread(rt, index);
      return;
    }
    switch (op.op) {
      case 'repeat':
        if (op.count === 0) engine.pc = op.exit;
        else {
          engine.loops.push({ op: engine.pc, i: 0 });
          engine.pc++;
        }
        continue;
      case 'next': {
        const loop = innermost(engine.loops);
        const enter = loop ? program[loop.op] : undefined;
        if (loop && enter?.op === 'repeat' && ++loop.i < enter.count) engine.pc = op.body;
        else {
          engine.loops.pop();
          engine.pc++;
        }
        continue;
      }
      case 'submit':
        if (op.pagetable !== undefined && !switchTtbr0(rt, index, pagetableTable(rt.model, op.pagetable), op.id)) return;
        engine.submits.push({ op: engine.pc, id: op.id });
        engine.pc++;
        continue;
      case 'end-submit': {
        const submit = innermost(engine.submits);
        const entered = submit ? program[submit.op] : undefined;
        if (submit && entered?.op === 'submit' && entered.pagetable !== undefined && !switchTtbr0(rt, index, undefined, submit.id)) return;
        engine.submits.pop();
        engine.pc++;
        // An ATS device learns here that a submit's page request group is complete.
        closePageRequestGroups(rt, rt.model.masters[model.master]?.smmu ?? 0, index);
        continue;
      }
      case 'wait':
        engine.pc++;
        engine.nextIssue = Math.max(engine.nextIssue, state.now) + op.cycles;
        rt.schedule(engine.nextIssue - state.now, { kind: 'issue', engine: index });
        return;
      case 'transaction': {
        if (state.now < engine.nextIssue) {
          rt.schedule(engine.nextIssue - state.now, { kind: 'issue', engine: index });
          return;
        }
        if (engine.inFlight >= model.outstanding) {
          engine.blocked = true;
          // An ATS device whose slots all wait on page requests sends the Last it holds now.
          closePageRequestGroups(rt, rt.model.masters[model.master]?.smmu ?? 0, index);
          return;
        }
        const transaction = newTransaction(rt, index, model, engine, op.node, op.operands);
        state.transactions.set(transaction.id, transaction);
        engine.pc++;
        engine.inFlight++;
        engine.issued++;
        (engine.ops[transaction.op] ??= { issued: 0, completed: 0, aborted: 0, raz: 0, lastStatus: undefined, lastPa: undefined }).issued++;
        state.counters.transactions++;
        engine.nextIssue = state.now + model.interval;
        if (rt.observed) rt.emit({ kind: 'transaction-issued', time: state.now, transaction });
        rt.smmus[transaction.smmu]?.receive(transaction);
        rt.schedule(model.interval, { kind: 'issue', engine: index });
        return;
      }
    }
  }
}
