import { DebugProtocol } from '@vscode/debugprotocol';
import { Expression } from '../emulator/language/ast';
import { Environment, evaluate, EvaluationError, toInteger, Value } from '../emulator/language/evaluate';
import { formatValue } from '../emulator/language/interpolate';
import { parseExpression } from '../emulator/language/parser';
import { counterDocs, counterNames, faultFields } from '../emulator/language/schema';
import { Range } from '../emulator/language/source';
import { Machine } from '../emulator/machine/machine';
import { PA_LIMIT } from '../emulator/inspect/memory';
import { describeWalk, DomainWalk, walkFaultText } from '../emulator/inspect/walks';
import { hex, hex64 } from '../emulator/util/u64';
import { faultRecordEnvironment, runEnvironment, transactionEnvironment } from '../emulator/inspect/environments';
import { RequestError } from './errors';
import { consoleScope, unknownName } from '../emulator/inspect/nameScopes';
import { FrameContext } from './scopesOf';
import { domainWalkVariables } from './variables/scopes';
import { VariableStore } from './variables/store';
import { memoryReference } from './variables/values';
import { domainOfStream } from '../emulator/inspect/streams';
import { indexStructure } from '../emulator/inspect/structureIndex';
import { contextBankOf, hasStreamTable } from '../emulator/inspect/smmus';

const registerNames = ['SCTLR', 'FSR', 'FSYNR0', 'FAR', 'CBFRSYNRA', 'TTBR0', 'TCR'] as const;

export const consoleFunctions: Readonly<Record<string, string>> = {
  'translate(iova[, sid[, ssid]])': 'the live translation of an address: through the domain of `sid` (its SMR), else the current frame\'s',
  'pte(iova)': 'the leaf descriptor that translates an address',
  'read(pa, size)': 'up to 8 bytes of physical memory, little-endian',
};

/**
 * Expressions of the scenario language in the Debug Console, watches and hovers: the
 * frame's fault or transaction fields, counters, the context bank's registers, and
 * `translate`, `pte`, `read`.
 */
export class ConsoleEvaluator {
  constructor(
    private readonly machine: Machine,
    private readonly context: FrameContext | undefined,
  ) {}

  private walkIn(iova: bigint, sid: bigint | undefined, range: Range, ssid?: bigint): DomainWalk {
    const smmu = this.context?.smmu ?? 0;
    const reached = sid === undefined ? undefined : domainOfStream(this.machine, smmu, Number(sid), ssid === undefined ? undefined : Number(ssid));
    const domain = reached === undefined ? (this.context?.domain ?? 0) : 'domain' in reached ? reached.domain : undefined;
    const walked = domain === undefined ? undefined : describeWalk(this.machine, domain, iova);
    if (!walked) throw new EvaluationError(sid === undefined ? 'there is no domain to translate in' : `stream ${hex(sid)} reaches no domain`, range);
    return walked;
  }

  private register(name: string, range: Range): Value | undefined {
    if (!(registerNames as readonly string[]).includes(name)) return undefined;
    if (this.context?.smmu !== undefined && hasStreamTable(this.machine.state, this.context.smmu)) {
      throw new EvaluationError(`${name} is a context-bank register: an SMMUv3 has none (its STE and CD are in the Registers scope)`, range);
    }
    const bank = this.context?.smmu === undefined || this.context.bank === undefined ? undefined : contextBankOf(this.machine.state, this.context.smmu, this.context.bank);
    if (!bank) return undefined;
    const values: Record<(typeof registerNames)[number], bigint> = {
      SCTLR: BigInt(bank.sctlr),
      FSR: BigInt(bank.fsr >>> 0),
      FSYNR0: BigInt(bank.fsynr0),
      FAR: bank.far,
      CBFRSYNRA: BigInt(bank.cbfrsynra),
      TTBR0: bank.ttbr0,
      TCR: BigInt(bank.tcr),
    };
    return values[name as (typeof registerNames)[number]];
  }

  /** In an iopf handler (SMMUv3): what the group it answers says — its STAG or PRG index, its PASID. */
  private groupField(name: string): Value | undefined {
    const group = this.context?.group;
    if (!group) return undefined;
    switch (name) {
      case 'stag':
        return BigInt(group.kind === 'stall' ? group.grpid : 0);
      case 'prgi':
        return BigInt(group.kind === 'page-request' ? group.grpid : 0);
      case 'ssid':
      case 'pasid':
        return BigInt(group.ssid ?? 0);
      case 'sid':
        return BigInt(group.sid);
      default:
        return undefined;
    }
  }

  private environment(): Environment {
    const base = this.context?.fault
      ? faultRecordEnvironment(this.machine, this.context.fault)
      : this.context?.transaction
        ? transactionEnvironment(this.machine, this.context.transaction)
        : runEnvironment(this.machine);
    // `index` evaluates the inner index of `STE[sid][n]` in this same environment.
    const env: Environment = {
      lookup: (name, range) => this.register(name, range) ?? this.groupField(name) ?? base.lookup(name, range),
      call: (name, args, range) => this.call(name, args, range),
      index: (target, index, range) => indexStructure(this.machine, this.context?.smmu, this.context?.sid, target, index, env, range),
    };
    return env;
  }

  private call(name: string, args: Value[], range: Range): Value {
    const integer = (i: number): bigint | undefined => (args[i] === undefined ? undefined : toInteger(args[i] as Value, range));
    switch (name) {
      case 'translate': {
        const iova = integer(0);
        if (iova === undefined) throw new EvaluationError('translate(iova[, sid[, ssid]]) needs an address', range);
        const walked = this.walkIn(iova, integer(1), range, integer(2));
        const outcome = walked.walk.outcome;
        if (outcome.kind !== 'success') throw new EvaluationError(walkFaultText(walked) ?? outcome.kind, range);
        return outcome.pa;
      }
      case 'pte': {
        const iova = integer(0);
        if (iova === undefined) throw new EvaluationError('pte(iova) needs an address', range);
        const walked = this.walkIn(iova, undefined, range);
        // A nested domain's PTE is stage 1's (the guest's), as the kernel's pte is the table's own.
        const last = (walked.stage === 'nested' ? walked.walk.stage1.steps : walked.walk.steps).at(-1);
        if (!last) throw new EvaluationError(`${hex(iova)} is beyond the input range`, range);
        return last.value;
      }
      case 'read': {
        const pa = integer(0);
        const size = Number(integer(1) ?? 8n);
        if (pa === undefined || size < 1 || size > 8) throw new EvaluationError('read(pa, size) reads 1 to 8 bytes', range);
        if (pa < 0n || pa + BigInt(size) > BigInt(PA_LIMIT)) throw new EvaluationError(`read(${hex(pa)}, ${size}) is beyond the 48-bit physical address space`, range);
        const bytes = this.machine.runtime.memory.readBytes(Number(pa), size);
        return bytes.reduceRight((value, byte) => (value << 8n) | BigInt(byte), 0n);
      }
      default:
        throw new EvaluationError(`there is no function '${name}' (there are translate, pte and read)`, range);
    }
  }

  /** A translation in full: the result line and the walk to open. */
  private translation(store: VariableStore, iova: bigint, sid: bigint | undefined, range: Range, ssid?: bigint): DebugProtocol.EvaluateResponse['body'] {
    const walked = this.walkIn(iova, sid, range, ssid);
    const outcome = walked.walk.outcome;
    const text =
      outcome.kind === 'success'
        ? `${hex(iova)} → ${hex(outcome.pa)} (${outcome.size === 0x1000n ? '4K page' : outcome.size === 0x20_0000n ? '2M block' : '1G block'}, level ${outcome.level}, ${outcome.permissionsText})`
        : `${hex(iova)}: ${walkFaultText(walked) ?? outcome.kind}`;
    // The walk as it was evaluated: a console result is a snapshot.
    return { result: text, variablesReference: store.add(domainWalkVariables(store, walked, () => walked)), ...(outcome.kind === 'success' ? { memoryReference: memoryReference(outcome.pa) } : {}) };
  }

  /** Evaluates for the Debug Console (`repl`), a watch, or a hover over a hex literal (its live translation). */
  evaluate(text: string, kind: string | undefined, store: VariableStore): DebugProtocol.EvaluateResponse['body'] {
    const parsed = parseExpression(text);
    const [problem] = parsed.diagnostics;
    if (problem || !parsed.expression) throw new RequestError(problem?.message ?? `'${text}' is not an expression`);
    const expression: Expression = parsed.expression;
    const unknown = unknownName(expression, consoleScope(this.machine.model));
    if (unknown) throw new RequestError(unknown);
    try {
      if (kind === 'hover' && expression.kind === 'number') return this.translation(store, expression.value, undefined, expression.range);
      if (expression.kind === 'call' && expression.callee.text === 'translate') {
        const env = this.environment();
        const [iova, sid, ssid] = expression.args.map((a) => toInteger(evaluate(a, env), a.range));
        if (iova === undefined) throw new EvaluationError('translate(iova[, sid[, ssid]]) needs an address', expression.range);
        return this.translation(store, iova, sid, expression.range, ssid);
      }
      const value = evaluate(expression, this.environment());
      const result = typeof value === 'bigint' && expression.kind === 'call' && expression.callee.text === 'pte' ? hex64(value) : formatValue(expression, value);
      return { result, variablesReference: 0 };
    } catch (error) {
      if (error instanceof EvaluationError) throw new RequestError(error.message);
      throw error;
    }
  }
}

/**
 * The name being typed at the end of `before` (`[A-Za-z_][A-Za-z0-9_-]*`), found by
 * scanning back: a regex ending in `$` would try every start in a long run of name
 * characters, quadratic in its length.
 */
function wordBefore(before: string): string {
  let start = before.length;
  while (start > 0 && /[A-Za-z0-9_-]/.test(before[start - 1] ?? '')) start--;
  while (start < before.length && !/[A-Za-z_]/.test(before[start] ?? '')) start++;
  return before.slice(start);
}

/** Completions in the Debug Console: fields, counters, registers, functions. */
export function consoleCompletions(text: string, column: number): DebugProtocol.CompletionItem[] {
  const word = wordBefore(text.slice(0, Math.max(0, column - 1)));
  const items: DebugProtocol.CompletionItem[] = [
    ...Object.entries(faultFields).map(([label, detail]): DebugProtocol.CompletionItem => ({ label, detail, type: 'field' })),
    ...counterNames.map((label): DebugProtocol.CompletionItem => ({ label, detail: counterDocs[label], type: 'variable' })),
    ...registerNames.map((label): DebugProtocol.CompletionItem => ({ label, detail: 'a register of the frame\'s context bank', type: 'property' })),
    ...Object.entries(consoleFunctions).map(([signature, detail]): DebugProtocol.CompletionItem => ({ label: signature.slice(0, signature.indexOf('(')), text: `${signature.slice(0, signature.indexOf('('))}(`, detail: `${signature}: ${detail}`, type: 'function' })),
  ];
  // `start` counts from 1, as VS Code does (columnsStartAt1).
  return items.filter((item) => item.label.startsWith(word)).map((item) => ({ ...item, start: column - word.length, length: word.length }));
}
