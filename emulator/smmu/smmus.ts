import { Attachment } from '../machine/attachments';
import { Runtime } from '../machine/runtime';
import { ScenarioModel, SmmuModel } from '../scenario/model';
import { Smmu } from './smmu';
import { SmmuState } from './smmuState';
import { SmmuV2 } from './v2/driver';
import { programSmmuV2 } from './v2/smmuV2';
import { Builder, programSmmuV3 } from './v3/program';
import { SmmuV3 } from './v3/driver';

/** Every SMMU as Linux programs it at boot and attach; `banks` are the domains each SMMUv2 gives a context bank, in bank order. */
export function programSmmus(builder: Builder & { ttbr1Of: readonly (number | undefined)[] }, model: ScenarioModel, attachments: readonly Attachment[], banks: readonly (readonly number[])[]): SmmuState[] {
  return model.smmus.map((smmu, index) => (smmu.version === 'v2' ? programSmmuV2(builder, model, index, attachments, banks[index] ?? []) : programSmmuV3(builder, model, index, attachments)));
}

/** The drivers over a runtime's SMMUs, one each, by the version its state is tagged with. */
export function smmuDrivers(rt: Runtime): Smmu[] {
  return rt.state.smmus.map((state, index) => (state.version === 'v2' ? new SmmuV2(rt, index) : new SmmuV3(rt, index)));
}

/** An SMMU with a PRI queue (SMMUv3), whose threaded IRQ handler is a thread of its own. */
export function hasPriQueue(smmu: SmmuModel): boolean {
  return smmu.version === 'v3';
}

/** IDR0.STALL_MODEL, which attach checks a master against: an SMMUv2 has none (stalling is per context bank). */
export function stallModelOf(smmu: SmmuModel | undefined): SmmuModel['stallModel'] | undefined {
  return smmu?.version === 'v3' ? smmu.stallModel : undefined;
}

/** The context banks an SMMUv2 has for domains to attach to; an SMMUv3 has no such limit. */
export function contextBankLimitOf(smmu: SmmuModel | undefined): number | undefined {
  return smmu?.version === 'v2' ? smmu.contextBanks : undefined;
}
