import { sizeName, WalkResult } from '../emulator/inspect/walks';
import { hex, hex64, hexGrouped } from '../emulator/util/u64';

/** The walk as a table, root first; a 16K or 64K granule (not the default 4K) is named above it, since it changes what a level and an index mean. */
export function walkLines(walk: WalkResult): string[] {
  const granule = walk.granule;
  const caption = granule.name === '4K' ? [] : [`${granule.name} granule: ${granule.bitsPerLevel} index bits a level, ${granule.entries} entries a table`, ''];
  const lines = [...caption, '| level | index | descriptor at | value | meaning |', '|---|---|---|---|---|'];
  for (const step of walk.steps) {
    lines.push(`| L${step.level} | ${step.index} | \`${hex(step.descriptorAddress)}\` | \`${hex64(step.value)}\` | ${step.descriptor.text} |`);
  }
  return walk.steps.length > 0 ? lines : [];
}

/** The walk's outcome in words: the PA with its leaf, permissions and memory type, or the fault. */
export function outcomeLines(walk: WalkResult): string[] {
  const outcome = walk.outcome;
  if (outcome.kind !== 'success') return [`**${outcome.kind} fault at level ${outcome.level}**: ${outcome.reason}`];
  const size = `${sizeName(Number(outcome.size))} ${outcome.level === 3 ? 'page' : 'block'}`;
  return [
    `**${hexGrouped(walk.iova)} → ${hexGrouped(outcome.pa)}** (${size}, level ${outcome.level})`,
    '',
    `permissions ${outcome.permissionsText}; memory ${outcome.memory} (AttrIndx ${outcome.attrIndx})`,
  ];
}
