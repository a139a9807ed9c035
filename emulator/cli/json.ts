import { Machine } from '../machine/machine';
import { RunResult } from '../machine/results';
import { TransactionState } from '../machine/state';
import { hex } from '../util/u64';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function lineOf(machine: Machine, transaction: TransactionState | undefined): number | null {
  if (!transaction) return null;
  const op = machine.model.engines[transaction.engine]?.program[transaction.op];
  return op?.op === 'transaction' ? machine.model.lines.lineOf(op.node.range.start) : null;
}

/** Where each master of each container landed: names, with `domain` null for a master attached nowhere. */
function vfioToJson(machine: Machine): Json {
  const { masters, domains } = machine.model;
  return machine.model.vfio.map((container) => ({
    name: container.name,
    placements: container.placements.map((p) => ({
      master: masters[p.master]?.name ?? null,
      domain: p.domain === undefined ? null : (domains[p.domain]?.name ?? null),
      reason: p.reason,
    })),
  }));
}

/** The `--json` object of `iommu-debug run` (docs/scenario-language.md, "Command line"). */
export function resultToJson(machine: Machine, result: RunResult, error: string | undefined): Json {
  const byId = new Map(result.transactions.map((t) => [t.id, t]));
  const json: { [key: string]: Json } = {
    transactions: result.transactions.map((t) => ({
      name: t.label ?? null,
      engine: machine.model.engines[t.engine]?.name ?? null,
      line: lineOf(machine, t),
      iova: hex(t.iova),
      status: t.status,
      pa: t.pa === undefined ? null : hex(t.pa),
      faults: t.faults,
    })),
    faults: result.faults.map((f) => ({
      kind: f.kind,
      iova: hex(f.iova),
      sid: f.sid,
      ssid: f.ssid,
      level: f.level,
      stalled: f.stalled,
      response: f.response ?? null,
      line: lineOf(machine, byId.get(f.transaction)),
    })),
    expects: result.expects.map((e) => ({ line: e.line, text: e.text, ok: e.ok, detail: e.detail })),
    counters: { ...result.counters },
    cycles: result.cycles,
    dumps: machine.journal.dumps.map((d) => ({
      cycle: d.time,
      handler: d.handler,
      thread: d.thread,
      line: machine.model.lines.lineOf(d.offset),
      registers: Object.fromEntries(d.registers.map((r) => [r.name, hex(r.value)])),
      submits: d.submits.map((s) => ({ engine: s.engine, submit: s.submit === undefined ? null : Number(s.submit), inFlight: s.inFlight })),
      stalled: d.stalled.map((t) => ({ engine: t.engine, iova: hex(t.iova), name: t.label ?? null })),
    })),
    logs: machine.journal.logs.map((l) => ({ cycle: l.time, thread: machine.state.threads[l.thread - 1]?.name ?? null, message: l.message })),
  };
  // Only with containers: a scenario without one prints what it always printed.
  if (machine.model.vfio.length > 0) json['vfio'] = vfioToJson(machine);
  if (error !== undefined) json['error'] = error;
  return json;
}
