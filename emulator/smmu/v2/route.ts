import { Runtime } from '../../machine/runtime';
import { hex } from '../../util/u64';
import { Route } from '../smmu';
import { S2CR_TYPE_BYPASS, S2CR_TYPE_FAULT } from './registers';
import { SmmuV2State } from './v2State';

/**
 * Stream matching as the SMMU does it, on its registers as they are now: SMR(n) matches
 * when ((sid ^ ID) & ~MASK) == 0, exactly one must match, its S2CR says fault, bypass or
 * translate in context bank CBNDX, and the bank's page table is the domain's.
 */
export function routeV2(rt: Pick<Runtime, 'model'>, smmu: number, state: SmmuV2State, sid: number): Route {
  let match = -1;
  let matches = 0;
  for (let i = 0; i < state.smrs.length; i++) {
    const smr = state.smrs[i];
    if (smr?.valid && ((sid ^ smr.id) & ~smr.mask & 0xffff) === 0) {
      match = i;
      matches++;
    }
  }
  if (matches === 0) {
    if (rt.model.smmus[smmu]?.unmatchedFault ?? true) return { kind: 'fault', fault: 'unmatched-stream', reason: `no SMR matches StreamID ${hex(sid)} (sGFSR.USF)` };
    return { kind: 'bypass', reason: `no SMR matches StreamID ${hex(sid)} and sCR0.USFCFG=0: bypass` };
  }
  if (matches > 1) return { kind: 'fault', fault: 'stream-conflict', reason: `${matches} SMRs match StreamID ${hex(sid)} (sGFSR.SMCF)` };
  const s2cr = state.s2crs[match];
  if (!s2cr || s2cr.type === S2CR_TYPE_FAULT) return { kind: 'fault', fault: 'unattached-stream', reason: `StreamID ${hex(sid)} has no domain attached: S2CR.TYPE is fault` };
  if (s2cr.type === S2CR_TYPE_BYPASS) return { kind: 'bypass', reason: `S2CR${match}.TYPE is bypass` };
  const bank = state.banks[s2cr.cbndx];
  if (!bank) throw new Error(`S2CR${match}.CBNDX=${s2cr.cbndx} names no context bank on SMMU ${smmu}`);
  return { kind: 'translate', context: { domain: bank.domain, tlbTag: bank.cbndx, name: `cb${bank.cbndx}`, bank: bank.cbndx, asid: undefined, ssid: undefined, onFault: undefined } };
}
