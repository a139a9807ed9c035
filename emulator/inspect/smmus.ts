/**
 * An SMMU's own state, for the views that show what only one architecture has (SMMUv2's
 * context banks, SMMUv3's stream table and queues): undefined when the SMMU is the other kind.
 */
export { v2StateOf, v3StateOf } from '../smmu/smmuState';
