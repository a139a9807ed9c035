import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readFaultLog } from '../../../../emulator/faultlog/readFaultLog';
import { reproduceReport } from '../../../../emulator/faultlog/reproduceReport';

/** Reports read from a log that `reproduce` must refuse, each with the reason it gives. */

const cannot = (log: string): string => {
  const [report] = readFaultLog(log);
  assert.ok(report, `no report in ${log}`);
  const reproduction = reproduceReport(report);
  assert.ok('cannot' in reproduction, `a scenario for ${log}`);
  return reproduction.cannot;
};

test("drm/msm's `iova=… flags=…` form: no fault info from the IOMMU, which the emulated Adreno always has", () => {
  assert.equal(
    cannot('[   16.363388] *** gpu fault: iova=0000000001047dc0 flags=0 (0,0,0,0)\n'),
    "the `iova=… flags=…` form is what drm/msm prints when the GPU's IOMMU gives it no fault info (qcom_iommu has no adreno_smmu_priv); the emulator's Adreno sits behind arm-smmu's qcom-adreno implementation, which always does, so its line is the `ttbr0=… dir=… type=…` form",
  );
});

test('an event the emulator never raises is named from all 64 bits of dword 0 (StreamID 0xc536dc3f, ID 0x03)', () => {
  const log = ['event 0x03 received:', '\t0xc536dc3f00000603', '\t0x0000000200000000', '\t0x28ddac482d51b97c', '\t0x0000000000000000'].map((l) => `arm-smmu-v3 15000000.iommu: ${l}`).join('\n');
  assert.equal(cannot(log), 'event 0x03 received: F_STE_FETCH: external abort fetching the STE, an event the emulator never raises');
});

test('F_TRANSLATION with SSV=0 and a SubstreamID: UNKNOWN in the architecture, 0 in the emulator', () => {
  const log = ['event 0x10 received:', '\t0x0000000000001010', '\t0x0000020000000000', '\t0x0000000000000000', '\t0x0000000000000000'].map((l) => `arm-smmu-v3 15000000.iommu: ${l}`).join('\n');
  assert.equal(cannot(log), 'SubstreamID 0x1 with SSV=0: without SSV the field is UNKNOWN (IHI 0070 7.3), and the emulator writes 0 there');
});
