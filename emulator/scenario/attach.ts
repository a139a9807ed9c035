/**
 * iommu_attach_device, as the checker predicts it, the machine performs it and the language
 * server explains it: one set of rules, in one place.
 */

import { hasChange, KernelVersion } from '../kernel/versions';
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
  /** SMMUv2: the domain's `fault stall` (SCTLR.CFCFG). An SMMUv3 domain has no stall choice of its own. */
  domainStalls: boolean;
  /** What Linux decides with: the master's stall_enabled, not its `can-stall` alone. */
  masterStall: MasterStall;
  /** SMMUv2: the context banks of the master's SMMU; undefined on SMMUv3 (a CD per domain). */
  contextBanks: number | undefined;
  /** SMMUv3: the Linux release whose arm_smmu_attach_dev decides; undefined on SMMUv2. */
  smmuV3Kernel: KernelVersion | undefined;
}

export type AttachOutcome =
  | { attached: true }
  | { attached: false; why: 'refused' | 'no-context-bank'; reason: string };

/**
 * Why the attach fails by itself, whatever else is attached; undefined when it may succeed.
 * On SMMUv2 a stall domain refuses a master that does not stall (the model's rule for a
 * context bank whose CFCFG the domain sets). SMMUv3 is decided by `stallMismatch`.
 */
function refusal<K>(request: AttachRequest<K>): string | undefined {
  if (request.masterSmmu !== request.domainSmmu) {
    return `master '${request.master}' is behind smmu '${request.masterSmmu}' but domain '${request.domainName}' uses smmu '${request.domainSmmu}'`;
  }
  if (request.smmuV3Kernel === undefined && request.domainStalls && !request.masterStall.stalls) {
    return `domain '${request.domainName}' stalls on faults but ${request.masterStall.why}`;
  }
  return undefined;
}

/** The stall_enabled an SMMUv3 domain took from the first master attached to it (5.14–6.9). */
interface DomainStall {
  stalls: boolean;
  master: string;
}

/**
 * arm_smmu_attach_dev from 5.14 (395ad89d11fd) to 6.9: an S1 domain takes stall_enabled
 * from the first master attached to it (CD.S is written from the domain), and a master
 * whose stall_enabled differs is refused with -EINVAL; until 6.1 it also prints "cannot
 * attach to stall-enabled domain" (or "stall-disabled"). From 6.10 CD.S is per master and
 * nothing is refused for it. Under force-stall every master stalls, so nothing ever is.
 */
function stallMismatch<K>(request: AttachRequest<K>, taken: DomainStall | undefined): string | undefined {
  const kernel = request.smmuV3Kernel;
  if (kernel === undefined || hasChange(kernel, 'smmuV3CdStallPerMaster') || !taken || taken.stalls === request.masterStall.stalls) return undefined;
  const first = `'${taken.master}', which ${taken.stalls ? 'stalls' : 'does not stall'}`;
  const master = request.masterStall.stalls ? `master '${request.master}' stalls` : request.masterStall.why;
  const line = hasChange(kernel, 'smmuV3StallAttachMessage') ? '' : ` and prints "cannot attach to stall-${taken.stalls ? 'enabled' : 'disabled'} domain"`;
  return `on Linux ${kernel} SMMUv3 domain '${request.domainName}' took stall_enabled from the first master attached to it (${first}) and ${master}: arm_smmu_attach_dev fails -EINVAL${line}`;
}

/**
 * The attaches made so far, one at a time. On SMMUv2 a domain takes a context bank on its
 * first attach and masters attached to it share that bank; when the banks run out, the
 * attach fails. A failed attach changes nothing, so a caller may try another domain
 * (as VFIO does) and get the same answers as a list attached in one go.
 */
export class Attacher<K> {
  private readonly banks = new Map<string, K[]>();
  private readonly stallOf = new Map<K, DomainStall>();

  attach(request: AttachRequest<K>): AttachOutcome {
    const reason = refusal(request) ?? stallMismatch(request, this.stallOf.get(request.domain));
    if (reason) return { attached: false, why: 'refused', reason };
    if (!this.stallOf.has(request.domain)) this.stallOf.set(request.domain, { stalls: request.masterStall.stalls, master: request.master });
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
