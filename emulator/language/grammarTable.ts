import { pageResponses, stallResponses } from './ast';
import { BlockKind, VersionOnly } from './schema';

/**
 * The words of the language that are not settings: which statements each block takes, how
 * they are written, what they mean (hover and completion show it), and on which SMMU
 * version they exist. The parser builds its statement tables from it, completion offers
 * it, keyword hover reads it, the checker's version rule reads it, and the grammar test
 * asserts that the TextMate grammar highlights every word of it. Settings are in schema.ts.
 */

/** What a block's body is: a declaration's, or a nested one (`repeat`, `submit`, `if`, `else`). */
export type BodyKind = BlockKind | 'repeat' | 'submit' | 'if' | 'else';

/** The role a word plays, which is also how an editor colours it. */
export type WordRole = 'declaration' | 'expect' | 'property' | 'statement' | 'transaction' | 'loop' | 'submit' | 'conditional' | 'response';

export interface StatementSpec extends VersionOnly {
  /** The words that start it; the parser recognises the first (`stall` of `stall off for`). */
  words: string;
  /** How it is written, as completion's detail shows it. */
  syntax: string;
  /** What it means, as hover and completion show it. */
  doc: string;
  role: WordRole;
  /** Why it may sleep, which an `irq` handler must not. */
  sleeps?: string;
  /** A file has at most one. */
  once?: true;
}

const pasidOnV3: VersionOnly = { only: 'v3', elsewhere: () => 'PASID bindings (SubstreamIDs) exist on SMMUv3 only' };
const pageResponseOnV3: VersionOnly = {
  only: 'v3',
  // A page response answers a PRI page request: where the handler's SMMU is unknown, nothing says one can come.
  offeredOnlyOnKnownVersion: true,
  elsewhere: ({ word }) => `'${word}' answers a PRI page request group (CMD_PRI_RESP); there is no PRI on an SMMUv2`,
};

const responseDocs: Readonly<Record<(typeof stallResponses)[number] | (typeof pageResponses)[number], string>> = {
  retry: 'Answer a stalled fault: retry the translation (SMMUv2 RESUME with TnR=0; SMMUv3 CMD_RESUME retry). The handler returns.',
  terminate: 'Answer a stalled fault: terminate it (SMMUv2 RESUME with TnR=1, ending as CFRE says; SMMUv3 CMD_RESUME terminate: RAZ/WI). The handler returns.',
  abort: 'Answer a stalled fault: abort it (SMMUv3 CMD_RESUME abort; on SMMUv2 RESUME has only TnR, so it terminates). The handler returns.',
  success: 'Answer a PRI page request group: Success (CMD_PRI_RESP 0b10; Linux IOMMU_PAGE_RESP_SUCCESS 0) — the device retries its translation.',
  invalid: 'Answer a PRI page request group: InvalidRequest (CMD_PRI_RESP 0b01; Linux IOMMU_PAGE_RESP_INVALID 1) — the access fails.',
  failure: 'Answer a PRI page request group: ResponseFailure (CMD_PRI_RESP 0b00; Linux IOMMU_PAGE_RESP_FAILURE 2) — the access fails.',
};

function statement(words: string, syntax: string, doc: string, role: WordRole = 'statement', extra: Partial<StatementSpec> = {}): StatementSpec {
  return { words, syntax, doc, role, ...extra };
}

/** Top-level declarations, in the order completion offers them. */
export const declarationStatements: readonly StatementSpec[] = [
  statement('scenario', 'scenario "TITLE"', 'The scenario\'s title, shown by the debugger and the CLI.', 'declaration', { once: true }),
  statement('kernel', 'kernel X.Y', 'The Linux release whose fault path the run follows (5.15, 6.1, 6.6, 6.12, 7.1; another X.Y runs as the newest of those not newer than it). Default: the newest modelled.', 'declaration', { once: true }),
  statement('timing', 'timing { … }', 'Cycle costs of the emulator\'s virtual clock: TLB hits, walks, IRQ and workqueue latencies, handler statements.', 'declaration', { once: true }),
  statement('smmu', 'smmu NAME { … }', 'An IOMMU: an SMMUv2 (SMMU-500 family, context banks) or an SMMUv3 (stream table, context descriptors, event and PRI queues).', 'declaration'),
  statement(
    'domain',
    'domain NAME { … }',
    "An IOMMU domain: one page table built as io-pgtable-arm builds it (VMSAv8-64; stage 1 unless `stage 2`, or a guest's stage 1 on a stage-2 domain with `nested`), and how its faults behave.",
    'declaration',
  ),
  statement('master', 'master NAME { … }', 'A device behind an SMMU (a GPU, a display controller, a NIC): its StreamIDs and the domain attached to it at start.', 'declaration'),
  statement('engine', 'engine MASTER.NAME { … }', 'One hardware client of a master (`master.engine`): it issues transactions in program order.', 'declaration'),
  statement('workqueue', 'workqueue NAME { … }', 'A kernel workqueue: `workers` threads; `unbound` items may finish in any order, `ordered` ones run one at a time.', 'declaration'),
  statement('handler', 'handler NAME on DOMAIN { … }', 'The driver\'s fault handler for a domain (iommu_set_fault_handler): what it does, in which context, and how it answers.', 'declaration'),
  statement(
    'pagetable',
    'pagetable NAME on DOMAIN { … }',
    "A per-process TTBR0 table of a `ttbr1 on` domain (drm/msm's msm_iommu_pagetable_create): its own maps and ASID; `submit N pagetable NAME` switches TTBR0 to it for one submit.",
    'declaration',
  ),
  statement('vfio', 'vfio NAME { … }', 'A VFIO container: one domain for several masters; an attach that fails makes it create another domain with the same mappings.', 'declaration'),
  statement(
    'vm',
    'vm NAME { … }',
    "A virtual machine a device is given to: its IPA space (`stage2`, a stage-2 domain) and what iommufd gives its VMM — a fault queue for its nested domains' recoverable faults (IOMMU_FAULT_QUEUE_ALLOC) and a vEVENTQ for the rest (IOMMU_VEVENTQ_ALLOC).",
    'declaration',
  ),
  statement('expect', 'expect LABEL STATUS | expect LABEL pa PA | expect COUNTER OP N', 'An outcome checked when the run ends: a transaction\'s status or PA, or a counter. The CLI exits 1 when one fails.', 'expect'),
];

const map = statement(
  'map',
  'map IOVA -> PA size SIZE PERMS… [pages 4K|2M|1G]',
  '`map IOVA -> PA size S PERMS`: iommu_map — the range split into the largest leaves alignment allows. In a handler, also `map page -> PA PERMS`.',
  'statement',
  { sleeps: "'map' (iommu_map) allocates page tables with GFP_KERNEL, which may sleep" },
);
// `stream`, `pasid` and `masters` describe their block, as its settings do.
const stream = statement('stream', 'stream ID [mask MASK]', 'A StreamID: on a master, one stream-match entry (SMR on SMMUv2, `mask` ignores bits); on an engine, the StreamID it issues on.', 'property');
const pasid = statement(
  'pasid',
  'pasid N -> DOMAIN',
  'A PASID (SMMUv3 SubstreamID): on a master, `pasid N -> DOMAIN` binds a second address space at N ≥ 1 (PASID 0 is Linux\'s IOMMU_NO_PASID, the master\'s own domain); on a transaction, the SSID it carries.',
  'property',
  pasidOnV3,
);
const masters = statement('masters', 'masters NAME…', '`masters a b c`: the masters a VFIO container attaches, in order.', 'property');

const engineItems: readonly StatementSpec[] = [
  statement('read', 'read ADDRESS SIZE [pasid N] [priv] [exec] [as NAME]', 'A read transaction: `read ADDRESS SIZE [pasid N] [priv] [exec] [as NAME]`. A read of a mapped page returns the emulated memory\'s bytes.', 'transaction'),
  statement('write', 'write ADDRESS SIZE [pasid N] [priv] [value V] [as NAME]', 'A write transaction: `write ADDRESS SIZE [value V] [pasid N] [priv] [as NAME]`.', 'transaction'),
  statement('wait', 'wait CYCLES', '`wait N`: the engine issues nothing for N cycles.'),
  statement('repeat', 'repeat N { … }', '`repeat N { … }`: the body N times; `i` is the iteration index (0 to N-1).', 'loop'),
  statement(
    'submit',
    'submit ID [pagetable NAME] { … }',
    '`submit N { … }`: a GPU submit (a batch); a crash dump names the active one. `submit N pagetable NAME`: the CP switches TTBR0 (and the ASID) to that process table before the first transaction (CP_SMMU_TABLE_UPDATE) and back to the domain\'s default after.',
    'submit',
  ),
];

const handlerStatements: readonly StatementSpec[] = [
  statement('log', 'log "MESSAGE {field}"', '`log "…"`: a message to the Debug Console; `{field}` interpolates the fault\'s fields.'),
  statement('dump', 'dump', '`dump`: a crash dump — registers, fault syndrome, active submits, the walk of the faulting IOVA, stalled transactions. It may sleep: not in irq context.', 'statement', { sleeps: "'dump' allocates and copies a crash dump, which may sleep" }),
  map,
  statement(
    'unmap',
    'unmap IOVA size SIZE [nosync]',
    '`unmap IOVA size S`: iommu_unmap — the page table cleared and the IOTLB invalidated and synced before it returns (SMMUv2 TLBIVAL + TLBSYNC, SMMUv3 CMD_TLBI_NH_VA + CMD_SYNC). In a `dma lazy` domain: __iommu_dma_unmap — the IOVA waits in the flush queue. `nosync`: iommu_unmap_fast — the invalidation is gathered until `sync`.',
  ),
  statement('sync', 'sync', '`sync`: iommu_iotlb_sync — issues and syncs the invalidation `unmap … nosync` gathered (SMMUv2 TLBSYNC, SMMUv3 CMD_TLBI_NH_VA + CMD_SYNC).'),
  statement('tlbi', 'tlbi all | tlbi va ADDRESS', '`tlbi all` (TLBIASID, or CMD_TLBI_NH_ASID + CMD_SYNC: the context\'s entries) or `tlbi va ADDRESS` (TLBIVA, or CMD_TLBI_NH_VA + CMD_SYNC: one page).'),
  statement('sleep', 'sleep CYCLES', '`sleep N`: block for N cycles — not in irq context.', 'statement', { sleeps: "'sleep' blocks" }),
  statement('stall off for', 'stall off for CYCLES', '`stall off for N`: clear stall mode (SCTLR.CFCFG / CD.S) for N cycles, then restore it — msm\'s stall cooldown.'),
  statement('if', 'if CONDITION { … } [else { … }]', '`if EXPR { … } else { … }`: branch on the fault\'s fields.', 'conditional'),
  ...stallResponses.map((response) => statement(response, response, responseDocs[response], 'response')),
  ...pageResponses.map((response) => statement(response, response, responseDocs[response], 'response', pageResponseOnV3)),
];

/** The statements each body takes (settings aside), in the order the parser lists them in its messages. */
export const bodyStatements: Readonly<Record<BodyKind, readonly StatementSpec[]>> = {
  timing: [],
  smmu: [],
  workqueue: [],
  domain: [map],
  master: [stream, pasid],
  vfio: [masters, map],
  vm: [],
  engine: [stream, ...engineItems],
  repeat: engineItems,
  submit: engineItems,
  handler: handlerStatements,
  pagetable: [map],
  if: handlerStatements,
  else: handlerStatements,
};

/** The statement of `body` that starts with `word`; one the table does not list is a programming error. */
export function statementSpec(body: BodyKind, word: string): StatementSpec {
  const spec = bodyStatements[body].find((entry) => firstWord(entry) === word);
  if (!spec) throw new Error(`the grammar table lists no statement '${word}' in a ${body} body`);
  return spec;
}

/** The word the parser recognises a statement by. */
export function firstWord(spec: StatementSpec): string {
  return spec.words.split(' ')[0];
}

export interface TransactionOptionSpec extends VersionOnly {
  word: string;
  syntax: string;
  /** Only a read or only a write takes it. */
  access?: 'read' | 'write';
}

/** What a transaction takes after its size, in any order. */
export const transactionOptions: readonly TransactionOptionSpec[] = [
  { word: 'pasid', syntax: 'pasid N', only: 'v3', elsewhere: () => 'PASIDs (SubstreamIDs) exist on SMMUv3 only' },
  { word: 'priv', syntax: 'priv' },
  { word: 'exec', syntax: 'exec', access: 'read' },
  { word: 'value', syntax: 'value V', access: 'write' },
  { word: 'as', syntax: 'as NAME' },
];

export function transactionOption(word: string): TransactionOptionSpec {
  const spec = transactionOptions.find((option) => option.word === word);
  if (!spec) throw new Error(`the grammar table lists no transaction option '${word}'`);
  return spec;
}

export interface PhraseWordSpec {
  doc: string;
  /** The phrase it belongs to, as completion's detail shows it. */
  syntax?: string;
}

/** The other words inside statements: what they mean (hover) and the phrase they belong to. */
export const phraseWords: Readonly<Record<string, PhraseWordSpec>> = {
  as: { doc: '`as NAME`: labels the transaction for `expect` and the debugger; inside `repeat`, every iteration carries it.' },
  mask: { doc: 'SMR.MASK: StreamID bits the stream-match entry ignores.', syntax: 'stream ID mask MASK' },
  priv: { doc: 'A privileged access (FSYNR0.PNU / PnU): passes AP[1]=0 pages.' },
  exec: { doc: 'An instruction fetch (FSYNR0.IND / InD): faults on an execute-never page.' },
  value: { doc: '`value V`: the data a write stores (little-endian).' },
  on: { doc: '`handler NAME on DOMAIN`: the domain whose faults the handler receives; `pagetable NAME on DOMAIN`: the `ttbr1 on` domain the table belongs to.', syntax: 'handler NAME on DOMAIN | pagetable NAME on DOMAIN' },
  size: { doc: 'The length of a map in bytes (a multiple of the domain\'s granule, 4K unless `granule` says 16K or 64K; `4K`, `2M`, `1G` suffixes).', syntax: 'size SIZE' },
  pages: { doc: '`pages 4K|2M|1G` (16K|32M with a 16K granule, 64K|512M with 64K): the largest leaf io-pgtable may use for this map (otherwise it uses the granule\'s blocks where alignment allows).', syntax: 'pages 4K | 2M | 1G' },
  page: { doc: '`map page -> PA …`: maps the faulting page of the domain\'s granule (FAR rounded down).', syntax: 'map page -> PA PERMS…' },
  else: { doc: 'The branch taken when the `if` condition is false.', syntax: 'else { … }' },
  i: { doc: 'The iteration index of the innermost `repeat` (0, 1, …).' },
  all: { doc: '`tlbi all`: TLBIASID — every TLB entry of the handler\'s context.', syntax: 'tlbi all' },
  va: { doc: '`tlbi va ADDRESS`: TLBIVA — the TLB entries of one page.', syntax: 'tlbi va ADDRESS' },
  nosync: { doc: '`unmap … nosync`: iommu_unmap_fast — the page table is cleared but the IOTLB invalidation is only gathered: the TLB can still translate the range until `sync`.', syntax: 'unmap IOVA size SIZE nosync' },
  for: { doc: '`stall off for N`: how many cycles stall mode stays off.', syntax: 'stall off for CYCLES' },
  'off for': { doc: '`stall off for N`: clear stall mode for N cycles, then restore it.', syntax: 'stall off for CYCLES' },
  at: { doc: "`cd at IPA`, `tables at IPA`: where a nested domain's guest put its CD and its top-level stage-1 table, in IPA space.", syntax: 'cd at IPA | tables at IPA' },
  pa: { doc: '`expect NAME pa PA`: the physical address the labelled transaction translated to.', syntax: 'expect LABEL pa PA' },
};
