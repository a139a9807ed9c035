import { formatDump } from '../emulator/machine/dump';
import { Machine, MachineRequestError } from '../emulator/machine/machine';
import { Level } from '../emulator/pgtable/descriptor';
import { walk } from '../emulator/pgtable/walker';
import { setFlags } from '../emulator/smmu/registerLayout';
import { FSR } from '../emulator/smmu/v2/registers';
import { fromHalves, hex, hex32, hex64 } from '../emulator/util/u64';
import { Debuggee } from './debuggee';
import { RequestError } from './errors';
import {
  DomainsResponseBody,
  DumpResponseBody,
  FaultsResponseBody,
  PageTableResponseBody,
  ResumeAction,
  ResumeResponseBody,
  SmmuResponseBody,
  StalledResponseBody,
  TimelineResponseBody,
  TranslateResponseBody,
} from './protocol';
import { RequestArguments } from './requestArguments';
import { findTransaction } from './transactions';
import { rootOf, tableEntries } from './variables/pageTable';
import { registerVariables } from './variables/registers';
import { VariableStore } from './variables/store';

function lineOfOp(machine: Machine, engine: number, op: number): number {
  const node = machine.model.engines[engine]?.program[op];
  return node?.op === 'transaction' ? machine.model.lines.lineOf(node.node.range.start) : 0;
}

function domainIndex(machine: Machine, name: string): number {
  const index = machine.model.domains.findIndex((d) => d.name === name);
  if (index < 0) throw new RequestError(`there is no domain '${name}'`);
  return index;
}

function address(text: string, what: string): bigint {
  if (!/^(0x[0-9a-f_]+|\d+)$/i.test(text.trim())) throw new RequestError(`${what} '${text}' is not an address`);
  return BigInt(text.trim().replace(/_/g, ''));
}

export function stalled(debuggee: Debuggee, path: string): StalledResponseBody {
  const machine = debuggee.machine;
  return {
    transactions: [...machine.state.transactions.values()]
      .filter((t) => t.status === 'stalled')
      .map((t) => {
        const fault = t.stall === 'fault' && t.lastFault !== undefined ? machine.journal.faults[t.lastFault] : undefined;
        return {
          id: t.id,
          engine: machine.model.engines[t.engine]?.name ?? '?',
          threadId: t.engine + 1,
          access: t.access,
          iova: hex(t.iova),
          sid: t.sid,
          label: t.label ?? null,
          stall: t.stall ?? 'fault',
          stag: t.stag === undefined ? null : hex(t.stag),
          prgi: t.stall === 'page-request' ? hex(machine.state.v3[t.smmu]?.prgWaits.find((w) => w.transactions.includes(t.id))?.prgi ?? 0) : null,
          fault: fault ? `${fault.kind} fault at level ${fault.level}: ${fault.reason}` : null,
          smmu: machine.model.smmus[t.smmu]?.name ?? '?',
          contextBank: t.bank ?? null,
          age: machine.now - t.issued,
          path,
          line: lineOfOp(machine, t.engine, t.op),
        };
      }),
  };
}

export function resume(debuggee: Debuggee, args: RequestArguments): ResumeResponseBody {
  if (debuggee.isRunning) throw new RequestError('the scenario is running: pause it first');
  const action = args.string('action');
  if (action !== 'retry' && action !== 'terminate' && action !== 'abort') throw new RequestError(`'${action}' is not an answer: retry, terminate or abort`);
  try {
    return debuggee.machine.resumeTransaction(args.number('transaction'), action satisfies ResumeAction);
  } catch (error) {
    if (error instanceof MachineRequestError) throw new RequestError(error.message);
    throw error;
  }
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
      const bank = machine.state.smmus[d.smmu]?.banks.find((b) => b.domain === index);
      return { name: d.name, smmu: machine.model.smmus[d.smmu]?.name ?? '?', contextBank: bank?.cbndx ?? null, root: hex(root.table), rootLevel: root.level, ias: d.ias, oas: d.oas };
    }),
  };
}

export function pageTable(debuggee: Debuggee, args: RequestArguments): PageTableResponseBody {
  const machine = debuggee.machine;
  const name = args.string('domain');
  const domain = domainIndex(machine, name);
  const root = rootOf(machine, domain);
  const table = args.optionalString('table');
  const iovaBase = args.optionalString('iovaBase');
  const ref = table === undefined ? root : { domain, level: (args.optionalNumber('level') ?? root.level) as Level, table: address(table, 'table'), iovaBase: iovaBase === undefined ? 0n : address(iovaBase, 'iovaBase') };
  if (!Number.isInteger(ref.level) || ref.level < root.level || ref.level > 3) throw new RequestError(`level ${ref.level} is not a level of domain '${name}' (L${root.level} to L3)`);
  const entries = tableEntries(machine, ref).map((e) => {
    const line = e.next ? undefined : mapLine(machine, domain, e.iova);
    return {
      index: e.index,
      iova: hex(e.iova),
      descriptorAddress: hex(e.descriptorAddress),
      value: hex64(fromHalves(e.lo, e.hi)),
      type: e.descriptor.type,
      text: e.descriptor.text,
      ...(e.next ? { next: { table: hex(e.next.tableAddress), level: e.next.level, iovaBase: hex(e.next.iovaBase) } } : {}),
      ...(line !== undefined ? { mapLine: line } : {}),
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
    const sid = args.optionalNumber('sid') ?? 0;
    const master = machine.model.masters.findIndex((m) => m.streams.some((s) => ((sid ^ s.id) & ~s.mask & 0xffff) === 0));
    const attachment = machine.attachments.find((a) => a.master === master && a.attached);
    if (!attachment) throw new RequestError(`stream ${hex(sid)} reaches no domain`);
    domain = attachment.domain;
  }
  const table = machine.runtime.tables[domain];
  if (!table) throw new RequestError(`domain ${domain} has no table`);
  const result = walk(machine.runtime.memory, table.tableConfig(), iova);
  const outcome = result.outcome;
  return {
    domain: machine.model.domains[domain]?.name ?? '?',
    iova: hex(iova),
    pa: outcome.kind === 'success' ? hex(outcome.pa) : null,
    result: outcome.kind === 'success' ? `${hex(outcome.pa)} (level ${outcome.level}, ${outcome.permissionsText})` : `${outcome.kind} fault at level ${outcome.level}: ${outcome.reason}`,
    steps: result.steps.map((s) => ({ level: s.level, index: s.index, descriptorAddress: hex(s.descriptorAddress), value: hex64(s.value), text: s.descriptor.text })),
  };
}

export function dumps(debuggee: Debuggee, args: RequestArguments): DumpResponseBody {
  const all = debuggee.machine.journal.dumps;
  const list = all.map((d) => ({ id: d.id, cycle: d.time, handler: d.handler, thread: d.thread }));
  const id = args.optionalNumber('id');
  if (id === undefined) return { dumps: list };
  const dump = all[id];
  if (!dump) throw new RequestError(`there is no crash dump #${id}`);
  return { dumps: list, text: formatDump(dump) };
}

export function faults(debuggee: Debuggee, path: string): FaultsResponseBody {
  const machine = debuggee.machine;
  return {
    faults: [...machine.journal.faults].reverse().map((f) => {
      const transaction = findTransaction(machine, f.transaction);
      return {
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
        line: transaction ? lineOfOp(machine, transaction.engine, transaction.op) : 0,
      };
    }),
  };
}

/** Every SMMU's context banks; their registers open through `variables` like the Registers scope. */
export function smmus(debuggee: Debuggee, store: VariableStore, onWrite: () => void): SmmuResponseBody {
  const machine = debuggee.machine;
  return {
    smmus: machine.model.smmus.map((smmu, index) => ({
      name: smmu.name,
      version: smmu.version,
      contextBanks: (machine.state.smmus[index]?.banks ?? []).map((bank) => ({
        cbndx: bank.cbndx,
        domain: machine.model.domains[bank.domain]?.name ?? null,
        fsr: hex32(bank.fsr >>> 0),
        fsrFlags: setFlags(FSR, BigInt(bank.fsr >>> 0)),
        stalled: bank.stalled.length + bank.behind.length,
        variablesReference: store.add(registerVariables(machine, store, index, bank.cbndx, onWrite)),
      })),
    })),
  };
}

export function timeline(debuggee: Debuggee, path: string): TimelineResponseBody {
  return debuggee.timeline.timeline(path);
}
