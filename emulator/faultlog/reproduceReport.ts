import { FaultReport } from './report';
import { reproduceAdrenoGpuFault, reproduceArmSmmuContextFault, reproduceArmSmmuV3Event, Reproduction } from './reproduce';

/** A register or dword the report read, as the number the log printed. */
function registerValue(report: FaultReport, name: string): bigint | undefined {
  const value = report.registers[name]?.value;
  return value === undefined ? undefined : BigInt(value);
}

/**
 * The StreamID the reproduced line prints as cbfrsynra: CBFRSYNRA's, or where the log's
 * dialect has no cbfrsynra (Qualcomm's trees, the old field order) the SID of its own line.
 */
function streamId(report: FaultReport): bigint | undefined {
  return registerValue(report, 'CBFRSYNRA') ?? (report.sid === null ? undefined : BigInt(report.sid));
}

/** What a context fault line leaves out that reproducing it needs, in the line's own words. */
function missingFromContextFault(report: FaultReport): string[] {
  const missing: string[] = [];
  if (report.device === null) missing.push('the device');
  if (registerValue(report, 'FSR') === undefined) missing.push('fsr');
  if (streamId(report) === undefined) missing.push('cbfrsynra');
  if (report.cb === null) missing.push('cb');
  return missing;
}

/** The SMMUv3 record's four dwords, when the log printed them (the decoded lines alone do not give every bit). */
function eventDwords(report: FaultReport): [bigint, bigint, bigint, bigint] | undefined {
  const [d0, d1, d2, d3] = [0, 1, 2, 3].map((i) => registerValue(report, `dword ${i}`));
  return d0 === undefined || d1 === undefined || d2 === undefined || d3 === undefined ? undefined : [d0, d1, d2, d3];
}

/**
 * Why the `*** gpu fault: iova=… flags=…` form cannot be printed again: adreno_fault_handler
 * prints it when the IOMMU gives drm/msm no fault info (`info == NULL`: qcom_iommu, which has
 * no adreno_smmu_priv), and the emulated Adreno sits behind arm-smmu's qcom-adreno
 * implementation, whose get_fault_info always answers.
 */
const OLD_GPU_FAULT_FORM =
  "the `iova=… flags=…` form is what drm/msm prints when the GPU's IOMMU gives it no fault info (qcom_iommu has no adreno_smmu_priv); the emulator's Adreno sits behind arm-smmu's qcom-adreno implementation, which always does, so its line is the `ttbr0=… dir=… type=…` form";

/**
 * The scenario that reproduces one report read from a log (docs/fault-logs.md), or why the
 * language cannot say it yet: never a scenario whose run prints something else.
 */
export function reproduceReport(report: FaultReport): Reproduction {
  switch (report.source) {
    case 'arm-smmu': {
      if (report.kind === 'global') return { cannot: 'a global fault (sGFSR) happens before any context bank; reproducing one is not supported yet' };
      const missing = missingFromContextFault(report);
      const fsr = registerValue(report, 'FSR');
      const fsynr = registerValue(report, 'FSYNR0');
      const sid = streamId(report);
      if (missing.length > 0 || fsr === undefined || fsynr === undefined || sid === undefined || report.device === null || report.cb === null || report.iova === null) {
        return { cannot: `the line does not give ${missing.join(', ')}, which the reproduced line must match` };
      }
      return reproduceArmSmmuContextFault({ device: report.device, fsr: Number(fsr), iova: BigInt(report.iova), fsynr: Number(fsynr), cbfrsynra: Number(sid), cb: report.cb });
    }
    case 'arm-smmu-v3': {
      if (report.kind === 'overflow') return { cannot: 'a queue overflow is a storm of faults, not one: reproduce one of its events instead' };
      const dwords = eventDwords(report);
      if (!dwords || report.device === null) return { cannot: 'the log does not have the four dwords of the record, which the reproduced dump must match' };
      return reproduceArmSmmuV3Event({ device: report.device, dwords });
    }
    case 'adreno': {
      if (report.iova === null || report.write === null) return { cannot: 'the gpu fault line gives no IOVA or direction' };
      const ttbr0 = registerValue(report, 'TTBR0');
      if (ttbr0 === undefined) return { cannot: OLD_GPU_FAULT_FORM };
      return reproduceAdrenoGpuFault({ iova: BigInt(report.iova), dir: report.write ? 'WRITE' : 'READ', type: report.kind === null ? 'UNKNOWN' : report.kind.toUpperCase(), ttbr0 });
    }
    case 'qcom-iommu':
    case 'xen-smmu':
    case 'io_page_fault':
      return { cannot: `${report.source} reports are explained, not reproduced: the emulator models arm-smmu and arm-smmu-v3 as Linux drives them` };
  }
}
