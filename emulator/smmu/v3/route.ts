import { Runtime } from '../../machine/runtime';
import { Route } from '../smmu';
import { streamConfig } from './config';
import { faultKindOfEvent } from './smmuV3';
import { SmmuV3State } from './v3State';

/**
 * The STE of `sid` in the stream table in memory, then the CD of `ssid` (or S1DSS's), as
 * the SMMU reads them for a transaction — so what a user writes there counts — with the
 * same configuration errors a transaction would meet.
 */
export function routeV3(rt: Runtime, smmu: number, state: SmmuV3State, sid: number, pasid: bigint | undefined): Route {
  const config = streamConfig(rt, smmu, state, sid, pasid);
  switch (config.kind) {
    case 'error':
      return { kind: 'fault', fault: faultKindOfEvent[config.event], reason: `${config.event}: ${config.reason}` };
    case 'abort':
    case 'bypass':
      return config;
    case 'translate': {
      const { cd, ste } = config;
      const onFault = { stall: cd.s, record: cd.r, abort: cd.a, ats: ste.eats !== 0 };
      return { kind: 'translate', context: { domain: config.domain, tlbTag: cd.asid, name: `asid ${cd.asid}`, bank: undefined, asid: cd.asid, ssid: config.ssid, onFault } };
    }
  }
}
