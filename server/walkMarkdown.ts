import { DomainWalk, faultStageText, Granule, NestedWalkResult, sizeName, Stage2WalkResult, WalkResult } from '../emulator/inspect/walks';
import { hex, hex64, hexGrouped } from '../emulator/util/u64';

/** The walk as a table, root first; a 16K or 64K granule (not the default 4K) is named above it, since it changes what a level and an index mean. */
export function walkLines(walk: WalkResult): string[] {
  const granule = walk.granule;
  const caption = granule.name === '4K' ? [] : [`${granule.name} granule: ${granule.bitsPerLevel} index bits a level, ${granule.entries} entries a table`, ''];
  const lines = [...caption, '| level | index | descriptor at | value | meaning |', '|---|---|---|---|---|', ...stepRows(walk)];
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

/** A walk's rows: a stage-1 walk, or a stage-2 one (its descriptors decoded in S2AP, MemAttr and XN). */
interface StepsOf {
  granule: Granule;
  steps: readonly { level: number; index: number; descriptorAddress: bigint; value: bigint; descriptor: { text: string } }[];
}

function stepRows(walk: StepsOf): string[] {
  return walk.steps.map((step) => `| L${step.level} | ${step.index} | \`${hex(step.descriptorAddress)}\` | \`${hex64(step.value)}\` | ${step.descriptor.text} |`);
}

/** A stage-2 walk as a table, root first (its start level may be concatenated tables: D8.2.2). */
function stage2WalkLines(walk: Stage2WalkResult): string[] {
  return walk.steps.length > 0 ? ['| level | index | descriptor at | value | meaning |', '|---|---|---|---|---|', ...stepRows(walk)] : [];
}

/** The outcome of a stage-2 domain's walk: the IPA's PA, or the stage-2 fault (CLASS=IN at the IPA). */
function stage2OutcomeLines(walk: Stage2WalkResult): string[] {
  const outcome = walk.outcome;
  if (outcome.kind !== 'success') {
    return [`**${faultStageText(outcome.kind, outcome.level, { stage: 2, class: 'IN', ipa: walk.ipa })}**: ${outcome.reason}`];
  }
  const size = `${sizeName(Number(outcome.size))} ${outcome.level === 3 ? 'page' : 'block'}`;
  return [
    `**IPA ${hexGrouped(walk.ipa)} → ${hexGrouped(outcome.pa)}** (${size}, stage 2 level ${outcome.level})`,
    '',
    `permissions ${outcome.permissionsText}; memory ${outcome.memory} (MemAttr 0x${outcome.memAttr.toString(16)})`,
  ];
}

/** One stage-2 walk in a row: its path, and the PA or the fault. */
function stage2Summary(walk: Stage2WalkResult): string {
  const path = walk.steps.map((s) => `L${s.level}[${s.index}]`).join(' → ');
  const outcome = walk.outcome;
  const result = outcome.kind === 'success' ? `\`${hex(outcome.pa)}\`` : `${outcome.kind} fault at level ${outcome.level}: ${outcome.reason}`;
  return `${path} | ${result}`;
}

/**
 * A nested walk (STE.Config 0b111): the outcome, stage 1's walk — each descriptor at its
 * IPA and the PA stage 2 gave it —, the stage-2 walk of each table fetch in a row, and the
 * stage-2 walk that decided (the one that faulted, or the output IPA's) in full.
 */
function nestedLines(walk: NestedWalkResult): string[] {
  const outcome = walk.outcome;
  const head =
    outcome.kind === 'success'
      ? [
          `**${hexGrouped(walk.iova)} → ${hexGrouped(outcome.pa)}** (${sizeName(Number(outcome.size))}; stage 1 level ${outcome.level} → IPA ${hexGrouped(outcome.ipa)}, stage 2 level ${outcome.s2Level})`,
          '',
          `permissions ${outcome.permissionsText} (stage 1 ${outcome.stage1.permissionsText}, stage 2 ${outcome.stage2.permissionsText}); memory ${outcome.stage2.memory} at stage 2`,
        ]
      : [`**${faultStageText(outcome.kind, outcome.level, { stage: outcome.stage, class: outcome.class, ipa: outcome.ipa })}**: ${outcome.reason}`];
  const paOf = (i: number): string => {
    const fetched = walk.tableFetches[i]?.stage2.outcome;
    return fetched?.kind === 'success' ? `\`${hex(fetched.pa)}\`` : 'none';
  };
  const stage1 = walk.stage1.steps.map((s, i) => `| L${s.level} | ${s.index} | \`${hex(s.descriptorAddress)}\` | ${paOf(i)} | \`${hex64(s.value)}\` | ${s.descriptor.text} |`);
  const fetches = walk.tableFetches.map((f) => `| L${f.level} | \`${hex(f.ipa)}\` | ${stage2Summary(f.stage2)} |`);
  const failed = walk.tableFetches.find((f) => f.stage2.outcome.kind !== 'success');
  const decided = failed ? { what: `the L${failed.level} table fetch at IPA ${hexGrouped(failed.ipa)}`, walk: failed.stage2 } : walk.output && { what: `the output IPA ${hexGrouped(walk.output.ipa)}`, walk: walk.output };
  return [
    ...head,
    '',
    'Stage 1 (the guest\'s tables, at IPAs):',
    '',
    '| level | index | descriptor at IPA | PA | value | meaning |',
    '|---|---|---|---|---|---|',
    ...stage1,
    '',
    'Stage 2 of each stage-1 table fetch:',
    '',
    '| fetch | IPA | stage 2 walk | PA |',
    '|---|---|---|---|',
    ...fetches,
    ...(decided ? ['', `Stage 2 of ${decided.what}:`, '', ...stage2WalkLines(decided.walk)] : []),
  ];
}

/** A stage-2 or nested domain's walk in full: outcome, then the walk(s). */
export function domainWalkLines(walk: DomainWalk): string[] {
  if (walk.stage === 'nested') return nestedLines(walk.walk);
  if (walk.stage === 2) return [...stage2OutcomeLines(walk.walk), '', ...stage2WalkLines(walk.walk)];
  return [...outcomeLines(walk.walk), '', ...walkLines(walk.walk)];
}
