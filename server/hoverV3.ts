import { Hover, MarkupKind } from 'vscode-languageserver';
import { V3Structures } from '../emulator/inspect/v3Structures';
import { Declaration, MasterDeclaration } from '../emulator/language/ast';
import { versionOf } from '../emulator/language/checker/context';
import { SymbolEntry } from '../emulator/language/checker/symbols';
import { settingSpec } from '../emulator/language/schema';
import { contains, Range } from '../emulator/language/source';
import { hex } from '../emulator/util/u64';
import { Analysis } from './analysis';
import { describeDeclaration } from './declarationSummary';
import { settingPartAt } from './settingAt';
import { nameAt } from './symbolsAt';
import { cdFields, cdLines, cdPlace, smmuV3Lines, steLines, structureLines } from './v3Markdown';
import { knownSmmuKind, smmuKindNamed } from '../emulator/inspect/smmuKinds';

/*
 * Hover on what Linux writes for an SMMUv3: the STE of a master's streams, the CD of a domain
 * (also on its fault/report/record settings), the CD of a PASID binding, and the SMMU's ID
 * registers and queues. The words are read back from a machine that booted the scenario: the
 * emulator's own code wrote them (programSmmuV3) and its codecs decode them.
 */

const booted = new WeakMap<Analysis, V3Structures | null>();

function structures(analysis: Analysis): V3Structures | undefined {
  let value = booted.get(analysis);
  if (value === undefined) {
    const model = analysis.compiled.model;
    value = (model && V3Structures.boot(model)) ?? null;
    booted.set(analysis, value);
  }
  return value ?? undefined;
}

const needsRun = '_What Linux writes for the SMMUv3 is shown once the scenario has no errors._';

/** CD fields each domain setting writes. */
const cdFieldOfSetting: Readonly<Record<string, string>> = { fault: 'S', report: 'A', record: 'R' };

function markdown(analysis: Analysis, range: Range, lines: string[]): Hover {
  return { contents: { kind: MarkupKind.Markdown, value: lines.join('\n') }, range: analysis.lspRange(range) };
}

/** Whether the declaration's SMMU keeps STEs and CDs in memory (an SMMUv3): what these hovers show. */
function hasStreamTable(analysis: Analysis, declaration: Declaration): boolean {
  const check = analysis.compiled.check;
  if (declaration.kind === 'smmu') return smmuKindNamed(check.settings.get(declaration)?.word('version')).contextDescriptors;
  return knownSmmuKind(versionOf(check, check.smmuOf.get(declaration)))?.contextDescriptors === true;
}

function declarationsOf<K extends 'master' | 'domain'>(analysis: Analysis, kind: K): Extract<Declaration, { kind: K }>[] {
  return analysis.compiled.file.declarations.filter((d): d is Extract<Declaration, { kind: K }> => d.kind === kind && hasStreamTable(analysis, d));
}

function masterName(master: MasterDeclaration): string {
  return master.name?.text ?? '?';
}

/** `pasid N -> DOMAIN`: the CD at index N of the master's CD tables, and its ASID. */
function bindingHover(analysis: Analysis, offset: number): Hover | undefined {
  for (const master of declarationsOf(analysis, 'master')) {
    const binding = master.pasids.find((b) => contains(b.range, offset));
    // On the domain's name, the domain's own hover answers (its CD, wherever it is written).
    if (!binding?.pasid || (binding.domain && contains(binding.domain.range, offset))) continue;
    const pasid = Number(binding.pasid.value);
    const domain = binding.domain?.text ?? '?';
    const head = `**pasid ${pasid} → domain ${domain}** on master ${masterName(master)}`;
    const v3 = structures(analysis);
    if (!v3) return markdown(analysis, binding.range, [head, '', needsRun]);
    const cds = v3.streamsOf(masterName(master)).flatMap((s) => s.cds.filter((c) => c.ssid === pasid));
    const [first] = cds;
    if (!first) {
      return markdown(analysis, binding.range, [head, '', `Master ${masterName(master)} is attached to no domain: its STE aborts every transaction, and Linux writes no CD for PASID ${pasid}.`]);
    }
    return markdown(analysis, binding.range, [
      head,
      '',
      `SubstreamID ${pasid} selects ${cds.map(cdPlace).join(', ')}: ASID ${first.asid}, at \`${hex(first.cd.address)}\` (dw0–dw7):`,
      '',
      ...structureLines(first.cd, cdFields),
    ]);
  }
  return undefined;
}

/** A master's `stream` line: the STE of that StreamID. */
function streamHover(analysis: Analysis, offset: number): Hover | undefined {
  for (const master of declarationsOf(analysis, 'master')) {
    const node = master.streams.find((s) => contains(s.range, offset));
    if (!node?.id) continue;
    const v3 = structures(analysis);
    const stream = v3?.streamsOf(masterName(master)).find((s) => BigInt(s.sid) === node.id?.value);
    return markdown(analysis, node.range, stream ? steLines(stream) : [`**stream ${hex(node.id.value)}** of master ${masterName(master)}`, '', needsRun]);
  }
  return undefined;
}

/** `fault`, `report`, `record` of a domain on an SMMUv3: the CD bit it sets, then the CD. */
function domainSettingHover(analysis: Analysis, offset: number): Hover | undefined {
  for (const domain of declarationsOf(analysis, 'domain')) {
    const setting = domain.settings.find((s) => contains(s.range, offset));
    const fieldName = setting ? cdFieldOfSetting[setting.key.text] : undefined;
    const spec = setting ? settingSpec('domain', setting.key.text) : undefined;
    const range = setting && settingPartAt(setting, offset);
    if (!setting || !fieldName || !spec || !range) continue;
    const name = domain.name?.text ?? '?';
    const head = `**${spec.key}** — ${spec.summary}`;
    const v3 = structures(analysis);
    if (!v3) return markdown(analysis, range, [head, '', needsRun]);
    const cds = v3.cdsOf(name);
    const field = cds[0]?.cd.fields.find((f) => f.name === fieldName);
    const written = field ? [`CD.${field.name} (bit ${field.bits}) = ${field.value}: ${field.meaning}`, ''] : [];
    return markdown(analysis, range, [head, '', ...written, ...cdLines(name, cds)]);
  }
  return undefined;
}

function extraLines(analysis: Analysis, entry: SymbolEntry): string[] | undefined {
  const declaration = entry.declaration;
  if (!declaration) return undefined;
  if (entry.kind === 'smmu' && declaration.kind === 'smmu') {
    const v3 = structures(analysis);
    const index = v3?.smmuIndex(entry.name);
    const smmu = index === undefined ? undefined : v3?.model.smmus[index];
    const setup = index === undefined ? undefined : v3?.setup(index);
    if (!hasStreamTable(analysis, declaration)) return undefined;
    return smmu && setup ? smmuV3Lines(smmu, setup) : [needsRun];
  }
  if ((entry.kind !== 'master' && entry.kind !== 'domain') || !hasStreamTable(analysis, declaration)) return undefined;
  const v3 = structures(analysis);
  if (!v3) return [needsRun];
  if (entry.kind === 'domain') return cdLines(entry.name, v3.cdsOf(entry.name));
  const streams = v3.streamsOf(entry.name);
  return streams.length > 0 ? streams.flatMap((s, i) => [...(i > 0 ? [''] : []), ...steLines(s)]) : [`Master ${entry.name} has no stream in the stream table.`];
}

/** A master's, domain's or SMMU's name on an SMMUv3: the usual summary, then what Linux writes for it. */
function nameHoverV3(analysis: Analysis, offset: number): Hover | undefined {
  const at = nameAt(analysis, offset);
  if (at?.kind !== 'symbol') return undefined;
  const extra = extraLines(analysis, at.entry);
  return extra ? markdown(analysis, at.range, [...describeDeclaration(analysis, at.entry), '', ...extra]) : undefined;
}

/** Hover on SMMUv3 structures, or undefined to let the general hover answer. */
export function hoverV3(analysis: Analysis, offset: number): Hover | undefined {
  return bindingHover(analysis, offset) ?? streamHover(analysis, offset) ?? domainSettingHover(analysis, offset) ?? nameHoverV3(analysis, offset);
}
