import type { CustomRequest, CustomRequestTypes, PageTableResponseBody, RunEndedEventBody } from '../../debug-adapter/protocol';

/**
 * A run whose session has ended, as its `iommu/ended` event left it: what the views, the
 * crash dumps, the timeline and the run report read once there is no session to ask.
 * Nothing here talks to VS Code.
 */
export interface KeptRun {
  /** The id of the session that ran it (crash dump URIs name it). */
  session: string;
  /** Whether it ran without debugging (Run, Ctrl+F5). */
  noDebug: boolean;
  ended: RunEndedEventBody;
}

/** What the views say of a kept run: `ended at cycle 120`. */
export function endedAt(run: KeptRun): string {
  return `ended at cycle ${run.ended.cycle}`;
}

/** A request a kept run cannot answer: it would change the run, or read it live. */
export class EndedRunError extends Error {}

type Answers = { [K in CustomRequest]: (ended: RunEndedEventBody, args: CustomRequestTypes[K]['args']) => CustomRequestTypes[K]['body'] };

function pageTable(ended: RunEndedEventBody, args: CustomRequestTypes['iommu/pageTable']['args']): PageTableResponseBody {
  const root = ended.domains.domains.find((d) => d.name === args.domain);
  if (!root) throw new EndedRunError(`there is no domain '${args.domain}'`);
  const address = args.table ?? root.root;
  const table = ended.pageTables.find((t) => t.domain === args.domain && t.table === address);
  if (!table) throw new EndedRunError(`domain '${args.domain}' had no table at ${address} when the run ended`);
  return table;
}

const answers: Answers = {
  'iommu/stalled': (ended) => ended.stalled,
  'iommu/resume': () => {
    throw new EndedRunError('the run has ended: there is nothing left to resume');
  },
  'iommu/domains': (ended) => ended.domains,
  'iommu/pageTable': pageTable,
  'iommu/translate': () => {
    throw new EndedRunError('the run has ended: translate an address while a session runs');
  },
  'iommu/dump': (ended, args) => {
    const dumps = ended.dumps.map(({ id, cycle, handler, thread }) => ({ id, cycle, handler, thread }));
    if (args.id === undefined) return { dumps };
    const dump = ended.dumps.find((d) => d.id === args.id);
    if (!dump) throw new EndedRunError(`there is no crash dump #${args.id}`);
    return { dumps, text: dump.text };
  },
  'iommu/faults': (ended) => ended.faults,
  'iommu/smmu': (ended) => ended.smmu,
  'iommu/timeline': (ended) => ended.timeline,
  'iommu/queues': (ended) => ended.queues,
  'iommu/lines': (ended) => ended.lines,
};

/** The answer a custom request would have had at the run's last cycle. */
export function keptAnswer<K extends CustomRequest>(run: KeptRun, command: K, args: CustomRequestTypes[K]['args']): CustomRequestTypes[K]['body'] {
  const answer: Answers[K] = answers[command];
  return answer(run.ended, args);
}
