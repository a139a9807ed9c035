import { granuleOfBytes } from '../pgtable/granule';
import { kernelRun } from '../language/checker/kernel';
import { Declaration, DomainDeclaration, ScenarioFile } from '../language/ast';
import { CheckResult } from '../language/checker/check';
import { engineStream } from '../language/checker/engines';
import { selectsTtbr1 } from '../language/checker/maps';
import { builtinWorkqueue } from '../language/checker/symbols';
import { SmmuVersion } from '../language/schema';
import { smmuDevice } from '../language/checker/smmuDevices';
import { LineIndex } from '../language/source';
import { compileEngine } from './engineProgram';
import { compileHandler } from './handlerProgram';
import { elaborateContainers } from './elaborateVfio';
import { DomainModel, EngineModel, HandlerContext, HandlerModel, MasterModel, PagetableModel, ScenarioModel, SmmuImpl, SmmuModel, TimingModel, VmModel, WorkqueueModel } from './model';
import { vmOfNested, VmStage2 } from '../language/checker/vms';
import { BlockSettings } from '../language/checker/settings';
import { SettingsReader } from './settingsReader';

function declarations<K extends Declaration['kind']>(file: ScenarioFile, kind: K): Extract<Declaration, { kind: K }>[] {
  return file.declarations.filter((d): d is Extract<Declaration, { kind: K }> => d.kind === kind);
}

function indexByName<T extends { name: string }>(items: readonly T[]): Map<string, number> {
  return new Map(items.map((item, index) => [item.name, index]));
}

function timingModel(file: ScenarioFile, reader: SettingsReader): TimingModel {
  const s = reader.of(declarations(file, 'timing')[0], 'timing');
  return {
    tlbHit: reader.number(s, 'tlb-hit'),
    walkLevel: reader.number(s, 'walk-level'),
    irqLatency: reader.number(s, 'irq-latency'),
    wqLatency: reader.number(s, 'wq-latency'),
    statement: reader.number(s, 'statement'),
    dump: reader.number(s, 'dump'),
    tlbEntries: reader.number(s, 'tlb-entries'),
  };
}

/** A domain's stage, VMID, and as a nested domain its stage 2, guest placement and VM (indices by name). */
function nestingOf(
  decl: DomainDeclaration,
  s: BlockSettings,
  checked: CheckResult,
  domainNames: readonly string[],
  vms: readonly VmStage2[],
): Pick<DomainModel, 'stage' | 'vmid' | 'nested' | 'cdAt' | 'tablesAt' | 'vm'> {
  const vmid = s.writtenNumber('vmid');
  const nesting = checked.nestings.get(decl);
  const vm = nesting ? vmOfNested(s.name('vm')?.text, nesting.stage2.name?.text, vms) : undefined;
  const vmIndex = vms.findIndex((candidate) => candidate.name === vm);
  return {
    stage: s.number('stage') === 2n ? 2 : 1,
    vmid: vmid === undefined ? undefined : Number(vmid),
    nested: nesting ? domainNames.indexOf(nesting.stage2.name?.text ?? '') : undefined,
    cdAt: nesting?.placement.cdAt,
    tablesAt: nesting?.placement.tablesAt,
    vm: vmIndex < 0 ? undefined : vmIndex,
  };
}

/**
 * Builds the machine's description from a scenario that checked without errors
 * (callers must not elaborate one with errors: names would not resolve).
 */
export function elaborate(file: ScenarioFile, checked: CheckResult, lines: LineIndex): ScenarioModel {
  const reader = new SettingsReader(checked, lines);
  const smmuIndex = new Map<string, number>();

  const smmus: SmmuModel[] = declarations(file, 'smmu').map((decl, index) => {
    const s = reader.of(decl, 'smmu');
    const name = decl.name?.text ?? `smmu${index}`;
    smmuIndex.set(name, index);
    return {
      name,
      version: s.word('version') as SmmuVersion,
      contextBanks: reader.number(s, 'context-banks'),
      unmatchedFault: s.word('unmatched') === 'fault',
      stallModel: s.word('stall-model') as SmmuModel['stallModel'],
      priHandling: s.word('pri-handling') as SmmuModel['priHandling'],
      eventqEntries: reader.number(s, 'eventq'),
      priqEntries: reader.number(s, 'priq'),
      ssidBits: reader.number(s, 'ssid-bits'),
      impl: s.word('impl') as SmmuImpl,
      device: smmuDevice(s, index),
    };
  });
  const smmuOf = (decl: Declaration): number => smmuIndex.get(checked.smmuOf.get(decl)?.name ?? '') ?? 0;

  const domainDecls = declarations(file, 'domain');
  const domainNames = domainDecls.map((decl) => decl.name?.text ?? '');
  const vmDecls = declarations(file, 'vm');
  const vmStage2s = vmDecls.map((decl) => ({ name: decl.name?.text ?? '', stage2: reader.of(decl, 'vm').name('stage2')?.text }));
  const vms: VmModel[] = vmDecls.map((decl, index) => {
    const s = reader.of(decl, 'vm');
    return {
      name: decl.name?.text ?? '',
      stage2: domainNames.indexOf(vmStage2s[index]?.stage2 ?? ''),
      faultQueue: s.word('fault-queue') === 'on',
      veventqDepth: reader.number(s, 'veventq'),
    };
  });
  const domains: DomainModel[] = domainDecls.map((decl) => {
    const s = reader.of(decl, 'domain');
    const pgd = checked.pgdOf.get(decl);
    const s1cbndx = s.writtenNumber('s1cbndx');
    const ttbr1 = s.word('ttbr1') === 'on';
    const maps = checked.mapsOf.get(decl) ?? [];
    return {
      name: decl.name?.text ?? '',
      smmu: smmuOf(decl),
      ias: reader.number(s, 'ias'),
      oas: reader.number(s, 'oas'),
      granule: granuleOfBytes(reader.number(s, 'granule')),
      stall: s.word('fault') === 'stall',
      hupcf: s.word('hupcf') === 'on',
      abortOnTerminate: s.word('report') === 'abort',
      record: s.word('record') === 'on',
      ...(pgd === undefined ? {} : { pgd }),
      ...(s1cbndx === undefined ? {} : { s1cbndx: Number(s1cbndx) }),
      dma: { lazy: s.word('dma') === 'lazy', queueSize: reader.number(s, 'flush-queue'), timeout: reader.number(s, 'flush-timeout') },
      maps: maps.filter((map) => !ttbr1 || !selectsTtbr1(map.iova)),
      ttbr1,
      ttbr1Maps: maps.filter((map) => ttbr1 && selectsTtbr1(map.iova)),
      ...nestingOf(decl, s, checked, domainNames, vmStage2s),
    };
  });
  const domainIndex = indexByName(domains);
  const pagetables: PagetableModel[] = checked.pagetables.map((table) => ({
    name: table.declaration.name?.text ?? '',
    domain: domainIndex.get(table.domain.name?.text ?? '') ?? 0,
    asid: table.asid,
    maps: table.maps,
  }));
  const pagetableIndex = indexByName(pagetables);

  const masterDecls = declarations(file, 'master');
  const masters: MasterModel[] = masterDecls.map((decl) => {
    const s = reader.of(decl, 'master');
    const domain = s.name('domain');
    return {
      name: decl.name?.text ?? '',
      smmu: smmuOf(decl),
      streams: (checked.streamsOf.get(decl) ?? []).map((stream) => ({ id: Number(stream.id), mask: Number(stream.mask) })),
      domain: domain ? domainIndex.get(domain.text) : undefined,
      canStall: s.flag('can-stall'),
      pri: s.flag('pri'),
      pasids: decl.pasids.flatMap((binding) => {
        const index = binding.domain ? domainIndex.get(binding.domain.text) : undefined;
        return binding.pasid && index !== undefined ? [{ pasid: Number(binding.pasid.value), domain: index }] : [];
      }),
    };
  });
  const masterIndex = indexByName(masters);
  // The first master of each name, found once: a search per engine is quadratic in a file of thousands.
  const masterDeclOf = new Map<string, (typeof masterDecls)[number]>();
  for (const decl of masterDecls) if (decl.name && !masterDeclOf.has(decl.name.text)) masterDeclOf.set(decl.name.text, decl);
  // After the declared domains, so that handlers and PASID bindings index as written.
  const vfio = elaborateContainers(checked, reader, { smmuIndex, domains, masterIndex, masters });

  const engines: EngineModel[] = declarations(file, 'engine').map((decl) => {
    const s = reader.of(decl, 'engine');
    const masterName = decl.name?.master.text ?? '';
    const masterDecl = masterDeclOf.get(masterName);
    const sid = masterDecl ? engineStream(decl, checked.streamsOf.get(masterDecl) ?? []) : undefined;
    return {
      name: decl.name ? `${decl.name.master.text}.${decl.name.engine.text}` : '',
      master: masterIndex.get(masterName) ?? 0,
      sid: Number(sid ?? 0n),
      start: reader.number(s, 'start'),
      interval: reader.number(s, 'interval'),
      outstanding: reader.number(s, 'outstanding'),
      program: compileEngine(decl.body, pagetableIndex),
    };
  });

  const workqueues: WorkqueueModel[] = [];
  const declaredQueues = declarations(file, 'workqueue');
  if (!declaredQueues.some((w) => w.name?.text === builtinWorkqueue)) {
    workqueues.push({ name: builtinWorkqueue, workers: 2, ordered: false });
  }
  for (const decl of declaredQueues) {
    const s = reader.of(decl, 'workqueue');
    workqueues.push({ name: decl.name?.text ?? '', workers: reader.number(s, 'workers'), ordered: s.word('order') === 'ordered' });
  }
  const workqueueIndex = indexByName(workqueues);

  const handlers: HandlerModel[] = declarations(file, 'handler').map((decl) => {
    const s = reader.of(decl, 'handler');
    return {
      name: decl.name?.text ?? '',
      domain: domainIndex.get(decl.domain?.text ?? '') ?? 0,
      context: s.word('context') as HandlerContext,
      workqueue: workqueueIndex.get(s.name('queue')?.text ?? builtinWorkqueue) ?? 0,
      program: compileHandler(decl.body),
    };
  });

  const title = declarations(file, 'scenario')[0]?.title?.value;
  return {
    title,
    kernel: kernelRun(declarations(file, 'kernel')[0]),
    file,
    lines,
    timing: timingModel(file, reader),
    smmus,
    domains,
    pagetables,
    masters,
    engines,
    workqueues,
    handlers,
    vfio,
    vms,
    expects: declarations(file, 'expect'),
  };
}
