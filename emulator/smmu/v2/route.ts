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
  const match = matchingSmr(state, sid);
  if (match === NO_SMR) {
    if (rt.model.smmus[smmu]?.unmatchedFault ?? true) return { kind: 'fault', fault: 'unmatched-stream', reason: `no SMR matches StreamID ${hex(sid)} (sGFSR.USF)` };
    return { kind: 'bypass', reason: `no SMR matches StreamID ${hex(sid)} and sCR0.USFCFG=0: bypass` };
  }
  if (match === SEVERAL_SMRS) return { kind: 'fault', fault: 'stream-conflict', reason: `${state.smrs.filter((smr) => smrMatches(smr, sid)).length} SMRs match StreamID ${hex(sid)} (sGFSR.SMCF)` };
  const s2cr = state.s2crs[match];
  if (!s2cr || s2cr.type === S2CR_TYPE_FAULT) return { kind: 'fault', fault: 'unattached-stream', reason: `StreamID ${hex(sid)} has no domain attached: S2CR.TYPE is fault` };
  if (s2cr.type === S2CR_TYPE_BYPASS) return { kind: 'bypass', reason: `S2CR${match}.TYPE is bypass` };
  const bank = state.banks[s2cr.cbndx];
  if (!bank) throw new Error(`S2CR${match}.CBNDX=${s2cr.cbndx} names no context bank on SMMU ${smmu}`);
  return { kind: 'translate', context: { domain: bank.domain, tlbTag: bank.cbndx, name: `cb${bank.cbndx}`, bank: bank.cbndx, asid: undefined, ssid: undefined, onFault: undefined } };
}

/**
 * The context bank `sid` translates in, when its route is to translate — what `routeV2`
 * says, without building the route: the transaction path asks it for every transaction.
 * Undefined for any other route (a fault, bypass), which `routeV2` tells.
 */
export function translatingBank(state: SmmuV2State, sid: number): number | undefined {
  const match = matchingSmr(state, sid);
  const s2cr = match >= 0 ? state.s2crs[match] : undefined;
  if (!s2cr || s2cr.type === S2CR_TYPE_FAULT || s2cr.type === S2CR_TYPE_BYPASS) return undefined;
  return state.banks[s2cr.cbndx]?.cbndx;
}

const NO_SMR = -1;
const SEVERAL_SMRS = -2;

function smrMatches(smr: SmmuV2State['smrs'][number] | undefined, sid: number): boolean {
  return smr !== undefined && smr.valid && ((sid ^ smr.id) & ~smr.mask & 0xffff) === 0;
}

/** The one SMR matching `sid`, or NO_SMR, or SEVERAL_SMRS (a stream match conflict). */
function matchingSmr(state: SmmuV2State, sid: number): number {
  let match = NO_SMR;
  for (let i = 0; i < state.smrs.length; i++) {
    if (!smrMatches(state.smrs[i], sid)) continue;
    if (match !== NO_SMR) return SEVERAL_SMRS;
    match = i;
  }
  return match;
}
