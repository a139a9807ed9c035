import { DomainDeclaration, Expression, HandlerDeclaration, HandlerStatement, StringLiteral } from '../ast';
import { bodyStatements, firstWord, statementSpec } from '../grammarTable';
import { SmmuVersion } from '../schema';
import { Range } from '../source';
import { CheckContext, versionOf } from './context';
import { checkExpression } from './expressions';
import { parsePermissions } from './permissions';
import { BlockSettings } from './settings';
import { checkExistsOn } from './versionRule';
import { onAdrenoSmmu } from './adreno';
import { SmmuKind, smmuKind } from '../../smmu/kinds';
import { handlerContextOn } from '../../kernel/contextFaultSteps';
import { hasChange } from '../../kernel/versions';
import { HandlerContext, SmmuImpl } from '../../scenario/model';


interface HandlerFacts {
  name: string;
  /** Where it runs: its `context`, or on qcom's Adreno SMMU where the release runs drm/msm's handler. */
  context: HandlerContext;
  /** Where `context` is given its value (`irq`), for the fix that makes it `thread`. */
  contextValue: Range | undefined;
  version: SmmuVersion | undefined;
  /** Its SMMU's kind (the default one when the domain is unknown). */
  kind: SmmuKind;
  /** Undefined when the domain is unknown (already reported). */
  stalls: boolean | undefined;
  /** Some `unmap … nosync` of the handler gathers an invalidation for `sync` to issue. */
  gathers: boolean;
}

/** Whether any `unmap … nosync` is among the statements, at any depth. */
function hasNosyncUnmap(statements: readonly HandlerStatement[]): boolean {
  return statements.some((s) => (s.kind === 'unmap' && s.nosync) || (s.kind === 'if' && (hasNosyncUnmap(s.then) || hasNosyncUnmap(s.otherwise ?? []))));
}

function checkHandlerExpression(expression: Expression | undefined, context: CheckContext): void {
  if (expression) checkExpression(expression, { kind: 'handler' }, context);
}

function checkString(message: StringLiteral | undefined, context: CheckContext): void {
  for (const part of message?.parts ?? []) {
    if (part.kind === 'hole') checkHandlerExpression(part.expression, context);
  }
}

function checkStatement(statement: HandlerStatement, facts: HandlerFacts, context: CheckContext): void {
  // The statements that sleep are named by their keyword (`map`, `dump`, `sleep`).
  const why = bodyStatements.handler.find((spec) => firstWord(spec) === statement.kind)?.sleeps;
  // On an SMMUv3 the handler runs on the iopf workqueue whatever its `context` says (checkHandler warns).
  if (why && facts.context === 'irq' && !facts.kind.faultsToIopfWorkqueue) {
    // The threaded IRQ handler may sleep and still answers the fault before the handler returns.
    const fix = facts.contextValue && { title: `Run handler '${facts.name}' in thread context`, edits: [{ range: facts.contextValue, newText: 'thread' }] };
    context.sink.error('atomic-sleep', statement.range, `${why}: sleeping in atomic context (handler '${facts.name}' runs in irq context)`, undefined, fix);
  }
  switch (statement.kind) {
    case 'log':
      checkString(statement.message, context);
      break;
    case 'map':
      checkHandlerExpression(statement.iova, context);
      checkHandlerExpression(statement.pa, context);
      checkHandlerExpression(statement.size, context);
      parsePermissions(statement.perms, context.sink);
      break;
    case 'unmap':
      checkHandlerExpression(statement.iova, context);
      checkHandlerExpression(statement.size, context);
      break;
    case 'tlbi':
      checkHandlerExpression(statement.address, context);
      break;
    case 'sleep':
      checkHandlerExpression(statement.cycles, context);
      break;
    case 'stall-off':
      checkHandlerExpression(statement.cycles, context);
      if (!facts.kind.contextBanks) {
        context.sink.warning('stall-off-v3', statement.range, "'stall off' does nothing on SMMUv3: msm's stall cooldown clears SCTLR.CFCFG, a context-bank bit an SMMUv3 does not have (CD.S stays as Linux wrote it)");
      } else if (facts.stalls === false) {
        context.sink.warning('stall-off-no-stall', statement.range, "the domain does not stall on faults: 'stall off' changes nothing");
      }
      break;
    case 'if':
      checkHandlerExpression(statement.condition, context);
      checkStatements(statement.then, facts, context);
      if (statement.otherwise) checkStatements(statement.otherwise, facts, context);
      break;
    case 'response':
      if (facts.version) checkExistsOn(statementSpec('handler', statement.response), 'statement', { word: statement.response, version: facts.version, owner: `handler '${facts.name}'`, smmu: undefined }, statement.range, context.sink, 'response-kind');
      break;
    case 'sync':
      if (!facts.gathers) {
        context.sink.warning('sync-nothing-gathered', statement.range, `nothing is gathered for 'sync': handler '${facts.name}' has no 'unmap … nosync' ('unmap' syncs before it returns, or in a 'dma lazy' domain leaves the IOVA to the flush queue), so iommu_iotlb_sync issues nothing on SMMUv3 and only a TLBSYNC on SMMUv2`);
      }
      break;
    case 'dump':
      break;
  }
}

/** Checks a statement list; warns about the first statement a response makes unreachable. */
function checkStatements(statements: readonly HandlerStatement[], facts: HandlerFacts, context: CheckContext): void {
  let answered = false;
  for (const statement of statements) {
    if (answered) {
      context.sink.warning('unreachable', statement.range, 'unreachable: the handler has already responded and returned');
      answered = false;
    }
    checkStatement(statement, facts, context);
    // A response returns; so does an `if` that responds on every path.
    answered = statement.kind === 'response' || (statement.kind === 'if' && openEnds([statement], statement.range).length === 0);
  }
}

/** The places where a path through the statements can end without a response, each once. */
export function openEnds(statements: readonly HandlerStatement[], end: Range): Range[] {
  return [...new Set(pathEnds(statements, end))];
}

function pathEnds(statements: readonly HandlerStatement[], end: Range): Range[] {
  let pending: Range[] = [end];
  for (const statement of statements) {
    if (statement.kind === 'response') return [];
    if (statement.kind === 'if') {
      const thenEnds = pathEnds(statement.then, statement.range);
      const elseEnds = statement.otherwise ? pathEnds(statement.otherwise, statement.range) : [statement.range];
      if (thenEnds.length === 0 && elseEnds.length === 0) return [];
      pending = [...thenEnds, ...elseEnds];
    } else {
      pending = [end];
    }
  }
  return pending;
}

/**
 * The domain a handler is `on`. A vfio container is refused by name: its devices belong to
 * userspace, whose driver is not in the kernel to install a handler, so their faults take
 * the default path (report_iommu_fault finds no handler).
 */
function handledDomain(handler: HandlerDeclaration, context: CheckContext): DomainDeclaration | undefined {
  const on = handler.domain;
  if (!on) return undefined;
  if (!context.symbols.get('domain', on.text) && context.symbols.get('vfio', on.text)) {
    context.symbols.resolve('vfio', on, context.sink);
    context.sink.error(
      'handler-on-vfio',
      on.range,
      `'${on.text}' is a vfio container: userspace owns its devices, so no kernel handler can be on its domains and their faults take the default path (report_iommu_fault returns -ENOSYS)`,
    );
    return undefined;
  }
  return context.symbols.resolve('domain', on, context.sink)?.declaration;
}

export function checkHandler(handler: HandlerDeclaration, settings: BlockSettings, handledDomains: Map<string, HandlerDeclaration>, context: CheckContext): void {
  const name = handler.name?.text ?? '?';
  const domain = handledDomain(handler, context);
  if (domain?.name && handler.domain) {
    const previous = handledDomains.get(domain.name.text);
    if (previous?.name) {
      context.sink.error('handler-duplicate', handler.domain.range, `domain '${domain.name.text}' already has handler '${previous.name.text}': iommu_set_fault_handler keeps one per domain`, [
        { range: previous.name.range, message: `handler '${previous.name.text}'` },
      ]);
    } else {
      handledDomains.set(domain.name.text, handler);
    }
  }
  const domainSettings = domain ? context.settings.get(domain) : undefined;
  const version = domain ? versionOf(context, context.smmuOf.get(domain)) : undefined;
  const impl: SmmuImpl = domain && onAdrenoSmmu(domain, context) ? 'qcom-adreno' : 'arm';
  const written = settings.node('context');
  const handlerContext = handlerContextOn(context.kernel, impl, settings.word('context') as HandlerContext);
  if (impl === 'qcom-adreno') checkAdrenoContext(written?.value, settings.word('context') as HandlerContext, handlerContext, context);
  const facts: HandlerFacts = {
    name,
    context: handlerContext,
    contextValue: written?.value?.range,
    version,
    kind: smmuKind(version),
    stalls: domainSettings ? domainSettings.word('fault') === 'stall' : undefined,
    gathers: hasNosyncUnmap(handler.body),
  };
  const queue = settings.name('queue');
  if (queue) {
    context.symbols.resolve('workqueue', queue, context.sink);
    // On an SMMUv3 every handler runs on its queue, whatever `context` says (context-v3 below).
    if (handlerContext !== 'workqueue' && !facts.kind.faultsToIopfWorkqueue) {
      context.sink.error('queue-context', queue.range, `'queue' picks the workqueue of a workqueue-context handler; this one runs in ${handlerContext} context`);
    }
  }
  if (facts.kind.faultsToIopfWorkqueue && written?.value && handlerContext !== 'workqueue') {
    context.sink.warning(
      'context-v3',
      written.value.range,
      `'context ${handlerContext}' has no effect on an SMMUv3: the IOMMU core runs every fault handler from its iopf workqueue (iommu_report_device_fault queues the fault group), where it may sleep`,
    );
  }
  checkStatements(handler.body, facts, context);
  // On an SMMUv3 every handler runs from a workqueue and is checked with its domain's masters (v3.ts).
  if (facts.stalls && facts.kind.contextBanks && handler.name) checkStallAnswer(handler, facts, written?.value?.range ?? handler.name.range, context);
}

/**
 * Who answers an SMMUv2 stall depends on the release. From 6.16 arm_smmu_context_fault
 * writes RESUME from the handler's return: a workqueue handler answers too late, and a
 * handler that returns without answering terminates. Before 6.16 only resume_translation
 * answers, with the handler's response: from irq or thread context it comes before FSR is
 * written back (ignored), and a worker's path without one leaves the stall.
 */
function checkStallAnswer(handler: HandlerDeclaration, facts: HandlerFacts, contextRange: Range, context: CheckContext): void {
  const kernel = context.kernel;
  if (hasChange(kernel, 'resumeInContextFault')) {
    if (facts.context === 'workqueue') {
      context.sink.warning(
        'workqueue-stall-answer',
        contextRange,
        `on Linux ${kernel} RESUME is written when the context fault handler returns: this workqueue handler cannot answer the stall (arm_smmu_context_fault terminates it before the work runs; 3053a2c5086d, 6.16). Answer from context irq or thread, or give the scenario 'kernel 6.12' for the worker design`,
      );
    }
    return;
  }
  if (facts.context !== 'workqueue') {
    context.sink.warning(
      'irq-stall-answer',
      contextRange,
      `on Linux ${kernel} arm_smmu_context_fault never writes RESUME (it does from 6.16, 3053a2c5086d): this ${facts.context} handler's answer goes through resume_translation before FSR is written back, and MMU-500 ignores it, so the stall stays and the master hangs. Answer from context workqueue`,
    );
    return;
  }
  const nameRange = handler.name?.range ?? handler.range;
  for (const end of openEnds(handler.body, nameRange)) {
    const where = end === nameRange ? 'its end' : `line ${context.lines.lineOf(end.start)}`;
    context.sink.warning(
      'no-response',
      end,
      `a path through handler '${facts.name}' reaches ${where} without a response: on Linux ${kernel} arm_smmu_context_fault never writes RESUME (it does from 6.16), so the stalled transaction stays stalled and the master hangs`,
    );
  }
}

/** Before 6.16 nothing answers the stall of an SMMUv2 domain without a handler: report_iommu_fault returns -ENOSYS and arm_smmu_context_fault returns without RESUME. */
export function checkUnansweredStalls(domains: readonly DomainDeclaration[], handledDomains: ReadonlyMap<string, HandlerDeclaration>, context: CheckContext): void {
  if (hasChange(context.kernel, 'resumeInContextFault')) return;
  for (const domain of domains) {
    const settings = context.settings.get(domain);
    const fault = settings?.node('fault');
    if (!domain.name || !fault?.value || settings?.word('fault') !== 'stall' || handledDomains.has(domain.name.text)) continue;
    if (!smmuKind(versionOf(context, context.smmuOf.get(domain))).contextBanks) continue;
    context.sink.warning(
      'stall-unanswered',
      fault.value.range,
      `on Linux ${context.kernel} arm_smmu_context_fault never writes RESUME (it does from 6.16, 3053a2c5086d) and domain '${domain.name.text}' has no handler to answer through resume_translation: a stalled transaction stays stalled and its master hangs`,
    );
  }
}

/** On qcom's Adreno SMMU the release, not `context`, decides where drm/msm's handler runs: a written context that differs is ignored. */
function checkAdrenoContext(value: { range: Range } | undefined, written: HandlerContext, runs: HandlerContext, context: CheckContext): void {
  if (!value || written === runs) return;
  const why = hasChange(context.kernel, 'adrenoThreadedIrq')
    ? "qcom's Adreno SMMU takes its context fault in a threaded IRQ (1650620774fa, 6.16) and drm/msm's handler runs there"
    : "qcom's Adreno SMMU takes its context fault in a hard IRQ (threaded only from 6.16) and drm/msm captures the crash state in its fault worker, where the handler runs";
  context.sink.warning('adreno-context', value.range, `on Linux ${context.kernel} ${why}: 'context ${written}' runs as 'context ${runs}'`);
}
