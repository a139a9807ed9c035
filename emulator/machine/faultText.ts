import { hex } from '../util/u64';
import { FaultStage } from './state';

/**
 * `stage 2 translation fault at level 3 (CLASS=TT, IPA 0x40004000)`: a fault with the stage,
 * CLASS and IPA of its event record (SMMUv3 7.3: S2, CLASS, IPA); stage 1's has no IPA.
 */
export function faultStageText(kind: string, level: number, stage: FaultStage): string {
  return `stage ${stage.stage} ${kind} fault at level ${level} (CLASS=${stage.class}${stage.ipa === undefined ? '' : `, IPA ${hex(stage.ipa)}`})`;
}

/** How a fault is named wherever it is told: `translation fault at level 2`, a stage-2 one with its CLASS and IPA. */
export function faultAtLevel(fault: { kind: string; level: number; stage: FaultStage }): string {
  return fault.stage.stage === 2 ? faultStageText(fault.kind, fault.level, fault.stage) : `${fault.kind} fault at level ${fault.level}`;
}
