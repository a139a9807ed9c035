import fc from 'fast-check';

/**
 * The shape of a random valid scenario of any feature: SMMUv2 and SMMUv3 side by side,
 * STALL_MODEL and queue sizes, PASIDs, PRI masters and their submits, VFIO containers,
 * handlers of every kind, timing. Plain data (numbers, flags, picks) that
 * `systemRender.ts` turns into scenario text; every cross-reference is a free number
 * resolved at render time, so every shape renders valid and fast-check shrinks freely.
 * `SystemOptions` narrows it: one version, no containers, handlers that never unmap.
 */

export type Version = 'v2' | 'v3';
export type StallModel = 'stall' | 'no-stall' | 'force-stall';
export type Perms = 'r' | 'w' | 'rw' | 'rwx' | 'rw noaf' | 'r priv';
const PERMS: readonly Perms[] = ['r', 'w', 'rw', 'rwx', 'rw noaf', 'r priv'];
export const IAS = [32, 36, 39, 40, 42, 44, 48] as const;
/** Output sizes CD.IPS encodes (an SMMUv3 takes no other); an SMMUv2 takes them too. */
export const OAS = [32, 36, 40, 42, 44, 48] as const;
export const SIZES = [4, 8, 16, 64, 128, 256] as const;
export const LABEL_COUNT = 6;
export const TIMING_KEYS = ['tlb-hit', 'walk-level', 'irq-latency', 'wq-latency', 'statement', 'dump', 'tlb-entries'] as const;
export type TimingKey = (typeof TIMING_KEYS)[number];

export interface MapShape {
  /** IOVA = slot × 16M (slots 1..255, distinct in a domain); slot 0 is never mapped. */
  slot: number;
  /** Above 2^39 when the domain's ias allows. */
  high: boolean;
  pages: number;
  perms: Perms;
}

export interface FaultShape {
  fault: 'terminate' | 'stall' | undefined;
  /** SMMUv2 only. */
  hupcf: 'on' | 'off' | undefined;
  report: 'abort' | 'raz' | undefined;
  /** SMMUv3 only. */
  record: 'on' | 'off' | undefined;
}

export interface DomainShape extends FaultShape {
  ias: (typeof IAS)[number];
  oas: (typeof OAS)[number] | undefined;
  maps: MapShape[];
  /** `dma lazy` with a small ring and timeout, so that its flushes happen within a run. */
  lazy: { queue: number; timeout: number } | undefined;
}

/** The releases a `kernel` line names (emulator/kernel/versions.ts's modelled ones, and one between them). */
export const KERNELS = ['5.15', '6.1', '6.6', '6.10', '6.12', '7.1'] as const;

export interface SmmuShape {
  version: Version;
  /** SMMUv2. */
  contextBanks: number | undefined;
  unmatched: 'fault' | 'bypass' | undefined;
  /** SMMUv3. */
  stallModel: StallModel | undefined;
  /** log2 of the queues' entries (2 to 64 events, 2 to 32 page requests: small queues overflow). */
  eventqLog2: number | undefined;
  priqLog2: number | undefined;
  ssidBits: number | undefined;
  /** SMMUv3: PRI through iopf, the named non-upstream choice. */
  priIopf: boolean;
  domains: DomainShape[];
}

/** What a transaction's `pasid` is, against its master's bindings. */
export type PasidKind = 'none' | 'bound' | 'zero' | 'unbound' | 'beyond' | 'wide';

export interface AddressShape {
  kind: 'inside' | 'outside' | 'beyond' | 'any-map';
  mapPick: number;
  pagePick: number;
  offsetPick: number;
  /** Inside a repeat: `+ i*stride`. */
  stride: 0 | 4 | 64 | 0x1000;
}

export interface TransactionShape {
  item: 'tx';
  access: 'read' | 'write';
  address: AddressShape;
  size: (typeof SIZES)[number];
  value: number | undefined;
  priv: boolean;
  exec: boolean;
  pasid: { kind: PasidKind; pick: number };
  label: number | undefined;
}

export type EngineItemShape =
  | TransactionShape
  | { item: 'wait'; cycles: number }
  | { item: 'repeat'; count: number; body: EngineItemShape[] }
  | { item: 'submit'; id: number; body: EngineItemShape[] };

export interface EngineShape {
  start: number | undefined;
  interval: number | undefined;
  outstanding: number | undefined;
  secondStream: boolean;
  body: EngineItemShape[];
}

export interface MasterShape {
  smmuPick: number;
  /** Its own `domain` line, none (unattached), or a place in a container. */
  attach: 'domain' | 'none' | 'vfio';
  domainPick: number;
  /** 'auto': `can-stall` exactly when its domain stalls; 'omit': never; 'always'. */
  canStall: 'auto' | 'omit' | 'always';
  twoStreams: boolean;
  /** SMMUv3: PCIe ATS + PRI. */
  pri: boolean;
  /** SMMUv3: `pasid N -> DOMAIN`, N from the pick (1 .. 2^ssid-bits - 1). */
  pasids: { pasidPick: number; domainPick: number }[];
  engines: EngineShape[];
}

export interface ContainerShape extends FaultShape {
  smmuPick: number;
  maps: MapShape[];
}

export type ConditionAtom =
  | { atom: 'write' | 'read' | 'not-write' | 'guard' }
  | { atom: 'kind'; kind: 'translation' | 'permission' | 'access-flag' }
  | { atom: 'iova-ge' | 'iova-lt'; slot: number }
  | { atom: 'sid'; pick: number };

export interface ConditionShape {
  atoms: ConditionAtom[];
  op: '&&' | '||';
}

export type SimpleStatement =
  | { st: 'log'; template: number }
  | { st: 'dump' }
  | { st: 'sleep'; cycles: number }
  | { st: 'stall-off'; cycles: number }
  | { st: 'map' }
  | { st: 'map-range' }
  | { st: 'unmap'; nosync: boolean }
  | { st: 'sync' }
  | { st: 'tlbi'; all: boolean };

/** A response: the stall kind (every SMMU) and the page-response kind (SMMUv3 only). */
export type ResponseShape = 'retry' | 'terminate' | 'abort' | 'success' | 'invalid' | 'failure';

export type TailShape =
  | { tail: 'none' }
  | { tail: 'respond'; response: ResponseShape }
  | { tail: 'if'; condition: ConditionShape; then: BlockShape; otherwise: BlockShape | undefined };

export interface BlockShape {
  pre: SimpleStatement[];
  tail: TailShape;
}

export interface HandlerShape {
  domainPick: number;
  context: 'irq' | 'thread' | 'workqueue' | undefined;
  queuePick: number | undefined;
  /** Wrap the body in demand paging: `if <guard> { …; map page; retry } else { body }`. */
  demand: { pre: SimpleStatement[]; also: ConditionAtom | undefined; success: boolean } | undefined;
  body: BlockShape;
}

export interface WorkqueueShape {
  workers: number | undefined;
  order: 'unbound' | 'ordered' | undefined;
}

export type ExpectShape =
  | { expect: 'counter'; counter: string; op: '>=' | '==' | '<'; value: number }
  | { expect: 'label'; pick: number; status: 'completed' | 'aborted' | 'raz' | 'stalled' };

export interface SystemShape {
  title: boolean;
  kernel: (typeof KERNELS)[number] | undefined;
  timing: Partial<Record<TimingKey, number>> | undefined;
  smmus: SmmuShape[];
  masters: MasterShape[];
  containers: ContainerShape[];
  handlers: HandlerShape[];
  workqueues: WorkqueueShape[];
  iopf: WorkqueueShape | undefined;
  expects: ExpectShape[];
  rotate: number;
}

// ------------------------------------------------------------------------ arbitraries

/** `arb` with weight `present`, undefined with weight `absent` (undefined is what shrinking aims for). */
export const optional = <T>(arb: fc.Arbitrary<T>, present: number, absent = 1): fc.Arbitrary<T | undefined> =>
  fc.oneof({ weight: absent, arbitrary: fc.constant(undefined) }, { weight: present, arbitrary: arb });

const mapArb: fc.Arbitrary<MapShape> = fc.record({
  slot: fc.integer({ min: 1, max: 255 }),
  high: fc.boolean(),
  pages: fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 1, max: 16 }) }, { weight: 1, arbitrary: fc.constant(512) }, { weight: 1, arbitrary: fc.integer({ min: 17, max: 1024 }) }),
  perms: fc.constantFrom(...PERMS),
});

const mapsArb = (min: number): fc.Arbitrary<MapShape[]> => fc.uniqueArray(mapArb, { minLength: min, maxLength: 4, selector: (m) => m.slot });

const faultFields = {
  fault: optional(fc.oneof({ weight: 1, arbitrary: fc.constant('terminate' as const) }, { weight: 2, arbitrary: fc.constant('stall' as const) }), 4),
  hupcf: optional(fc.constantFrom('on' as const, 'off' as const), 2),
  report: optional(fc.constantFrom('abort' as const, 'raz' as const), 3),
  record: optional(fc.constantFrom('on' as const, 'off' as const), 2),
};

const domainArb: fc.Arbitrary<DomainShape> = fc.record({
  ...faultFields,
  ias: fc.constantFrom(...IAS),
  oas: optional(fc.constantFrom(...OAS), 1, 2),
  maps: mapsArb(0),
  lazy: optional(fc.record({ queue: fc.constantFrom(2, 4, 256), timeout: fc.integer({ min: 1, max: 300 }) }), 1, 3),
});

const smmuArb: fc.Arbitrary<SmmuShape> = fc.record({
  version: fc.oneof({ weight: 1, arbitrary: fc.constant('v2' as const) }, { weight: 3, arbitrary: fc.constant('v3' as const) }),
  contextBanks: optional(fc.integer({ min: 1, max: 8 }), 1, 3),
  unmatched: optional(fc.constantFrom('fault' as const, 'bypass' as const), 1, 3),
  stallModel: optional(fc.constantFrom('stall' as const, 'no-stall' as const, 'force-stall' as const), 2),
  eventqLog2: optional(fc.integer({ min: 1, max: 6 }), 2),
  priqLog2: optional(fc.integer({ min: 1, max: 5 }), 2),
  ssidBits: optional(fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 1, max: 8 }) }, { weight: 1, arbitrary: fc.constantFrom(0, 16, 20) }), 2),
  priIopf: fc.boolean(),
  domains: fc.array(domainArb, { minLength: 1, maxLength: 3 }),
});

const addressArb: fc.Arbitrary<AddressShape> = fc.record({
  kind: fc.oneof(
    { weight: 6, arbitrary: fc.constant('inside' as const) },
    { weight: 3, arbitrary: fc.constant('outside' as const) },
    { weight: 1, arbitrary: fc.constant('beyond' as const) },
    { weight: 1, arbitrary: fc.constant('any-map' as const) },
  ),
  mapPick: fc.nat({ max: 15 }),
  pagePick: fc.nat({ max: 1023 }),
  offsetPick: fc.nat({ max: 1023 }),
  stride: fc.constantFrom(0 as const, 4 as const, 64 as const, 0x1000 as const),
});

const pasidArb: fc.Arbitrary<TransactionShape['pasid']> = fc.record({
  kind: fc.oneof(
    { weight: 8, arbitrary: fc.constant<PasidKind>('none') },
    { weight: 6, arbitrary: fc.constant<PasidKind>('bound') },
    { weight: 1, arbitrary: fc.constantFrom<PasidKind>('zero', 'unbound', 'beyond', 'wide') },
  ),
  pick: fc.nat({ max: 1023 }),
});

const transactionArb: fc.Arbitrary<TransactionShape> = fc.record({
  item: fc.constant('tx' as const),
  access: fc.constantFrom('read' as const, 'write' as const),
  address: addressArb,
  size: fc.constantFrom(...SIZES),
  value: optional(fc.nat({ max: 0xffff_ffff }), 1),
  priv: fc.oneof({ weight: 4, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
  exec: fc.oneof({ weight: 4, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
  pasid: pasidArb,
  label: optional(fc.nat({ max: LABEL_COUNT - 1 }), 1),
});

function engineItemsArb(depth: number): fc.Arbitrary<EngineItemShape[]> {
  const leaf: fc.Arbitrary<EngineItemShape> = fc.oneof(
    { weight: 6, arbitrary: transactionArb },
    { weight: 1, arbitrary: fc.record({ item: fc.constant('wait' as const), cycles: fc.integer({ min: 0, max: 200 }) }) },
  );
  if (depth <= 0) return fc.array(leaf, { minLength: 1, maxLength: 4 });
  const inner = engineItemsArb(depth - 1);
  const item: fc.Arbitrary<EngineItemShape> = fc.oneof(
    { weight: 5, arbitrary: leaf },
    // Mostly short; now and then a storm that fills small queues.
    { weight: 2, arbitrary: fc.record({ item: fc.constant('repeat' as const), count: fc.oneof({ weight: 5, arbitrary: fc.integer({ min: 0, max: 6 }) }, { weight: 1, arbitrary: fc.integer({ min: 7, max: 40 }) }), body: inner }) },
    { weight: 2, arbitrary: fc.record({ item: fc.constant('submit' as const), id: fc.nat({ max: 99 }), body: inner }) },
  );
  return fc.array(item, { minLength: 1, maxLength: 5 });
}

const engineArb: fc.Arbitrary<EngineShape> = fc.record({
  start: optional(fc.nat({ max: 200 }), 1),
  interval: optional(fc.integer({ min: 0, max: 20 }), 1),
  outstanding: optional(fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 1, max: 8 }) }, { weight: 1, arbitrary: fc.constantFrom(16, 64) }), 2),
  secondStream: fc.boolean(),
  body: engineItemsArb(2),
});

const masterArb: fc.Arbitrary<MasterShape> = fc.record({
  smmuPick: fc.nat({ max: 7 }),
  attach: fc.oneof({ weight: 8, arbitrary: fc.constant('domain' as const) }, { weight: 1, arbitrary: fc.constant('none' as const) }, { weight: 3, arbitrary: fc.constant('vfio' as const) }),
  domainPick: fc.nat({ max: 7 }),
  canStall: fc.oneof({ weight: 6, arbitrary: fc.constant('auto' as const) }, { weight: 2, arbitrary: fc.constant('omit' as const) }, { weight: 2, arbitrary: fc.constant('always' as const) }),
  twoStreams: fc.boolean(),
  pri: fc.oneof({ weight: 2, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
  pasids: fc.array(fc.record({ pasidPick: fc.nat({ max: 1 << 20 }), domainPick: fc.nat({ max: 7 }) }), { maxLength: 3 }),
  engines: fc.array(engineArb, { minLength: 1, maxLength: 2 }),
});

const containerArb: fc.Arbitrary<ContainerShape> = fc.record({ ...faultFields, smmuPick: fc.nat({ max: 7 }), maps: mapsArb(1) });

const atomArb: fc.Arbitrary<ConditionAtom> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ atom: fc.constantFrom('write' as const, 'read' as const, 'not-write' as const) }) },
  { weight: 3, arbitrary: fc.record({ atom: fc.constant('guard' as const) }) },
  { weight: 2, arbitrary: fc.record({ atom: fc.constant('kind' as const), kind: fc.constantFrom('translation' as const, 'permission' as const, 'access-flag' as const) }) },
  { weight: 2, arbitrary: fc.record({ atom: fc.constantFrom('iova-ge' as const, 'iova-lt' as const), slot: fc.nat({ max: 255 }) }) },
  { weight: 1, arbitrary: fc.record({ atom: fc.constant('sid' as const), pick: fc.nat({ max: 7 }) }) },
);

const conditionArb: fc.Arbitrary<ConditionShape> = fc.record({
  atoms: fc.array(atomArb, { minLength: 1, maxLength: 3 }),
  op: fc.oneof({ weight: 3, arbitrary: fc.constant('&&' as const) }, { weight: 1, arbitrary: fc.constant('||' as const) }),
});

function simpleArb(unmap: boolean): fc.Arbitrary<SimpleStatement> {
  const tables: SimpleStatement[] = unmap ? [{ st: 'map' }, { st: 'map-range' }, { st: 'unmap', nosync: false }, { st: 'unmap', nosync: true }, { st: 'sync' }] : [{ st: 'map' }, { st: 'map-range' }];
  return fc.oneof(
    { weight: 3, arbitrary: fc.record({ st: fc.constant('log' as const), template: fc.nat({ max: 6 }) }) },
    { weight: 1, arbitrary: fc.record({ st: fc.constant('dump' as const) }) },
    { weight: 1, arbitrary: fc.record({ st: fc.constant('sleep' as const), cycles: fc.integer({ min: 0, max: 150 }) }) },
    { weight: 1, arbitrary: fc.record({ st: fc.constant('stall-off' as const), cycles: fc.integer({ min: 1, max: 100 }) }) },
    { weight: 1, arbitrary: fc.constantFrom(...tables) },
    { weight: 1, arbitrary: fc.record({ st: fc.constant('tlbi' as const), all: fc.boolean() }) },
  );
}

function blockArb(depth: number, simple: fc.Arbitrary<SimpleStatement>): fc.Arbitrary<BlockShape> {
  const responses: fc.Arbitrary<TailShape> = fc.oneof(
    { weight: 1, arbitrary: fc.constant<TailShape>({ tail: 'none' }) },
    { weight: 4, arbitrary: fc.record({ tail: fc.constant('respond' as const), response: fc.constantFrom<ResponseShape>('retry', 'terminate', 'abort', 'success', 'invalid', 'failure') }) },
  );
  const tail: fc.Arbitrary<TailShape> =
    depth <= 0
      ? responses
      : fc.oneof(
          { weight: 2, arbitrary: responses },
          { weight: 3, arbitrary: fc.record({ tail: fc.constant('if' as const), condition: conditionArb, then: blockArb(depth - 1, simple), otherwise: optional(blockArb(depth - 1, simple), 2) }) },
        );
  return fc.record({ pre: fc.array(simple, { maxLength: 3 }), tail });
}

function handlerArb(unmap: boolean): fc.Arbitrary<HandlerShape> {
  const simple = simpleArb(unmap);
  return fc.record({
    domainPick: fc.nat({ max: 15 }),
    context: optional(fc.constantFrom('irq' as const, 'thread' as const, 'workqueue' as const), 2),
    queuePick: optional(fc.nat({ max: 3 }), 1),
    demand: optional(fc.record({ pre: fc.array(simple, { maxLength: 2 }), also: optional(atomArb, 1, 2), success: fc.boolean() }), 2),
    body: blockArb(2, simple),
  });
}

const workqueueArb: fc.Arbitrary<WorkqueueShape> = fc.record({
  workers: optional(fc.integer({ min: 1, max: 4 }), 2),
  order: optional(fc.constantFrom('unbound' as const, 'ordered' as const), 2),
});

const timingArb: fc.Arbitrary<Partial<Record<TimingKey, number>>> = fc.record(
  {
    'tlb-hit': fc.integer({ min: 1, max: 5 }),
    'walk-level': fc.integer({ min: 1, max: 20 }),
    'irq-latency': fc.integer({ min: 0, max: 20 }),
    'wq-latency': fc.integer({ min: 0, max: 50 }),
    statement: fc.integer({ min: 1, max: 5 }),
    dump: fc.integer({ min: 0, max: 100 }),
    'tlb-entries': fc.integer({ min: 1, max: 128 }),
  },
  { requiredKeys: [] },
);

const COUNTERS = ['transactions', 'faults', 'completed', 'aborted', 'raz', 'stalled', 'retried', 'dumps', 'events', 'dropped-events', 'page-requests'] as const;

const expectArb: fc.Arbitrary<ExpectShape> = fc.oneof(
  fc.record({ expect: fc.constant('counter' as const), counter: fc.constantFrom<string>(...COUNTERS), op: fc.constantFrom('>=' as const, '==' as const, '<' as const), value: fc.nat({ max: 10 }) }),
  fc.record({ expect: fc.constant('label' as const), pick: fc.nat({ max: 7 }), status: fc.constantFrom('completed' as const, 'aborted' as const, 'raz' as const, 'stalled' as const) }),
);

/** What the shapes may hold: how many SMMUs, of which versions, how many VFIO containers, whether handlers unmap. */
export interface SystemOptions {
  smmus: { minLength: number; maxLength: number };
  versions: Version | 'any';
  containers: { minLength: number; maxLength: number };
  /** Without it page tables only grow: a translation that succeeded once succeeds on the final tables too. */
  unmap: boolean;
}

export function systemShapeArbitrary(options: SystemOptions): fc.Arbitrary<SystemShape> {
  const { versions } = options;
  const smmu = versions === 'any' ? smmuArb : smmuArb.map((s): SmmuShape => ({ ...s, version: versions }));
  return fc.record({
    title: fc.boolean(),
    kernel: optional(fc.constantFrom(...KERNELS), 2, 1),
    timing: optional(timingArb, 1),
    smmus: fc.array(smmu, options.smmus),
    masters: fc.array(masterArb, { minLength: 1, maxLength: 4 }),
    containers: fc.array(containerArb, options.containers),
    handlers: fc.array(handlerArb(options.unmap), { maxLength: 5 }),
    workqueues: fc.array(workqueueArb, { maxLength: 2 }),
    iopf: optional(workqueueArb, 1, 4),
    expects: fc.array(expectArb, { maxLength: 3 }),
    rotate: fc.nat({ max: 31 }),
  });
}
