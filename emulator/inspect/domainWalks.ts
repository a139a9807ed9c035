import { faultAtLevel, faultStageText } from '../machine/faultText';
import { stage2Xnx } from '../machine/addressSpaces';
import { Machine } from '../machine/machine';
import { Access } from '../pgtable/descriptor';
import { NestedWalkResult, walkNested } from '../pgtable/nestedWalker';
import { Stage2WalkResult, walkStage2 } from '../pgtable/stage2Walker';
import { walk, WalkResult } from '../pgtable/walker';

/**
 * The describing walk of an address in one of the run's tables, as the SMMU walks it:
 * a stage-1 table (IOVA → PA), a stage-2 domain's (IPA → PA, STE.Config 0b110 or an
 * SMMUv2 stage-2 bank), or a nested domain's (STE.Config 0b111: stage 1 at IPAs, each
 * table fetch and the output IPA through stage 2) — the walks emulator/smmu/lookup.ts
 * takes on a TLB miss.
 */
export type DomainWalk =
  | { stage: 1; walk: WalkResult }
  | { stage: 2; walk: Stage2WalkResult }
  | { stage: 'nested'; walk: NestedWalkResult };

/** The walk of `iova` (the address the table indexes: liveTableFor's walkIova) in table `table` now; undefined when there is no such table. */
export function describeWalk(machine: Machine, table: number, iova: bigint, access?: Access): DomainWalk | undefined {
  const rt = machine.runtime;
  const pgtable = rt.tables[table];
  const domain = rt.model.domains[rt.tableOwners[table]?.domain ?? -1];
  if (!pgtable || !domain) return undefined;
  if (pgtable.stage === 2) return { stage: 2, walk: walkStage2(rt.memory, pgtable.stage2Config(stage2Xnx(rt.model, domain)), iova, access) };
  const stage2Domain = domain.nested === undefined ? undefined : rt.model.domains[domain.nested];
  const stage2 = domain.nested === undefined ? undefined : rt.tables[domain.nested];
  if (stage2Domain && stage2) {
    return { stage: 'nested', walk: walkNested(rt.memory, pgtable.tableConfig(), stage2.stage2Config(stage2Xnx(rt.model, stage2Domain)), iova, access) };
  }
  return { stage: 1, walk: walk(rt.memory, pgtable.tableConfig(), iova, access) };
}

export { faultAtLevel, faultStageText };

/**
 * A walk's fault in words, or undefined when it translates: a stage-1 walk's as ever
 * (`translation fault at level 2: L2[56] is invalid`), a stage-2 or nested one's with its
 * stage, CLASS and IPA — a stage-2 domain's input is the IPA, so its faults are CLASS=IN at it.
 */
export function walkFaultText(walked: DomainWalk): string | undefined {
  if (walked.stage === 'nested') {
    const outcome = walked.walk.outcome;
    if (outcome.kind === 'success') return undefined;
    return `${faultStageText(outcome.kind, outcome.level, { stage: outcome.stage, class: outcome.class, ipa: outcome.ipa })}: ${outcome.reason}`;
  }
  const outcome = walked.walk.outcome;
  if (outcome.kind === 'success') return undefined;
  if (walked.stage === 2) return `${faultStageText(outcome.kind, outcome.level, { stage: 2, class: 'IN', ipa: walked.walk.ipa })}: ${outcome.reason}`;
  return `${outcome.kind} fault at level ${outcome.level}: ${outcome.reason}`;
}
