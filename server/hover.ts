import { Hover, MarkupKind, Position } from 'vscode-languageserver';
import { Declaration, DomainDeclaration, MapStatement, Setting, VfioDeclaration } from '../emulator/language/ast';
import { constantValue } from '../emulator/language/evaluate';
import { blockSettings, BlockKind, counterDocs, CounterName, faultFields, mapPermissions, settingSpec, sizeText } from '../emulator/language/schema';
import { contains, Range } from '../emulator/language/source';
import { Analysis } from './analysis';
import { describeDeclaration, describeLabel } from './declarationSummary';
import { identifierAt } from './expressionAt';
import { kernelHover } from './kernelHover';
import { keywordDocs } from './keywordDocs';
import { hoverV3 } from './hoverV3';
import { settingPartAt } from './settingAt';
import { nameAt } from './symbolsAt';
import { transactionHover } from './transactionHover';
import { domainWalkLines, outcomeLines, walkLines } from './walkMarkdown';
import { smmuKinds } from '../emulator/inspect/smmuKinds';

function markdown(analysis: Analysis, range: Range, lines: string[]): Hover {
  return { contents: { kind: MarkupKind.Markdown, value: lines.join('\n') }, range: analysis.lspRange(range) };
}

function mapHover(analysis: Analysis, offset: number): Hover | undefined {
  for (const d of analysis.compiled.file.declarations) {
    if (d.kind !== 'domain' && d.kind !== 'vfio') continue;
    const map = d.maps.find((m) => (m.iova && contains(m.iova.range, offset)) || (m.pa && contains(m.pa.range, offset)));
    if (map) return d.kind === 'domain' ? domainMapHover(analysis, d, map) : vfioMapHover(analysis, d, map);
  }
  return undefined;
}

function domainMapHover(analysis: Analysis, domain: DomainDeclaration, map: MapStatement): Hover | undefined {
  const iova = map.iova ? constantValue(map.iova) : undefined;
  const range = map.iova && map.pa ? { start: map.iova.range.start, end: map.pa.range.end } : map.range;
  if (typeof iova !== 'bigint') return undefined;
  const what = `the first page of this map in domain ${domain.name?.text ?? '?'}`;
  // A stage-2 or nested domain's walk is the machine's (the static system builds stage 1 only).
  const translated = analysis.stage2Walk(domain.name?.text ?? '', iova);
  if (translated) return markdown(analysis, range, [what, '', ...domainWalkLines(translated)]);
  const walk = analysis.staticSystem.walk(domain, iova);
  return markdown(analysis, range, [...outcomeLines(walk), '', what, '', ...walkLines(walk)]);
}

function vfioMapHover(analysis: Analysis, vfio: VfioDeclaration, map: MapStatement): Hover {
  return markdown(analysis, map.range, [`A mapping of VFIO container ${vfio.name?.text ?? '?'}: every domain the container creates gets it.`]);
}

function settingAt(declaration: Declaration, offset: number): Setting | undefined {
  return 'settings' in declaration ? declaration.settings.find((s) => contains(s.range, offset)) : undefined;
}

const blockKinds = new Set<string>(Object.keys(blockSettings));

/** A setting key or value: what it is on the hardware. */
function settingHover(analysis: Analysis, offset: number): Hover | undefined {
  const declaration = analysis.compiled.file.declarations.find((d) => contains(d.range, offset));
  if (!declaration || !blockKinds.has(declaration.kind)) return undefined;
  const setting = settingAt(declaration, offset);
  const spec = setting ? settingSpec(declaration.kind as BlockKind, setting.key.text) : undefined;
  const range = setting && settingPartAt(setting, offset);
  if (!setting || !spec || !range) return undefined;
  const lines = [`**${spec.key}**${spec.only ? ` (${smmuKinds[spec.only].name})` : ''} — ${spec.summary}`];
  if (spec.detail) lines.push('', spec.detail);
  if (spec.value.kind === 'number' && spec.value.sizes && spec.value.default !== undefined) lines.push('', `default: \`${sizeText(spec.value.sizes, spec.value.default)}\``);
  else if ((spec.value.kind === 'number' || spec.value.kind === 'enum') && spec.value.default !== undefined) lines.push('', `default: \`${String(spec.value.default)}\``);
  return markdown(analysis, range, lines);
}

/** The word at an offset: a token, or an identifier inside a `{…}` hole of a string. */
function wordAt(analysis: Analysis, offset: number): { text: string; range: Range } | undefined {
  const token = analysis.compiled.tokens.find((t) => t.kind === 'identifier' && t.range.start <= offset && offset < t.range.end);
  if (token) return token;
  const identifier = identifierAt(analysis.compiled.file.declarations, offset);
  return identifier ? { text: identifier.name, range: identifier.range } : undefined;
}

/** Any other word: keywords, fault fields, counters, map permissions. */
function wordHover(analysis: Analysis, offset: number): Hover | undefined {
  const token = wordAt(analysis, offset);
  if (!token) return undefined;
  const word = token.text;
  const doc =
    keywordDocs[word] ??
    (word in faultFields ? `**${word}** (fault field) — ${faultFields[word]}` : undefined) ??
    (word in counterDocs ? `**${word}** (counter) — ${counterDocs[word as CounterName]}` : undefined) ??
    (mapPermissions[word] ? `**${word}** (map permission) — ${mapPermissions[word]}` : undefined) ??
    (/^[rwx]+$/.test(word) ? `**${word}** (map permissions) — ${[...word].map((c) => mapPermissions[c]).join(', ')}` : undefined);
  return doc ? markdown(analysis, token.range, [doc]) : undefined;
}

function nameHover(analysis: Analysis, offset: number): Hover | undefined {
  const at = nameAt(analysis, offset);
  if (!at) return undefined;
  const lines = at.kind === 'label' ? describeLabel(analysis, at.name) : describeDeclaration(analysis, at.entry);
  return markdown(analysis, at.range, lines);
}

/**
 * Hover: an address's translation through the domain it reaches (a transaction's, a map's),
 * a name's declaration, a setting's or keyword's meaning on the hardware.
 */
export function hover(analysis: Analysis, position: Position): Hover | null {
  const offset = analysis.offsetAt(position);
  return transactionHover(analysis, offset) ?? kernelHover(analysis, offset) ?? mapHover(analysis, offset) ?? hoverV3(analysis, offset) ?? nameHover(analysis, offset) ?? settingHover(analysis, offset) ?? wordHover(analysis, offset) ?? null;
}
