import { descriptorPa, domainTables, tableStage } from '../emulator/inspect/tables';
import { describeWalk, DomainWalk, faultAtLevel, formatDump, walkFaultText, Level, Stage2WalkResult } from '../emulator/inspect/walks';
import { Machine } from '../emulator/machine/machine';
import { fromHalves, hex, hex64 } from '../emulator/util/u64';
import { Debuggee } from './debuggee';
import { ErrorId, RequestError } from './errors';
import {
  DomainsResponseBody,
  DomainSummary,
  DumpResponseBody,
  FaultsResponseBody,
  LinesResponseBody,
  PageTableResponseBody,
  StalledResponseBody,
  TimelineResponseBody,
  TranslateResponseBody,
  TranslateStage2Walk,
  TranslateStep,
} from './protocol';
import { RequestArguments } from './requestArguments';
import { domainOfAnyStream } from '../emulator/inspect/streams';
import { answerRefusal, prgWaitOf, stagOf } from '../emulator/inspect/stalls';
import { entryCount, rootOf, tableEntries } from './variables/pageTable';
import { contextBanksOf } from '../emulator/inspect/smmus';
import { lineCounts } from '../emulator/inspect/lineCounts';

function lineOfOp(machine: Machine, engine: number, op: number): number {
  const node = machine.model.engines[engine]?.program[op];
  return node?.op === 'transaction' ? machine.model.lines.lineOf(node.node.range.start) : 0;
}

function domainIndex(machine: Machine, name: string): number {
  const index = machine.model.domains.findIndex((d) => d.name === name);
  if (index < 0) throw new RequestError(`there is no domain '${name}'`);
  return index;
}

/** An address as the views send it: hex (`0x…`) or decimal, `_` between digits allowed; at most 64 bits. */
function address(text: string, what: string): bigint {
  const trimmed = text.trim();
  if (!/^(0x[0-9a-f][0-9a-f_]*|\d[\d_]*)$/i.test(trimmed)) throw new RequestError(`${what} '${text}' is not an address`, ErrorId.BadArguments);
  const value = BigInt(trimmed.replace(/_/g, ''));
  if (value >> 64n !== 0n) throw new RequestError(`${what} '${text}' does not fit in 64 bits`, ErrorId.BadArguments);
  return value;
}

/** Page tables are pages: 4 KiB aligned, whole inside the 48-bit physical address space. */
function tableAddress(text: string, entries: number): bigint {
  const table = address(text, 'table');
  if (table % 0x1000n !== 0n) throw new RequestError(`table ${hex(table)} is not a page table: tables are 4 KiB aligned`, ErrorId.BadArguments);
  if (table + BigInt(entries * 8) > 2n ** 48n) throw new RequestError(`table ${hex(table)} is beyond the 48-bit physical address space`, ErrorId.BadArguments);
  return table;
}

export function stalled(debuggee: Debuggee, path: string): StalledResponseBody {
  const machine = debuggee.machine;
  return {
    transactions: [...machine.state.transactions.values()]
      .filter((t) => t.status === 'stalled')
      .map((t) => {
        // Its own fault: the one that stalled it, or (PRI) the one its page request asks about.
        const fault = t.stall !== 'behind' ? t.lastFault : undefined;
        const stag = stagOf(machine, t);
        const group = t.stall === 'page-request' ? prgWaitOf(machine, t.smmu, t.id) : undefined;
        return {
          id: t.id,
          engine: machine.model.engines[t.engine]?.name ?? '?',
          threadId: t.engine + 1,
          access: t.access,
          iova: hex(t.iova),
          sid: t.sid,
          label: t.label ?? null,
          stall: t.stall ?? 'fault',
          stag: stag === undefined ? null : hex(stag),
          prgi: group ? hex(group.prgi) : null,
          fault: fault ? `${faultAtLevel(fault)}: ${fault.reason}` : null,
          smmu: machine.model.smmus[t.smmu]?.name ?? '?',
          contextBank: t.bank ?? null,
          age: machine.now - t.issued,
          unanswerable: answerRefusal(machine, t) ?? null,
          path,
          line: lineOfOp(machine, t.engine, t.op),
        };
      }),
  };
}

/** The line of the `map` that made the leaf translating `iova` in a domain: the scenario's, or a handler's. */
function mapLine(machine: Machine, domain: number, iova: bigint): number | undefined {
  const declared = machine.model.domains[domain]?.maps.find((m) => iova >= m.iova && iova < m.iova + m.size);
  if (declared) return machine.model.lines.lineOf(declared.node.range.start);
  const made = [...machine.journal.maps].reverse().find((m) => m.domain === domain && iova >= m.iova && iova < m.iova + m.size);
  return made ? machine.model.lines.lineOf(made.offset) : undefined;
}

export function domains(debuggee: Debuggee): DomainsResponseBody {
  const machine = debuggee.machine;
  return {
    domains: machine.model.domains.map((d, index) => {
      const root = rootOf(machine, index);
      const bank = contextBanksOf(machine.state, d.smmu).find((b) => b.domain === index);
      const tables = d.ttbr1 ? { tables: domainTables(machine, index).map((t) => ({ owner: t.label, root: hex(t.root), ttbr: t.ttbr, live: t.live })) } : {};
      return { name: d.name, smmu: machine.model.smmus[d.smmu]?.name ?? '?', contextBank: bank?.cbndx ?? null, root: hex(root.table), rootLevel: root.level, ias: d.ias, oas: d.oas, granule: d.granule.name, ...tables, ...stageOf(machine, index, root.table) };
    }),
  };
}

/** A stage-2 or nested domain's summary fields: which stage, and a nested root's PA. */
function stageOf(machine: Machine, domain: number, root: bigint): Pick<DomainSummary, 'stage' | 'nestedIn' | 'rootPa'> {
  const stage = tableStage(machine, domain);
  if (stage === 1) return {};
  if (stage === 2) return { stage };
  const pa = descriptorPa(machine, domain, root);
  return { stage, nestedIn: machine.model.domains[machine.model.domains[domain]?.nested ?? -1]?.name ?? '?', rootPa: pa === undefined ? null : hex(pa) };
}

function translateSteps(steps: readonly { level: number; index: number; descriptorAddress: bigint; value: bigint; descriptor: { text: string } }[]): TranslateStep[] {
  return steps.map((s) => ({ level: s.level, index: s.index, descriptorAddress: hex(s.descriptorAddress), value: hex64(s.value), text: s.descriptor.text }));
}

function stage2Walk(of: string, walk: Stage2WalkResult): TranslateStage2Walk {
  return { of, ipa: hex(walk.ipa), pa: walk.outcome.kind === 'success' ? hex(walk.outcome.pa) : null, steps: translateSteps(walk.steps) };
}

/** The result words of a walk: the leaf (a nested one's IPA too), or the fault. */
function translateResult(walked: DomainWalk): string {
  const outcome = walked.walk.outcome;
  if (outcome.kind !== 'success') return walkFaultText(walked) ?? '';
  const ipa = 'ipa' in outcome ? `IPA ${hex(outcome.ipa)}, ` : '';
  return `${hex(outcome.pa)} (${ipa}level ${outcome.level}, ${outcome.permissionsText})`;
}

export function pageTable(debuggee: Debuggee, args: RequestArguments): PageTableResponseBody {
  const machine = debuggee.machine;
  const name = args.string('domain');
  const domain = domainIndex(machine, name);
  const owner = args.optionalString('owner');
  const owned = owner === undefined ? domain : domainTables(machine, domain).find((t) => t.label === owner)?.table;
  if (owned === undefined) throw new RequestError(`domain '${name}' has no table '${owner}' (${domainTables(machine, domain).map((t) => t.label).join(', ')})`, ErrorId.BadArguments);
  const root = rootOf(machine, owned);
  const table = args.optionalString('table');
  const iovaBase = args.optionalString('iovaBase');
  const level = args.optionalInteger('level') ?? root.level;
  if (level < root.level || level > 3) throw new RequestError(`level ${level} is not a level of domain '${name}' (L${root.level} to L3)`, ErrorId.BadArguments);
  const ref = table === undefined ? root : { domain: owned, level: level as Level, table: tableAddress(table, entryCount(machine, owned, level as Level)), iovaBase: iovaBase === undefined ? 0n : address(iovaBase, 'iovaBase') };
  const entries = tableEntries(machine, ref).map((e) => {
    // The map lines are the default table's: a pagetable's or TTBR1's leaves name none.
    const line = e.next || owned !== domain ? undefined : mapLine(machine, domain, e.iova);
    const nested = tableStage(machine, owned) === 'nested' ? { descriptorPa: ((pa) => (pa === undefined ? null : hex(pa)))(descriptorPa(machine, owned, e.descriptorAddress)) } : {};
    return {
      index: e.index,
      iova: hex(e.iova),
      descriptorAddress: hex(e.descriptorAddress),
      value: hex64(fromHalves(e.lo, e.hi)),
      type: e.descriptor.type,
      text: e.descriptor.text,
      ...(e.next ? { next: { table: hex(e.next.tableAddress), level: e.next.level, iovaBase: hex(e.next.iovaBase) } } : {}),
      ...(line !== undefined ? { mapLine: line } : {}),
      ...nested,
    };
  });
  return { domain: name, level: ref.level, table: hex(ref.table), entries };
}

export function translate(debuggee: Debuggee, args: RequestArguments): TranslateResponseBody {
  const machine = debuggee.machine;
  const iova = address(args.string('iova'), 'iova');
  const named = args.optionalString('domain');
  let domain: number;
  if (named !== undefined) domain = domainIndex(machine, named);
  else {
    const sid = args.optionalInteger('sid', { min: 0, max: 0xffff_ffff }) ?? 0;
    // As the SMMU routes it now: SMRs and S2CRs, or the STE and the CD of the SubstreamID (S1DSS's without one).
    const reached = domainOfAnyStream(machine, sid, args.optionalInteger('ssid', { min: 0, max: 0xf_ffff }));
    if ('reason' in reached) throw new RequestError(`stream ${hex(sid)} reaches no domain: ${reached.reason}`);
    domain = reached.domain;
  }
  const walked = describeWalk(machine, domain, iova);
  if (!walked) throw new RequestError(`domain ${domain} has no table`);
  const outcome = walked.walk.outcome;
  const nested = walked.stage === 'nested' ? walked.walk : undefined;
  const stage2 = nested && [...nested.tableFetches.map((f) => stage2Walk(`L${f.level} table fetch`, f.stage2)), ...(nested.output ? [stage2Walk('output', nested.output)] : [])];
  return {
    domain: machine.model.domains[domain]?.name ?? '?',
    iova: hex(iova),
    pa: outcome.kind === 'success' ? hex(outcome.pa) : null,
    result: translateResult(walked),
    steps: translateSteps(walked.stage === 'nested' ? walked.walk.stage1.steps : walked.walk.steps),
    ...(stage2 ? { stage2 } : {}),
  };
}

export function dumps(debuggee: Debuggee, args: RequestArguments): DumpResponseBody {
  const all = debuggee.machine.journal.dumps;
  const list = [...all].map((d) => ({ id: d.id, cycle: d.time, handler: d.handler, thread: d.thread }));
  const id = args.optionalInteger('id', { min: 0 });
  if (id === undefined) return { dumps: list };
  const dump = all.get(id);
  if (!dump) throw new RequestError(`there is no crash dump #${id}`);
  return { dumps: list, text: formatDump(dump) };
}

export function faults(debuggee: Debuggee, path: string): FaultsResponseBody {
  const machine = debuggee.machine;
  return {
    faults: [...machine.journal.faults].reverse().map((f) => ({
      id: f.id,
      cycle: f.time,
      kind: f.kind,
      iova: hex(f.iova),
      sid: f.sid,
      level: f.level,
      stalled: f.stalled,
      response: machine.state.responses.get(f.id) ?? null,
      engine: machine.model.engines[f.engine]?.name ?? '?',
      reason: f.reason,
      path,
      line: lineOfOp(machine, f.engine, f.op),
    })),
  };
}

/** `iommu/timeline`, all the spans held, or those of a cycle window (`from`, `to`). */
export function timeline(debuggee: Debuggee, path: string, args?: RequestArguments): TimelineResponseBody {
  const from = args?.optionalInteger('from', { min: 0 });
  const to = args?.optionalInteger('to', { min: from ?? 0 });
  if (from === undefined && to === undefined) return debuggee.timeline.timeline(path);
  return debuggee.timeline.timeline(path, { from: from ?? 0, to: to ?? Math.max(debuggee.machine.now, from ?? 0) });
}

/** `iommu/lines`: each written transaction's counts so far, as the machine keeps them. */
export function lines(debuggee: Debuggee, path: string): LinesResponseBody {
  return {
    path,
    lines: lineCounts(debuggee.machine).map((c) => ({ ...c, last: c.last ? { status: c.last.status, pa: c.last.pa === undefined ? null : hex(c.last.pa) } : null })),
  };
}
