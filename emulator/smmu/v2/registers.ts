import type { SmmuImpl } from '../../scenario/model';
import { BitField, layoutField, RegisterLayout, withField } from '../registerLayout';

/**
 * SMMUv2 (MMU-500) registers, with the bit positions Linux's arm-smmu driver uses
 * (drivers/iommu/arm/arm-smmu/arm-smmu.h).
 */

function bit(name: string, lsb: number, description: string): BitField {
  return { name, lsb, width: 1, description };
}

export const SCTLR: RegisterLayout = {
  name: 'SCTLR',
  width: 32,
  description: 'Context bank System Control Register',
  fields: [
    bit('M', 0, 'MMU enable: translate (1) or bypass the context bank (0)'),
    bit('TRE', 1, 'TEX remap enable: AttrIndx indexes MAIR'),
    bit('AFE', 2, 'Access flag enable: AP[0] is the access flag'),
    bit('AFFD', 3, 'Access flag fault disable: 0 = a descriptor with AF=0 faults'),
    bit('E', 4, 'Big-endian translation table walks'),
    bit('CFRE', 5, 'Context fault report enable: a terminated transaction aborts (1) or is RAZ/WI (0)'),
    bit('CFIE', 6, 'Context fault interrupt enable'),
    bit('CFCFG', 7, 'Context fault configuration: 0 = terminate, 1 = stall until RESUME'),
    bit('HUPCF', 8, 'Hit under previous context fault: 1 = later transactions translate while a fault is outstanding'),
    bit('ASIDPNE', 12, 'ASID private namespace enable'),
  ],
};

export const SCTLR_M = 1 << 0;
export const SCTLR_TRE = 1 << 1;
export const SCTLR_AFE = 1 << 2;
export const SCTLR_CFRE = 1 << 5;
export const SCTLR_CFIE = 1 << 6;
export const SCTLR_CFCFG = 1 << 7;
export const SCTLR_HUPCF = 1 << 8;
export const SCTLR_ASIDPNE = 1 << 12;

export const FSR: RegisterLayout = {
  name: 'FSR',
  width: 32,
  description: 'Context bank Fault Status Register (fault bits are write-one-to-clear)',
  fields: [
    bit('TF', 1, 'Translation fault'),
    bit('AFF', 2, 'Access flag fault'),
    bit('PF', 3, 'Permission fault'),
    bit('EF', 4, 'External fault'),
    bit('TLBMCF', 5, 'TLB match conflict fault'),
    bit('TLBLKF', 6, 'TLB lock fault'),
    bit('ASF', 7, 'Address size fault'),
    bit('UUT', 8, 'Unsupported upstream transaction'),
    { name: 'FORMAT', lsb: 9, width: 2, description: 'Format of the fault syndrome', values: { 0: 'AArch32 short', 1: 'AArch32 long', 2: 'AArch64' } },
    bit('SS', 30, 'Stalled: a transaction is held until RESUME (read-only)'),
    bit('MULTI', 31, 'Multiple faults: another fault arrived while FSR held one'),
  ],
};

export const FSR_TF = 1 << 1;
export const FSR_AFF = 1 << 2;
export const FSR_PF = 1 << 3;
export const FSR_ASF = 1 << 7;
export const FSR_FORMAT_AARCH64 = 2 << 9;
export const FSR_SS = 1 << 30;
export const FSR_MULTI = 1 << 31;
/** The write-one-to-clear fault bits; SS is read-only and FORMAT describes the syndrome. */
export const FSR_FAULT_BITS = (FSR_TF | FSR_AFF | FSR_PF | (1 << 4) | (1 << 5) | (1 << 6) | FSR_ASF | (1 << 8) | FSR_MULTI) >>> 0;

export const FSYNR0: RegisterLayout = {
  name: 'FSYNR0',
  width: 32,
  description: 'Context bank Fault Syndrome Register 0',
  fields: [
    { name: 'PLVL', lsb: 0, width: 2, description: 'Page-table level of the fault' },
    bit('WNR', 4, 'Write not read: the faulting access was a write'),
    bit('PNU', 5, 'Privileged not unprivileged: the access was privileged'),
    bit('IND', 6, 'Instruction not data: the access was an instruction fetch'),
    bit('NSATTR', 8, 'Non-secure attribute'),
    bit('PTWF', 10, 'Fault on a page-table walk'),
    bit('AFR', 11, 'Asynchronous fault recorded'),
    { name: 'S1CBNDX', lsb: 16, width: 8, description: 'Context bank of the stage 1 translation' },
  ],
};

export const FSYNR0_WNR = 1 << 4;
export const FSYNR0_PNU = 1 << 5;
export const FSYNR0_IND = 1 << 6;

/** FSYNR0 with S1CBNDX [23:16] = `index` and every other field zero. */
export function fsynr0S1cbndx(index: number): number {
  return Number(withField(layoutField(FSYNR0, 'S1CBNDX'), 0n, BigInt(index)));
}

export const CBFRSYNRA: RegisterLayout = {
  name: 'CBFRSYNRA',
  width: 32,
  description: 'Context Bank Fault Restricted Syndrome A: which stream faulted',
  fields: [{ name: 'SID', lsb: 0, width: 16, description: 'StreamID of the faulting transaction' }],
};

export const FAR: RegisterLayout = {
  name: 'FAR',
  width: 64,
  description: 'Context bank Fault Address Register: the faulting input address',
  fields: [{ name: 'FADDR', lsb: 0, width: 64, description: 'Faulting IOVA' }],
};

export const RESUME: RegisterLayout = {
  name: 'RESUME',
  width: 32,
  description: 'Context bank Transaction Resume register: answers a stalled transaction',
  fields: [{ name: 'TnR', lsb: 0, width: 1, description: 'Terminate not retry', values: { 0: 'retry', 1: 'terminate' } }],
};

export const TTBR0: RegisterLayout = {
  name: 'TTBR0',
  width: 64,
  description: 'Translation Table Base Register 0',
  fields: [
    { name: 'BADDR', lsb: 0, width: 48, description: 'Physical address of the first-level table' },
    { name: 'ASID', lsb: 48, width: 16, description: 'Address space ID' },
  ],
};

export const TCR: RegisterLayout = {
  name: 'TCR',
  width: 32,
  description: 'Translation Control Register (AArch64 format)',
  fields: [
    { name: 'T0SZ', lsb: 0, width: 6, description: 'Input range is 2^(64 - T0SZ) bytes' },
    { name: 'IRGN0', lsb: 8, width: 2, description: 'Inner cacheability of walks', values: { 0: 'non-cacheable', 1: 'write-back write-allocate' } },
    { name: 'ORGN0', lsb: 10, width: 2, description: 'Outer cacheability of walks', values: { 0: 'non-cacheable', 1: 'write-back write-allocate' } },
    { name: 'SH0', lsb: 12, width: 2, description: 'Shareability of walks', values: { 0: 'non-shareable', 2: 'outer', 3: 'inner' } },
    { name: 'TG0', lsb: 14, width: 2, description: 'Granule', values: { 0: '4K', 1: '64K', 2: '16K' } },
    { name: 'T1SZ', lsb: 16, width: 6, description: 'TTBR1 range is the top 2^(64 - T1SZ) bytes' },
    bit('EPD1', 23, 'TTBR1 walks disabled'),
    { name: 'IRGN1', lsb: 24, width: 2, description: 'Inner cacheability of TTBR1 walks', values: { 0: 'non-cacheable', 1: 'write-back write-allocate' } },
    { name: 'ORGN1', lsb: 26, width: 2, description: 'Outer cacheability of TTBR1 walks', values: { 0: 'non-cacheable', 1: 'write-back write-allocate' } },
    { name: 'SH1', lsb: 28, width: 2, description: 'Shareability of TTBR1 walks', values: { 0: 'non-shareable', 2: 'outer', 3: 'inner' } },
    // TG1 encodes the granules differently from TG0 (Arm ARM D8.2.3 / TCR_EL1.TG1).
    { name: 'TG1', lsb: 30, width: 2, description: 'TTBR1 granule', values: { 1: '16K', 2: '4K', 3: '64K' } },
  ],
};

/** A stage-2 context bank's TCR: VTCR's fields (SMMUv2 §10.x, the AArch64 stage-2 format), as arm_smmu_lpae_vtcr writes it. */
export const VTCR: RegisterLayout = {
  name: 'TCR',
  width: 32,
  description: 'Translation Control Register of a stage-2 context bank (VTCR format)',
  fields: [
    { name: 'T0SZ', lsb: 0, width: 6, description: 'IPA range is 2^(64 - T0SZ) bytes' },
    { name: 'SL0', lsb: 6, width: 2, description: 'Starting level of the walk (meaning per TG0)' },
    { name: 'IRGN0', lsb: 8, width: 2, description: 'Inner cacheability of walks', values: { 0: 'non-cacheable', 1: 'write-back write-allocate' } },
    { name: 'ORGN0', lsb: 10, width: 2, description: 'Outer cacheability of walks', values: { 0: 'non-cacheable', 1: 'write-back write-allocate' } },
    { name: 'SH0', lsb: 12, width: 2, description: 'Shareability of walks', values: { 0: 'non-shareable', 2: 'outer', 3: 'inner' } },
    { name: 'TG0', lsb: 14, width: 2, description: 'Granule', values: { 0: '4K', 1: '64K', 2: '16K' } },
    { name: 'PASize', lsb: 16, width: 3, description: 'Output (physical) address size', values: { 0: '32 bits', 1: '36 bits', 2: '40 bits', 3: '42 bits', 4: '44 bits', 5: '48 bits' } },
    bit('RES1', 31, 'Reserved, RES1'),
  ],
};

/** Context Bank Attribute Register (in GR1): what kind of context the bank is, and its VMID. */
export const CBAR: RegisterLayout = {
  name: 'CBAR',
  width: 32,
  description: 'Context Bank Attribute Register: the bank\'s type and VMID',
  fields: [
    { name: 'VMID', lsb: 0, width: 8, description: 'Virtual machine ID a stage-2 bank tags its translations with (8-bit VMIDs)' },
    { name: 'TYPE', lsb: 16, width: 2, description: 'Context type', values: { 0: 'stage 2 translation', 1: 'stage 1, stage 2 bypass', 2: 'stage 1, stage 2 fault', 3: 'stage 1 then stage 2 (nested)' } },
    { name: 'IRPTNDX', lsb: 24, width: 8, description: 'Context interrupt index' },
  ],
};

export const CBAR_TYPE_S2_TRANS = 0;
export const CBAR_TYPE_S1_TRANS_S2_BYPASS = 1;

export const TTBR1: RegisterLayout = {
  name: 'TTBR1',
  width: 64,
  description: 'Translation Table Base Register 1: the table of the upper VA range (TCR.EPD1=0)',
  fields: [
    { name: 'BADDR', lsb: 0, width: 48, description: 'Physical address of the first-level table' },
    { name: 'ASID', lsb: 48, width: 16, description: 'Address space ID (TCR.A1=0: the ASID comes from TTBR0)' },
  ],
};

export const TCR2: RegisterLayout = {
  name: 'TCR2',
  width: 32,
  description: 'Translation Control Register 2',
  fields: [{ name: 'PASIZE', lsb: 0, width: 3, description: 'Output (physical) address size', values: { 0: '32 bits', 1: '36 bits', 2: '40 bits', 3: '42 bits', 4: '44 bits', 5: '48 bits' } }],
};

/** TCR2.PASIZE for an output address size. */
export function pasizeOf(oas: number): number {
  return [32, 36, 40, 42, 44, 48].indexOf(oas);
}

/** With extended StreamIDs enabled (sCR0.EXIDENABLE), as Linux programs an SMMU that has them. */
export const SMR: RegisterLayout = {
  name: 'SMR',
  width: 32,
  description: 'Stream Match Register (extended StreamIDs: the valid bit is S2CR.EXIDVALID)',
  fields: [
    { name: 'ID', lsb: 0, width: 16, description: 'StreamID to match' },
    { name: 'MASK', lsb: 16, width: 16, description: 'StreamID bits to ignore' },
  ],
};

export const S2CR: RegisterLayout = {
  name: 'S2CR',
  width: 32,
  description: 'Stream-to-Context Register',
  fields: [
    { name: 'CBNDX', lsb: 0, width: 8, description: 'Context bank of matching streams' },
    bit('EXIDVALID', 10, 'The stream-map entry takes part in matching (extended StreamIDs)'),
    { name: 'TYPE', lsb: 16, width: 2, description: 'What matching streams get', values: { 0: 'translate', 1: 'bypass', 2: 'fault' } },
  ],
};

export const S2CR_TYPE_TRANSLATE = 0;
export const S2CR_TYPE_BYPASS = 1;
export const S2CR_TYPE_FAULT = 2;

export const SGFSR: RegisterLayout = {
  name: 'sGFSR',
  width: 32,
  description: 'Global Fault Status Register',
  fields: [
    bit('ICF', 0, 'Invalid context fault'),
    bit('USF', 1, 'Unidentified stream fault: no SMR matched'),
    bit('SMCF', 2, 'Stream match conflict fault: more than one SMR matched'),
    bit('UCBF', 3, 'Unimplemented context bank fault'),
    bit('UCIF', 4, 'Unimplemented context interrupt fault'),
    bit('CAF', 5, 'Configuration access fault'),
    bit('EF', 6, 'External fault'),
    bit('PF', 7, 'Permission fault'),
    bit('UUT', 8, 'Unsupported upstream transaction'),
    bit('MULTI', 31, 'Multiple global faults'),
  ],
};

export const SGFSYNR0: RegisterLayout = {
  name: 'sGFSYNR0',
  width: 32,
  description: 'Global Fault Syndrome Register 0: the faulting access',
  fields: [bit('NESTED', 0, 'Fault during a nested translation'), bit('WNR', 1, 'Write not read'), bit('PNU', 2, 'Privileged not unprivileged'), bit('IND', 3, 'Instruction not data'), bit('NSSTATE', 4, 'Non-secure state'), bit('NSATTR', 5, 'Non-secure attribute')],
};

export const SGFSYNR0_WNR = 1 << 1;
export const SGFSYNR0_PNU = 1 << 2;
export const SGFSYNR0_IND = 1 << 3;

export const SGFSYNR1: RegisterLayout = {
  name: 'sGFSYNR1',
  width: 32,
  description: 'Global Fault Syndrome Register 1: which stream faulted',
  fields: [
    { name: 'STREAMID', lsb: 0, width: 16, description: 'StreamID of the faulting transaction' },
    { name: 'SSD_INDEX', lsb: 16, width: 16, description: 'Security state determination index' },
  ],
};

export const SGFSR_USF = 1 << 1;
export const SGFSR_SMCF = 1 << 2;
export const SGFSR_MULTI = 1 << 31;

/**
 * What Linux's arm_smmu_init_context_bank writes, plus the scenario's fault bits. Qualcomm's
 * Adreno implementation writes it through qcom_adreno_smmu_write_sctlr, which always sets
 * HUPCF ("to keep the GPU from hanging") and CFCFG as drm/msm's set_stall asked.
 */
export function linuxSctlr(fault: { stage: 1 | 2; stall: boolean; hupcf: boolean; abortOnTerminate: boolean }, impl: SmmuImpl): number {
  let sctlr = SCTLR_CFIE | SCTLR_AFE | SCTLR_TRE | SCTLR_M;
  // ASIDs exist at stage 1 only: arm_smmu_write_context_bank sets S1_ASIDPNE for a stage-1 bank.
  if (fault.stage === 1) sctlr |= SCTLR_ASIDPNE;
  if (fault.abortOnTerminate) sctlr |= SCTLR_CFRE;
  if (fault.stall) sctlr |= SCTLR_CFCFG;
  if (fault.hupcf || impl === 'qcom-adreno') sctlr |= SCTLR_HUPCF;
  return sctlr;
}
