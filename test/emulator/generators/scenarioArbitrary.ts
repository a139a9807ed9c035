import fc from 'fast-check';

/**
 * Random valid SMMUv2 scenarios, for property tests of the emulator.
 *
 * The arbitrary draws a plain "shape" (numbers, flags and picks) and renders it as
 * scenario text. Every cross-reference (a master's domain, an engine's address inside a
 * map of its domain, a handler's workqueue) is drawn as a free number and resolved at
 * render time (`pick % count`), so every shape renders to a valid scenario and fast-check
 * shrinks shapes freely.
 *
 * What keeps runs finite: engines issue a bounded number of transactions, and a handler
 * answers `retry` only on a path guarded by `kind == translation && (fsr & 0x2) != 0 &&
 * iova < 2^ias` that first maps the faulting page (a fault a retry cannot fix —
 * permission, access flag, beyond ias — is never retried on purpose). Handlers in irq
 * context never sleep, dump or map (the checker rejects it), so they never retry.
 * Handlers never unmap: page tables only grow, so a translation that succeeded once
 * succeeds on the final tables too (the invariant tests rely on it).
 */

// ----------------------------------------------------------------------------- shapes

export type Perms = 'r' | 'w' | 'rw' | 'rwx' | 'rw noaf' | 'r priv';
const PERMS: readonly Perms[] = ['r', 'w', 'rw', 'rwx', 'rw noaf', 'r priv'];
const IAS = [32, 36, 39, 40, 42, 44, 48] as const;
const SIZES = [4, 8, 16, 64, 128, 256] as const;
const LABELS = ['t0', 't1', 't2', 't3', 't4', 't5'] as const;
const TIMING_KEYS = ['tlb-hit', 'walk-level', 'irq-latency', 'wq-latency', 'statement', 'dump', 'tlb-entries'] as const;
type TimingKey = (typeof TIMING_KEYS)[number];

export interface MapShape {
  /** IOVA = slot * 16M (slots 1..255, distinct in a domain); slot 0 is never mapped. */
  slot: number;
  /** Put the map above 2^39 when the domain's ias allows. */
  high: boolean;
  pages: number;
  perms: Perms;
}

export interface DomainShape {
  ias: (typeof IAS)[number];
  fault: 'terminate' | 'stall' | undefined;
  hupcf: 'on' | 'off' | undefined;
  report: 'abort' | 'raz' | undefined;
  maps: MapShape[];
}

export interface SmmuShape {
  contextBanks: number | undefined;
  domains: DomainShape[];
}

export type AddressKind = 'inside' | 'outside' | 'beyond' | 'any-map';

export interface AddressShape {
  kind: AddressKind;
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
  /** Issue on the master's second stream (when it has one). */
  secondStream: boolean;
  body: EngineItemShape[];
}

export interface MasterShape {
  smmuPick: number;
  domainPick: number;
  /** 'auto': `can-stall` exactly when the domain stalls; 'omit': never (an attach failure on a stall domain); 'always'. */
  canStall: 'auto' | 'omit' | 'always';
  twoStreams: boolean;
  engines: EngineShape[];
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
  | { st: 'tlbi'; all: boolean };

export type TailShape =
  | { tail: 'none' }
  | { tail: 'terminate' | 'abort' | 'retry' }
  | { tail: 'if'; condition: ConditionShape; then: BlockShape; otherwise: BlockShape | undefined };

export interface BlockShape {
  pre: SimpleStatement[];
  tail: TailShape;
}

export interface HandlerShape {
  /** Which domain (mod the number of domains); handlers for one domain are deduplicated. */
  domainPick: number;
  context: 'irq' | 'thread' | 'workqueue' | undefined;
  /** `queue NAME` for workqueue handlers: an index into the declared workqueues, or undefined. */
  queuePick: number | undefined;
  /**
   * Wrap the body in the demand-paging pattern: `if kind == translation && iova < 2^ias
   * { …; map page; retry } else { body }` (not in irq context, where `map` is an error).
   */
  demand: { pre: SimpleStatement[]; also: ConditionAtom | undefined } | undefined;
  body: BlockShape;
}

export interface WorkqueueShape {
  workers: number | undefined;
  order: 'unbound' | 'ordered' | undefined;
}

export type ExpectShape = { expect: 'counter'; counter: 'transactions' | 'faults' | 'completed' | 'aborted' | 'raz' | 'stalled' | 'retried' | 'dumps'; op: '>=' | '==' | '<'; value: number } | { expect: 'label'; pick: number; status: 'completed' | 'aborted' | 'raz' | 'stalled' };

export interface ScenarioShape {
  title: boolean;
  timing: Partial<Record<TimingKey, number>> | undefined;
  smmus: SmmuShape[];
  masters: MasterShape[];
  handlers: HandlerShape[];
  workqueues: WorkqueueShape[];
  /** Reconfigure the built-in `iopf` queue with a `workqueue iopf { … }` block. */
  iopf: WorkqueueShape | undefined;
  expects: ExpectShape[];
  /** Rotates the order of the top-level declarations (any order is valid). */
  rotate: number;
}

// ------------------------------------------------------------------------ arbitraries

/** `arb` with weight `present`, undefined with weight `absent` (undefined is what shrinking aims for). */
const optional = <T>(arb: fc.Arbitrary<T>, present: number, absent = 1): fc.Arbitrary<T | undefined> =>
  fc.oneof({ weight: absent, arbitrary: fc.constant(undefined) }, { weight: present, arbitrary: arb });

const mapArb: fc.Arbitrary<MapShape> = fc.record({
  slot: fc.integer({ min: 1, max: 255 }),
  high: fc.boolean(),
  pages: fc.oneof({ weight: 3, arbitrary: fc.integer({ min: 1, max: 16 }) }, { weight: 1, arbitrary: fc.constant(512) }, { weight: 1, arbitrary: fc.integer({ min: 17, max: 1024 }) }),
  perms: fc.constantFrom(...PERMS),
});

const domainArb: fc.Arbitrary<DomainShape> = fc.record({
  ias: fc.constantFrom(...IAS),
  fault: optional(fc.oneof({ weight: 1, arbitrary: fc.constant('terminate' as const) }, { weight: 2, arbitrary: fc.constant('stall' as const) }), 4),
  hupcf: optional(fc.constantFrom('on' as const, 'off' as const), 4),
  report: optional(fc.constantFrom('abort' as const, 'raz' as const), 4),
  maps: fc.uniqueArray(mapArb, { minLength: 1, maxLength: 4, selector: (m) => m.slot }),
});

const smmuArb: fc.Arbitrary<SmmuShape> = fc.record({
  contextBanks: optional(fc.integer({ min: 1, max: 8 }), 1, 3),
  domains: fc.array(domainArb, { minLength: 1, maxLength: 3 }),
});

const addressArb: fc.Arbitrary<AddressShape> = fc.record({
  kind: fc.oneof(
    { weight: 6, arbitrary: fc.constant<AddressKind>('inside') },
    { weight: 3, arbitrary: fc.constant<AddressKind>('outside') },
    { weight: 1, arbitrary: fc.constant<AddressKind>('beyond') },
    { weight: 1, arbitrary: fc.constant<AddressKind>('any-map') },
  ),
  mapPick: fc.nat({ max: 15 }),
  pagePick: fc.nat({ max: 1023 }),
  offsetPick: fc.nat({ max: 1023 }),
  stride: fc.constantFrom(0 as const, 4 as const, 64 as const, 0x1000 as const),
});

const transactionArb: fc.Arbitrary<TransactionShape> = fc.record({
  item: fc.constant('tx' as const),
  access: fc.constantFrom('read' as const, 'write' as const),
  address: addressArb,
  size: fc.constantFrom(...SIZES),
  value: optional(fc.nat({ max: 0xffff_ffff }), 1),
  priv: fc.oneof({ weight: 4, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
  exec: fc.oneof({ weight: 4, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
  label: optional(fc.nat({ max: LABELS.length - 1 }), 1),
});

function engineItemsArb(depth: number): fc.Arbitrary<EngineItemShape[]> {
  const leaf: fc.Arbitrary<EngineItemShape> = fc.oneof(
    { weight: 6, arbitrary: transactionArb },
    { weight: 1, arbitrary: fc.record({ item: fc.constant('wait' as const), cycles: fc.integer({ min: 0, max: 200 }) }) },
  );
  if (depth <= 0) return fc.array(leaf, { minLength: 1, maxLength: 4 });
  const inner = engineItemsArb(depth - 1);
  const item: fc.Arbitrary<EngineItemShape> = fc.oneof(
    { weight: 6, arbitrary: leaf },
    { weight: 2, arbitrary: fc.record({ item: fc.constant('repeat' as const), count: fc.integer({ min: 0, max: 6 }), body: inner }) },
    { weight: 1, arbitrary: fc.record({ item: fc.constant('submit' as const), id: fc.nat({ max: 99 }), body: inner }) },
  );
  return fc.array(item, { minLength: 1, maxLength: 5 });
}

const engineArb: fc.Arbitrary<EngineShape> = fc.record({
  start: optional(fc.nat({ max: 200 }), 1),
  interval: optional(fc.integer({ min: 0, max: 20 }), 1),
  outstanding: optional(fc.integer({ min: 1, max: 8 }), 1),
  secondStream: fc.boolean(),
  body: engineItemsArb(2),
});

const masterArb: fc.Arbitrary<MasterShape> = fc.record({
  smmuPick: fc.nat({ max: 7 }),
  domainPick: fc.nat({ max: 7 }),
  canStall: fc.oneof({ weight: 8, arbitrary: fc.constant('auto' as const) }, { weight: 1, arbitrary: fc.constant('omit' as const) }, { weight: 1, arbitrary: fc.constant('always' as const) }),
  twoStreams: fc.boolean(),
  engines: fc.array(engineArb, { minLength: 1, maxLength: 2 }),
});

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

const simpleArb: fc.Arbitrary<SimpleStatement> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ st: fc.constant('log' as const), template: fc.nat({ max: 5 }) }) },
  { weight: 1, arbitrary: fc.record({ st: fc.constant('dump' as const) }) },
  { weight: 1, arbitrary: fc.record({ st: fc.constant('sleep' as const), cycles: fc.integer({ min: 0, max: 150 }) }) },
  { weight: 1, arbitrary: fc.record({ st: fc.constant('stall-off' as const), cycles: fc.integer({ min: 1, max: 100 }) }) },
  { weight: 1, arbitrary: fc.record({ st: fc.constant('map' as const) }) },
  { weight: 1, arbitrary: fc.record({ st: fc.constant('tlbi' as const), all: fc.boolean() }) },
);

function blockArb(depth: number): fc.Arbitrary<BlockShape> {
  const responses: fc.Arbitrary<TailShape> = fc.oneof(
    { weight: 1, arbitrary: fc.constant<TailShape>({ tail: 'none' }) },
    { weight: 2, arbitrary: fc.constantFrom<TailShape>({ tail: 'terminate' }, { tail: 'abort' }) },
    { weight: 3, arbitrary: fc.constant<TailShape>({ tail: 'retry' }) },
  );
  const tail: fc.Arbitrary<TailShape> =
    depth <= 0
      ? responses
      : fc.oneof(
          { weight: 2, arbitrary: responses },
          {
            weight: 3,
            arbitrary: fc.record({ tail: fc.constant('if' as const), condition: conditionArb, then: blockArb(depth - 1), otherwise: optional(blockArb(depth - 1), 2) }),
          },
        );
  return fc.record({ pre: fc.array(simpleArb, { maxLength: 3 }), tail });
}

const handlerArb: fc.Arbitrary<HandlerShape> = fc.record({
  domainPick: fc.nat({ max: 7 }),
  context: optional(fc.constantFrom('irq' as const, 'thread' as const, 'workqueue' as const), 4),
  queuePick: optional(fc.nat({ max: 3 }), 1),
  demand: optional(fc.record({ pre: fc.array(simpleArb, { maxLength: 2 }), also: optional(atomArb, 1, 2) }), 1),
  body: blockArb(2),
});

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

const expectArb: fc.Arbitrary<ExpectShape> = fc.oneof(
  fc.record({
    expect: fc.constant('counter' as const),
    counter: fc.constantFrom('transactions' as const, 'faults' as const, 'completed' as const, 'aborted' as const, 'raz' as const, 'stalled' as const, 'retried' as const, 'dumps' as const),
    op: fc.constantFrom('>=' as const, '==' as const, '<' as const),
    value: fc.nat({ max: 10 }),
  }),
  fc.record({ expect: fc.constant('label' as const), pick: fc.nat({ max: 7 }), status: fc.constantFrom('completed' as const, 'aborted' as const, 'raz' as const, 'stalled' as const) }),
);

/** The shape of a random valid SMMUv2 scenario. */
export const scenarioShapeArbitrary: fc.Arbitrary<ScenarioShape> = fc.record({
  title: fc.boolean(),
  timing: optional(timingArb, 1),
  smmus: fc.array(smmuArb, { minLength: 1, maxLength: 2 }),
  masters: fc.array(masterArb, { minLength: 1, maxLength: 3 }),
  handlers: fc.array(handlerArb, { maxLength: 4 }),
  workqueues: fc.array(workqueueArb, { maxLength: 2 }),
  iopf: optional(workqueueArb, 1, 4),
  expects: fc.array(expectArb, { maxLength: 3 }),
  rotate: fc.nat({ max: 31 }),
});

// -------------------------------------------------------------------------- rendering

const SLOT = 0x100_0000n; // 16M between map slots
const STATIC_PA_BASE = 0x1_0000_0000n; // static maps: 16M apart each, far above the page-table pool's start
const HANDLER_PA_BASE = 0x2000_0000n; // handler maps: a 4K page each, below the pool (0x4000_0000)

function hex(value: bigint | number): string {
  const digits = value.toString(16);
  // Group by 4 from the right, as people write them (`0x0100_0000`).
  const groups: string[] = [];
  for (let end = digits.length; end > 0; end -= 4) groups.unshift(digits.slice(Math.max(0, end - 4), end));
  return `0x${groups.join('_')}`;
}

interface RenderedDomain {
  name: string;
  smmu: number;
  shape: DomainShape;
  stalls: boolean;
  maps: { iova: bigint; size: bigint }[];
}

interface Ctx {
  domains: RenderedDomain[];
  /** Stream IDs in use, for `sid ==` conditions. */
  streams: number[];
  workqueueNames: string[];
  nextHandlerPa: bigint;
  labelsUsed: Set<string>;
}

function mapIova(shape: MapShape, ias: number): bigint {
  const high = shape.high && ias >= 40 ? 1n << 39n : 0n;
  return BigInt(shape.slot) * SLOT + high;
}

function renderAddress(address: AddressShape, size: number, domain: RenderedDomain | undefined, ctx: Ctx, inRepeat: boolean): string {
  const slots = 4096 / size;
  const offset = BigInt((address.offsetPick % slots) * size);
  const page = BigInt(address.pagePick);
  let base: bigint;
  switch (address.kind) {
    case 'inside': {
      const map = domain?.maps[address.mapPick % (domain.maps.length || 1)];
      base = map ? map.iova + (page % (map.size / 0x1000n)) * 0x1000n : page * 0x1000n;
      break;
    }
    case 'any-map': {
      const all = ctx.domains.flatMap((d) => d.maps);
      const map = all[address.mapPick % all.length];
      base = map ? map.iova + (page % (map.size / 0x1000n)) * 0x1000n : page * 0x1000n;
      break;
    }
    case 'outside':
      // Slot 0 is never mapped by a static map.
      base = (page % 4096n) * 0x1000n;
      break;
    case 'beyond':
      base = (1n << BigInt(domain?.shape.ias ?? 48)) + page * 0x1000n;
      break;
  }
  const text = hex(base + offset);
  return inRepeat && address.stride !== 0 ? `${text} + i*${address.stride === 0x1000 ? '0x1000' : address.stride}` : text;
}

function renderItems(items: readonly EngineItemShape[], indent: string, domain: RenderedDomain | undefined, ctx: Ctx, inRepeat: boolean, out: string[]): void {
  for (const item of items) {
    switch (item.item) {
      case 'tx': {
        const parts = [item.access, renderAddress(item.address, item.size, domain, ctx, inRepeat), String(item.size)];
        if (item.access === 'write' && item.value !== undefined) parts.push(`value ${hex(item.value)}`);
        if (item.priv) parts.push('priv');
        if (item.access === 'read' && item.exec) parts.push('exec');
        if (item.label !== undefined) {
          const label = LABELS[item.label] ?? 't0';
          ctx.labelsUsed.add(label);
          parts.push(`as ${label}`);
        }
        out.push(`${indent}${parts.join(' ')}`);
        break;
      }
      case 'wait':
        out.push(`${indent}wait ${item.cycles}`);
        break;
      case 'repeat':
      case 'submit': {
        const head = item.item === 'repeat' ? `repeat ${item.count}` : `submit ${item.id}`;
        if (item.body.length === 1 && item.body[0]?.item === 'tx') {
          const one: string[] = [];
          renderItems(item.body, '', domain, ctx, inRepeat || item.item === 'repeat', one);
          out.push(`${indent}${head} { ${one.join('')} }`);
        } else {
          out.push(`${indent}${head} {`);
          renderItems(item.body, `${indent}  `, domain, ctx, inRepeat || item.item === 'repeat', out);
          out.push(`${indent}}`);
        }
        break;
      }
    }
  }
}

const LOG_TEMPLATES = [
  'fault {kind} at {iova} sid {sid}',
  'fsr {fsr} far {far} fsynr0 {fsynr0}',
  'level {level}, write {write}, stalled {stalled}',
  'from {engine} of {master} in {domain}',
  'next page {iova + 0x1000}',
  'plain message',
];

interface HandlerFacts {
  irq: boolean;
  /** The handler's domain input range: a guard `iova < limit` keeps retries away from beyond-ias faults. */
  limit: bigint;
}

function renderAtom(atom: ConditionAtom, facts: HandlerFacts, ctx: Ctx, parenthesize: boolean): string {
  switch (atom.atom) {
    case 'write':
      return 'write';
    case 'read':
      return 'read';
    case 'not-write':
      return '!write';
    case 'guard': {
      // `kind` reads 'translation' when FSR holds no fault-type bit (only MULTI, after a
      // second fault arrived while the first was being handled): FSR.TF itself must be set,
      // or the handler "maps" a stale FAR and retries a fault it did not fix, forever.
      const text = `kind == translation && (fsr & 0x2) != 0 && iova < ${hex(facts.limit)}`;
      return parenthesize ? `(${text})` : text;
    }
    case 'kind':
      return `kind == ${atom.kind}`;
    case 'iova-ge':
      return `iova >= ${hex(BigInt(atom.slot) * SLOT)}`;
    case 'iova-lt':
      return `iova < ${hex(BigInt(atom.slot) * SLOT)}`;
    case 'sid':
      return `sid == ${hex(ctx.streams[atom.pick % Math.max(1, ctx.streams.length)] ?? 0)}`;
  }
}

/** Whether a condition, when true, guarantees a translation fault inside the input range. */
function guards(condition: ConditionShape): boolean {
  return condition.op === '&&' && condition.atoms.some((a) => a.atom === 'guard');
}

function renderSimple(statement: SimpleStatement, facts: HandlerFacts, ctx: Ctx): string | undefined {
  switch (statement.st) {
    case 'log':
      return `log "${LOG_TEMPLATES[statement.template % LOG_TEMPLATES.length] ?? ''}"`;
    case 'dump':
      return facts.irq ? undefined : 'dump';
    case 'sleep':
      return facts.irq ? undefined : `sleep ${statement.cycles}`;
    case 'stall-off':
      return `stall off for ${statement.cycles}`;
    case 'map': {
      if (facts.irq) return undefined;
      const pa = ctx.nextHandlerPa;
      ctx.nextHandlerPa += 0x1000n;
      return `map page -> ${hex(pa)} rw`;
    }
    case 'tlbi':
      // Invalidating only drops cached translations: it changes timing, never an outcome.
      return statement.all ? 'tlbi all' : 'tlbi va iova';
  }
}

function renderBlock(block: BlockShape, facts: HandlerFacts, guarded: boolean, indent: string, ctx: Ctx, out: string[]): void {
  for (const statement of block.pre) {
    const line = renderSimple(statement, facts, ctx);
    if (line !== undefined) out.push(`${indent}${line}`);
  }
  const tail = block.tail;
  switch (tail.tail) {
    case 'none':
      return;
    case 'terminate':
    case 'abort':
      out.push(`${indent}${tail.tail}`);
      return;
    case 'retry':
      if (guarded && !facts.irq) {
        // A retry fixes nothing unless the page is mapped first.
        out.push(`${indent}map page -> ${hex(ctx.nextHandlerPa)} rw`);
        ctx.nextHandlerPa += 0x1000n;
        out.push(`${indent}retry`);
      } else {
        out.push(`${indent}terminate`);
      }
      return;
    case 'if': {
      const parenthesize = tail.condition.atoms.length > 1 && tail.condition.op === '||';
      const condition = tail.condition.atoms.map((a) => renderAtom(a, facts, ctx, parenthesize)).join(` ${tail.condition.op} `);
      out.push(`${indent}if ${condition} {`);
      renderBlock(tail.then, facts, guarded || guards(tail.condition), `${indent}  `, ctx, out);
      if (tail.otherwise) {
        out.push(`${indent}} else {`);
        renderBlock(tail.otherwise, facts, guarded, `${indent}  `, ctx, out);
      }
      out.push(`${indent}}`);
      return;
    }
  }
}

/** Renders a shape as scenario text (valid by construction; the properties check it). */
export function renderScenario(shape: ScenarioShape): string {
  const multi = shape.smmus.length > 1;
  const smmuName = (index: number): string => `smmu${index}`;
  const ctx: Ctx = { domains: [], streams: [], workqueueNames: [], nextHandlerPa: HANDLER_PA_BASE, labelsUsed: new Set() };
  const blocks: string[] = [];

  // SMMUs and their domains.
  let staticPa = STATIC_PA_BASE;
  shape.smmus.forEach((smmu, s) => {
    const settings = ['version v2'];
    if (smmu.contextBanks !== undefined) settings.push(`context-banks ${smmu.contextBanks}`);
    blocks.push(`smmu ${smmuName(s)} { ${settings.join('; ')} }`);
    smmu.domains.forEach((domain, d) => {
      const name = `dom${s}_${d}`;
      const lines = [`domain ${name} {`];
      if (multi || d % 2 === 1) lines.push(`  smmu ${smmuName(s)}`);
      lines.push(`  ias ${domain.ias}`);
      if (domain.fault) lines.push(`  fault ${domain.fault}`);
      if (domain.hupcf) lines.push(`  hupcf ${domain.hupcf}`);
      if (domain.report) lines.push(`  report ${domain.report}`);
      const maps: RenderedDomain['maps'] = [];
      const usedIovas = new Set<bigint>();
      for (const map of domain.maps) {
        const iova = mapIova(map, domain.ias);
        if (usedIovas.has(iova)) continue;
        usedIovas.add(iova);
        const size = BigInt(map.pages) * 0x1000n;
        lines.push(`  map ${hex(iova)} -> ${hex(staticPa)} size ${hex(size)} ${map.perms}`);
        staticPa += SLOT;
        maps.push({ iova, size });
      }
      lines.push('}');
      blocks.push(lines.join('\n'));
      ctx.domains.push({ name, smmu: s, shape: domain, stalls: domain.fault === 'stall', maps });
    });
  });

  // Masters: distinct streams (0x100 apart), attached to a domain of their SMMU.
  const masterDomains: (RenderedDomain | undefined)[] = [];
  shape.masters.forEach((master, m) => {
    const smmu = master.smmuPick % shape.smmus.length;
    const candidates = ctx.domains.filter((d) => d.smmu === smmu);
    const domain = candidates[master.domainPick % candidates.length];
    masterDomains.push(domain);
    const streams = master.twoStreams ? [0x100 * m + 0x10, 0x100 * m + 0x11] : [0x100 * m + 0x10];
    ctx.streams.push(...streams);
    const settings: string[] = [];
    if (multi) settings.push(`smmu ${smmuName(smmu)}`);
    for (const stream of streams) settings.push(`stream ${hex(stream)}`);
    if (domain) settings.push(`domain ${domain.name}`);
    const canStall = master.canStall === 'always' || (master.canStall === 'auto' && domain?.stalls === true);
    if (canStall) settings.push('can-stall');
    blocks.push(`master m${m} { ${settings.join('; ')} }`);
  });

  // Engines.
  shape.masters.forEach((master, m) => {
    const domain = masterDomains[m];
    master.engines.forEach((engine, e) => {
      const lines = [`engine m${m}.e${e} {`];
      if (engine.secondStream && master.twoStreams) lines.push(`  stream ${hex(0x100 * m + 0x11)}`);
      if (engine.start !== undefined) lines.push(`  start ${engine.start}`);
      if (engine.interval !== undefined) lines.push(`  interval ${engine.interval}`);
      if (engine.outstanding !== undefined) lines.push(`  outstanding ${engine.outstanding}`);
      renderItems(engine.body, '  ', domain, ctx, false, lines);
      lines.push('}');
      blocks.push(lines.join('\n'));
    });
  });

  // Workqueues.
  shape.workqueues.forEach((wq, w) => {
    const name = `wq${w}`;
    ctx.workqueueNames.push(name);
    blocks.push(renderWorkqueue(name, wq));
  });
  if (shape.iopf) blocks.push(renderWorkqueue('iopf', shape.iopf));

  // Handlers: at most one per domain.
  const handled = new Set<number>();
  shape.handlers.forEach((handler, h) => {
    const index = handler.domainPick % ctx.domains.length;
    const domain = ctx.domains[index];
    if (!domain || handled.has(index)) return;
    handled.add(index);
    const context = handler.context ?? 'workqueue';
    const lines = [`handler h${h} on ${domain.name} {`];
    if (handler.context) lines.push(`  context ${handler.context}`);
    if (context === 'workqueue' && handler.queuePick !== undefined) {
      const queues = [...ctx.workqueueNames, 'iopf'];
      lines.push(`  queue ${queues[handler.queuePick % queues.length] ?? 'iopf'}`);
    }
    const facts: HandlerFacts = { irq: context === 'irq', limit: 1n << BigInt(domain.shape.ias) };
    if (handler.demand && !facts.irq) {
      const condition: ConditionShape = { atoms: [{ atom: 'guard' }, ...(handler.demand.also ? [handler.demand.also] : [])], op: '&&' };
      renderBlock({ pre: [], tail: { tail: 'if', condition, then: { pre: handler.demand.pre, tail: { tail: 'retry' } }, otherwise: handler.body } }, facts, false, '  ', ctx, lines);
    } else {
      renderBlock(handler.body, facts, false, '  ', ctx, lines);
    }
    lines.push('}');
    blocks.push(lines.join('\n'));
  });

  if (shape.timing && Object.keys(shape.timing).length > 0) {
    const lines = ['timing {'];
    for (const key of TIMING_KEYS) {
      const value = shape.timing[key];
      if (value !== undefined) lines.push(`  ${key} ${value}`);
    }
    lines.push('}');
    blocks.push(lines.join('\n'));
  }

  // Expects: only labels that were issued somewhere (the checker insists).
  const labels = [...ctx.labelsUsed].sort();
  for (const expect of shape.expects) {
    if (expect.expect === 'counter') blocks.push(`expect ${expect.counter} ${expect.op} ${expect.value}`);
    else if (labels.length > 0) blocks.push(`expect ${labels[expect.pick % labels.length] ?? 't0'} ${expect.status}`);
  }

  const rotate = shape.rotate % blocks.length;
  const ordered = [...blocks.slice(rotate), ...blocks.slice(0, rotate)];
  if (shape.title) ordered.unshift(`scenario "generated scenario"`);
  return `${ordered.join('\n\n')}\n`;
}

function renderWorkqueue(name: string, wq: WorkqueueShape): string {
  const settings: string[] = [];
  if (wq.workers !== undefined) settings.push(`workers ${wq.workers}`);
  if (wq.order !== undefined) settings.push(`order ${wq.order}`);
  return `workqueue ${name} { ${settings.join('; ')} }`;
}

/** Random valid SMMUv2 scenario texts. */
export const scenarioArbitrary: fc.Arbitrary<string> = scenarioShapeArbitrary.map(renderScenario);
