import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeEvent } from '../../../emulator/smmu/v3/eventRecord';
import { HwptPgfault } from '../../../emulator/kernel/iommufd/faultRecords';
import { injectedEventFor, newVmmFaultState, rememberStall, responsesFor } from '../../../emulator/kernel/iommufd/vmm';

/**
 * The model's VMM: a struct iommu_hwpt_pgfault becomes a stall F_TRANSLATION (IHI 0070
 * §7.3.13) in the guest's event queue; the guest's CMD_RESUME (§4.7.1) becomes a struct
 * iommu_hwpt_page_response.
 */

const pgfault: HwptPgfault = { flags: 3, dev_id: 1, pasid: 5, grpid: 0x1234, perm: 1, addr: 0x12_3456_7000n, length: 0, cookie: 4 };

test('the injected record: vSID, SSV + SubstreamID from PASID_VALID, STAG = grpid, Stall, RnW from perm R, CLASS IN, InputAddr = addr', () => {
  const dwords = encodeEvent(injectedEventFor(pgfault, 3));
  // dword 0: ID 0x10 | SSV (bit 11) | SubstreamID 5 << 12 | StreamID 3 << 32
  // dword 1: STAG 0x1234 | Stall (bit 95 → 31) | RnW (bit 99 → 35) | CLASS 2 (bits 105:104 → 41:40)
  assert.deepEqual(dwords, [0x0000_0003_0000_5810n, 0x0000_0208_8000_1234n, 0x12_3456_7000n, 0n]);
});

test('perm W|EXEC|PRIV without PASID_VALID: RnW 0, InD, PnU, no SubstreamID', () => {
  const record = injectedEventFor({ ...pgfault, flags: 2, perm: 2 | 4 | 8 }, 3);
  assert.deepEqual([record.rnw, record.ind, record.pnu, record.ssv, record.ssid], [false, true, true, false, 0]);
});

test('CMD_RESUME Retry → SUCCESS, Abort and Terminate → INVALID, for the cookie of the (vSID, STAG) injected', () => {
  const state = newVmmFaultState();
  rememberStall(state, 3, pgfault);
  rememberStall(state, 3, { ...pgfault, grpid: 0x1235, cookie: 5 });
  rememberStall(state, 3, { ...pgfault, grpid: 0x1236, cookie: 6 });
  assert.deepEqual(responsesFor(state, { op: 'CMD_RESUME', sid: 3, stag: 0x1235, action: 'retry' }), [{ cookie: 5, code: 0 }]);
  assert.deepEqual(responsesFor(state, { op: 'CMD_RESUME', sid: 3, stag: 0x1234, action: 'abort' }), [{ cookie: 4, code: 1 }]);
  assert.deepEqual(responsesFor(state, { op: 'CMD_RESUME', sid: 3, stag: 0x1236, action: 'terminate' }), [{ cookie: 6, code: 1 }]);
  assert.deepEqual(state.pending, []);
});

test('a CMD_RESUME matching no injected stall does nothing (§4.7.1); CMD_STALL_TERM answers every stall of the vSID INVALID (§4.7.2)', () => {
  const state = newVmmFaultState();
  rememberStall(state, 3, pgfault);
  rememberStall(state, 4, { ...pgfault, cookie: 7 });
  rememberStall(state, 3, { ...pgfault, grpid: 0x99, cookie: 8 });
  assert.deepEqual(responsesFor(state, { op: 'CMD_RESUME', sid: 4, stag: 0x99, action: 'retry' }), []);
  assert.deepEqual(responsesFor(state, { op: 'CMD_SYNC', cs: 'none' }), []);
  assert.deepEqual(responsesFor(state, { op: 'CMD_STALL_TERM', sid: 3 }), [{ cookie: 4, code: 1 }, { cookie: 8, code: 1 }]);
  assert.deepEqual(state.pending, [{ vsid: 4, stag: 0x1234, cookie: 7 }]);
});
