import { PhysicalMemory } from '../memory/physicalMemory';
import { hex } from '../util/u64';
import { Access, Level, permissionsText } from './descriptor';
import { Stage2TableConfig, Stage2Translation, Stage2WalkResult, walkStage2 } from './stage2Walker';
import { DescriptorReader, FaultKind, TableConfig, Translation, walk, WalkResult } from './walker';

/**
 * The nested walk (SMMUv3 STE.Config 0b111; Arm ARM D8.2 "stage 2 translation of stage 1
 * table addresses"): stage 1's tables live at IPAs, so every stage-1 descriptor fetch is
 * itself translated by stage 2 before it is read, and then stage 1's output IPA is. With
 * four levels each that is 4 × (4 + 1) + 4 = 24 memory reads.
 *
 * A fault says which stage and, as SMMUv3's event records do (7.3, CLASS), what the
 * faulting stage-2 translation was for: `TT` a stage-1 table fetch, `IN` the input's own
 * translation (the final IPA, and every stage-1 fault), `CD` a context descriptor fetch.
 */

export type FaultClass = 'TT' | 'IN' | 'CD';

export interface NestedFault {
  kind: FaultKind;
  stage: 1 | 2;
  class: FaultClass;
  /** Of the walk that faulted: stage 1's level for a stage-1 fault, stage 2's for a stage-2 one. */
  level: Level;
  /** For a stage-2 fault: the IPA stage 2 could not translate (a descriptor's, the CD's, or the output). */
  ipa?: bigint;
  reason: string;
}

export interface NestedTranslation {
  kind: 'success';
  pa: bigint;
  /** Stage 1's output. */
  ipa: bigint;
  /** Stage 1's leaf level (`s2Level` is stage 2's). */
  level: Level;
  s2Level: Level;
  /** The smaller of the two leaves: what one combined TLB entry may span. */
  size: bigint;
  /** Stage 1's and stage 2's permissions intersected (D8.4.3: the more restrictive of the two). */
  permissions: number;
  permissionsText: string;
  stage1: Translation;
  stage2: Stage2Translation;
}

/** One stage-1 descriptor fetch: the IPA stage 1 asked for and stage 2's walk of it. */
export interface TableFetch {
  /** The stage-1 level whose descriptor was fetched. */
  level: Level;
  ipa: bigint;
  stage2: Stage2WalkResult;
}

export interface NestedWalkResult {
  iova: bigint;
  /** Stage 1's walk: its table and descriptor addresses are IPAs; the steps are the descriptors read. */
  stage1: WalkResult;
  /** Stage 2's walk of each stage-1 descriptor's IPA, in order (the last one may have faulted). */
  tableFetches: TableFetch[];
  /** Stage 2's walk of stage 1's output IPA, when stage 1 got that far. */
  output?: Stage2WalkResult;
  /** Memory reads of the whole walk: every stage-2 and stage-1 descriptor read. */
  reads: number;
  outcome: NestedTranslation | NestedFault;
}

/** A descriptor fetch is a data read (MMURead, which stage-2 read permission grants: D8.4.2 R TVZYF). */
const TABLE_FETCH: Access = { write: false, exec: false, priv: false };

/** Reads stage-1 descriptors at IPAs, each through stage 2; a stage-2 fault reads as an invalid descriptor, remembered. */
class Stage2DescriptorReader implements DescriptorReader {
  readonly fetches: TableFetch[] = [];
  failed: TableFetch | undefined;
  private pa = 0;
  private level: Level;

  constructor(
    private readonly memory: PhysicalMemory,
    private readonly s2: Stage2TableConfig,
    startLevel: Level,
  ) {
    this.level = startLevel;
  }

  readLo(ipa: number): number {
    const stage2 = walkStage2(this.memory, this.s2, BigInt(ipa), TABLE_FETCH);
    const fetch: TableFetch = { level: this.level, ipa: BigInt(ipa), stage2 };
    this.fetches.push(fetch);
    this.level = (this.level + 1) as Level;
    if (stage2.outcome.kind !== 'success') {
      this.failed = fetch;
      return 0;
    }
    this.pa = Number(stage2.outcome.pa);
    return this.memory.readLo(this.pa);
  }

  /** `walk` reads a descriptor's high half right after its low half. */
  readHi(): number {
    return this.memory.readHi(this.pa);
  }
}

/** The nested walk of `iova`: stage 1 (`s1.root` an IPA) with each table fetch and the output through stage 2. */
export function walkNested(memory: PhysicalMemory, s1: TableConfig, s2: Stage2TableConfig, iova: bigint, access?: Access): NestedWalkResult {
  const reader = new Stage2DescriptorReader(memory, s2, s1.startLevel);
  const stage1 = walk(reader, s1, iova, access);
  const tableFetches = reader.fetches;
  const stage2Reads = (walks: readonly TableFetch[]): number => walks.reduce((sum, f) => sum + f.stage2.steps.length, 0);
  const failed = reader.failed;
  if (failed !== undefined) {
    stage1.steps.pop(); // the descriptor stage 2 would not let it read
    const s2Fault = failed.stage2.outcome as Exclude<Stage2WalkResult['outcome'], Stage2Translation>;
    return {
      iova,
      stage1,
      tableFetches,
      reads: stage2Reads(tableFetches) + stage1.steps.length,
      outcome: {
        kind: s2Fault.kind,
        stage: 2,
        class: 'TT',
        level: s2Fault.level,
        ipa: failed.ipa,
        reason: `stage 2 fault on the L${failed.level} table fetch at IPA ${hex(failed.ipa)}: ${s2Fault.reason}`,
      },
    };
  }
  const s1Outcome = stage1.outcome;
  const readsSoFar = stage2Reads(tableFetches) + stage1.steps.length;
  if (s1Outcome.kind !== 'success') {
    return { iova, stage1, tableFetches, reads: readsSoFar, outcome: { ...s1Outcome, stage: 1, class: 'IN' } };
  }
  const output = walkStage2(memory, s2, s1Outcome.pa, access);
  const reads = readsSoFar + output.steps.length;
  const s2Outcome = output.outcome;
  if (s2Outcome.kind !== 'success') {
    return {
      iova,
      stage1,
      tableFetches,
      output,
      reads,
      outcome: { ...s2Outcome, stage: 2, class: 'IN', ipa: s1Outcome.pa, reason: `stage 2 fault on the output IPA ${hex(s1Outcome.pa)}: ${s2Outcome.reason}` },
    };
  }
  const permissions = s1Outcome.permissions & s2Outcome.permissions;
  return {
    iova,
    stage1,
    tableFetches,
    output,
    reads,
    outcome: {
      kind: 'success',
      pa: s2Outcome.pa,
      ipa: s1Outcome.pa,
      level: s1Outcome.level,
      s2Level: s2Outcome.level,
      size: s1Outcome.size < s2Outcome.size ? s1Outcome.size : s2Outcome.size,
      permissions,
      permissionsText: permissionsText(permissions),
      stage1: s1Outcome,
      stage2: s2Outcome,
    },
  };
}

export interface IpaTranslation {
  stage2: Stage2WalkResult;
  outcome: { kind: 'success'; pa: bigint } | NestedFault;
}

/**
 * One IPA through stage 2 for a structure the SMMU fetches itself — the CD (CLASS=CD) by
 * default: its fault carries the IPA and the stage-2 walk's level.
 */
export function translateIpa(memory: PhysicalMemory, s2: Stage2TableConfig, ipa: bigint, access: Access = TABLE_FETCH, faultClass: FaultClass = 'CD'): IpaTranslation {
  const stage2 = walkStage2(memory, s2, ipa, access);
  const outcome = stage2.outcome;
  if (outcome.kind === 'success') return { stage2, outcome: { kind: 'success', pa: outcome.pa } };
  const what = faultClass === 'CD' ? 'the CD fetch' : faultClass === 'TT' ? 'a table fetch' : 'the input';
  return { stage2, outcome: { ...outcome, stage: 2, class: faultClass, ipa, reason: `stage 2 fault on ${what} at IPA ${hex(ipa)}: ${outcome.reason}` } };
}
