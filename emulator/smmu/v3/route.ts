import { Runtime } from '../../machine/runtime';
import { FaultBehaviour, Route, TranslationContext } from '../smmu';
import { Stage2Route, streamConfig } from './config';
import { faultKindOfEvent } from './smmuV3';
import { SteFields } from './ste';
import { SmmuV3State, tlbContext } from './v3State';
import { CdFields } from './cd';

/** What a fault of the stream does: CD.S/R/A at stage 1, STE.S2S/S2R at stage 2 (5.5). */
function faultBehaviour(ste: SteFields, cd: CdFields | undefined, stage2: Stage2Route | undefined): FaultBehaviour {
  const s2 = stage2 ? { stall: ste.s2.stall, record: ste.s2.record } : undefined;
  return { stall: cd?.s ?? false, record: cd?.r ?? false, abort: cd?.a ?? true, ats: ste.eats !== 0, stage2: s2 };
}

/** `asid 1`, `vmid 3` (stage 2 only), `vmid 3 asid 1` (nested). */
function contextName(vmid: number | undefined, asid: number | undefined): string {
  if (vmid === undefined) return asid === undefined ? '' : `asid ${asid}`;
  return asid === undefined ? `vmid ${vmid}` : `vmid ${vmid} asid ${asid}`;
}

function context(state: SmmuV3State, domain: number, ste: SteFields, cd: CdFields | undefined, ssid: number | undefined, stage2: Stage2Route | undefined): TranslationContext {
  const vmid = stage2?.vmid;
  return {
    domain,
    tlbTag: tlbContext(state, vmid ?? 0, cd?.asid ?? 0),
    name: contextName(vmid, cd?.asid),
    bank: undefined,
    asid: cd?.asid,
    ssid,
    onFault: faultBehaviour(ste, cd, stage2),
  };
}

/**
 * The STE of `sid` in the stream table in memory, then the CD of `ssid` (or S1DSS's), as
 * the SMMU reads them for a transaction — so what a user writes there counts — with the
 * same configuration errors a transaction would meet. A nested stream's CD is fetched
 * through stage 2, and a stage-2 fault there is the transaction's (CLASS=CD).
 */
export function routeV3(rt: Runtime, smmu: number, state: SmmuV3State, sid: number, pasid: bigint | undefined): Route {
  const config = streamConfig(rt, smmu, state, sid, pasid);
  switch (config.kind) {
    case 'error':
      return { kind: 'fault', fault: faultKindOfEvent[config.event], reason: `${config.event}: ${config.reason}` };
    case 'abort':
    case 'bypass':
      return config;
    case 'cd-fault': {
      const { fault } = config;
      return {
        kind: 'cd-fault',
        context: context(state, config.stage2.domain, config.ste, undefined, config.ssid, config.stage2),
        fault: { ok: false, fault: fault.kind, level: fault.level, reason: fault.reason, stage: { stage: 2, class: 'CD', ipa: fault.ipa } },
        latency: config.reads,
      };
    }
    case 'translate':
      return { kind: 'translate', context: context(state, config.domain, config.ste, config.cd, config.ssid, config.stage2) };
  }
}
