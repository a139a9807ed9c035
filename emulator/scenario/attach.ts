/**
 * iommu_attach_device, as the checker predicts it, the machine performs it and the language
 * server explains it: one set of rules, in one place.
 */

import { SmmuModel } from './model';

/** SMMU_IDR0.STALL_MODEL of an SMMUv3; an SMMUv2 has none (undefined). */
export type StallModel = SmmuModel['stallModel'];

/**
 * Linux's `master->stall_enabled` (arm_smmu_probe_device): the firmware's `dma-can-stall`
 * on an SMMU that supports stalls, or any master of an SMMU that forces them. An SMMUv2
 * (no STALL_MODEL) stalls a master that can stall.
 */
export function stallEnabled(canStall: boolean, stallModel: StallModel | undefined): boolean {
  return stallModel === 'force-stall' || (canStall && stallModel !== 'no-stall');
}

/** Whether a master stalls on faults (`stallEnabled`), and when it does not, why, in words. */
export type MasterStall = { stalls: true } | { stalls: false; why: string };

/** A master's `stallEnabled`, said: every attach request and every explanation of one is built from it. */
export function masterStall(master: string, canStall: boolean, smmu: string, stallModel: StallModel | undefined): MasterStall {
  if (stallEnabled(canStall, stallModel)) return { stalls: true };
  // On a no-stall SMMU the firmware's `dma-can-stall` counts for nothing: the SMMU is the reason.
  const why = stallModel === 'no-stall' ? `master '${master}' cannot stall behind smmu '${smmu}' (STALL_MODEL no-stall)` : `master '${master}' is not 'can-stall'`;
  return { stalls: false, why };
}

/** A master asking, at start, to be attached to a domain. `K` identifies the domain. */
export interface AttachRequest<K> {
  master: string;
  masterSmmu: string;
  domain: K;
  domainName: string;
  domainSmmu: string;
  domainStalls: boolean;
  /** What Linux decides with: the master's stall_enabled, not its `can-stall` alone. */
  masterStall: MasterStall;
  /** SMMUv2: the context banks of the master's SMMU; undefined on SMMUv3 (a CD per domain). */
  contextBanks: number | undefined;
}

export type AttachOutcome =
  | { attached: true }
  | { attached: false; why: 'refused' | 'no-context-bank'; reason: string };

/**
 * Why the attach fails by itself, whatever else is attached; undefined when it may succeed.
 * A stall domain refuses a master that does not stall, as arm-smmu-v3 did from 2021 (commit
 * 395ad89d11fd) until the CD table moved to the master in 2023: it compared the master's
 * stall_enabled with the domain's (docs/smmuv3.md says what each kernel does). So under
 * force-stall, where every master stalls, nothing is refused for it.
 */
function refusal<K>(request: AttachRequest<K>): string | undefined {
  if (request.masterSmmu !== request.domainSmmu) {
    return `master '${request.master}' is behind smmu '${request.masterSmmu}' but domain '${request.domainName}' uses smmu '${request.domainSmmu}'`;
  }
  if (request.domainStalls && !request.masterStall.stalls) {
    return `domain '${request.domainName}' stalls on faults but ${request.masterStall.why}`;
  }
  return undefined;
}

/**
 * The attaches made so far, one at a time. On SMMUv2 a domain takes a context bank on its
 * first attach and masters attached to it share that bank; when the banks run out, the
 * attach fails. A failed attach changes nothing, so a caller may try another domain
 * (as VFIO does) and get the same answers as a list attached in one go.
 */
export class Attacher<K> {
  private readonly banks = new Map<string, K[]>();

  attach(request: AttachRequest<K>): AttachOutcome {
    const reason = refusal(request);
    if (reason) return { attached: false, why: 'refused', reason };
    const inUse = this.banks.get(request.masterSmmu) ?? [];
    this.banks.set(request.masterSmmu, inUse);
    if (inUse.includes(request.domain)) return { attached: true };
    if (request.contextBanks !== undefined && inUse.length >= request.contextBanks) {
      const n = request.contextBanks;
      return {
        attached: false,
        why: 'no-context-bank',
        reason: `smmu '${request.masterSmmu}' has ${n} context bank${n === 1 ? '' : 's'} and this would be domain number ${inUse.length + 1}`,
      };
    }
    inUse.push(request.domain);
    return { attached: true };
  }
}

/** Attaches in the order given (declaration order, for masters with their own `domain` line). */
export function attachInOrder<K>(requests: readonly AttachRequest<K>[], attacher = new Attacher<K>()): AttachOutcome[] {
  return requests.map((request) => attacher.attach(request));
}
