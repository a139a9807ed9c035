import * as custom from './customRequests';
import { Debuggee } from './debuggee';
import { PageTableResponseBody, RunEndedEventBody } from './protocol';
import { queuesOf } from './queueViews';
import { RequestArguments } from './requestArguments';
import { smmus } from './smmus';
import { VariableStore } from './variables/store';

/** Every table of a domain, root first, then each table a table entry names (depth first). */
function tablesOf(debuggee: Debuggee, domain: string): PageTableResponseBody[] {
  const tables: PageTableResponseBody[] = [];
  const visit = (args: Record<string, unknown>): void => {
    const table = custom.pageTable(debuggee, RequestArguments.of('iommu/pageTable', args));
    tables.push(table);
    for (const entry of table.entries) if (entry.next) visit({ domain, table: entry.next.table, level: entry.next.level, iovaBase: entry.next.iovaBase });
  };
  visit({ domain });
  return tables;
}

/**
 * What the run left at its last cycle, for `iommu/ended`: the custom requests' answers,
 * read once, and the run's result. `error`: why the run could not finish, when it did not.
 */
export function runEnd(debuggee: Debuggee, path: string, how: RunEndedEventBody['how'], error: string | undefined): RunEndedEventBody {
  const machine = debuggee.machine;
  const result = machine.result();
  const domains = custom.domains(debuggee);
  // Registers open through `variables`, which nothing answers once the session has gone.
  const smmu = smmus(debuggee, new VariableStore(), () => undefined);
  return {
    path,
    cycle: result.cycles,
    how,
    error: error ?? null,
    counters: Object.entries(result.counters)
      .filter(([, value]) => value !== 0)
      .map(([name, value]) => ({ name, value })),
    unfinished: result.unfinished.map((u) => u.summary),
    expects: result.expects.map((e) => ({ line: e.line, text: e.text, ok: e.ok, detail: e.detail })),
    stalled: custom.stalled(debuggee, path),
    faults: custom.faults(debuggee, path),
    dumps: [...machine.journal.dumps].map((d) => {
      const { text } = custom.dumps(debuggee, RequestArguments.of('iommu/dump', { id: d.id }));
      return { id: d.id, cycle: d.time, handler: d.handler, thread: d.thread, text: text ?? '' };
    }),
    domains,
    pageTables: domains.domains.flatMap((d) => tablesOf(debuggee, d.name)),
    smmu: {
      smmus: smmu.smmus.map((s) => ({
        ...s,
        contextBanks: s.contextBanks.map((b) => ({ ...b, variablesReference: 0 })),
        streams: s.streams.map((st) => ({ ...st, variablesReference: 0 })),
      })),
    },
    queues: { smmus: queuesOf(machine) },
    // Every span held, not only the newest: with no session left to ask, ◀ Fault still finds what ran around each fault.
    timeline: debuggee.timeline.timeline(path, { from: 0, to: machine.now }),
    lines: custom.lines(debuggee, path),
  };
}
