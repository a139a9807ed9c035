import { DiagnosticSink } from '../diagnostics';
import { existsOn, SmmuVersion, VersionOnly, VersionPlace } from '../schema';
import { Range } from '../source';

const versionNames: Readonly<Record<SmmuVersion, string>> = { v2: 'SMMUv2', v3: 'SMMUv3' };

/**
 * The language's one version rule: a setting, statement or option of one SMMU version
 * (schema.ts, grammarTable.ts say which) used on the other is an error. Returns whether
 * the word exists there.
 */
export function checkExistsOn(
  entry: VersionOnly,
  noun: 'setting' | 'statement' | 'option',
  place: VersionPlace,
  range: Range,
  sink: DiagnosticSink | undefined,
  code = 'version-mismatch',
): boolean {
  if (existsOn(entry, place.version)) return true;
  sink?.error(code, range, entry.elsewhere?.(place) ?? genericMessage(entry, noun, place));
  return false;
}

function genericMessage(entry: VersionOnly, noun: string, place: VersionPlace): string {
  // An SMMU's own block is one; everything else is on one.
  const relation = place.owner.startsWith('smmu ') ? 'is' : 'is on';
  return `'${place.word}' is an ${versionNames[entry.only ?? place.version]} ${noun}; ${place.owner} ${relation} an ${versionNames[place.version]}`;
}
