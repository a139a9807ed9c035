import {
  BlockShape,
  ConditionAtom,
  ConditionShape,
  ContainerShape,
  DomainShape,
  EngineItemShape,
  FaultShape,
  LABEL_COUNT,
  MapShape,
  MasterShape,
  ResponseShape,
  SimpleStatement,
  SmmuShape,
  SystemShape,
  TIMING_KEYS,
  TransactionShape,
  Version,
  WorkqueueShape,
} from './systemShape';

/**
 * Renders a `SystemShape` as scenario text that checks without errors, and whose run
 * ends: a handler answers retry (or Success, which retries a stall) only on a path that
 * has just mapped the faulting page and is guarded by "a translation fault inside the
 * domain's input range" (on SMMUv2 also FSR.TF, as FAR may be stale under MULTI) — or on
 * an SMMUv3 domain that never stalls, whose only faults are PRI page request groups: after
 * Success a second miss fails the access. Retries that fix nothing never happen.
 */

const SLOT = 0x100_0000n; // 16M between map slots
/** Static maps: 16M apart, from 2G (below 4G, so that oas 32 holds them; the page-table pool skips them). */
const STATIC_PA_BASE = 0x8000_0000n;
/** Handler maps: 16K each, below the page-table pool (0x4000_0000). */
const HANDLER_PA_BASE = 0x2000_0000n;
const HANDLER_PA_STEP = 0x4000n;
/** The largest PASID PCIe carries (20 bits); a scenario may write wider ones, up to 64 bits. */
const WIDEST_PCIE_PASID = 0xf_ffffn;
const U64_MAX = 0xffff_ffff_ffff_ffffn;

export function hex(value: bigint | number): string {
  const digits = value.toString(16);
  const groups: string[] = [];
  for (let end = digits.length; end > 0; end -= 4) groups.unshift(digits.slice(Math.max(0, end - 4), end));
  return `0x${groups.join('_')}`;
}

export type Feature = 'v2' | 'v3' | 'multi-smmu' | 'pri' | 'pasid' | 'vfio' | 'stall' | 'no-stall' | 'force-stall' | 'small-eventq' | 'small-priq' | 'handler' | 'timing';

export interface RenderedScenario {
  text: string;
  features: Feature[];
}

interface RenderedSmmu {
  name: string;
  shape: SmmuShape;
  ssidBits: number;
}

interface RenderedDomain {
  name: string;
  smmu: number;
  ias: number;
  /** After STALL_MODEL: the domain stalls on faults. */
  stalls: boolean;
  maps: { iova: bigint; size: bigint }[];
}

interface RenderedMaster {
  name: string;
  smmu: number;
  /** The domain its addresses aim at: its own, or its container's first. */
  domain: RenderedDomain | undefined;
  bindings: { pasid: number; domain: RenderedDomain }[];
  streams: number[];
}

interface Ctx {
  multi: boolean;
  smmus: RenderedSmmu[];
  domains: RenderedDomain[];
  streams: number[];
  workqueueNames: string[];
  nextStaticPa: bigint;
  nextHandlerPa: bigint;
  labelsUsed: Set<string>;
  features: Set<Feature>;
}

const smmuName = (index: number): string => `smmu${index}`;

function version(ctx: Ctx, smmu: number): Version {
  return ctx.smmus[smmu]?.shape.version ?? 'v2';
}

/** The fault setting after STALL_MODEL: no-stall forbids stalls, force-stall forbids anything else. */
function effectiveFault(ctx: Ctx, smmu: number, fault: FaultShape['fault']): FaultShape['fault'] {
  const model = ctx.smmus[smmu]?.shape.version === 'v3' ? ctx.smmus[smmu]?.shape.stallModel : undefined;
  if (model === 'no-stall') return fault === 'stall' ? 'terminate' : fault;
  if (model === 'force-stall') return 'stall';
  return fault;
}

function faultLines(ctx: Ctx, smmu: number, shape: FaultShape): string[] {
  const lines: string[] = [];
  const fault = effectiveFault(ctx, smmu, shape.fault);
  if (fault) lines.push(`fault ${fault}`);
  if (shape.hupcf && version(ctx, smmu) === 'v2') lines.push(`hupcf ${shape.hupcf}`);
  if (shape.report) lines.push(`report ${shape.report}`);
  if (shape.record && version(ctx, smmu) === 'v3') lines.push(`record ${shape.record}`);
  return lines;
}

function mapLines(ctx: Ctx, maps: readonly MapShape[], ias: number, out: { iova: bigint; size: bigint }[]): string[] {
  const lines: string[] = [];
  const used = new Set<bigint>();
  for (const map of maps) {
    const iova = BigInt(map.slot) * SLOT + (map.high && ias >= 40 ? 1n << 39n : 0n);
    if (used.has(iova)) continue;
    used.add(iova);
    const size = BigInt(map.pages) * 0x1000n;
    lines.push(`map ${hex(iova)} -> ${hex(ctx.nextStaticPa)} size ${hex(size)} ${map.perms}`);
    ctx.nextStaticPa += SLOT;
    out.push({ iova, size });
  }
  return lines;
}

function renderSmmu(ctx: Ctx, index: number, shape: SmmuShape, blocks: string[]): void {
  const settings = [`version ${shape.version}`];
  if (shape.version === 'v2') {
    if (shape.contextBanks !== undefined) settings.push(`context-banks ${shape.contextBanks}`);
    if (shape.unmatched !== undefined) settings.push(`unmatched ${shape.unmatched}`);
  } else {
    if (shape.stallModel !== undefined) settings.push(`stall-model ${shape.stallModel}`);
    if (shape.eventqLog2 !== undefined) settings.push(`eventq ${2 ** shape.eventqLog2}`);
    if (shape.priqLog2 !== undefined) settings.push(`priq ${2 ** shape.priqLog2}`);
    if (shape.ssidBits !== undefined) settings.push(`ssid-bits ${shape.ssidBits}`);
    if (shape.priIopf) settings.push('pri-handling iopf');
    if (shape.stallModel === 'no-stall' || shape.stallModel === 'force-stall') ctx.features.add(shape.stallModel);
    if ((shape.eventqLog2 ?? 5) <= 2) ctx.features.add('small-eventq');
    if ((shape.priqLog2 ?? 4) <= 2) ctx.features.add('small-priq');
  }
  ctx.features.add(shape.version);
  blocks.push(`smmu ${smmuName(index)} { ${settings.join('; ')} }`);
}

function renderDomain(ctx: Ctx, smmu: number, d: number, shape: DomainShape, blocks: string[]): void {
  const name = `dom${smmu}_${d}`;
  const lines = [`domain ${name} {`];
  if (ctx.multi || d % 2 === 1) lines.push(`  smmu ${smmuName(smmu)}`);
  lines.push(`  ias ${shape.ias}`);
  if (shape.oas !== undefined) lines.push(`  oas ${shape.oas}`);
  for (const line of faultLines(ctx, smmu, shape)) lines.push(`  ${line}`);
  if (shape.lazy) lines.push('  dma lazy', `  flush-queue ${shape.lazy.queue}`, `  flush-timeout ${shape.lazy.timeout}`);
  const maps: RenderedDomain['maps'] = [];
  for (const line of mapLines(ctx, shape.maps, shape.ias, maps)) lines.push(`  ${line}`);
  lines.push('}');
  blocks.push(lines.join('\n'));
  const stalls = effectiveFault(ctx, smmu, shape.fault) === 'stall';
  if (stalls) ctx.features.add('stall');
  ctx.domains.push({ name, smmu, ias: shape.ias, stalls, maps });
}

// ------------------------------------------------------------------------ engines

function pasidOption(ctx: Ctx, master: RenderedMaster, tx: TransactionShape): { text: string | undefined; domain: RenderedDomain | undefined } {
  const own = { text: undefined, domain: master.domain };
  if (version(ctx, master.smmu) !== 'v3') return own;
  const bits = ctx.smmus[master.smmu]?.ssidBits ?? 8;
  switch (tx.pasid.kind) {
    case 'none':
      return own;
    case 'bound': {
      const binding = master.bindings[tx.pasid.pick % Math.max(1, master.bindings.length)];
      return binding ? { text: `pasid ${binding.pasid}`, domain: binding.domain } : own;
    }
    case 'zero':
      return { text: 'pasid 0', domain: master.domain };
    case 'unbound':
      return { text: `pasid ${1 + (tx.pasid.pick % Math.max(1, 2 ** bits - 1))}`, domain: master.domain };
    case 'beyond':
      return { text: `pasid ${hex(2n ** BigInt(bits) + BigInt(tx.pasid.pick % 16))}`, domain: master.domain };
    case 'wide': {
      // Just past 20 bits, or just below 2^64.
      const near = BigInt(tx.pasid.pick % 64);
      return { text: `pasid ${hex(tx.pasid.pick % 2 === 0 ? WIDEST_PCIE_PASID + 1n + near : U64_MAX - near)}`, domain: master.domain };
    }
  }
}

function renderAddress(tx: TransactionShape, domain: RenderedDomain | undefined, ctx: Ctx, inRepeat: boolean): string {
  const { address, size } = tx;
  const offset = BigInt((address.offsetPick % (4096 / size)) * size);
  const page = BigInt(address.pagePick);
  const within = (maps: readonly { iova: bigint; size: bigint }[]): bigint => {
    const map = maps[address.mapPick % Math.max(1, maps.length)];
    return map ? map.iova + (page % (map.size / 0x1000n)) * 0x1000n : page * 0x1000n;
  };
  let base: bigint;
  switch (address.kind) {
    case 'inside':
      base = within(domain?.maps ?? []);
      break;
    case 'any-map':
      base = within(ctx.domains.flatMap((d) => d.maps));
      break;
    case 'outside':
      base = (page % 4096n) * 0x1000n;
      break;
    case 'beyond':
      base = (1n << BigInt(domain?.ias ?? 48)) + page * 0x1000n;
      break;
  }
  const text = hex(base + offset);
  return inRepeat && address.stride !== 0 ? `${text} + i*${address.stride === 0x1000 ? '0x1000' : address.stride}` : text;
}

function renderItems(items: readonly EngineItemShape[], indent: string, master: RenderedMaster, ctx: Ctx, inRepeat: boolean, out: string[]): void {
  for (const item of items) {
    switch (item.item) {
      case 'tx': {
        const pasid = pasidOption(ctx, master, item);
        const parts = [item.access, renderAddress(item, pasid.domain, ctx, inRepeat), String(item.size)];
        if (pasid.text) {
          parts.push(pasid.text);
          ctx.features.add('pasid');
        }
        if (item.access === 'write' && item.value !== undefined) parts.push(`value ${hex(item.value)}`);
        if (item.priv) parts.push('priv');
        if (item.access === 'read' && item.exec) parts.push('exec');
        if (item.label !== undefined) {
          const label = `t${item.label % LABEL_COUNT}`;
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
        const repeated = inRepeat || item.item === 'repeat';
        if (item.body.length === 1 && item.body[0]?.item === 'tx') {
          // A lone transaction on the block's line, as the examples write it, so the parser and formatter meet that form too.
          const one: string[] = [];
          renderItems(item.body, '', master, ctx, repeated, one);
          out.push(`${indent}${head} { ${one.join('')} }`);
        } else {
          out.push(`${indent}${head} {`);
          renderItems(item.body, `${indent}  `, master, ctx, repeated, out);
          out.push(`${indent}}`);
        }
        break;
      }
    }
  }
}

// ------------------------------------------------------------------------ masters and containers

interface Placed {
  shape: MasterShape;
  master: RenderedMaster;
  container: number | undefined;
}

function placeMasters(ctx: Ctx, shape: SystemShape): Placed[] {
  return shape.masters.map((m, index): Placed => {
    const smmu = m.smmuPick % ctx.smmus.length;
    const candidates = ctx.domains.filter((d) => d.smmu === smmu);
    const domain = m.attach === 'domain' ? candidates[m.domainPick % candidates.length] : undefined;
    const container = m.attach === 'vfio' && shape.containers.length > 0 ? m.domainPick % shape.containers.length : undefined;
    const streams = m.twoStreams ? [0x100 * index + 0x10, 0x100 * index + 0x11] : [0x100 * index + 0x10];
    ctx.streams.push(...streams);
    const bits = ctx.smmus[smmu]?.ssidBits ?? 0;
    const bindings: RenderedMaster['bindings'] = [];
    if (version(ctx, smmu) === 'v3' && bits > 0) {
      for (const b of m.pasids) {
        const pasid = 1 + (b.pasidPick % Math.max(1, 2 ** bits - 1));
        const bound = candidates[b.domainPick % candidates.length];
        if (bound && pasid < 2 ** bits && !bindings.some((x) => x.pasid === pasid)) bindings.push({ pasid, domain: bound });
      }
    }
    return { shape: m, master: { name: `m${index}`, smmu, domain, bindings, streams }, container };
  });
}

function renderMaster(ctx: Ctx, placed: Placed, containerStalls: boolean, blocks: string[]): void {
  const { shape, master } = placed;
  const settings: string[] = [];
  if (ctx.multi) settings.push(`smmu ${smmuName(master.smmu)}`);
  for (const stream of master.streams) settings.push(`stream ${hex(stream)}`);
  if (master.domain && placed.container === undefined) settings.push(`domain ${master.domain.name}`);
  const stalls = placed.container === undefined ? master.domain?.stalls === true : containerStalls;
  const canStall = shape.canStall === 'always' || (shape.canStall === 'auto' && stalls);
  if (canStall) settings.push('can-stall');
  // On SMMUv3 Linux writes CD.S from the master (stall_enabled), not the domain: every domain
  // a stalling master uses gets stalls, whatever its `fault` line (retries there may loop).
  const model = ctx.smmus[master.smmu]?.shape.stallModel ?? 'stall';
  if (version(ctx, master.smmu) === 'v3' && (model === 'force-stall' || (canStall && model !== 'no-stall'))) {
    for (const used of [master.domain, ...master.bindings.map((b) => b.domain)]) if (used) used.stalls = true;
  }
  if (shape.pri && version(ctx, master.smmu) === 'v3') {
    settings.push('pri');
    ctx.features.add('pri');
  }
  for (const binding of master.bindings) settings.push(`pasid ${binding.pasid} -> ${binding.domain.name}`);
  blocks.push(`master ${master.name} { ${settings.join('; ')} }`);
}

function renderContainer(ctx: Ctx, index: number, shape: ContainerShape, members: readonly Placed[], blocks: string[]): RenderedDomain {
  const name = `vfio${index}`;
  const smmu = shape.smmuPick % ctx.smmus.length;
  const lines = [`vfio ${name} {`];
  if (ctx.multi) lines.push(`  smmu ${smmuName(smmu)}`);
  lines.push(`  masters ${members.map((p) => p.master.name).join(' ')}`);
  for (const line of faultLines(ctx, smmu, shape)) lines.push(`  ${line}`);
  const maps: RenderedDomain['maps'] = [];
  for (const line of mapLines(ctx, shape.maps, 48, maps)) lines.push(`  ${line}`);
  lines.push('}');
  blocks.push(lines.join('\n'));
  ctx.features.add('vfio');
  return { name, smmu, ias: 48, stalls: effectiveFault(ctx, smmu, shape.fault) === 'stall', maps };
}

// ------------------------------------------------------------------------ handlers

const LOG_TEMPLATES = [
  'fault {kind} at {iova} sid {sid}',
  'fsr {fsr} far {far} fsynr0 {fsynr0}',
  'level {level}, write {write}, stalled {stalled}',
  'from {engine} of {master} in {domain}',
  'next page {iova + 0x1000}',
  'stag {stag} prgi {prgi} pasid {pasid} ssid {ssid}',
  'plain message',
];

interface HandlerFacts {
  version: Version;
  irq: boolean;
  /** The domain's input range: `iova < limit` keeps retries away from faults beyond ias. */
  limit: bigint;
  /** An SMMUv3 domain that never stalls: only PRI groups reach it, where a retry cannot loop. */
  retryAnywhere: boolean;
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
      // SMMUv2: FSR.TF itself, since a report for MULTI alone reads a stale FAR.
      const tf = facts.version === 'v2' ? ' && (fsr & 0x2) != 0' : '';
      const text = `kind == translation${tf} && iova < ${hex(facts.limit)}`;
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

function guards(condition: ConditionShape): boolean {
  return condition.op === '&&' && condition.atoms.some((a) => a.atom === 'guard');
}

function handlerPa(ctx: Ctx): string {
  const pa = ctx.nextHandlerPa;
  ctx.nextHandlerPa += HANDLER_PA_STEP;
  return hex(pa);
}

function renderSimple(statement: SimpleStatement, facts: HandlerFacts, ctx: Ctx): string | undefined {
  // SMMUv3 runs every handler on a workqueue: `context irq` forbids nothing there.
  const atomic = facts.irq && facts.version === 'v2';
  switch (statement.st) {
    case 'log':
      return `log "${LOG_TEMPLATES[statement.template % LOG_TEMPLATES.length] ?? ''}"`;
    case 'dump':
      return atomic ? undefined : 'dump';
    case 'sleep':
      return atomic ? undefined : `sleep ${statement.cycles}`;
    case 'stall-off':
      return `stall off for ${statement.cycles}`;
    case 'map':
      return atomic ? undefined : `map page -> ${handlerPa(ctx)} rw`;
    case 'map-range':
      // The faulting page and the next three, as an SVA handler fills a page request group's range.
      return atomic ? undefined : `map (iova >> 12) << 12 -> ${handlerPa(ctx)} size 16K rw`;
    case 'unmap':
      return `unmap (iova >> 12) << 12 size 4K${statement.nosync ? ' nosync' : ''}`;
    case 'sync':
      return 'sync';
    case 'tlbi':
      return statement.all ? 'tlbi all' : 'tlbi va iova';
  }
}

/** A response as this SMMU takes it: an SMMUv2 has no page responses, so they read as the stall answer Linux would send. */
function responseFor(response: ResponseShape, facts: HandlerFacts): ResponseShape {
  if (facts.version === 'v3') return response;
  return response === 'success' ? 'retry' : response === 'invalid' ? 'terminate' : response === 'failure' ? 'abort' : response;
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
    case 'respond': {
      const response = responseFor(tail.response, facts);
      const retries = response === 'retry' || response === 'success';
      if (!retries || facts.retryAnywhere) {
        out.push(`${indent}${response}`);
      } else if (guarded && !(facts.irq && facts.version === 'v2')) {
        // A retry fixes nothing unless the page is mapped first.
        out.push(`${indent}map page -> ${handlerPa(ctx)} rw`);
        out.push(`${indent}${response}`);
      } else {
        out.push(`${indent}${response === 'success' ? 'invalid' : 'terminate'}`);
      }
      return;
    }
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

function renderHandlers(ctx: Ctx, shape: SystemShape, blocks: string[]): void {
  const handled = new Set<number>();
  shape.handlers.forEach((handler, h) => {
    const index = handler.domainPick % ctx.domains.length;
    const domain = ctx.domains[index];
    if (!domain || handled.has(index)) return;
    handled.add(index);
    const v = version(ctx, domain.smmu);
    const context = handler.context ?? 'workqueue';
    const lines = [`handler h${h} on ${domain.name} {`];
    if (handler.context) lines.push(`  context ${handler.context}`);
    if (context === 'workqueue' && handler.queuePick !== undefined) {
      const queues = [...ctx.workqueueNames, 'iopf'];
      lines.push(`  queue ${queues[handler.queuePick % queues.length] ?? 'iopf'}`);
    }
    const facts: HandlerFacts = { version: v, irq: context === 'irq', limit: 1n << BigInt(domain.ias), retryAnywhere: v === 'v3' && !domain.stalls };
    if (handler.demand && !(facts.irq && v === 'v2')) {
      const condition: ConditionShape = { atoms: [{ atom: 'guard' }, ...(handler.demand.also ? [handler.demand.also] : [])], op: '&&' };
      const answer: ResponseShape = handler.demand.success ? 'success' : 'retry';
      renderBlock({ pre: [], tail: { tail: 'if', condition, then: { pre: handler.demand.pre, tail: { tail: 'respond', response: answer } }, otherwise: handler.body } }, facts, false, '  ', ctx, lines);
    } else {
      renderBlock(handler.body, facts, false, '  ', ctx, lines);
    }
    lines.push('}');
    blocks.push(lines.join('\n'));
    ctx.features.add('handler');
  });
}

function renderWorkqueue(name: string, wq: WorkqueueShape): string {
  const settings: string[] = [];
  if (wq.workers !== undefined) settings.push(`workers ${wq.workers}`);
  if (wq.order !== undefined) settings.push(`order ${wq.order}`);
  return `workqueue ${name} { ${settings.join('; ')} }`;
}

// ------------------------------------------------------------------------ the scenario

/** Renders a shape as scenario text (valid by construction; the fuzzer and the property tests check it). */
export function renderSystem(shape: SystemShape): RenderedScenario {
  const ctx: Ctx = {
    multi: shape.smmus.length > 1,
    smmus: shape.smmus.map((s, i) => ({ name: smmuName(i), shape: s, ssidBits: s.ssidBits ?? 8 })),
    domains: [],
    streams: [],
    workqueueNames: [],
    nextStaticPa: STATIC_PA_BASE,
    nextHandlerPa: HANDLER_PA_BASE,
    labelsUsed: new Set(),
    features: new Set(),
  };
  if (ctx.multi) ctx.features.add('multi-smmu');
  const blocks: string[] = [];
  shape.smmus.forEach((smmu, s) => {
    renderSmmu(ctx, s, smmu, blocks);
    smmu.domains.forEach((domain, d) => renderDomain(ctx, s, d, domain, blocks));
  });

  const placed = placeMasters(ctx, shape);
  const containerDomains = new Map<number, RenderedDomain>();
  shape.containers.forEach((container, c) => {
    const members = placed.filter((p) => p.container === c);
    if (members.length > 0) containerDomains.set(c, renderContainer(ctx, c, container, members, blocks));
  });
  for (const p of placed) {
    const container = p.container === undefined ? undefined : containerDomains.get(p.container);
    if (container) p.master.domain = container;
    renderMaster(ctx, p, container?.stalls === true, blocks);
  }
  for (const p of placed) {
    p.shape.engines.forEach((engine, e) => {
      const lines = [`engine ${p.master.name}.e${e} {`];
      if (engine.secondStream && p.master.streams.length > 1) lines.push(`  stream ${hex(p.master.streams[1] ?? 0)}`);
      if (engine.start !== undefined) lines.push(`  start ${engine.start}`);
      if (engine.interval !== undefined) lines.push(`  interval ${engine.interval}`);
      if (engine.outstanding !== undefined) lines.push(`  outstanding ${engine.outstanding}`);
      renderItems(engine.body, '  ', p.master, ctx, false, lines);
      lines.push('}');
      blocks.push(lines.join('\n'));
    });
  }

  shape.workqueues.forEach((wq, w) => {
    ctx.workqueueNames.push(`wq${w}`);
    blocks.push(renderWorkqueue(`wq${w}`, wq));
  });
  if (shape.iopf) blocks.push(renderWorkqueue('iopf', shape.iopf));
  renderHandlers(ctx, shape, blocks);

  if (shape.timing && Object.keys(shape.timing).length > 0) {
    blocks.push(['timing {', ...TIMING_KEYS.flatMap((key) => (shape.timing?.[key] === undefined ? [] : [`  ${key} ${shape.timing[key]}`])), '}'].join('\n'));
    ctx.features.add('timing');
  }
  const labels = [...ctx.labelsUsed].sort();
  for (const expect of shape.expects) {
    if (expect.expect === 'counter') blocks.push(`expect ${expect.counter} ${expect.op} ${expect.value}`);
    else if (labels.length > 0) blocks.push(`expect ${labels[expect.pick % labels.length] ?? 't0'} ${expect.status}`);
  }
  const rotate = shape.rotate % blocks.length;
  const ordered = [...blocks.slice(rotate), ...blocks.slice(0, rotate)];
  if (shape.kernel !== undefined) ordered.unshift(`kernel ${shape.kernel}`);
  if (shape.title) ordered.unshift('scenario "generated scenario"');
  return { text: `${ordered.join('\n\n')}\n`, features: [...ctx.features].sort() };
}
