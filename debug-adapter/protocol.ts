/**
 * The adapter's custom requests: the domain data standard DAP has no request for. The
 * client imports these types; nothing else of the adapter.
 */

/** How a stall is answered: RESUME (SMMUv2) or CMD_RESUME by STAG (SMMUv3). */
export type StallAction = 'retry' | 'terminate' | 'abort';
/** How a PRI page request group is answered: CMD_PRI_RESP's response code. */
export type PageResponse = 'success' | 'invalid' | 'failure';
/** A stalled transaction takes a StallAction; one waiting on a page request group a PageResponse. */
export type ResumeAction = StallAction | PageResponse;

/** `iommu/stalled`: every transaction held by a fault (its own, or one ahead of it). */
export interface StalledRequestArguments {}
export interface StalledTransaction {
  id: number;
  engine: string;
  /** DAP thread of the engine. */
  threadId: number;
  access: 'read' | 'write';
  iova: string;
  /** StreamID. */
  sid: number;
  label: string | null;
  /** `fault`: its own; `behind`: a fault ahead of it (HUPCF=0); `page-request`: an ATS device waits for its PRI group's response. */
  stall: 'fault' | 'behind' | 'page-request';
  /** SMMUv3: the stall tag CMD_RESUME must name (hex), or the PRG index of its page request group (hex). */
  stag: string | null;
  prgi: string | null;
  /** The fault that stalled it (or made its device send a page request), in words, when it is its own. */
  fault: string | null;
  smmu: string;
  /** SMMUv2: the context bank it stalled on; null on SMMUv3. */
  contextBank: number | null;
  /** Cycles since it was issued. */
  age: number;
  /** Why the driver cannot answer it now (it waits behind another's fault; its page request group is not complete), or null when it can. */
  unanswerable: string | null;
  /** Where it is written in the scenario. */
  path: string;
  line: number;
}
export interface StalledResponseBody {
  transactions: StalledTransaction[];
}

/**
 * `iommu/resume`: answer a stalled transaction as the driver would — RESUME (SMMUv2),
 * CMD_RESUME with its STAG (SMMUv3 stall: retry | terminate | abort), or CMD_PRI_RESP to
 * its page request group (SMMUv3 PRI: success | invalid | failure). An answer of the other
 * kind is refused.
 */
export interface ResumeRequestArguments {
  transaction: number;
  action: ResumeAction;
}
export interface ResumeResponseBody {
  /** Every transaction the answer resumed (SMMUv2: all stalled on the context bank; PRI: the whole group). */
  resumed: number[];
  /** What was written: the registers (`FSR ← 0x2; RESUME ← retry (TnR=0)`), or each command and what it did. */
  written: string;
}

/** `iommu/pageTable`: one table of a domain, lazily: the root, or the table a table entry names. */
export interface PageTableRequestArguments {
  domain: string;
  /** A `ttbr1 on` domain's table by its owner (`proc7 (pagetable, ASID 2)`, `gpu_dom (TTBR1)`); the default TTBR0 table when absent. */
  owner?: string;
  /** The table's PA (hex) and level; the root when absent. */
  table?: string;
  level?: number;
  /** The IOVA the table's first entry translates (hex), for a table below the root. */
  iovaBase?: string;
}
export interface PageTableEntry {
  index: number;
  iova: string;
  /** The descriptor's PA (hex), and its 64-bit value (hex). */
  descriptorAddress: string;
  value: string;
  type: 'table' | 'block' | 'page' | 'invalid' | 'reserved';
  /** `page → 0x80000000 rw, AttrIndx 1 (cached), SH inner, AF, nG`. */
  text: string;
  /** For a table entry: how to open it. */
  next?: { table: string; level: number; iovaBase: string };
  /** A nested domain's entry: `descriptorAddress` is an IPA, and this the PA stage 2 gives it (null: stage 2 maps none). */
  descriptorPa?: string | null;
  /** The `map` statement that made a leaf, when one did (1-based line). */
  mapLine?: number;
}
export interface PageTableResponseBody {
  domain: string;
  level: number;
  table: string;
  entries: PageTableEntry[];
}

/** `iommu/domains`: every domain with its page table's root, for the Page Tables view and pickers. */
export interface DomainsRequestArguments {}
export interface DomainSummary {
  name: string;
  smmu: string;
  /** The context bank translating for it, when one does. */
  contextBank: number | null;
  /** The root table's PA (hex) and level. */
  root: string;
  rootLevel: number;
  ias: number;
  oas: number;
  /** The translation granule (TG0): `4K`, `16K` or `64K`. */
  granule: string;
  /** A `ttbr1 on` domain's tables (default TTBR0, pagetables, TTBR1), each with its owner; absent for a domain with one table. */
  tables?: DomainTableSummary[];
  /** 2: an IPA → PA table (`ias` is the IPA size); nested: a guest's stage 1, its tables at IPAs. Absent for stage 1. */
  stage?: 2 | 'nested';
  /** A nested domain's stage-2 domain. */
  nestedIn?: string;
  /** A nested domain's root: `root` is an IPA, this the PA stage 2 gives it (null: stage 2 maps none). */
  rootPa?: string | null;
}
export interface DomainTableSummary {
  /** `gpu_dom (TTBR0 default)`, `proc7 (pagetable, ASID 2)`, `gpu_dom (TTBR1)`: what `owner` of `iommu/pageTable` takes. */
  owner: string;
  root: string;
  ttbr: 0 | 1;
  /** The bank's TTBR0 (or TTBR1) holds it now. */
  live: boolean;
}
export interface DomainsResponseBody {
  domains: DomainSummary[];
}

/** `iommu/translate`: the live translation of an address through a domain (or an engine's route). */
export interface TranslateRequestArguments {
  iova: string;
  /** A domain's name; else the route of `sid` (and `ssid`). */
  domain?: string;
  sid?: number;
  ssid?: number;
}
export interface TranslateStep {
  level: number;
  index: number;
  descriptorAddress: string;
  value: string;
  text: string;
}
export interface TranslateResponseBody {
  domain: string;
  iova: string;
  /** The PA, or null when the walk faults. */
  pa: string | null;
  /** `translation fault at level 2: L2[56] is invalid`, or the leaf in words. */
  result: string;
  /** The walk's descriptors: stage 1's (a nested domain's at IPAs), or a stage-2 domain's. */
  steps: TranslateStep[];
  /** A nested domain: stage 2's walk of each stage-1 table fetch, then of the output IPA. */
  stage2?: TranslateStage2Walk[];
}
export interface TranslateStage2Walk {
  /** `L0 table fetch`, `output`. */
  of: string;
  ipa: string;
  /** The PA, or null when stage 2 faulted. */
  pa: string | null;
  steps: TranslateStep[];
}

/** `iommu/dump`: a crash dump the handlers took, as text. */
export interface DumpRequestArguments {
  /** Omitted: the list of dumps. */
  id?: number;
}
export interface DumpSummary {
  id: number;
  cycle: number;
  handler: string;
  thread: string;
}
export interface DumpResponseBody {
  dumps: DumpSummary[];
  /** The dump's text, when `id` was given. */
  text?: string;
}

/** `iommu/faults`: every fault so far, newest first. */
export interface FaultsRequestArguments {}
export interface FaultSummary {
  id: number;
  cycle: number;
  kind: string;
  iova: string;
  sid: number;
  level: number;
  stalled: boolean;
  response: string | null;
  engine: string;
  reason: string;
  path: string;
  line: number;
}
export interface FaultsResponseBody {
  faults: FaultSummary[];
}

/** `iommu/smmu`: every SMMU's context banks (v2) or streams (v3), each with its registers as a DAP variables reference. */
export interface SmmuRequestArguments {}
export interface ContextBankSummary {
  cbndx: number;
  /** The domain it translates for, when one is attached. */
  domain: string | null;
  /** FSR (hex), and its flags that are set (`TF|SS`, or `0`). */
  fsr: string;
  fsrFlags: string;
  /** Transactions stalled on it, by their fault or behind one. */
  stalled: number;
  /** Open with `variables`; valid until the next stop, like any variables reference. */
  variablesReference: number;
}
/** SMMUv3: one stream as Linux set it up — its STE and the CDs of its CD table. */
export interface StreamSummary {
  sid: number;
  master: string;
  /** PA of the STE (hex), and what it says in a few words (`stage 1 · CD at 0x40004000`). */
  ste: string;
  config: string;
  /** The CDs in use: SubstreamID, the domain, its ASID, the CD's PA (hex). */
  cds: { ssid: number; domain: string; asid: number; address: string }[];
  /** Its transactions waiting now: stalled with a STAG, or for a page request group. */
  stalled: number;
  /** Opens with `variables` into the STE and CDs, fields and dwords, as the v3 Registers scope. */
  variablesReference: number;
}
export interface SmmuSummary {
  name: string;
  version: 'v2' | 'v3';
  /** Its context banks in use (an SMMUv2's; none on an SMMUv3). */
  contextBanks: ContextBankSummary[];
  /** The streams its stream table holds (an SMMUv3's; none on an SMMUv2). */
  streams: StreamSummary[];
}
export interface SmmuResponseBody {
  smmus: SmmuSummary[];
}

/**
 * `iommu/lines`: what the transactions each line issued have become so far, counted by the
 * machine as they happen (a run of millions is counted whole): the inline value beside each line.
 */
export interface LinesRequestArguments {}
export interface LineCountView {
  /** 1-based. */
  line: number;
  issued: number;
  completed: number;
  aborted: number;
  raz: number;
  stalled: number;
  translating: number;
  /** How the latest to end ended, and its PA (hex), if one has. */
  last: { status: 'completed' | 'aborted' | 'raz'; pa: string | null } | null;
}
export interface LinesResponseBody {
  path: string;
  lines: LineCountView[];
}

/** `iommu/timeline`: what happened so far, as spans on lanes (engines, then kernel threads). */
export interface TimelineRequestArguments {
  /**
   * Only the spans held that overlap cycles `from`…`to` (whole numbers, `from` ≤ `to`; 0 and
   * the current cycle when one is left out). Without either: the newest spans, up to now.
   */
  from?: number;
  to?: number;
}
/** Cycles `from`…`to`, both included. */
export interface CycleRange {
  from: number;
  to: number;
}
export type TimelineSpanKind = 'transaction' | 'stall' | 'fault' | 'handler';
export interface TimelineLane {
  name: string;
  kind: 'engine' | 'irq' | 'irq-thread' | 'worker' | 'vmm' | 'guest';
}
export interface TimelineSpan {
  /** Index into `lanes`. */
  lane: number;
  kind: TimelineSpanKind;
  /** Cycles; `end` null while it lasts; a fault is an instant (`end` = `start`). */
  start: number;
  end: number | null;
  /** `read 0x7000000 (bad)`, `translation fault at level 2`, `gpu_fault`. */
  label: string;
  /** How a transaction ended (`completed`, `aborted`, `raz`), or how a handler answered. */
  status: string | null;
  /** The scenario line it comes from (1-based). */
  line: number;
  /** A completed transaction's physical address (hex); null otherwise. */
  pa: string | null;
}
export interface TimelineResponseBody {
  /** The current cycle. */
  now: number;
  path: string;
  lanes: TimelineLane[];
  spans: TimelineSpan[];
  /** Transactions of the run the adapter no longer holds: it keeps the newest ones of a long run and those around its newest faults. */
  dropped: number;
  /**
   * Every span held that overlaps these cycles is in `spans`: the cycles asked for, or, when
   * none were, from just after the last span held but not sent (around an earlier fault) to now.
   */
  window: CycleRange;
  /** The cycles the held spans cover: from 0 (or, once some were dropped, the earliest held span) to now. */
  held: CycleRange;
  /** The cycle of every fault held, oldest first, wherever the window is: where "◀ Fault" and "Fault ▶" go. */
  faults: number[];
}

/** `iommu/queues`: each SMMUv3's event, PRI and command queues in memory, and its stalls. */
export interface QueuesRequestArguments {}
export interface QueueEntryView {
  /** Slot index in the queue. */
  index: number;
  /** PA of the slot (hex). */
  address: string;
  /** One line: `F_TRANSLATION sid 0x10 stag 0x0 stall read 0x7000000`. */
  text: string;
  /** The record's fields decoded (name, bits, value — hex when wider than 4 bits — and meaning). */
  fields: { name: string; bits: string; value: string; meaning: string }[];
  /** The entry's 64-bit words, hex, as in memory. */
  dwords: string[];
}
export interface QueueView {
  name: 'event' | 'pri' | 'command';
  /** PA of the queue's base (hex). */
  base: string;
  /** A VM's virtual SMMU queue: its base as the guest programmed it, an IPA (hex); null for a host queue. */
  ipa: string | null;
  entries: number;
  /** The PROD and CONS registers (hex), and both decoded in words. */
  prod: string;
  cons: string;
  pointers: string;
  /** PROD.OVFLG != CONS.OVACKFLG. */
  overflow: boolean;
  /** Records discarded because the queue was full. */
  dropped: number;
  /** Entries written and not yet consumed, oldest first. */
  pending: QueueEntryView[];
}
export interface SmmuQueuesView {
  smmu: string;
  queues: QueueView[];
  /** Transactions stalled with a STAG, waiting for CMD_RESUME. */
  stalls: { stag: string; sid: string; transaction: number }[];
  /** Page request groups devices wait on, waiting for CMD_PRI_RESP. */
  pageRequestGroups: { prgi: string; sid: string; transactions: number[] }[];
}
export interface QueuesResponseBody {
  smmus: SmmuQueuesView[];
}

/** One `expect` as the run's end found it. */
export interface ExpectOutcome {
  /** 1-based line of the `expect`. */
  line: number;
  /** The expectation as written, without `expect`. */
  text: string;
  ok: boolean;
  /** What was found, in words (`bad: aborted`). */
  detail: string;
}

/**
 * The `iommu/ended` event, sent just before `exited`/`terminated` (the run finished, or the
 * client terminated it): the answers every custom request would give at the last cycle,
 * so that the client's views and its run report keep them once the session has gone.
 */
export interface RunEndedEventBody {
  /** The scenario file. */
  path: string;
  /** The cycle the run ended at. */
  cycle: number;
  /** `finished`: it ran out of events (or hit a budget, see `error`); `terminated`: the client ended it. */
  how: 'finished' | 'terminated';
  /** Why the run could not finish (a budget, an emulator error); null when it did. */
  error: string | null;
  /** The counters that are not zero, in the emulator's order. */
  counters: { name: string; value: number }[];
  /** Engines not done, each in one sentence. */
  unfinished: string[];
  expects: ExpectOutcome[];
  stalled: StalledResponseBody;
  faults: FaultsResponseBody;
  /** Every crash dump, with its text. */
  dumps: (DumpSummary & { text: string })[];
  domains: DomainsResponseBody;
  /** Every page table reachable from a domain's root, roots first. */
  pageTables: PageTableResponseBody[];
  /** The SMMUs; their `variablesReference`s are 0: registers do not open once the session has gone. */
  smmu: SmmuResponseBody;
  queues: QueuesResponseBody;
  timeline: TimelineResponseBody;
  lines: LinesResponseBody;
}

/** The adapter's custom events. */
export const customEvents = {
  ended: 'iommu/ended',
} as const;

export const customRequests = {
  stalled: 'iommu/stalled',
  resume: 'iommu/resume',
  domains: 'iommu/domains',
  pageTable: 'iommu/pageTable',
  translate: 'iommu/translate',
  dump: 'iommu/dump',
  faults: 'iommu/faults',
  smmu: 'iommu/smmu',
  timeline: 'iommu/timeline',
  queues: 'iommu/queues',
  lines: 'iommu/lines',
} as const;

/** Each custom request's arguments and response body, by command: what a typed client call needs. */
export interface CustomRequestTypes {
  'iommu/stalled': { args: StalledRequestArguments; body: StalledResponseBody };
  'iommu/resume': { args: ResumeRequestArguments; body: ResumeResponseBody };
  'iommu/domains': { args: DomainsRequestArguments; body: DomainsResponseBody };
  'iommu/pageTable': { args: PageTableRequestArguments; body: PageTableResponseBody };
  'iommu/translate': { args: TranslateRequestArguments; body: TranslateResponseBody };
  'iommu/dump': { args: DumpRequestArguments; body: DumpResponseBody };
  'iommu/faults': { args: FaultsRequestArguments; body: FaultsResponseBody };
  'iommu/smmu': { args: SmmuRequestArguments; body: SmmuResponseBody };
  'iommu/timeline': { args: TimelineRequestArguments; body: TimelineResponseBody };
  'iommu/queues': { args: QueuesRequestArguments; body: QueuesResponseBody };
  'iommu/lines': { args: LinesRequestArguments; body: LinesResponseBody };
}
export type CustomRequest = keyof CustomRequestTypes;
