/**
 * SMMUv2 registers as views show and edit them: each register's field layout (defined once,
 * in smmu/v2/registers.ts), decoding and field writes, and a context bank's state.
 */
export { decode, setFlags, withField } from '../smmu/registerLayout';
export type { RegisterLayout } from '../smmu/registerLayout';
export { CBAR, CBAR_TYPE_S2_TRANS, CBFRSYNRA, FAR, FSR, FSYNR0, linuxSctlr, SCTLR, SCTLR_HUPCF, SGFSR, TCR, TTBR0, TTBR1, VTCR } from '../smmu/v2/registers';
export type { BankState } from '../smmu/v2/v2State';
