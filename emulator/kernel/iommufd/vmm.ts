import { Command } from '../../smmu/v3/commands';
import { EventRecord } from '../../smmu/v3/eventRecord';
import { HwptPageResponse, HwptPgfault } from './faultRecords';
import { IOMMUFD_PAGE_RESP, IOMMU_PGFAULT_FLAGS, IOMMU_PGFAULT_PERM } from './uapi';

/**
 * The VMM's half of the forwarding path: a struct iommu_hwpt_pgfault read from the fault fd
 * becomes a stall event record in the guest's virtual event queue, and the guest's
 * CMD_RESUME becomes a struct iommu_hwpt_page_response written back. Upstream QEMU's SMMUv3
 * has no stall (IDR0.STALL_MODEL = 0b01), so this is the model's VMM, built the way the
 * kernel's records allow:
 *
 * - the record is F_TRANSLATION with Stall = 1: the pgfault does not say which of the four
 *   translation faults the host saw, and the guest's arm_smmu_handle_event treats all four
 *   the same when they stall; StreamID = the vSID, STAG = grpid (the host's STAG, which the
 *   host's arm_smmu_handle_event put there), SSV/SubstreamID from PASID_VALID/pasid,
 *   RnW/InD/PnU from perm R/EXEC/PRIV, CLASS = IN, S2 = 0 (the guest sees a stage-1 fault),
 *   InputAddr = addr;
 * - it remembers (vSID, STAG) → cookie, and answers the guest's CMD_RESUME for it:
 *   Retry → IOMMUFD_PAGE_RESP_SUCCESS; Terminate and Abort → IOMMUFD_PAGE_RESP_INVALID.
 *   The fault fd takes only those two codes, and the host's arm_smmu_page_response turns
 *   INVALID into CMD_RESUME Abort: a guest's Terminate (RAZ/WI, §4.7.1) reaches the device as
 *   an abort. CMD_STALL_TERM answers every stall of the vSID INVALID (§4.7.2: as many
 *   CMD_RESUME(Terminate)); a CMD_RESUME that matches no stall does nothing, as on hardware
 *   (§4.7.1).
 */

export interface PendingStall {
  vsid: number;
  stag: number;
  cookie: number;
}

export interface VmmFaultState {
  /** Injected stalls not answered yet, oldest first. */
  pending: PendingStall[];
}

export function newVmmFaultState(): VmmFaultState {
  return { pending: [] };
}

/** CLASS = IN (IHI 0070 §7.3.13, F_TRANSLATION): the fault is on the input address. */
const CLASS_IN = 2;
/** The event record's STAG field is 16 bits (§7.3.13). */
const STAG_MASK = 0xffff;

/** The stall record the VMM injects for one pgfault (the group's last, which carries the cookie to answer). */
export function injectedEventFor(pgfault: HwptPgfault, vsid: number): EventRecord {
  const ssv = (pgfault.flags & IOMMU_PGFAULT_FLAGS.PASID_VALID) !== 0;
  return {
    id: 'F_TRANSLATION',
    sid: vsid,
    ssv,
    ssid: ssv ? pgfault.pasid : 0,
    stag: pgfault.grpid & STAG_MASK,
    stall: true,
    pnu: (pgfault.perm & IOMMU_PGFAULT_PERM.PRIV) !== 0,
    ind: (pgfault.perm & IOMMU_PGFAULT_PERM.EXEC) !== 0,
    rnw: (pgfault.perm & IOMMU_PGFAULT_PERM.READ) !== 0,
    s2: false,
    class: CLASS_IN,
    inputAddr: pgfault.addr,
  };
}

/** After injecting: the stall the guest will answer. */
export function rememberStall(state: VmmFaultState, vsid: number, pgfault: HwptPgfault): void {
  state.pending.push({ vsid, stag: pgfault.grpid & STAG_MASK, cookie: pgfault.cookie });
}

/** The responses one trapped command makes the VMM write to the fault fd (none for a command that answers no stall). */
export function responsesFor(state: VmmFaultState, command: Command): HwptPageResponse[] {
  if (command.op === 'CMD_RESUME') {
    const at = state.pending.findIndex((p) => p.vsid === command.sid && p.stag === command.stag);
    if (at < 0) return [];
    const [stall] = state.pending.splice(at, 1);
    return [{ cookie: stall.cookie, code: command.action === 'retry' ? IOMMUFD_PAGE_RESP.SUCCESS : IOMMUFD_PAGE_RESP.INVALID }];
  }
  if (command.op === 'CMD_STALL_TERM') {
    const answered = state.pending.filter((p) => p.vsid === command.sid);
    state.pending = state.pending.filter((p) => p.vsid !== command.sid);
    return answered.map((p) => ({ cookie: p.cookie, code: IOMMUFD_PAGE_RESP.INVALID }));
  }
  return [];
}

/**
 * The VMM's own answer to a stall that is not the guest's to fix — a stage-2 fault the host
 * reported through the fault queue (STE.S2S = 1): INVALID, never injected (translation-
 * regimes.md, "A guest owns the device"; IHI 0070 §3.12.5). The pgfault itself has no S2 bit
 * or IPA: the model's VMM is told by the machine, which saw the host's record.
 */
export function vmmOwnResponse(pgfault: HwptPgfault): HwptPageResponse {
  return { cookie: pgfault.cookie, code: IOMMUFD_PAGE_RESP.INVALID };
}
