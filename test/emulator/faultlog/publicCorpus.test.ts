import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readFaultLog } from '../../../emulator/faultlog/readFaultLog';
import { reproduceReport } from '../../../emulator/faultlog/reproduceReport';
import { failedExpects, runReproduction } from './reproduce/oracle';

/**
 * The reports of the public development corpus (real logs as people posted them), each in
 * its own test: the report's lines as the thread quotes them, then either the line the
 * reproduced scenario's run must print — the original's own line, byte for byte after the
 * timestamp, where the log prints the mainline format — or the reason `reproduce` gives
 * when the scenario language cannot say it yet. docs/fault-logs.md lists them with why.
 */

interface CorpusReport {
  /** Where the log was posted. */
  source: string;
  /** The report's lines as posted (prefixes, wrapping and all). */
  log: string;
  /** Which report of the log (1-based). */
  report?: number;
  /** The lines its reproduction prints, one after another, or the reason there is none. */
  prints?: readonly string[];
  cannot?: string;
}

const corpus: readonly CorpusReport[] = [
  {
    source: 'github.com/qualcomm/fastrpc/issues/353 (a Qualcomm 6.x tree, CDSP FastRPC; a hex-dump column before each line)',
    log: [
      '0x000000000277BBFA |   1263.468579:   arm-smmu 15000000.iommu: Unhandled context fault: fsr=0x402, iova=0xfd7ff000, fsynr=0x540003, cbfrsynra=0x19c3, cb=10',
      '0x000000000277BD84 |   1263.480593:   arm-smmu 15000000.iommu: FSR    = 00000402 [TF ], SID=0x19c3',
    ].join('\n'),
    prints: ['arm-smmu 15000000.iommu: Unhandled context fault: fsr=0x402, iova=0xfd7ff000, fsynr=0x540003, cbfrsynra=0x19c3, cb=10'],
  },
  {
    source: 'github.com/openwrt/mt76/issues/1007 (NXP LS1028A, MMU-500, 6.12.22: a ratelimit line and a stack trace)',
    log: [
      'arm_smmu_context_fault: 83 callbacks suppressed',
      'arm-smmu 5000000.iommu: Unhandled context fault: fsr=0x402, iova=0xff3cf000, fsynr=0x300003, cbfrsynra=0x409, cb=10',
      'arm-smmu 5000000.iommu: Stack trace:',
      'Call trace:',
      ' dump_backtrace+0x98/0x120',
      ' arm_smmu_context_fault+0x110/0x138',
    ].join('\n'),
    prints: ['arm-smmu 5000000.iommu: Unhandled context fault: fsr=0x402, iova=0xff3cf000, fsynr=0x300003, cbfrsynra=0x409, cb=10'],
  },
  {
    source: "github.com/sm7150-mainline/linux/issues/61 (sm7150 USB, mainline with the FSR/FSYNR0 decode lines): the kernel's decode printed again too",
    log: [
      '[    0.561287] arm-smmu 15000000.iommu: Unhandled context fault: fsr=0x402, iova=0x9c4b9000, fsynr=0x7c0020, cbfrsynra=0x800, cb=7',
      '[    0.561295] arm-smmu 15000000.iommu: FSR    = 00000402 [Format=2 TF], SID=0x800',
      '[    0.561303] arm-smmu 15000000.iommu: FSYNR0 = 007c0020 [S1CBNDX=124 PNU PLVL=0]',
    ].join('\n'),
    prints: [
      'arm-smmu 15000000.iommu: Unhandled context fault: fsr=0x402, iova=0x9c4b9000, fsynr=0x7c0020, cbfrsynra=0x800, cb=7',
      'arm-smmu 15000000.iommu: FSR    = 00000402 [Format=2 TF], SID=0x800',
      'arm-smmu 15000000.iommu: FSYNR0 = 007c0020 [S1CBNDX=124 PNU PLVL=0]',
    ],
  },
  {
    source: 'github.com/commaai/agnos-kernel-sdm845/pull/120 (Qualcomm msm-4.9 dialect: iova first, no cbfrsynra, SID on its own line); reproduced in the mainline format with the same values',
    log: [
      '[ 3440.122844] arm-smmu 15000000.apps-smmu: Unhandled context fault: iova=0xa09d70c8, fsr=0x40000402, fsynr=0x300003, cb=5',
      '[ 3440.122880] arm-smmu 15000000.apps-smmu: FAR    = 00000000a09d70c8',
      '[ 3440.122904] arm-smmu 15000000.apps-smmu: FSR    = 40000402 [TF SS ]',
      '[ 3440.122926] arm-smmu 15000000.apps-smmu: soft iova-to-phys=0x0000000000000000',
      '[ 3440.122986] arm-smmu 15000000.apps-smmu: SID=0x40',
    ].join('\n'),
    prints: ['arm-smmu 15000000.apps-smmu: Unhandled context fault: fsr=0x40000402, iova=0xa09d70c8, fsynr=0x300003, cbfrsynra=0x40, cb=5'],
  },
  {
    source: "github.com/msm8953-mainline/linux/issues/144 (Adreno a506 on qcom_iommu, 6.5.2): drm/msm's line without fault info",
    log: '[   16.363388] *** gpu fault: iova=0000000001047dc0 flags=0 (0,0,0,0)',
    cannot:
      "the `iova=… flags=…` form is what drm/msm prints when the GPU's IOMMU gives it no fault info (qcom_iommu has no adreno_smmu_priv); the emulator's Adreno sits behind arm-smmu's qcom-adreno implementation, which always does, so its line is the `ttbr0=… dir=… type=…` form",
  },
  {
    source: "github.com/msm8953-mainline/linux/issues/144: qcom_iommu's own line",
    log: '[   16.363414] qcom-iommu-ctx 1c48000.iommu-ctx: Unhandled context fault: fsr=0x40000202, iova=0x0000000001047dc0, fsynr=0x3, cb=0',
    cannot: 'qcom-iommu reports are explained, not reproduced: the emulator models arm-smmu and arm-smmu-v3 as Linux drives them',
  },
  {
    source: 'github.com/GengWei1997/linux-xiaomi-raphael-uboot/issues/22 (Adreno a640, wrapped by the terminal): same ttbr0, iova, dir and type (source and the CP scratch registers are not modelled)',
    log: [
      '[ 491.421486] *** gpu fault: ttbr0=00000001e7d67000 iova=00000001033f0000 dir=R',
      'EAD type=TRANSLATION source=CCU (0,0,0,1)',
    ].join('\n'),
    prints: ['*** gpu fault: ttbr0=00000001e7d67000 iova=00000001033f0000 dir=READ type=TRANSLATION source=CP (0,0,0,0)'],
  },
  {
    source: 'github.com/GengWei1997/linux-xiaomi-raphael-uboot/issues/22: the third fault, another process table',
    log: [
      '[ 491.455348] *** gpu fault: ttbr0=00000001e7d67000 iova=00000001033f0000 dir=R',
      'EAD type=TRANSLATION source=CCU (0,0,0,1)',
      '[ 536.625957] *** gpu fault: ttbr0=000000018bbd9000 iova=0000000115af0000 dir=R',
      'EAD type=TRANSLATION source=CCU (0,0,0,1)',
    ].join('\n'),
    report: 2,
    prints: ['*** gpu fault: ttbr0=000000018bbd9000 iova=0000000115af0000 dir=READ type=TRANSLATION source=CP (0,0,0,0)'],
  },
  {
    source: 'github.com/radxa-pkg/edk2-cix/issues/24 (CIX Sky1, ACPI: an `.auto` device name and a vendor prefix)',
    log: [
      '[    7.471032] [pid:134,cpu0,irq/13-arm-smmu]arm-smmu-v3 arm-smmu-v3.0.auto: event 0x07 received:',
      '[    7.471040] [pid:134,cpu0,irq/13-arm-smmu]arm-smmu-v3 arm-smmu-v3.0.auto:    0x0000010000000007',
      '[    7.471043] [pid:134,cpu0,irq/13-arm-smmu]arm-smmu-v3 arm-smmu-v3.0.auto:    0x0000000000000000',
      '[    7.471045] [pid:134,cpu0,irq/13-arm-smmu]arm-smmu-v3 arm-smmu-v3.0.auto:    0x0000000000000000',
      '[    7.471047] [pid:134,cpu0,irq/13-arm-smmu]arm-smmu-v3 arm-smmu-v3.0.auto:    0x0000000000000000',
    ].join('\n'),
    cannot: 'event 0x07 received: F_TRANSL_FORBIDDEN: ATS-translated traffic not allowed, an event the emulator never raises',
  },
  {
    source: 'github.com/DC-DeepComputing/Framework/issues/49 (ESWIN EIC7x): only the header is quoted',
    log: 'arm-smmu-v3 70c00000.iommu: event 0x10 received:',
    cannot: 'the log does not have the four dwords of the record, which the reproduced dump must match',
  },
  {
    source: 'forums.developer.nvidia.com/t/iommu-unhandled-context-fault/82123 (Jetson TX2, the L4T dialect with a SID name and a PTE walk)',
    log: 'arm-smmu 12000000.iommu: Unhandled context fault: iova=0x17fe0fe00, fsynr=0x220003, cb=21, sid=17(0x11 - AFI), pgd=25bec9003, pud=25bec9003, pmd=235086003, pte=0',
    cannot: 'the line does not give fsr, which the reproduced line must match',
  },
];

/** Whether `printed` holds `lines` one after another. */
function inOrder(printed: readonly string[], lines: readonly string[]): boolean {
  return printed.some((_, at) => lines.every((line, i) => printed[at + i] === line));
}

for (const entry of corpus) {
  test(`public corpus: ${entry.source}`, () => {
    const reports = readFaultLog(entry.log);
    const report = reports[(entry.report ?? 1) - 1];
    assert.ok(report, `no report ${entry.report ?? 1} in\n${entry.log}`);
    const reproduction = reproduceReport(report);
    if (entry.cannot !== undefined) {
      assert.deepEqual(reproduction, { cannot: entry.cannot });
      return;
    }
    assert.ok('scenario' in reproduction, `cannot: ${'cannot' in reproduction ? reproduction.cannot : ''}`);
    const run = runReproduction(reproduction.scenario);
    assert.ok(inOrder(run.lines, entry.prints ?? []), `the run printed\n  ${run.lines.join('\n  ')}\nnot\n  ${(entry.prints ?? []).join('\n  ')}\n${reproduction.scenario}`);
    assert.deepEqual(failedExpects(run.result), []);
  });
}
