import { WalkResult } from '../emulator/inspect/walks';
import { hex, hex64, hexGrouped } from '../emulator/util/u64';

/** The walk as a table, root first. */
export function walkLines(walk: WalkResult): string[] {
  const lines = ['| level | index | descriptor at | value | meaning |', '|---|---|---|---|---|'];
  for (const step of walk.steps) {
    lines.push(`| L${step.level} | ${step.index} | \`${hex(step.descriptorAddress)}\` | \`${hex64(step.value)}\` | ${step.descriptor.text} |`);
  }
  return walk.steps.length > 0 ? lines : [];
}

/** The walk's outcome in words: the PA with its leaf, permissions and memory type, or the fault. */
export function outcomeLines(walk: WalkResult): string[] {
  const outcome = walk.outcome;
  if (outcome.kind !== 'success') return [`**${outcome.kind} fault at level ${outcome.level}**: ${outcome.reason}`];
  const size = outcome.size === 0x1000n ? '4K page' : outcome.size === 0x20_0000n ? '2M block' : '1G block';
  return [
    `**${hexGrouped(walk.iova)} → ${hexGrouped(outcome.pa)}** (${size}, level ${outcome.level})`,
    '',
    `permissions ${outcome.permissionsText}; memory ${outcome.memory} (AttrIndx ${outcome.attrIndx})`,
  ];
}
