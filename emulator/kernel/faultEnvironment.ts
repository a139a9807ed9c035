import { Environment, Value } from '../language/evaluate';
import { namesEnvironment } from '../language/namesEnvironment';
import { faultFields } from '../language/schema';
import { Runtime } from '../machine/runtime';
import { ActivityState, IopfGroupState } from '../machine/state';
import { FSR_AFF, FSR_ASF, FSR_PF, FSR_SS, FSR_TF, FSYNR0_IND, FSYNR0_PNU, FSYNR0_WNR } from '../smmu/v2/registers';

const kindOfFsr: [number, string][] = [
  [FSR_TF, 'translation'],
  [FSR_AFF, 'access-flag'],
  [FSR_PF, 'permission'],
  [FSR_ASF, 'address-size'],
];

/**
 * What a handler reads of the fault it handles: what `arm_smmu_context_fault` read from
 * the registers (FAR, FSYNR0, CBFRSYNRA, FSR), and who the faulting transaction was.
 */
export function handlerEnvironment(rt: Runtime, activity: ActivityState): Environment {
  return activity.group ? groupEnvironment(rt, activity) : contextFaultEnvironment(rt, activity);
}

function lookupIn(rt: Runtime, fields: Record<keyof typeof faultFields, () => Value>): Environment {
  return namesEnvironment(fields, rt.state.counters);
}

/**
 * What an iopf handler reads on SMMUv3: the group's first fault (struct iommu_fault_page_request:
 * addr, pasid, grpid), with `stag` for a stall and `prgi` for a PRI group.
 */
function groupEnvironment(rt: Runtime, activity: ActivityState): Environment {
  const group = activity.group as IopfGroupState;
  const fault = activity.fault;
  const engine = fault ? rt.model.engines[fault.engine] : undefined;
  const ssid = BigInt(group.ssid ?? 0);
  return lookupIn(rt, {
    iova: () => fault?.iova ?? 0n,
    pa: () => 0n,
    sid: () => BigInt(group.sid),
    ssid: () => ssid,
    pasid: () => ssid,
    kind: () => fault?.kind ?? 'translation',
    level: () => BigInt(fault?.level ?? 0),
    write: () => fault?.write ?? false,
    read: () => !(fault?.write ?? false),
    exec: () => fault?.exec ?? false,
    priv: () => fault?.priv ?? false,
    stalled: () => group.kind === 'stall',
    engine: () => engine?.name ?? '',
    master: () => (engine ? (rt.model.masters[engine.master]?.name ?? '') : ''),
    domain: () => rt.model.domains[activity.domain ?? -1]?.name ?? '',
    fsr: () => 0n,
    far: () => fault?.iova ?? 0n,
    fsynr0: () => 0n,
    stag: () => BigInt(group.kind === 'stall' ? group.grpid : 0),
    prgi: () => BigInt(group.kind === 'page-request' ? group.grpid : 0),
  });
}

function contextFaultEnvironment(rt: Runtime, activity: ActivityState): Environment {
  const cfi = activity.cfi;
  const fsr = cfi?.fsr ?? 0;
  const fsynr0 = cfi?.fsynr0 ?? 0;
  const fault = activity.fault;
  const engine = fault ? rt.model.engines[fault.engine] : undefined;
  const fields: Record<keyof typeof faultFields, () => Value> = {
    iova: () => cfi?.far ?? 0n,
    // The transaction faulted: it has no output address.
    pa: () => 0n,
    sid: () => BigInt((cfi?.cbfrsynra ?? 0) & 0xffff),
    ssid: () => 0n,
    pasid: () => 0n,
    // From FSR's type bits; a report for MULTI alone has none, and then (like FAR) the
    // registers still describe the fault that latched them.
    kind: () => kindOfFsr.find(([bit]) => (fsr & bit) !== 0)?.[1] ?? fault?.kind ?? 'translation',
    level: () => BigInt(fsynr0 & 3),
    write: () => (fsynr0 & FSYNR0_WNR) !== 0,
    read: () => (fsynr0 & FSYNR0_WNR) === 0,
    exec: () => (fsynr0 & FSYNR0_IND) !== 0,
    priv: () => (fsynr0 & FSYNR0_PNU) !== 0,
    stalled: () => (fsr & FSR_SS) !== 0,
    engine: () => engine?.name ?? '',
    master: () => (engine ? (rt.model.masters[engine.master]?.name ?? '') : ''),
    domain: () => rt.model.domains[activity.domain ?? -1]?.name ?? '',
    fsr: () => BigInt(fsr >>> 0),
    far: () => cfi?.far ?? 0n,
    fsynr0: () => BigInt(fsynr0 >>> 0),
    stag: () => 0n,
    prgi: () => 0n,
  };
  return lookupIn(rt, fields);
}
