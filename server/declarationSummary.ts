import { staticDomainName } from '../emulator/analysis/staticSystem';
import { DomainDeclaration, MasterDeclaration } from '../emulator/language/ast';
import { masterStallOf } from '../emulator/language/checker/attach';
import { SymbolEntry } from '../emulator/language/checker/symbols';
import { constantValue } from '../emulator/language/evaluate';
import { BlockSettings } from '../emulator/language/checker/settings';
import { linuxSctlr, SCTLR_HUPCF } from '../emulator/inspect/registers';
import { hex, hex32, hexGrouped } from '../emulator/util/u64';
import { Analysis } from './analysis';
import { transactionSites } from './predictions';
import { smmuKindNamed } from '../emulator/inspect/smmuKinds';

function settingsOf(analysis: Analysis, entry: SymbolEntry): BlockSettings | undefined {
  return entry.declaration ? analysis.compiled.check.settings.get(entry.declaration) : undefined;
}

function smmuLines(analysis: Analysis, entry: SymbolEntry<'smmu'>): string[] {
  const s = settingsOf(analysis, entry);
  if (!s) return [];
  if (!smmuKindNamed(s.word('version')).contextBanks) {
    return [`SMMUv3: STALL_MODEL ${s.word('stall-model')}, event queue ${s.number('eventq')} entries, PRI queue ${s.number('priq')}, ${s.number('ssid-bits')} SubstreamID bits`];
  }
  return [`SMMUv2: ${s.number('context-banks')} context banks; unmatched streams ${s.word('unmatched') === 'fault' ? 'fault (sCR0.USFCFG=1)' : 'bypass'}`];
}

function domainLines(analysis: Analysis, entry: SymbolEntry<'domain'>): string[] {
  const s = settingsOf(analysis, entry);
  const decl = entry.declaration;
  if (!s || !decl) return [];
  const smmu = analysis.compiled.check.smmuOf.get(decl);
  const ias = Number(s.number('ias'));
  const levels = Math.ceil((ias - 12) / 9);
  const stall = s.word('fault') === 'stall';
  const abort = s.word('report') === 'abort';
  const version = smmu?.declaration ? analysis.compiled.check.settings.get(smmu.declaration)?.word('version') : undefined;
  // On SMMUv3 Linux has no per-domain stall choice: CD.S is each master's stall_enabled.
  const faults = smmuKindNamed(version).contextBanks ? `faults ${stall ? 'stall' : 'terminate'}` : "faults stall for the masters that stall (CD.S = master->stall_enabled), else terminate";
  const lines = [
    `on smmu ${smmu?.name ?? '?'}: ias ${ias} (${levels} levels from L${4 - levels}), oas ${s.number('oas')}`,
    `${faults}; terminated transactions ${abort ? 'abort' : 'read as zero (RAZ/WI)'}`,
  ];
  // SCTLR is a context bank's: what Linux writes there for this domain.
  if (smmuKindNamed(version).contextBanks) {
    const impl = (smmu?.declaration ? analysis.compiled.check.settings.get(smmu.declaration)?.word('impl') : undefined) === 'qcom-adreno' ? 'qcom-adreno' : 'arm';
    const sctlr = linuxSctlr({ stage: s.number('stage') === 2n ? 2 : 1, stall, hupcf: s.word('hupcf') === 'on', abortOnTerminate: abort }, impl);
    const hupcf = (sctlr & SCTLR_HUPCF) !== 0;
    lines.push(`SCTLR ${hex32(sctlr)} (CFCFG=${stall ? 1 : 0}, HUPCF=${hupcf ? 1 : 0}, CFRE=${abort ? 1 : 0})`);
  }
  lines.push(...stageLines(analysis, decl, s));
  const maps = analysis.compiled.check.mapsOf.get(decl) ?? [];
  lines.push(`${maps.length} map${maps.length === 1 ? '' : 's'}${maps.length > 0 ? `: ${maps.map((m) => `${hexGrouped(m.iova)} → ${hexGrouped(m.pa)} (${hex(m.size)})`).join(', ')}` : ''}`);
  return lines;
}

/** A stage-2 domain's VMID; a nested domain's stage 2, where its guest keeps its CD and table, and its VM. */
function stageLines(analysis: Analysis, decl: DomainDeclaration, s: BlockSettings): string[] {
  if (s.number('stage') === 2n) {
    const vmid = s.writtenNumber('vmid');
    return [`stage 2 (IPA → PA): VMID ${vmid === undefined ? 'decided at attach' : vmid}`];
  }
  const nesting = analysis.compiled.check.nestings.get(decl);
  if (!nesting) return [];
  const { cdAt, tablesAt } = nesting.placement;
  return [`nested on ${nesting.stage2.name?.text ?? '?'} (STE.Config=0b111): the guest's CD at IPA ${hex(cdAt)}, its top-level table at IPA ${hex(tablesAt)}`];
}

function masterLines(analysis: Analysis, entry: SymbolEntry<'master'>): string[] {
  const s = settingsOf(analysis, entry);
  const decl = entry.declaration;
  if (!s || !decl) return [];
  const streams = (analysis.compiled.check.streamsOf.get(decl) ?? []).map((st) => (st.mask === 0n ? hex(st.id) : `${hex(st.id)} mask ${hex(st.mask)}`));
  const flags = [stallFlag(analysis, decl, s.flag('can-stall')), s.flag('pri') ? 'ATS/PRI' : undefined].filter((f) => f !== undefined);
  const placed = containerPlacementOf(analysis, decl);
  return [`streams ${streams.join(', ') || 'none'}`, `${placed ? `in vfio ${placed.container}: ${placed.reason}` : attachedTo(analysis, decl)}${flags.length > 0 ? `; ${flags.join(', ')}` : ''}`];
}

/** Where a master with its own `domain` line landed, as the checker attached it. */
function attachedTo(analysis: Analysis, master: MasterDeclaration): string {
  const attachment = analysis.staticSystem.attachment(master);
  if (!attachment) return 'attached to no domain';
  return 'domain' in attachment ? `attached to ${staticDomainName(attachment.domain)}` : `not attached: ${attachment.reason}`;
}

/** `can-stall`, or what Linux's master->stall_enabled makes of it when the SMMU's STALL_MODEL decides instead. */
function stallFlag(analysis: Analysis, master: MasterDeclaration, canStall: boolean): string | undefined {
  const stall = masterStallOf(master, analysis.compiled.check);
  if (!stall || stall.stalls === canStall) return canStall ? 'can-stall' : undefined;
  // Only the SMMU overrides the flag (attach.ts `stallEnabled`): force-stall one way, no-stall the other.
  const smmu = `smmu '${analysis.compiled.check.smmuOf.get(master)?.name ?? '?'}'`;
  return stall.stalls ? `stalls on faults: ${smmu} has STALL_MODEL force-stall` : `can-stall, ignored: ${smmu} has STALL_MODEL no-stall`;
}

function engineLines(analysis: Analysis, entry: SymbolEntry<'engine'>): string[] {
  const s = settingsOf(analysis, entry);
  const decl = entry.declaration;
  if (!s || !decl) return [];
  // Each written transaction issues once per iteration of the repeats around it.
  const count = transactionSites(analysis)
    .filter((site) => site.engine === decl)
    .reduce((sum, site) => sum + site.repeats.reduce((n, r) => n * Number(r.count ? (constantValue(r.count) ?? 0n) : 0n), 1), 0);
  const route = analysis.staticSystem.route(decl);
  const via = route.kind === 'domain' ? `stream ${hex(route.sid)} → domain ${staticDomainName(route.domain)}` : route.reason;
  return [`issues ${count} transaction${count === 1 ? '' : 's'}; the first at cycle ${s.number('start')}, then every ${s.number('interval')}, at most ${s.number('outstanding')} in flight`, via];
}

function handlerLines(analysis: Analysis, entry: SymbolEntry<'handler'>): string[] {
  const s = settingsOf(analysis, entry);
  const decl = entry.declaration;
  if (!s || !decl) return [];
  const context = s.word('context');
  const where = context === 'workqueue' ? `a workqueue (${s.name('queue')?.text ?? 'iopf'})` : context === 'irq' ? 'the hard IRQ' : 'the threaded IRQ handler';
  return [`the fault handler of domain ${decl.domain?.text ?? '?'}, run in ${where}`];
}

function pagetableLines(analysis: Analysis, entry: SymbolEntry<'pagetable'>): string[] {
  const table = analysis.compiled.check.pagetables.find((p) => p.declaration === entry.declaration);
  if (!table) return [];
  return [`a per-process TTBR0 table of domain ${table.domain.name?.text ?? '?'} (msm_iommu_pagetable_create), ASID ${table.asid}, ${table.maps.length} map${table.maps.length === 1 ? '' : 's'}`];
}

function workqueueLines(analysis: Analysis, entry: SymbolEntry<'workqueue'>): string[] {
  const s = settingsOf(analysis, entry);
  if (!s) return ['the IOMMU core\'s fault queue (built in): 2 workers, unbound — items may finish in any order'];
  return [`${s.number('workers')} worker${s.number('workers') === 1n ? '' : 's'}, ${s.word('order') === 'ordered' ? 'ordered: one item at a time' : 'unbound: items may finish in any order'}`];
}

/** Where the checker placed a master listed in a vfio container, if it is in one. */
function containerPlacementOf(analysis: Analysis, master: MasterDeclaration): { container: string; reason: string } | undefined {
  for (const container of analysis.compiled.check.containers) {
    const placement = container.placements.find((p) => p.master === master);
    if (placement) return { container: container.declaration.name?.text ?? '?', reason: placement.reason };
  }
  return undefined;
}

function vfioLines(analysis: Analysis, entry: SymbolEntry<'vfio'>): string[] {
  const masters = entry.declaration?.masters.flatMap((m) => m.masters.map((n) => n.text)) ?? [];
  const lines = [`a VFIO container for ${masters.join(', ') || 'no master'}`];
  const container = analysis.compiled.check.containers.find((c) => c.declaration === entry.declaration);
  if (!container) return lines;
  const domains = container.domains.map((d) => `${d.name} (faults ${d.stall ? 'stall' : 'terminate'})`);
  const placements = container.placements.map((p) => `- ${p.listed.text}: ${p.reason}`);
  return [...lines, `domains: ${domains.join(', ')}`, ...(placements.length > 0 ? [placements.join('\n')] : [])];
}

function vmLines(analysis: Analysis, entry: SymbolEntry<'vm'>): string[] {
  const s = settingsOf(analysis, entry);
  if (!s) return [];
  const stage2 = s.name('stage2')?.text ?? '?';
  const queue = s.word('fault-queue') === 'on' ? 'a fault queue (IOMMU_FAULT_QUEUE_ALLOC): recoverable stage-1 faults of its nested domains go to the VMM' : 'no fault queue';
  return [`IPA space: stage-2 domain ${stage2}`, `${queue}; vEVENTQ of ${s.number('veventq')} events`];
}

/** A declared name, summed up for hover. */
export function describeDeclaration(analysis: Analysis, entry: SymbolEntry): string[] {
  const head = `**${entry.kind} ${entry.name}**`;
  let body: string[];
  switch (entry.kind) {
    case 'smmu':
      body = smmuLines(analysis, entry as SymbolEntry<'smmu'>);
      break;
    case 'domain':
      body = domainLines(analysis, entry as SymbolEntry<'domain'>);
      break;
    case 'master':
      body = masterLines(analysis, entry as SymbolEntry<'master'>);
      break;
    case 'engine':
      body = engineLines(analysis, entry as SymbolEntry<'engine'>);
      break;
    case 'handler':
      body = handlerLines(analysis, entry as SymbolEntry<'handler'>);
      break;
    case 'workqueue':
      body = workqueueLines(analysis, entry as SymbolEntry<'workqueue'>);
      break;
    case 'pagetable':
      body = pagetableLines(analysis, entry as SymbolEntry<'pagetable'>);
      break;
    case 'vfio':
      body = vfioLines(analysis, entry as SymbolEntry<'vfio'>);
      break;
    case 'vm':
      body = vmLines(analysis, entry as SymbolEntry<'vm'>);
      break;
  }
  return [head, '', ...body.flatMap((line) => [line, ''])].slice(0, -1);
}

/** A transaction label: which transactions carry it. */
export function describeLabel(analysis: Analysis, name: string): string[] {
  const sites = transactionSites(analysis).filter((s) => s.transaction.label?.text === name);
  const lines = sites.map((s) => {
    const engine = analysis.textOf(s.engine.name?.range ?? s.engine.range);
    const written = analysis.textOf(s.transaction.range).split(/\s+as\s+/)[0];
    const repeated = s.repeats.length > 0 ? ' (every iteration of its repeat)' : '';
    return `- \`${written}\` in ${engine}, line ${analysis.lines.lineOf(s.transaction.range.start)}${repeated}`;
  });
  return [`**label ${name}**`, '', ...lines];
}
