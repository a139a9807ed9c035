import { selectTtbr } from '../pgtable/ttbrSelect';
import { Expression, HandlerStatement } from '../language/ast';
import { parsePermissions } from '../language/checker/permissions';
import { Environment, evaluate, EvaluationError, isTruthy, toInteger } from '../language/evaluate';
import { interpolate } from '../language/interpolate';
import { captureDump } from '../machine/dump';
import { Runtime } from '../machine/runtime';
import { ActivityState } from '../machine/state';
import { HandlerOp } from '../scenario/handlerProgram';
import { hex } from '../util/u64';
import { handlerEnvironment } from './faultEnvironment';
import { printk } from './printk';
import { advance } from './threads';
import { queueIova } from './flushQueue';
import { iotlbSync, UnmapMode, unmapAndMaintain } from './iotlb';

type Statement = Extract<HandlerOp, { op: 'statement' }>['node'];

function integer(expression: Expression | undefined, env: Environment, what: string, at: HandlerStatement): bigint {
  if (!expression) throw new EvaluationError(`${what} is missing`, at.range);
  return toInteger(evaluate(expression, env), expression.range);
}

function log(rt: Runtime, activity: ActivityState, message: string, offset: number): void {
  rt.journal.log({ time: rt.state.now, thread: activity.thread, message, offset });
  if (rt.observed) rt.emit({ kind: 'log', time: rt.state.now, thread: activity.thread, message });
}

/** A kernel WARN_ONCE: its message the first time a boot (dmesg shows it after `WARNING:` and a backtrace; the message line is what names it), nothing after. */
function warnOnce(rt: Runtime, activity: ActivityState, message: string): void {
  if (rt.state.warnedOnce.includes(message)) return;
  rt.state.warnedOnce.push(message);
  printk(rt, activity.thread, 'warn', message);
}

function pageTableEvent(rt: Runtime, domain: number, description: string): void {
  if (rt.observed) rt.emit({ kind: 'page-table', time: rt.state.now, domain, description });
}


/** Runs one statement; returns the cycles it takes. */
function execute(rt: Runtime, activity: ActivityState, statement: Statement, env: Environment): number {
  const timing = rt.model.timing;
  const domain = activity.domain ?? -1;
  // Handler maps and unmaps go to the table the fault walked (a pagetable, TTBR1), else the domain's own.
  const walked = activity.fault?.table ?? domain;
  const table = rt.tables[walked];
  const tableIova = (iova: bigint): bigint => {
    const model = rt.model.domains[domain];
    return model?.ttbr1 ? selectTtbr(iova, model.ias, true).walkIova : iova;
  };
  switch (statement.kind) {
    case 'log':
      log(rt, activity, statement.message ? interpolate(statement.message.parts, env) : '', statement.range.start);
      return timing.statement;
    case 'dump': {
      const dump = captureDump(rt, activity, statement.range.start);
      rt.journal.dump(dump);
      rt.state.counters.dumps++;
      if (rt.observed) rt.emit({ kind: 'dump', time: rt.state.now, thread: activity.thread, dump: dump.id });
      return timing.dump;
    }
    case 'map': {
      const faultPage = activity.cfi?.far ?? activity.fault?.iova ?? 0n;
      // `map page`: the granule's page holding the faulting address (16 KiB with a 16K granule).
      const page = BigInt(table?.granule.bytes ?? 0x1000);
      const iova = statement.page ? faultPage & ~(page - 1n) : integer(statement.iova, env, 'the IOVA', statement);
      const size = statement.page ? page : integer(statement.size, env, 'the size', statement);
      const pa = integer(statement.pa, env, 'the PA', statement);
      const result = table?.map(tableIova(iova), pa, size, parsePermissions(statement.perms, undefined), statement.pages?.value);
      const call = `iommu_map(${hex(iova)}, ${hex(pa)}, ${hex(size)})`;
      if (result && !result.ok) log(rt, activity, `${call} failed: ${result.error.message}`, statement.range.start);
      if (result?.ok) rt.journal.map({ time: rt.state.now, domain, iova, size, offset: statement.range.start });
      pageTableEvent(rt, domain, result?.ok ? `${call}: ${result.leaves} leaves` : `${call} failed`);
      return timing.statement;
    }
    case 'unmap': {
      const iova = integer(statement.iova, env, 'the IOVA', statement);
      const size = integer(statement.size, env, 'the size', statement);
      // A lazy domain's unmap is dma-iommu's (__iommu_dma_unmap): iommu_unmap_fast with a queued gather, then queue_iova.
      const lazy = !statement.nosync && rt.model.domains[domain]?.dma.lazy === true;
      const mode: UnmapMode = statement.nosync ? 'fast' : lazy ? 'queued' : 'sync';
      const call = statement.nosync ? 'iommu_unmap_fast' : lazy ? '__iommu_dma_unmap' : 'iommu_unmap';
      // What io-pgtable did shows first: the TLB maintenance it causes follows it in the trace.
      const { unmapped } = unmapAndMaintain(rt, activity.smmu, domain, iova, size, mode, walked, tableIova(iova), (result) => {
        const at = result.refusedPartialBlockAt;
        // io-pgtable-arm's WARN_ONCE (6.13 on): the block stays whole, and iommu_unmap returns what it unmapped before it.
        if (at !== undefined) warnOnce(rt, activity, 'Unmap of a partial large IOPTE is not allowed');
        pageTableEvent(rt, domain, `${call}(${hex(iova)}, ${hex(size)}): ${hex(result.unmapped)} unmapped${at === undefined ? '' : `, refused inside the block at ${hex(at)}`}`);
      });
      if (lazy && unmapped > 0n) queueIova(rt, domain, iova, unmapped);
      return timing.statement;
    }
    case 'sync':
      iotlbSync(rt, activity.smmu, domain);
      return timing.statement;
    case 'tlbi': {
      const driver = rt.smmus[activity.smmu];
      if (statement.scope === 'va') driver?.invalidatePage(domain, integer(statement.address, env, 'the address', statement));
      else driver?.flushIotlbAll(domain);
      return timing.statement;
    }
    case 'sleep':
      return Number(integer(statement.cycles, env, 'the cycles', statement));
    case 'stall-off': {
      const cycles = Number(integer(statement.cycles, env, 'the cycles', statement));
      const nothing = rt.smmus[activity.smmu]?.stallOff(activity.bank, cycles);
      if (nothing) log(rt, activity, nothing, statement.range.start);
      return timing.statement;
    }
  }
}

/** The op the handler will run next, past any jumps: what a breakpoint or a peek sees. */
export function nextHandlerOp(rt: Runtime, activity: ActivityState): Exclude<HandlerOp, { op: 'jump' }> | undefined {
  const program = activity.handler === undefined ? [] : (rt.model.handlers[activity.handler]?.program ?? []);
  let pc = activity.pc;
  for (let op = program[pc]; op; op = program[pc]) {
    if (op.op !== 'jump') return op;
    pc = op.target;
  }
  return undefined;
}

/** One step of a running handler: a statement, a branch, or its response. */
export function runHandlerOp(rt: Runtime, activity: ActivityState): void {
  const program = activity.handler === undefined ? [] : (rt.model.handlers[activity.handler]?.program ?? []);
  let op = program[activity.pc];
  while (op?.op === 'jump') {
    activity.pc = op.target;
    op = program[activity.pc];
  }
  if (!op) {
    // The handler returned without answering.
    advance(rt, activity, 0);
    return;
  }
  if (rt.observed) rt.emit({ kind: 'handler-step', time: rt.state.now, thread: activity.thread, activity: activity.id, statement: op.node });
  const env = handlerEnvironment(rt, activity);
  const statementCost = rt.model.timing.statement;
  switch (op.op) {
    case 'branch': {
      const taken = op.node.condition ? isTruthy(evaluate(op.node.condition, env)) : false;
      activity.pc = taken ? activity.pc + 1 : op.otherwise;
      rt.schedule(statementCost, { kind: 'step', activity: activity.id });
      return;
    }
    case 'respond':
      activity.response = op.node.response;
      advance(rt, activity, statementCost);
      return;
    case 'statement': {
      const cost = execute(rt, activity, op.node, env);
      activity.pc++;
      rt.schedule(cost, { kind: 'step', activity: activity.id });
      return;
    }
  }
}
