/**
 * An SMMUv3's structures as Linux writes them at probe and attach (stream table, STEs, CDs,
 * queue bases), read back from a booted machine, for the language server's hovers on
 * `smmu`, `master` and `domain` declarations.
 */
export { V3Structures } from '../smmu/v3/bootedStructures';
export type { CdView, SmmuV3Setup, StreamView, StructureView } from '../smmu/v3/bootedStructures';
