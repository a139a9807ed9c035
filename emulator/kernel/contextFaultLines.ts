import { ContextFaultInfo } from '../machine/state';
import { field32, RegisterLayout } from '../smmu/registerLayout';
import { FSR, FSYNR0 } from '../smmu/v2/registers';
import { hex, hex32, hex64 } from '../util/u64';

/*
 * The text of the lines arm-smmu.c prints about a context fault, byte for byte in the
 * kernel's format strings (drivers/iommu/arm/arm-smmu/arm-smmu.c). The fields come from
 * registers.ts's layouts: one definition of each bit.
 */


/** `%s` of a flag: its text when the bit is set. */
function flag(layout: RegisterLayout, name: string, value: number, text: string): string {
  return field32(layout, name, value) !== 0 ? text : '';
}

/** `%08x`: 32 bits, zero-padded, no 0x. */
const hex08 = (value: number): string => hex32(value).slice(2);

/** The registers as arm_smmu_context_fault's line gives them: "fsr=0x%x, iova=0x%08lx, fsynr=0x%x, cbfrsynra=0x%x, cb=%d". */
export function contextFaultRegisters(cfi: ContextFaultInfo, cbndx: number): string {
  return `fsr=${hex(cfi.fsr >>> 0)}, iova=0x${cfi.far.toString(16).padStart(8, '0')}, fsynr=${hex(cfi.fsynr0 >>> 0)}, cbfrsynra=${hex(cfi.cbfrsynra >>> 0)}, cb=${cbndx}`;
}

/** "Unhandled context fault: …" (every modelled release). */
export function unhandledContextFaultLine(cfi: ContextFaultInfo, cbndx: number): string {
  return `Unhandled context fault: ${contextFaultRegisters(cfi, cbndx)}`;
}

/** "FSR    = %08x [%s%sFormat=%u%s%s%s%s%s%s%s%s], SID=0x%x" (arm_smmu_print_context_fault_info, 6.11 on). */
export function fsrDecodeLine(cfi: ContextFaultInfo): string {
  const f = cfi.fsr;
  const flags =
    flag(FSR, 'MULTI', f, 'MULTI ') +
    flag(FSR, 'SS', f, 'SS ') +
    `Format=${field32(FSR, 'FORMAT', f)}` +
    flag(FSR, 'UUT', f, ' UUT') +
    flag(FSR, 'ASF', f, ' ASF') +
    flag(FSR, 'TLBLKF', f, ' TLBLKF') +
    flag(FSR, 'TLBMCF', f, ' TLBMCF') +
    flag(FSR, 'EF', f, ' EF') +
    flag(FSR, 'PF', f, ' PF') +
    flag(FSR, 'AFF', f, ' AFF') +
    flag(FSR, 'TF', f, ' TF');
  return `FSR    = ${hex08(f)} [${flags}], SID=${hex(cfi.cbfrsynra >>> 0)}`;
}

/** "FSYNR0 = %08x [S1CBNDX=%u%s%s%s%s%s%s PLVL=%u]" (arm_smmu_print_context_fault_info, 6.11 on). */
export function fsynr0DecodeLine(cfi: ContextFaultInfo): string {
  const s = cfi.fsynr0;
  const flags =
    flag(FSYNR0, 'AFR', s, ' AFR') +
    flag(FSYNR0, 'PTWF', s, ' PTWF') +
    flag(FSYNR0, 'NSATTR', s, ' NSATTR') +
    flag(FSYNR0, 'IND', s, ' IND') +
    flag(FSYNR0, 'PNU', s, ' PNU') +
    flag(FSYNR0, 'WNR', s, ' WNR');
  return `FSYNR0 = ${hex08(s)} [S1CBNDX=${field32(FSYNR0, 'S1CBNDX', s)}${flags} PLVL=${field32(FSYNR0, 'PLVL', s)}]`;
}

/** What drm/msm's fault handler calls the fault: FSR's TF, PF, EF in that order, else UNKNOWN. */
function gpuFaultType(fsr: number): string {
  if (field32(FSR, 'TF', fsr)) return 'TRANSLATION';
  if (field32(FSR, 'PF', fsr)) return 'PERMISSION';
  if (field32(FSR, 'EF', fsr)) return 'EXTERNAL';
  return 'UNKNOWN';
}

/**
 * drm/msm's "*** gpu fault: ttbr0=%.16llx iova=%.16lx dir=%s type=%s source=%s (%u,%u,%u,%u)"
 * (pr_warn, no device prefix; adreno_fault_handler, a6xx_fault_handler before 6.4). The model
 * has no FSYNR1, so the source block is a6xx_fault_block(0) = "CP", and the four CP scratch
 * registers the GPU's firmware leaves are 0.
 */
export function gpuFaultLine(cfi: ContextFaultInfo, ttbr0: bigint): string {
  const dir = field32(FSYNR0, 'WNR', cfi.fsynr0) ? 'WRITE' : 'READ';
  return `*** gpu fault: ttbr0=${hex64(ttbr0).slice(2)} iova=${hex64(cfi.far).slice(2)} dir=${dir} type=${gpuFaultType(cfi.fsr)} source=CP (0,0,0,0)`;
}
