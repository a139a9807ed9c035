import { Granule, granuleOfBytes } from '../../pgtable/granule';
import type { KernelVersion } from '../../kernel/versions';
import {
  Declaration,
  DomainDeclaration,
  EngineDeclaration,
  HandlerDeclaration,
  MasterDeclaration,
  PagetableDeclaration,
  ScenarioFile,
  Setting,
  SmmuDeclaration,
  Transaction,
  VfioDeclaration,
} from '../ast';
import { Diagnostic, DiagnosticSink } from '../diagnostics';
import { BlockKind, SmmuVersion } from '../schema';
import { declarationStatements, statementSpec } from '../grammarTable';
import { LineIndex } from '../source';
import { checkAttachments } from './attach';
import { CheckContext, versionOf } from './context';
import { checkEngine } from './engines';
import { checkExpect } from './expects';
import { checkHandler, checkUnansweredStalls } from './handlers';
import { CheckedMap, checkMaps } from './maps';
import { BlockSettings } from './settings';
import { CheckedStream, checkMasterStreams } from './streams';
import { checkPasidTraffic } from './pasidTraffic';
import { collectSymbols, SymbolEntry, SymbolTable } from './symbols';
import { checkSmmuV3, checkV3FaultSetting } from './v3';
import { checkExistsOn } from './versionRule';
import { checkKernel, kernelRun } from './kernel';
import { checkAdrenoDomain } from './adreno';
import { CheckedContainer, checkContainers } from './vfio';
import { checkSmmuDevices } from './smmuDevices';
import { checkPgds } from './pgd';
import { CheckedPagetable, checkPagetable } from './pagetables';
import { checkStageSettings, checkVmids } from './stage2';
import { CheckedNesting, checkNesting } from './nesting';
import { checkVms } from './vms';

/** Everything the checker learned: diagnostics, names, and what elaboration builds on. */
export interface CheckResult {
  diagnostics: Diagnostic[];
  symbols: SymbolTable;
  settings: Map<Declaration, BlockSettings>;
  smmuOf: Map<Declaration, SymbolEntry<'smmu'>>;
  labels: Map<string, Transaction[]>;
  kernel: KernelVersion;
  ownAttached: Set<Declaration>;
  mapsOf: Map<DomainDeclaration | VfioDeclaration, CheckedMap[]>;
  /** The `pgd` of each domain that has one that checked out: where its top-level table goes. */
  pgdOf: Map<DomainDeclaration, bigint>;
  streamsOf: Map<MasterDeclaration, CheckedStream[]>;
  /** The vfio containers whose SMMU is known, in declaration order: their domains and placements. */
  containers: CheckedContainer[];
  /** The `pagetable`s that checked out, in declaration order. */
  pagetables: CheckedPagetable[];
  /** The nested domains that checked out: their stage-2 domain and where their guest's CD and tables are. */
  nestings: Map<DomainDeclaration, CheckedNesting>;
}

function ownerName(declaration: Declaration): string {
  switch (declaration.kind) {
    case 'timing':
      return 'the timing block';
    case 'engine':
      return declaration.name ? `engine '${declaration.name.master.text}.${declaration.name.engine.text}'` : 'this engine';
    case 'smmu':
    case 'domain':
    case 'master':
    case 'workqueue':
    case 'handler':
    case 'pagetable':
    case 'vfio':
    case 'vm':
      return declaration.name ? `${declaration.kind} '${declaration.name.text}'` : `this ${declaration.kind}`;
    default:
      return 'this declaration';
  }
}

function settingsOf(declaration: Declaration & { settings: Setting[] }, block: BlockKind, version: SmmuVersion | undefined, context: CheckContext, smmu?: string): BlockSettings {
  const settings = new BlockSettings(block, declaration.settings, context.sink, context.lines, version, ownerName(declaration), smmu);
  context.settings.set(declaration, settings);
  return settings;
}

function checkSingletons(file: ScenarioFile, context: CheckContext): void {
  for (const kind of declarationStatements.filter((spec) => spec.once).map((spec) => spec.words)) {
    const all = file.declarations.filter((d) => d.kind === kind);
    for (const extra of all.slice(1)) {
      context.sink.error('duplicate-declaration', extra.range, `a scenario has one '${kind}' (the first is on line ${context.lines.lineOf(all[0]?.range.start ?? 0)})`);
    }
  }
}

/** Decides the SMMU of a domain, master or container: its `smmu` setting, or the only SMMU there is. */
function assignSmmu(declaration: DomainDeclaration | MasterDeclaration | VfioDeclaration, context: CheckContext): void {
  const explicit = declaration.settings.find((s) => s.key.text === 'smmu');
  if (explicit?.value?.kind === 'word') {
    const smmu = context.symbols.resolve('smmu', { text: explicit.value.text, range: explicit.value.range }, context.sink);
    if (smmu) context.smmuOf.set(declaration, smmu);
    return;
  }
  const smmus = context.symbols.declared('smmu');
  const [only] = smmus;
  if (smmus.length === 1 && only) {
    context.smmuOf.set(declaration, only);
    return;
  }
  const at = declaration.name?.range ?? declaration.range;
  if (smmus.length === 0) {
    context.sink.error('no-smmu', at, `${ownerName(declaration)} needs an SMMU, and there is no 'smmu' declaration`);
  } else {
    context.sink.error('missing-smmu', at, `${ownerName(declaration)} needs 'smmu NAME': there are ${smmus.length} SMMUs (${smmus.map((s) => s.name).join(', ')})`);
  }
}

function declarationsOf<K extends Declaration['kind']>(file: ScenarioFile, kind: K): Extract<Declaration, { kind: K }>[] {
  return file.declarations.filter((d): d is Extract<Declaration, { kind: K }> => d.kind === kind);
}

function checkSmmu(smmu: SmmuDeclaration, context: CheckContext): void {
  const written = smmu.settings.find((s) => s.key.text === 'version')?.value;
  const version = written?.kind === 'word' && (written.text === 'v2' || written.text === 'v3') ? written.text : 'v2';
  settingsOf(smmu, 'smmu', version, context);
}

const pasidBinding = statementSpec('master', 'pasid');

function checkMaster(master: MasterDeclaration, context: CheckContext): void {
  const smmu = context.smmuOf.get(master);
  const version = versionOf(context, smmu);
  settingsOf(master, 'master', version, context, smmu?.name);
  const ssidBits = smmu?.declaration ? context.settings.get(smmu.declaration)?.number('ssid-bits') : undefined;
  for (const binding of master.pasids) {
    const exists = version === undefined || checkExistsOn(pasidBinding, 'statement', { word: 'pasid', version, owner: ownerName(master), smmu: smmu?.name }, binding.range, context.sink);
    if (exists && binding.pasid?.value === 0n) {
      // emulator/smmu/v3/program.ts writes CD 0 for the master's own domain and CD N for `pasid N`.
      const name = master.name?.text ?? '?';
      context.sink.error(
        'pasid-zero',
        binding.range,
        `PASID 0 is Linux's IOMMU_NO_PASID, which no binding gets: SubstreamID 0 is the traffic of master '${name}' without a PASID, which its STE (S1DSS=SSID0) translates with CD 0, the master's own domain; bind a PASID from 1`,
      );
    } else if (exists && binding.pasid && ssidBits !== undefined && binding.pasid.value >= 1n << ssidBits) {
      context.sink.error('pasid-range', binding.pasid.range, `PASID ${binding.pasid.value} does not fit the ${ssidBits} SubstreamID bits of smmu '${smmu?.name}' (ssid-bits ${ssidBits})`);
    }
    if (binding.domain) context.symbols.resolve('domain', binding.domain, context.sink);
  }
}

/** The input and output sizes of the domains a container creates: the domain defaults. */
function defaultAddressSizes(): { ias: bigint; oas: bigint; granule: Granule } {
  const sizes = new BlockSettings('domain', [], undefined, new LineIndex(''), undefined, '');
  return { ias: sizes.number('ias'), oas: sizes.number('oas'), granule: granuleOfBytes(Number(sizes.number('granule'))) };
}

/** A container's settings and maps; its masters are placed by checkContainers. */
function checkVfio(vfio: VfioDeclaration, context: CheckContext): CheckedMap[] {
  checkV3FaultSetting(vfio, settingsOf(vfio, 'vfio', versionOf(context, context.smmuOf.get(vfio)), context), context);
  const { ias, oas, granule } = defaultAddressSizes();
  return checkMaps(vfio.maps, ownerName(vfio), ias, oas, granule, context);
}

/** Checks a parsed scenario: names, settings, maps, streams, attaches, engines, handlers, expects. */
export function checkScenario(file: ScenarioFile, lines: LineIndex): CheckResult {
  const sink = new DiagnosticSink();
  const context: CheckContext = {
    sink,
    lines,
    symbols: collectSymbols(file, sink, lines),
    settings: new Map(),
    smmuOf: new Map(),
    labels: new Map(),
    kernel: kernelRun(declarationsOf(file, 'kernel')[0]),
    ownAttached: new Set(),
  };
  checkSingletons(file, context);
  for (const kernel of declarationsOf(file, 'kernel')) checkKernel(kernel, context);
  for (const timing of declarationsOf(file, 'timing')) settingsOf(timing, 'timing', undefined, context);
  const smmus = declarationsOf(file, 'smmu');
  for (const smmu of smmus) checkSmmu(smmu, context);
  checkSmmuDevices(smmus, context);

  const domains = declarationsOf(file, 'domain');
  const masters = declarationsOf(file, 'master');
  const vfios = declarationsOf(file, 'vfio');
  for (const declaration of [...domains, ...masters, ...vfios]) assignSmmu(declaration, context);

  const mapsOf = new Map<DomainDeclaration | VfioDeclaration, CheckedMap[]>();
  for (const domain of domains) {
    const settings = settingsOf(domain, 'domain', versionOf(context, context.smmuOf.get(domain)), context);
    checkV3FaultSetting(domain, settings, context);
    checkAdrenoDomain(domain, settings, context);
    checkStageSettings(domain, settings, context);
    mapsOf.set(domain, checkMaps(domain.maps, ownerName(domain), settings.number('ias'), settings.number('oas'), granuleOfBytes(Number(settings.number('granule'))), context, settings.word('ttbr1') === 'on' ? 'both' : 'ttbr0'));
  }
  const pagetables = checkPagetables(declarationsOf(file, 'pagetable'), context);
  for (const master of masters) checkMaster(master, context);
  const streamsOf = checkMasterStreams(masters, context);
  checkVmids(domains, context);
  // After the masters: a nested domain's CD table holds a CD per PASID its masters bind.
  const nestings = checkNesting(domains, masters, mapsOf, context);
  const vms = declarationsOf(file, 'vm');
  for (const vm of vms) settingsOf(vm, 'vm', undefined, context);
  checkVms(vms, domains, nestings, context);
  const attacher = checkAttachments(masters, context);

  for (const engine of declarationsOf(file, 'engine') as EngineDeclaration[]) {
    settingsOf(engine, 'engine', undefined, context);
    checkEngine(engine, streamsOf, context);
  }
  for (const workqueue of declarationsOf(file, 'workqueue')) settingsOf(workqueue, 'workqueue', undefined, context);

  const handledDomains = new Map<string, HandlerDeclaration>();
  const handlers = declarationsOf(file, 'handler');
  for (const handler of handlers) {
    checkHandler(handler, settingsOf(handler, 'handler', undefined, context), handledDomains, context);
  }
  checkUnansweredStalls(domains, handledDomains, context);
  for (const vfio of vfios) mapsOf.set(vfio, checkVfio(vfio, context));
  // After every map: a pgd may sit on no mapped PA, the containers' included.
  const pgdOf = checkPgds(domains, mapsOf, ownerName, context);
  // After every master with its own `domain` line: drivers attach as they probe, VFIO later, when userspace sets up the container.
  const containers = checkContainers(vfios, attacher, context);
  // After the containers: a master they attach uses the domains it binds, and translates its PASIDs too.
  checkSmmuV3({ domains, masters, handlers, containers }, context);
  checkPasidTraffic(declarationsOf(file, 'engine'), containers, context);
  for (const expect of declarationsOf(file, 'expect')) checkExpect(expect, context);

  return {
    diagnostics: sink.diagnostics,
    symbols: context.symbols,
    settings: context.settings,
    smmuOf: context.smmuOf,
    labels: context.labels,
    kernel: context.kernel,
    ownAttached: context.ownAttached,
    mapsOf,
    pgdOf,
    streamsOf,
    containers,
    pagetables,
    nestings,
  };
}

/** Every `pagetable`, after the domains: an unnamed ASID is the next of 1, 2, … in file order. */
function checkPagetables(declarations: readonly PagetableDeclaration[], context: CheckContext): CheckedPagetable[] {
  return declarations.flatMap((table, index) => checkPagetable(table, settingsOf(table, 'pagetable', undefined, context), index + 1, context) ?? []);
}
